"""The text of the session screens, made from the session's views (plain functions, so the
screens only lay them out). Every string that comes from a dataset, the database or the
participant's entry is made visible through :mod:`tmtui.tui.safe`, never markup.
"""

from __future__ import annotations

from rich.text import Text

from tmtui.human.views import EntryView, InstanceView, StepView, View
from tmtui.tui.safe import shown

__all__ = [
    "clock_words",
    "entry_label",
    "idle_hint",
    "problem_text",
    "spaced_shown",
    "steps_text",
    "where_text",
]


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
            t.append(f"⏱ {clock_words(left)} left", style=style)
        else:
            t.append(f"  ·  time {clock_words(iv.active_s)}", style="dim")
    if view.paused:
        t.append("  ·  PAUSED", style="bold reverse")
    elif not view.focused:
        t.append("  ·  clock stopped (window not focused)", style="bold")
    return t


def problem_text(iv: InstanceView) -> Text:
    """What a model is given: m, the alphabet (with its key map), every production, the
    initial queue. Wraps rather than cuts: nothing of it may be lost on a small terminal."""
    t = Text()
    t.append("m = ", style="dim")
    t.append(str(iv.m), style="bold")
    t.append(f"   (delete {iv.m} symbols at each step)", style="dim")
    t.append("     alphabet ", style="dim")
    t.append(" ".join(shown(s) for s in iv.alphabet), style="bold")
    if iv.key_map is not None:
        t.append("\nkeys     ", style="dim")
        for i, (k, s) in enumerate(iv.key_map.pairs):
            if i:
                t.append("   ")
            t.append(k, style="bold reverse")
            t.append(f" = {shown(s)}")
    t.append("\nrules    ", style="dim")
    for i, (sym, prod) in enumerate(iv.productions):
        if i:
            t.append("    ")
        t.append(shown(sym, 4), style="bold")
        t.append(" → ", style="dim")
        t.append(" ".join(shown(s) for s in prod) or "∅")
    missing = [s for s in iv.alphabet if s not in dict(iv.productions)]
    if missing:
        t.append(f"    ({' '.join(shown(s) for s in missing)}: no rule: halts)", style="dim")
    t.append("\nstep 0   ", style="dim")
    t.append(spaced_shown(iv.init), style="bold")
    t.append(f"  the initial queue ({len(iv.init)} symbols)", style="dim")
    return t


def _mark(step: StepView) -> Text:
    fb = step.feedback
    if fb is None:
        return Text("")
    if fb.correct:
        return Text("  ✓ right", style="bold green")
    return Text(f"  ✗ {shown(fb.message, 120)}", style="bold red")


def steps_text(iv: InstanceView) -> Text:
    """The participant's own submitted queues (never the truth while the instance is scored;
    marked when the session's feedback says so)."""
    t = Text()
    if not iv.steps:
        t.append("no step submitted yet", style="dim")
        return t
    for i, st in enumerate(iv.steps):
        if i:
            t.append("\n")
        t.append(f"step {st.step:<3} ", style="dim")
        t.append(spaced_shown(st.queue))
        t.append(f"  ({len(st.queue)})", style="dim")
        if st.corrections:
            t.append("  corrected", style="italic")
        t.append_text(_mark(st))
    return t


def entry_label(iv: InstanceView, entry: EntryView, correcting: int | None) -> Text:
    """What to type on the entry line, in words."""
    t = Text(no_wrap=False)
    if correcting is not None:
        t.append(f"Correct step {correcting}", style="bold")
        t.append(": Enter replaces it, Esc keeps it as it is")
        return t
    if entry.mode == "production":
        t.append(f"Step {entry.step}: type the symbols appended", style="bold")
        t.append(f" (the tool writes the {len(entry.fixed)} kept before them: ")
        t.append(spaced_shown(entry.fixed))
        t.append(")")
        return t
    t.append(f"Step {entry.step}: type the queue after step {entry.step}", style="bold")
    t.append(", then Enter")
    return t


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
