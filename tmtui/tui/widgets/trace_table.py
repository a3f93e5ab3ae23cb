"""The ground truth: one row per step of the true simulation.

Columns: the step, the head symbol it read, the symbols it deleted, the production it
appended, the tape cell it read with the step that wrote that cell (``cell←step``: a one-line
legend above the table and the table's tooltip say so), and the queue after it (the head
underlined, the appended production in the accent colour). State 0 is the initial queue. Rows
come straight from the run's tape: nothing is copied per row.
"""

from __future__ import annotations

from rich.segment import Segment

from tmtui.core.tagsystem import Run
from tmtui.tui.safe import shown
from tmtui.tui.widgets.rows import RowTable, fit, queue_segments

__all__ = ["TruthTable"]

_SEP = " │ "
_QUEUE_HEADS = ("queue after the step", "queue after", "queue")  # the longest that fits
TOOLTIP = (
    "head: the symbol read · del: the symbols deleted from the front · adds: the production "
    "appended · cell←step: the tape cell the head read and the step that wrote it (0: the "
    "initial queue) · queue: the head underlined, the production coloured"
)


class TruthTable(RowTable):
    """The true trace of a :class:`~tmtui.core.tagsystem.Run`."""

    def __init__(self, run: Run, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_run(run, refresh=False)
        self.tooltip = TOOLTIP

    def set_run(self, run: Run, *, refresh: bool = True) -> None:
        self.run = run
        system = run.system
        longest = max((len(p) for p in system.productions.values()), default=1)
        self._prod_w = min(max(4, longest), 12)
        self._del_w = min(max(3, system.m), 8)
        self._digits = max(4, len(str(max(run.last_step, 0))))
        self._cell_digits = max(2, len(str(max(len(run.tape) - 1, 0))))
        if refresh:
            self.update_rows()
            self.invalidate()

    @property
    def row_count(self) -> int:
        return len(self.run)

    def _widths(self, width: int) -> tuple[int, int]:
        read_w = self._cell_digits + self._digits + 4
        fixed = self._digits + 4 + self._del_w + self._prod_w + read_w + 5 * len(_SEP)
        return read_w, max(4, width - fixed)

    def render_header(self, width: int) -> list[Segment]:
        read_w, qw = self._widths(width)
        return [
            fit("step", self._digits, align="right"),
            Segment(_SEP),
            fit("head", 4),
            Segment(_SEP),
            fit("del", self._del_w),
            Segment(_SEP),
            fit("adds", self._prod_w),
            Segment(_SEP),
            fit("cell←step", read_w),
            Segment(_SEP),
            fit(next((h for h in _QUEUE_HEADS if len(h) <= qw), "queue"), qw),
        ]

    def render_row(self, row: int, width: int) -> list[Segment]:
        run = self.run
        paint = self.paint
        dim = paint("dim")
        read_w, qw = self._widths(width)
        sep = Segment(_SEP, dim)
        queue = run.state(row)  # raw: queue_segments makes each piece visible
        segs = [fit(str(row), self._digits, align="right"), sep]
        if row == 0:
            segs += [
                fit("—", 4, dim),
                sep,
                fit("—", self._del_w, dim),
                sep,
                fit("init", self._prod_w, dim),
                sep,
                fit("—", read_w, dim),
                sep,
            ]
            prod_len = 0
        else:
            head = shown(run.head_read(row))
            prod = run.production(row)
            cell = run.read_cell(row)
            segs += [
                fit(head, 4, paint("head")),
                sep,
                fit(shown(run.deleted(row)), self._del_w),
                sep,
                fit(shown(prod) or "∅", self._prod_w, paint("accent") if prod else dim),
                sep,
                fit(f"{cell}←{run.read_from_step(row)}", read_w),
                sep,
            ]
            prod_len = len(prod)
        marks = []
        if queue:
            marks.append((0, 1, paint("head")))
        if prod_len:
            marks.append((len(queue) - prod_len, len(queue), paint("accent")))
        n = len(queue)
        if not queue:
            segs.append(fit("(empty)", qw, dim))
        elif n <= qw:
            segs += queue_segments(queue, qw, marks=marks, dim=dim)
        else:
            # both ends matter: the head is read, the tail is appended
            tail = max(prod_len, (qw - 1) // 2) if prod_len < qw - 4 else (qw - 1) // 2
            head = qw - 1 - tail
            segs += queue_segments(queue, qw, marks=marks, dim=dim, window=(0, head))
            shifted = [(s - (n - tail), e - (n - tail), st) for s, e, st in marks]
            segs += queue_segments(queue[n - tail :], tail, marks=shifted, dim=dim)
        return segs
