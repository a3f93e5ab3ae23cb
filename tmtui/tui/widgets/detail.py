"""The selected step in full: both queues with the difference marked, and why it is wrong.

It renders the core's :class:`~tmtui.core.explain.StepExplanation` of the step (computed by
:func:`~tmtui.core.explain.explain_step`, the same for every renderer): for the first
divergence the diagnosis; for a later wrong step, whether it is a new error (it does not follow
from the model's own previous queue, explained the same way) or an inherited one (it does).
What the model said it did (its head and action lines) is shown beside what the rules do.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text

from tmtui.core.align import Verdict
from tmtui.core.explain import ReasonKind, StepExplanation
from tmtui.core.text import one_line, visible
from tmtui.live.trace import Trace
from tmtui.tui.widgets.paint import VERDICT_PAINT
from tmtui.tui.widgets.textview import TextView

__all__ = ["StepDetail", "explanation_text", "step_text"]

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
    return explanation_text(tr.explain(step), p)


_REASON_PAINT = {ReasonKind.DIAGNOSIS: "bold", ReasonKind.INHERITED: "dim"}


def explanation_text(ex: StepExplanation, p: Paint = _plain) -> Text:
    """A :class:`StepExplanation` as text: one labelled line per part."""
    t = Text()
    dim = p("dim")

    def _label(t: Text, name: str) -> None:
        t.append(f"\n{name:<10}", style=dim)

    v = ex.verdict
    t.append(f"step {ex.step}  ", style=p("bold"))
    t.append(f"{v.mark} {v.value}", style=p(VERDICT_PAINT[v]) + p("bold"))
    if ex.first_divergence:
        t.append("  · first divergence", style=p("wrong") + p("bold"))
    expected, got, diff = ex.expected, ex.got, ex.difference
    if diff is not None and expected is not None and got is not None:
        lo = diff.first
        _label(t, "expected")
        _queue(t, expected, p, lo, max(lo + 1, diff.expected_end))
        _label(t, "got")
        _queue(t, got, p, lo, max(lo + 1, diff.got_end))
        _label(t, "")
        t.append(
            f"first difference at symbol {diff.position} "
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
        elif ex.problem is not None:
            _label(t, "got")
            t.append("? " + one_line(ex.problem, 300), style=p("unparsable"))
        elif v is Verdict.MISSING:
            _label(t, "got")
            t.append("· this step was not written", style=p("missing"))
        elif v is Verdict.PENDING:
            _label(t, "got")
            t.append("… not written yet", style=dim)
    why = ex.reason
    if why is not None:
        _label(t, "diagnosis")
        paint = _REASON_PAINT.get(why.kind)
        t.append(why.message, style=p(paint) if paint else None)
    rules = ex.rules
    if rules is not None:
        _label(t, "the rules")
        t.append(
            f"read {visible(rules.head, keep_newlines=False)} at cell {rules.cell} "
            f"(written by step {rules.written_by}) · delete "
            f"{visible(' '.join(rules.deleted), keep_newlines=False)} · append "
            f"{visible(' '.join(rules.appended), keep_newlines=False) or 'nothing'}"
        )
    said = ex.claims
    if said is not None:
        _label(t, "the model")
        parts = []
        if said.head:
            parts.append(f"head {one_line(said.head, 20)}")
        if said.remove is not None:
            parts.append(f"remove {one_line(' '.join(said.remove), 200) or 'nothing'}")
        if said.append is not None:
            parts.append(f"append {one_line(' '.join(said.append), 200) or 'nothing'}")
        t.append(" · ".join(parts))
    for n in ex.notes:
        _label(t, "parse")
        t.append(one_line(n, 300), style=dim)
    return t


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
