"""The selected step in full: both queues with the difference marked, and why it is wrong.

It renders the core's :class:`~tmtui.core.explain.StepExplanation` of the step (computed by
:func:`~tmtui.core.explain.explain_step`, the same for every renderer): for the first
divergence the diagnosis; for a later wrong step, whether it is a new error (it does not follow
from the model's own previous queue, explained the same way) or an inherited one (it does).
What the model said it did (its head and action lines) is shown beside what the rules do.

Every string from the answer or the instance (queues, symbols, the diagnosis, the parser's
notes) is shown through :func:`tmtui.tui.safe.shown`; lines wrap at word boundaries (a queue,
one long word, between symbols).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text

from tmtui.core.align import Verdict
from tmtui.core.explain import ReasonKind, StepExplanation
from tmtui.live.trace import Trace
from tmtui.tui.safe import shown
from tmtui.tui.widgets.alignment import Missing, missing_label
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
LABEL_WIDTH = 10  # "expected  ", "diagnosis ": a folded line's later rows start under the text


def _queue(t: Text, q: str, p: Paint, lo: int | None = None, hi: int | None = None) -> None:
    """Append a queue, the symbols [lo, hi) marked as differing (the first one reversed). The
    queue is cut by symbol first, then each piece made visible (a control symbol's stand-in
    is wider than one cell: the marks stay on the right symbols)."""
    q_shown = q[:_LIMIT]
    if lo is None or hi is None or lo >= len(q_shown):
        t.append(shown(q_shown))
        if lo is not None and lo >= len(q_shown):
            t.append(" ", style=p("diff-first"))  # the queue stops short here
    else:
        t.append(shown(q_shown[:lo]))
        t.append(shown(q_shown[lo : lo + 1]) or " ", style=p("diff-first"))
        t.append(shown(q_shown[lo + 1 : hi]), style=p("diff"))
        t.append(shown(q_shown[hi:]))
    if len(q) > _LIMIT:
        t.append(f" … (+{len(q) - _LIMIT:,} symbols)", style=p("dim"))


def step_text(tr: Trace, step: int, p: Paint = _plain) -> Text:
    """The detail of one step of a trace, as text (never markup); for an attempt that did not
    happen, why there is nothing to score comes first."""
    t = explanation_text(tr.explain(step), p, missing=_MISSING.get(missing_label(tr, step)))
    reason = tr.not_attempted_reason()
    if reason is not None:
        t = Text(shown(reason), style=p("missing") + p("bold")) + "\n" + t
    return t


# what the step panel says of a missing step that the answer did not simply leave out
_MISSING = {
    Missing.NOT_READ: "· the official regex reads no step {step}; the answer writes one "
    "(the strict parser reads it)",
    Missing.NO_ANSWER: "· no answer: the request failed (not the model's omission)",
    Missing.NOT_RECEIVED: "· not received: the stream was interrupted before this step",
}

_REASON_PAINT = {ReasonKind.DIAGNOSIS: "bold", ReasonKind.INHERITED: "dim"}


def explanation_text(ex: StepExplanation, p: Paint = _plain, *, missing: str | None = None) -> Text:
    """A :class:`StepExplanation` as text: one labelled line per part. ``missing``: what to say
    of a missing step instead of 'this step was not written' (``{step}``: its number)."""
    t = Text()
    dim = p("dim")

    def _label(t: Text, name: str) -> None:
        t.append(f"\n{name:<{LABEL_WIDTH}}", style=dim)

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
            f"the queues first differ at symbol {diff.position} "
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
            t.append("? " + shown(ex.problem, 300), style=p("unparsable"))
        elif v is Verdict.MISSING and missing is not None:
            _label(t, "got")
            t.append(missing.format(step=ex.step), style=p("missing"))
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
        t.append(shown(why.message), style=p(paint) if paint else None)
        if diff is not None and why.position is not None and why.position != diff.position:
            # one error, two positions: say which is which
            _label(t, "")
            t.append(
                f"symbol {why.position} is where the copy went wrong; the symbols around it "
                f"repeat, so the queues first differ later, at symbol {diff.position}",
                style=dim,
            )
        if why.read_differently:
            _label(t, "")
            t.append("press i: the parse inspector shows both readings, step by step", style=dim)
    rules = ex.rules
    if rules is not None:
        _label(t, "the rules")
        t.append(
            f"read {shown(rules.head)} at cell {rules.cell} "
            f"(written by step {rules.written_by}) · delete "
            f"{shown(' '.join(rules.deleted))} · append "
            f"{shown(' '.join(rules.appended)) or 'nothing'}"
        )
    said = ex.claims
    if said is not None:
        _label(t, "the model")
        parts = []
        if said.fetch is not None:
            cell, writer = said.fetch
            read = f"read {shown(said.head, 20)} " if said.head else "read "
            parts.append(f"{read}at cell {cell} (written by step {writer})")
            if rules is not None and (cell, writer) != (rules.cell, rules.written_by):
                parts[-1] += " ✗"
        elif said.head:
            parts.append(f"head {shown(said.head, 20)}")
        if said.remove is not None:
            parts.append(f"remove {shown(' '.join(said.remove), 200) or 'nothing'}")
        if said.append is not None:
            parts.append(f"append {shown(' '.join(said.append), 200) or 'nothing'}")
        t.append(" · ".join(parts))
    for n in ex.notes:
        _label(t, "parse")
        t.append(shown(n, 300), style=dim)
    return t


class StepDetail(TextView):
    """The selected step's :func:`step_text`, on the Line API (long queues stay cheap)."""

    DEFAULT_CSS = """
    StepDetail {
        padding: 0 1;
    }
    """

    def __init__(self, trace: Trace, *, id: str | None = None) -> None:
        super().__init__(hang=LABEL_WIDTH, id=id)
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
