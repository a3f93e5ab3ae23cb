"""The selected step in full: both queues with the difference marked, and why it is wrong.

For the first divergence the core's diagnosis; for a later wrong step, whether it is a new
error (it does not follow from the model's own previous queue, explained the same way) or an
inherited one (it does). What the model said it did (its head and action lines) is shown
beside what the rules do.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text

from tmtui.core.align import Verdict, first_difference
from tmtui.core.diagnose import explain_transition
from tmtui.core.text import one_line, visible
from tmtui.live.trace import Trace
from tmtui.tui.widgets.alignment import VERDICT_PAINT, common_affixes
from tmtui.tui.widgets.textview import TextView

__all__ = ["StepDetail", "step_text"]

Paint = Callable[[str], Style]


def _plain(name: str) -> Style:
    return _PLAIN.get(name, Style())


_PLAIN = {
    "correct": Style(color="green"),
    "wrong": Style(color="red"),
    "missing": Style(color="yellow"),
    "unparsable": Style(color="yellow"),
    "pending": Style(dim=True),
    "extra": Style(color="cyan"),
    "dim": Style(dim=True),
    "bold": Style(bold=True),
    "diff": Style(color="red", bold=True, underline=True),
    "diff-first": Style(color="white", bgcolor="red", bold=True),
}
_LIMIT = 20_000  # symbols shown of one queue (the rest is summarised)


def _queue(t: Text, q: str, p: Paint, lo: int | None = None, hi: int | None = None) -> None:
    """Append a queue, the symbols [lo, hi) marked as differing (the first one reversed)."""
    shown = visible(q[:_LIMIT], keep_newlines=False)
    if lo is None or hi is None or lo >= len(shown):
        t.append(shown)
        if lo is not None and lo >= len(shown):
            t.append(" ", style=p("diff-first"))  # the queue stops short here
    else:
        t.append(shown[:lo])
        t.append(shown[lo : lo + 1] or " ", style=p("diff-first"))
        t.append(shown[lo + 1 : hi], style=p("diff"))
        t.append(shown[hi:])
    if len(q) > _LIMIT:
        t.append(f" … (+{len(q) - _LIMIT:,} symbols)", style=p("dim"))


def step_text(tr: Trace, step: int, p: Paint = _plain) -> Text:
    """The detail of one step of a trace, as text (never markup)."""
    t = Text()
    dim = p("dim")

    def _label(t: Text, name: str) -> None:
        t.append(f"\n{name:<10}", style=dim)

    v = tr.verdict(step)
    fd = tr.first_divergence
    t.append(f"step {step}  ", style=p("bold"))
    t.append(f"{v.mark} {v.value}", style=p(VERDICT_PAINT[v]) + p("bold"))
    if step == fd:
        t.append("  · first divergence", style=p("wrong") + p("bold"))
    run = tr.run
    expected = tr.truth[step] if step < tr.n_truth else None
    ps = tr.got(step)
    got = ps.queue if ps is not None else None
    if expected is not None and got is not None and expected != got:
        lo = first_difference(expected, got)
        s = common_affixes(expected, got, lo)
        _label(t, "expected")
        _queue(t, expected, p, lo, max(lo + 1, len(expected) - s))
        _label(t, "got")
        _queue(t, got, p, lo, max(lo + 1, len(got) - s))
        _label(t, "")
        t.append(
            f"first difference at symbol {lo + 1} "
            f"(expected {len(expected)} symbols, got {len(got)})",
            style=dim,
        )
    else:
        if expected is not None:
            _label(t, "expected")
            _queue(t, expected, p)
            t.append(f"  ({len(expected)})", style=dim)
        if got is not None:
            _label(t, "got")
            _queue(t, got, p)
        elif ps is not None:
            _label(t, "got")
            t.append("? " + one_line(ps.problem or "no readable queue", 300), style=p("unparsable"))
        elif v is Verdict.MISSING:
            _label(t, "got")
            t.append("· this step was not written", style=p("missing"))
        elif v is Verdict.PENDING:
            _label(t, "got")
            t.append("… not written yet", style=dim)
    # why
    why = _why(tr, step, v)
    if why:
        _label(t, "diagnosis")
        t.append(why[0], style=p(why[1]) if why[1] else None)
    if 0 < step < tr.n_truth:
        _label(t, "the rules")
        cell = run.read_cell(step)
        t.append(
            f"read {visible(run.head_read(step), keep_newlines=False)} at cell {cell} "
            f"(written by step {run.read_from_step(step)}) · delete "
            f"{visible(' '.join(run.deleted(step)), keep_newlines=False)} · append "
            f"{visible(' '.join(run.production(step)), keep_newlines=False) or 'nothing'}"
        )
    if ps is not None and (ps.head_claim or ps.append_claim or ps.remove_claim):
        _label(t, "the model")
        said = []
        if ps.head_claim:
            said.append(f"head {one_line(ps.head_claim, 20)}")
        if ps.remove_claim is not None:
            said.append(f"remove {one_line(' '.join(ps.remove_claim), 200) or 'nothing'}")
        if ps.append_claim is not None:
            said.append(f"append {one_line(' '.join(ps.append_claim), 200) or 'nothing'}")
        t.append(" · ".join(said))
    if ps is not None:
        notes = [n for n in (ps.why, ps.note) if n]
        if ps.unknown:
            notes.append(f"symbols outside the alphabet: {one_line(ps.unknown, 40)}")
        if ps.halt:
            notes.append("marked as halting")
        if ps.span is not None:
            notes.append(f"queue at characters {ps.span[0]}–{ps.span[1]} of the answer")
        for n in notes:
            _label(t, "parse")
            t.append(one_line(n, 300), style=dim)
    return t


def _why(tr: Trace, step: int, v: Verdict) -> tuple[str, str] | None:
    fd = tr.first_divergence
    if step == fd or (fd is None and v is Verdict.EXTRA and tr.final):
        diag = tr.diagnosis()
        if diag is not None and diag.step == step:
            return diag.message, "bold"
    if v is not Verdict.WRONG or step == 0:
        return None
    prev = tr.got(step - 1)
    got = tr.got(step)
    if prev is None or prev.queue is None or got is None or got.queue is None:
        return None
    system = tr.run.system
    res = system.step(prev.queue)
    if res is not None and res.queue == got.queue:
        return (
            f"inherited: follows correctly from the model's own step {step - 1}, "
            "which was already wrong",
            "dim",
        )
    if res is None:
        return "new error: stepped on from a halting queue", ""
    _kind, msg, _detail = explain_transition(system, prev.queue, got.queue, got)
    return f"new error (from the model's own step {step - 1}): {msg}", ""


class StepDetail(TextView):
    """The selected step's :func:`step_text`, on the Line API (long queues stay cheap)."""

    DEFAULT_CSS = """
    StepDetail {
        padding: 0 1;
    }
    """

    def __init__(self, trace: Trace, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.trace = trace
        self.step: int | None = None

    def show(self, step: int | None) -> None:
        self.step = step
        if step is None:
            text = Text("no step selected", style=self.paint("dim"))
        else:
            text = step_text(self.trace, step, self.paint)
        self.set_lines(text.split("\n", allow_blank=True))

    def paint_changed(self) -> None:
        super().paint_changed()
        if self.is_mounted:
            self.show(self.step)
