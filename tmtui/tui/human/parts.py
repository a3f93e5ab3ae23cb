"""The text of the session screens, made from the session's views (plain functions, so the
screens only lay them out). Every string that comes from a dataset, the database or the
participant's entry is made visible through :mod:`tmtui.tui.safe`, never markup.
"""

from __future__ import annotations

from functools import lru_cache

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from tmtui.human.entry import KeyMap
from tmtui.human.views import EntryView, InstanceView, StepView, View
from tmtui.tui.safe import shown

__all__ = [
    "LABEL",
    "clock_words",
    "entry_label",
    "idle_hint",
    "problem_text",
    "spaced_shown",
    "steps_text",
    "typable",
    "where_text",
]


LABEL = 9  # the width of the labels on the left ("rules    ", "step 12  "): lines hang under it


@lru_cache(maxsize=1)
def _console() -> Console:
    return Console(width=10_000, color_system=None, legacy_windows=False)


def hang(label: Text, body: Text, width: int) -> Text:
    """``label`` then ``body`` wrapped to the width left, its further lines indented under
    the label's width (a queue or a message never runs back into the label column)."""
    room = max(8, width - LABEL)
    label = label.copy()
    label.pad_right(max(0, LABEL - label.cell_len))
    out = Text()
    for i, line in enumerate(body.wrap(_console(), room)):
        if i:
            out.append("\n" + " " * LABEL)
        else:
            out.append_text(label)
        out.append_text(line)
    if not body:
        out.append_text(label)
    return out


def _lines(pieces: list[Text], room: int, sep: str) -> list[Text]:
    """The pieces side by side, a new line where the next one would not fit."""
    lines: list[Text] = []
    line = Text()
    for piece in pieces:
        if line and line.cell_len + len(sep) + piece.cell_len > room:
            lines.append(line)
            line = Text()
        if line:
            line.append(sep)
        line.append_text(piece)
    lines.append(line)
    return lines


def pack(label: Text, pieces: list[Text], width: int, sep: str = "    ") -> Text:
    """``label`` then the pieces side by side, a new line (indented under the label) where
    the next piece would not fit: a piece (a rule) is never broken unless it alone is wider
    than the room."""
    body = Text("\n").join(_lines(pieces, max(8, width - LABEL), sep))
    return hang(label, body, width)


def typable(text: str, key_map: KeyMap | None) -> str:
    """``text`` as the screen may put it in the entry line (a prefill, a step to correct): a
    symbol that the terminal would not show as itself (a control character, a bidi mark) is
    written as its key from the key map; the entry reads both the same."""
    if key_map is None:
        return text
    return "".join(
        k if (k := key_map.key(ch)) is not None and shown(ch) != ch else ch for ch in text
    )


def clock_words(seconds: float) -> str:
    """``4:05`` (or ``1:02:03``)."""
    s = max(0, int(seconds + 0.999)) if seconds > 0 else 0
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def spaced_shown(symbols: str) -> str:
    """A queue as the screen shows it: ``[A B C]`` (each symbol visible)."""
    return "[" + " ".join(shown(s) for s in symbols) + "]"


def where_text(view: View, *, correcting: int | None = None) -> Text:
    """The top line: who, which instance of how many, which step, and the clock."""
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(shown(view.participant, 24), style="bold")
    iv = view.instance
    if iv is not None:
        kind = "Practice" if iv.practice else "Instance"
        t.append(f"  {kind} {iv.number} of {iv.count}", style="bold")
        if iv.entry is not None:
            step = correcting if correcting is not None else iv.entry.step
            verb = "correcting step" if correcting is not None else "step"
            t.append(f"  ·  {verb} {step} of {iv.max_step}")
        if iv.remaining_s is not None:
            left = iv.remaining_s
            style = "bold reverse" if left <= 60 else "bold"
            t.append("  ·  ")
            t.append(f"{clock_words(left)} left", style=style)
        else:
            t.append(f"  ·  time {clock_words(iv.active_s)}", style="dim")
    if view.paused:
        t.append("  ·  PAUSED", style="bold reverse")
    elif not view.focused:
        t.append("  ·  clock stopped", style="bold")
    return t


