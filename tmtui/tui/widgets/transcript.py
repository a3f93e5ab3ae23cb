"""The model's raw text, as it streams, with what the parser took as queues marked.

A Line API view over :class:`~tmtui.live.trace.TextLines`: lines are soft-wrapped to the
width at word boundaries (a queue written without spaces between symbols), only the visible
rows are rendered and every rendered row is cached. New text only
re-measures the lines it touched, so a transcript of millions of characters costs what the
screen shows. Untrusted text is shown through :func:`tmtui.core.text.visible`: control
characters, escape sequences and bidi overrides appear as visible stand-ins (``␛``,
``\\x9b``, ``\\u202e``) and ``[bold]`` is just text.

Marks (with a trace): each queue span in its verdict's colour, the selected step's span
highlighted, the first differing symbol of a wrong queue reversed, step headers in bold; the
gutter shows the verdict mark of each line that holds a queue.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tmtui.core.align import Verdict
from tmtui.core.text import visible
from tmtui.live.text_lines import TextLines, symbol_offsets
from tmtui.live.trace import Trace
from tmtui.tui.widgets.paint import (
    PAINT_CLASSES,
    PAINT_CSS,
    VERDICT_PAINT,
    Painter,
    set_virtual_size,
)
from tmtui.tui.widgets.wrap import word_breaks

__all__ = ["TranscriptView"]

GUTTER = 2


class _Line:
    """A line as shown, folded at word boundaries (:func:`word_breaks`). Fast path (printable
    ASCII or single-width text): the raw text itself. Slow path: one display piece per raw
    character (a control made visible, a wide character). ``breaks`` are the raw indexes where
    each row starts."""

    __slots__ = ("breaks", "pieces", "raw")

    def __init__(self, raw: str, width: int) -> None:
        self.raw = raw
        self.pieces: list[str] | None = None
        if not (raw.isascii() and raw.isprintable()) and not (
            visible(raw) == raw and cell_len(raw) == len(raw)
        ):
            self.pieces = [visible(ch) if not ch.isprintable() else ch for ch in raw]
        self.breaks = word_breaks(self.pieces if self.pieces is not None else raw, width)

    def row_range(self, sub: int, width: int) -> tuple[int, int]:
        n = len(self.raw)
        br = self.breaks
        a = br[sub] if sub < len(br) else n
        b = br[sub + 1] if sub + 1 < len(br) else n
        return a, b

    def sub_of(self, index: int, width: int) -> int:
        return bisect_right(self.breaks, index) - 1

    def show(self, a: int, b: int) -> str:
        if self.pieces is None:
            return self.raw[a:b]
        return "".join(self.pieces[a:b])

    def index_at(self, a: int, b: int, col: int) -> int:
        """The raw index shown at cell ``col`` of the row [a, b)."""
        if self.pieces is None:
            return min(a + col, b)
        cells = 0
        for i in range(a, b):
            cells += cell_len(self.pieces[i])
            if cells > col:
                return i
        return b


def _measure(raw: str) -> int:
    if raw.isascii() and raw.isprintable():
        return len(raw)
    return cell_len(visible(raw))


class TranscriptView(Painter, ScrollView, can_focus=True, inherit_bindings=False):
    """Wrapped, virtual, marked raw text."""

    DEFAULT_CSS = (
        """
    TranscriptView {
        background: $surface;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
"""
        + PAINT_CSS
        + """
    }
    """
    )
    COMPONENT_CLASSES = PAINT_CLASSES

    class Clicked(Message):
        """The text was clicked at ``offset`` (a character offset into the answer)."""

        def __init__(self, view: TranscriptView, offset: int) -> None:
            super().__init__()
            self.view = view
            self.offset = offset

        @property
        def control(self) -> TranscriptView:
            return self.view

    def __init__(
        self,
        lines: TextLines,
        trace: Trace | None = None,
        *,
        gutter: bool = True,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.lines = lines
        self.trace = trace
        self.gutter_width = GUTTER if gutter else 0
        self.selected: int | None = None
        self.follow = False
        self._wrap = 0
        self._cells: list[int] = []  # display width of each measured line
        self._row_start: list[int] = [0]  # first row of each line, then the total
        self._cache: LRUCache[tuple[int, int], Strip] = LRUCache(2048)
        self._disp: LRUCache[tuple[int, int], _Line] = LRUCache(512)
        self._first_sym: dict[int, tuple[tuple[int, int], int, int | None]] = {}
        self._reasoning: list[tuple[int, int]] = []
        self._pending_step: int | None = None  # to bring into view once the view has a size

    # -- data -------------------------------------------------------------------------
    def set_source(self, lines: TextLines, trace: Trace | None = None) -> None:
        self.lines = lines
        self.trace = trace
        self._cells = []
        self._row_start = [0]
        self._reasoning = []
        self._cache.clear()
        self._disp.clear()
        self._first_sym.clear()
        self.text_changed(0)
        self.scroll_to(y=0, animate=False)

    def text_changed(self, first_line: int | None) -> None:
        """Lines from ``first_line`` on changed (or were added)."""
        if first_line is None:
            return
        first_line = min(first_line, len(self._cells))
        lines = self.lines.lines
        del self._cells[first_line:]
        self._cells.extend(_measure(s) for s in lines[first_line:])
        keys = list(self._disp.keys())
        for key in keys:
            if key[0] >= first_line:
                self._disp.discard(key)
        self._rewrap(first_line)
        start = self._row_start[first_line]
        keys = list(self._cache.keys())
        for key in keys:
            if key[0] >= start:
                self._cache.discard(key)
        self.refresh()
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def sync(self) -> None:
        """Measure lines that arrived without a :meth:`text_changed` (e.g. a preloaded text)."""
        if len(self._cells) < self.lines.line_count or (
            self._cells and self._cells[-1] != _measure(self.lines.lines[len(self._cells) - 1])
        ):
            self.text_changed(max(0, len(self._cells) - 1))

    def _rewrap(self, first_line: int) -> None:
        w = max(1, self._wrap)
        rs = self._row_start
        del rs[first_line + 1 :]
        r = rs[first_line]
        cells = self._cells
        for i in range(first_line, len(cells)):
            # a line that fits is one row; a longer one is folded at word boundaries
            r += 1 if cells[i] <= w else len(self._line(i).breaks)
            rs.append(r)
        self._set_virtual()

    def _set_virtual(self) -> None:
        set_virtual_size(self, Size(self._wrap + self.gutter_width, self._row_start[-1]))

    def set_reasoning_spans(self, spans: list[tuple[int, int]]) -> None:
        self._reasoning = list(spans)
        self.marks_changed()

    def marks_changed(self, steps: set[int] | None = None) -> None:
        """The verdicts (or spans) of ``steps`` changed; None: all of them."""
        if steps is None or self.trace is None:
            self._cache.clear()
            self._first_sym.clear()
            self.refresh()
            return
        for k in steps:
            self._first_sym.pop(k, None)
            self._forget_step(k)

    def _forget_step(self, k: int) -> None:
        tr = self.trace
        if tr is None:
            return
        for where in (tr.positions.span_of(k), _point(tr.positions.header_of(k))):
            if where is None:
                continue
            r0, r1 = self._rows_of(where[0], where[1])
            for r in range(r0, r1):
                self._cache.discard((r, self._wrap))
            self.refresh()

    def select(self, step: int | None, *, scroll: bool = True) -> None:
        old = self.selected
        self.selected = step
        if old is not None:
            self._forget_step(old)
        if step is not None:
            self._forget_step(step)
            if scroll:
                self.scroll_to_step(step)

    def _rows_of(self, start: int, end: int) -> tuple[int, int]:
        l0 = self.lines.line_of(start)
        l1 = self.lines.line_of(max(start, end - 1))
        rs = self._row_start
        if l1 + 1 >= len(rs):
            return rs[min(l0, len(rs) - 1)], rs[-1]
        return rs[l0], rs[l1 + 1]

    def row_of_offset(self, offset: int) -> int:
        i = self.lines.line_of(offset)
        if i + 1 >= len(self._row_start):
            return max(0, self._row_start[-1] - 1)
        col = offset - self.lines.starts[i]
        sub = self._line(i).sub_of(col, self._wrap)
        return self._row_start[i] + min(sub, self._row_start[i + 1] - self._row_start[i] - 1)

    def scroll_to_step(self, step: int) -> None:
        tr = self.trace
        if tr is None:
            return
        if self.scrollable_content_region.height <= 0 or self._wrap <= 0:
            # hidden (a tab not shown yet): a view without a size cannot scroll; do it when
            # it gets one
            self._pending_step = step
            return
        self._pending_step = None
        span = tr.positions.span_of(step)
        head = tr.positions.header_of(step)
        if span is None and head is None:
            return
        top_off = head if head is not None else span[0]  # type: ignore[index]
        row = self.row_of_offset(top_off)
        end_row = self.row_of_offset(span[1]) if span is not None else row
        page = max(1, self.scrollable_content_region.height)
        y = int(self.scroll_y)
        if row >= y and end_row < y + page:
            return
        self.scroll_to(y=max(0, min(row - page // 4, end_row - page + 2, row)), animate=False)

    def paint_changed(self) -> None:
        self._cache.clear()

    def on_resize(self) -> None:
        w = max(1, self.scrollable_content_region.width - self.gutter_width)
        if w != self._wrap:
            self._wrap = w
            self._cache.clear()
            self._disp.clear()
            self._rewrap(0)
            self.sync()
            if self.follow:
                self.scroll_end(animate=False, immediate=True, x_axis=False)
        if self._pending_step is not None and self.scrollable_content_region.height > 0:
            self.call_after_refresh(self.scroll_to_step, self._pending_step)

    # -- rendering --------------------------------------------------------------------
    def _line(self, i: int) -> _Line:
        raw = self.lines.lines[i]
        key = (i, len(raw))
        line = self._disp.get(key)
        if line is None:
            line = _Line(raw, max(1, self._wrap))
            self._disp[key] = line
        return line

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        row = int(self.scroll_y) + y
        if row >= self._row_start[-1] or self._wrap <= 0:
            return Strip.blank(width, base)
        key = (row, self._wrap)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(row).adjust_cell_length(width).apply_style(base)
            self._cache[key] = strip
        return strip

    def _render_row(self, row: int) -> Strip:
        rs = self._row_start
        i = bisect_right(rs, row) - 1
        sub = row - rs[i]
        line = self._line(i)
        a, b = line.row_range(sub, self._wrap)
        base_off = self.lines.starts[i]
        marks = self._marks(base_off + a, base_off + b)
        segs: list[Segment] = []
        if self.gutter_width:
            segs.append(self._gutter(i, sub))
        if not marks:
            segs.append(Segment(line.show(a, b)))
            return Strip(segs)
        # cut the row at every mark boundary (raw indices within the line)
        cuts = {a, b}
        spans = []
        for s, e, st in marks:
            s, e = max(s - base_off, a), min(e - base_off, b)
            if s < e:
                spans.append((s, e, st))
                cuts.update((s, e))
        points = sorted(cuts)
        for s, e in itertools.pairwise(points):
            style = None
            for ms, me, st in spans:
                if ms <= s and e <= me:
                    style = st if style is None else style + st
            segs.append(Segment(line.show(s, e), style))
        return Strip(segs)

    def _gutter(self, i: int, sub: int) -> Segment:
        tr = self.trace
        if tr is None or sub:
            return Segment(" " * self.gutter_width)
        start = self.lines.starts[i]
        end = start + len(self.lines.lines[i]) + 1
        for s, _e, k in tr.positions.spans_between(start, end):
            if s >= start:
                v = tr.verdict(k)
                if tr.positions.span_of(k) is not None:
                    return Segment(v.mark + " ", self.paint(VERDICT_PAINT[v]))
        return Segment(" " * self.gutter_width)

    def _marks(self, start: int, end: int) -> list[tuple[int, int, Style]]:
        out: list[tuple[int, int, Style]] = []
        for s, e in self._reasoning:
            if s < end and e > start:
                out.append((s, e, self.paint("dim")))
        tr = self.trace
        if tr is None:
            return out
        paint = self.paint
        for _h, k in tr.positions.headers_between(max(0, start - 200), end):
            ps = tr.steps.get(k) or tr.extra.get(k)
            if ps is not None and ps.header_span[1] > start:
                out.append((ps.header_span[0], ps.header_span[1], Style(bold=True)))
        for s, e, k in tr.positions.spans_between(start, end):
            v = tr.verdict(k)
            style = paint(VERDICT_PAINT[v])
            if k == self.selected:
                style = style + paint("selected")
            out.append((s, e, style))
            if v is Verdict.WRONG:
                pos = self._first_symbol(k, (s, e))
                if pos is not None and start <= pos < end:
                    out.append((pos, pos + 1, paint("diff-first")))
        return out

    def _first_symbol(self, k: int, span: tuple[int, int]) -> int | None:
        """The text offset of the first differing symbol of step k's queue."""
        tr = self.trace
        assert tr is not None
        diff = tr.diff_at(k)
        cached = self._first_sym.get(k)
        if cached is not None and cached[0] == span and cached[1] == diff:
            return cached[2]
        pos = None
        if diff is not None:
            raw = tr.answer.slice(span[0], span[1])
            offs = symbol_offsets(raw)
            # past the model's last symbol (its queue stops short): mark where it ends
            pos = span[0] + offs[diff] if diff < len(offs) else span[1]
        self._first_sym[k] = (span, diff if diff is not None else -1, pos)
        return pos

    # -- mouse ------------------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = int(self.scroll_y) + offset.y
        rs = self._row_start
        if row >= rs[-1]:
            return
        i = bisect_right(rs, row) - 1
        line = self._line(i)
        a, b = line.row_range(row - rs[i], self._wrap)
        idx = line.index_at(a, b, max(0, offset.x - self.gutter_width))
        self.post_message(self.Clicked(self, self.lines.starts[i] + idx))

    def refresh_rows(self, r0: int, r1: int) -> None:
        y = int(self.scroll_y)
        self.refresh(Region(0, r0 - y, self.size.width, r1 - r0))


def _point(off: int | None) -> tuple[int, int] | None:
    return None if off is None else (off, off + 1)
