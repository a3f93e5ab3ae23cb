"""The alignment: every step, what the truth says beside what the model wrote.

One row per ground-truth step (then the steps written past it): a mark (✓ correct, ✗ wrong,
· missing, ? unparsable, … pending, + extra) in its verdict's colour, the step, the expected
queue, the model's queue with the symbol-level difference marked (the first differing symbol
reversed, the differing middle underlined), and the first differing position. A long queue is
shown as a window around its first difference. The first divergence's row is tinted.
"""

from __future__ import annotations

from enum import StrEnum

from rich.segment import Segment

from tmtui.core.align import Verdict, common_suffix
from tmtui.core.parsed import ParserMode
from tmtui.core.text import one_line
from tmtui.live.trace import Trace
from tmtui.tui.widgets.paint import VERDICT_PAINT
from tmtui.tui.widgets.rows import RowTable, fit, queue_segments, queue_window

__all__ = ["AlignmentTable", "Missing", "missing_label"]

_SEP = " │ "


class AlignmentTable(RowTable):
    """The live alignment of a :class:`Trace` (rows are ``Trace`` rows)."""

    def __init__(self, trace: Trace, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.trace = trace

    def set_trace(self, trace: Trace) -> None:
        self.trace = trace
        self.update_rows()
        self.invalidate()

    @property
    def row_count(self) -> int:
        return self.trace.row_count

    def _widths(self, width: int) -> tuple[int, int, int]:
        digits = max(4, len(str(max(self.trace.row_count - 1, 0))))
        fixed = 2 + digits + 2 * len(_SEP)
        q = max(3, (width - fixed - 7) // 2)
        return digits, q, max(0, width - fixed - 2 * q)

    def render_header(self, width: int) -> list[Segment]:
        digits, q, pos = self._widths(width)
        return [
            Segment("  "),
            fit("step", digits, align="right"),
            Segment(_SEP),
            fit("expected", q),
            Segment(_SEP),
            fit("got", q),
            fit(" first≠", pos),
        ]

    def render_row(self, row: int, width: int) -> list[Segment]:
        tr = self.trace
        k = tr.step_of_row(row)
        v = tr.verdict(k)
        paint = self.paint
        vstyle = paint(VERDICT_PAINT[v])
        dim = paint("dim")
        digits, qw, posw = self._widths(width)
        segs = [
            Segment(v.mark + " ", vstyle),
            fit(str(k), digits, vstyle if v is not Verdict.CORRECT else None, "right"),
            Segment(_SEP, dim),
        ]
        expected = tr.truth[k] if k < tr.n_truth else None
        ps = tr.got(k)
        got = ps.queue if ps is not None else None
        if v is Verdict.WRONG and expected is not None and got is not None:
            p = tr.diff_at(k) or 0
            s = common_suffix(expected, got, p)
            diff, first = paint("diff"), paint("diff-first")
            e_marks = [(p, len(expected) - s, diff), (p, p + 1, first)]
            g_marks = [(p, len(got) - s, diff), (p, p + 1, first)]
            # the same window for both, so the columns line up symbol for symbol
            longest = max(len(expected), len(got))
            win = queue_window(longest, qw, p)
            segs += _pad(
                queue_segments(expected, qw, marks=e_marks, dim=dim, window=_clip(win, expected)),
                qw,
            )
            segs.append(Segment(_SEP, dim))
            segs += _pad(
                queue_segments(got, qw, marks=g_marks, dim=dim, window=_clip(win, got)), qw
            )
            segs.append(fit(f" @{p + 1}", posw, vstyle))
            return segs
        if expected is None:
            segs.append(fit("— (past the last state)", qw, dim))
        else:
            segs += _pad(queue_segments(expected, qw, dim=dim), qw)
        segs.append(Segment(_SEP, dim))
        if got is not None:
            segs += _pad(queue_segments(got, qw, dim=dim), qw)
        elif v is Verdict.UNPARSABLE and ps is not None:
            segs.append(fit("? " + one_line(ps.problem or "no queue", 200), qw, vstyle))
        elif v is Verdict.MISSING:
            # not 'not written' where the regex alone misses it or no answer came
            segs.append(fit("· " + missing_label(tr, k), qw, vstyle))
        elif v is Verdict.PENDING:
            segs.append(fit("…", qw, vstyle))
        else:
            segs.append(fit("", qw))
        mark = ""
        if ps is not None and ps.halt:
            mark = " halt"
        segs.append(fit(mark, posw, dim))
        return segs

    def row_tint(self, row: int) -> str | None:
        fd = self.trace.first_divergence
        if fd is not None and row == self.trace.row_of_step(fd):
            return "divergence"
        return None


def _clip(win: tuple[int, int], q: str) -> tuple[int, int]:
    a, b = win
    a = min(a, len(q))
    b = min(b, len(q))
    return a, b


def _pad(segs: list[Segment], width: int) -> list[Segment]:
    n = sum(s.cell_length for s in segs)
    if n < width:
        segs.append(Segment(" " * (width - n)))
    elif n > width:
        from textual.strip import Strip

        return list(Strip(segs).crop(0, width))
    return segs


class Missing(StrEnum):
    """Why a step is missing, in a few words (the value, as the alignment shows it)."""

    NOT_READ = "not read (regex)"  # compat: the answer writes it, the official regex reads none
    NO_ANSWER = "no answer"  # the request failed
    NOT_RECEIVED = "not received"  # the stream was interrupted before it
    NOT_WRITTEN = "not written"  # the answer left it out


def missing_label(tr: Trace, k: int) -> Missing:
    """Why step ``k`` of ``tr`` is missing (see :class:`Missing`)."""
    if tr.mode is ParserMode.TMBENCH and tr.got(k) is None and k in tr.parser.steps:
        return Missing.NOT_READ
    if not tr.attempted:
        return Missing.NO_ANSWER if tr.status == "error" else Missing.NOT_RECEIVED
    return Missing.NOT_WRITTEN