def problem_text(iv: InstanceView, width: int = 10_000) -> Text:
    """What a model is given: m, the alphabet (with its key map), every production, the
    initial queue. Wraps rather than cuts (nothing of it may be lost on a small terminal),
    and never inside a rule."""
    head = [Text.assemble(("m = ", "dim"), (str(iv.m), "bold"))]
    head.append(Text(f"(delete {iv.m} symbols at each step)", style="dim"))
    head.append(
        Text.assemble(("alphabet ", "dim"), (" ".join(shown(s) for s in iv.alphabet), "bold"))
    )
    t = Text("\n").join(_lines(head, width, "   "))
    if iv.key_map is not None:
        keys = [Text.assemble((k, "bold reverse"), f" = {shown(s)}") for k, s in iv.key_map.pairs]
        t.append("\n")
        t.append_text(pack(Text("keys", style="dim"), keys, width, sep="   "))
    rules = []
    for sym, prod in iv.productions:
        rule = Text.assemble((shown(sym, 4), "bold"), (" → ", "dim"))
        rule.append(" ".join(shown(s) for s in prod) or "∅")
        rules.append(rule)
    missing = [s for s in iv.alphabet if s not in dict(iv.productions)]
    if missing:
        rules.append(Text(f"({' '.join(shown(s) for s in missing)}: no rule: halts)", "dim"))
    t.append("\n")
    t.append_text(pack(Text("rules", style="dim"), rules, width))
    init = Text(spaced_shown(iv.init), style="bold")
    init.append(f"  the initial queue ({len(iv.init)} symbols)", style="dim")
    t.append("\n")
    t.append_text(hang(Text("step 0", style="dim"), init, width))
    return t


def _mark(step: StepView) -> Text:
    fb = step.feedback
    if fb is None:
        return Text("")
    if fb.correct:
        return Text("  ✓ right", style="bold green")
    return Text(f"  ✗ {shown(fb.message, 120)}", style="bold red")


def steps_text(iv: InstanceView, width: int = 10_000) -> Text:
    """The participant's own submitted queues (never the truth while the instance is scored;
    marked when the session's feedback says so), each wrapped under its label."""
    if not iv.steps:
        return Text("no step submitted yet", style="dim")
    rows = []
    for st in iv.steps:
        body = Text(spaced_shown(st.queue))
        body.append(f"  ({len(st.queue)})", style="dim")
        if st.corrections:
            body.append("  corrected", style="italic")
        body.append_text(_mark(st))
        rows.append(hang(Text(f"step {st.step}", style="dim"), body, width))
    return Text("\n").join(rows)


def entry_label(
    iv: InstanceView, entry: EntryView, correcting: int | None, width: int = 10_000
) -> Text:
    """What to type on the entry line, in words, for ``width`` columns: under the append
    assist the kept queue is never broken across lines (it goes on a line of its own, its
    middle elided where even that line is too short)."""
    t = Text(no_wrap=False)
    if correcting is not None:
        t.append(f"Correct step {correcting}", style="bold")
        t.append(": Enter replaces it, Esc keeps it as it is")
        return t
    if entry.mode == "production":
        t.append(f"Step {entry.step}: type the symbols appended", style="bold")
        t.append(f" (the tool writes the {len(entry.fixed)} kept before them:")
        kept = spaced_shown(entry.fixed) + ")"
        if t.cell_len + 1 + cell_len(kept) <= width:
            t.append(" " + kept)
        else:
            t.append("\n" + _elided([shown(s) for s in entry.fixed], width - 1) + ")")
        return t
    t.append(f"Step {entry.step}: type the queue after step {entry.step}", style="bold")
    t.append(", then Enter")
    return t


def _elided(symbols: list[str], room: int) -> str:
    """``[A B C]``, or as many symbols from both ends as fit in ``room`` columns with ``…``
    between them (never part of a symbol)."""
    whole = "[" + " ".join(symbols) + "]"
    if cell_len(whole) <= room:
        return whole
    head: list[str] = []
    tail: list[str] = []
    used = cell_len("[…]")
    for i in range(len(symbols)):
        side, sym = (head, symbols[i // 2]) if i % 2 == 0 else (tail, symbols[-1 - i // 2])
        if used + cell_len(sym) + 1 > room:
            break
        side.append(sym)
        used += cell_len(sym) + 1
    return "[" + " ".join([*head, "…", *reversed(tail)]) + "]"


def idle_hint(iv: InstanceView, correcting: int | None) -> Text:
    """The line under an empty entry: what the keys do."""
    if correcting is not None:
        return Text("type the corrected queue", style="dim")
    parts = ["spaces and commas optional", "[] is the empty queue"]
    if iv.key_map is not None:
        parts.insert(0, f"keys {iv.key_map.keys()} stand for the symbols")
    parts.append("halt ends the instance")
    if iv.correctable is not None:
        parts.append(f"↑ corrects step {iv.correctable}")
    return Text(" · ".join(parts), style="dim")
