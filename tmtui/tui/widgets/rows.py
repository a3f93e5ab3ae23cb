"""A virtual table on the Line API: a fixed header line, then one line per row.

Only the visible rows are rendered, each into a cached :class:`~textual.strip.Strip`; a row is
re-rendered when its data changes (:meth:`RowTable.invalidate`), when the cursor moves onto or
off it, or when the width or the theme changes. A table of a million rows costs what the
screen shows. Keys are left to the screen (the tables bind none), so arrows and ``j``/``k``
mean "step" wherever the focus is.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tmtui.tui.safe import shown
from tmtui.tui.widgets.paint import PAINT_CLASSES, PAINT_CSS, Painter, set_virtual_size

__all__ = ["RowTable", "fit", "queue_window"]


def fit(text: str, width: int, style: Style | None = None, align: str = "left") -> Segment:
    """``text`` cropped or padded to exactly ``width`` cells (one segment)."""
    if width <= 0:
        return Segment("", style)
    n = cell_len(text)
    if n > width:
        text = set_cell_size(text, width - 1) + "…" if width > 1 else "…"
    elif n < width:
        pad = " " * (width - n)
        text = pad + text if align == "right" else text + pad
    return Segment(text, style)


def queue_window(length: int, width: int, focus: int | None) -> tuple[int, int]:
    """The slice [a, b) of a queue of ``length`` symbols to show in ``width`` cells (leaving a
    cell for an ellipsis on each cut side), around ``focus`` when given."""
    if length <= width:
        return 0, length
    if width <= 2:
        return 0, max(0, width)
    if focus is None or focus < width - 1:
        return 0, width - 1
    inner = width - 2
    a = max(1, focus - inner // 3)
    b = a + inner
    if b >= length:
        b = length
        a = length - (width - 1)
    return a, b


class RowTable(Painter, ScrollView, can_focus=True, inherit_bindings=False):
    """Base class: subclasses give ``row_count``, ``render_header`` and ``render_row``."""

    DEFAULT_CSS = (
        """
    RowTable {
        background: $surface;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
"""
        + PAINT_CSS
        + """
    }
    """
    )
    COMPONENT_CLASSES = PAINT_CLASSES

    cursor: reactive[int] = reactive(0, repaint=False)

    class RowClicked(Message):
        """A row was clicked (the screen decides what selecting it means)."""

        def __init__(self, table: RowTable, row: int) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> RowTable:
            return self.table

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._cache: LRUCache[tuple[int, int], tuple[tuple, Strip]] = LRUCache(1024)
        self._scroll_pending = False

    # -- what subclasses give ---------------------------------------------------------
    @property
    def row_count(self) -> int:
        raise NotImplementedError

    def render_header(self, width: int) -> list[Segment]:
        raise NotImplementedError

    def render_row(self, row: int, width: int) -> list[Segment]:
        raise NotImplementedError

    def paint_changed(self) -> None:
        self._cache.clear()

    # -- size and refresh -------------------------------------------------------------
    @property
    def body_width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    @property
    def page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def update_rows(self) -> None:
        """Call when the number of rows changed."""
        set_virtual_size(self, Size(self.body_width, self.row_count + 1))

    def invalidate(self, rows: Iterable[int] | None = None) -> None:
        """Forget the rendering of ``rows`` (all when None) and repaint what is visible."""
        if rows is None:
            self._cache.clear()
            self.refresh()
            return
        top = int(self.scroll_y)
        bottom = top + self.page_rows
        width = self.body_width
        for row in rows:
            self._cache.discard((row, width))
            if top <= row <= bottom:
                self.refresh(Region(0, row - top + 1, self.size.width, 1))

    def on_resize(self) -> None:
        self._cache.clear()
        self.update_rows()
        # a cursor moved before the table had its size (or one the resize hid) comes back
        # into view, as the move would have put it
        self.call_after_refresh(lambda: self.scroll_to_row(self.cursor, center=True))

    # -- cursor -----------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        self.invalidate((old, new))
        self.scroll_to_row(new, center=abs(new - old) > 1)

    def scroll_to_row(self, row: int, *, center: bool = False) -> None:
        if (
            not self.allow_vertical_scroll
            and self.scrollable_content_region.height > 0
            and self.virtual_size.height > self.scrollable_content_region.height
        ):
            # the scroll bar is not laid out yet, and a scroll now would be ignored: scroll
            # the cursor into view once it is
            if not self._scroll_pending:
                self._scroll_pending = True
                self.call_after_refresh(self._scroll_later, center)
            return
        top = int(self.scroll_y)
        page = self.page_rows
        if center and not top <= row < top + page:
            self.scroll_to(y=max(0, row - page // 3), animate=False)
        elif row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + page:
            self.scroll_to(y=row - page + 1, animate=False)

    def _scroll_later(self, center: bool) -> None:
        self._scroll_pending = False
        self.scroll_to_row(self.cursor, center=center)

    # -- rendering --------------------------------------------------------------------
    def row_tint(self, row: int) -> str | None:
        """A ``paint--`` name whose background tints the whole row (None: no tint)."""
        return None

    def render_line(self, y: int) -> Strip:
        width = self.body_width
        base = self.rich_style
        if y == 0:
            header = Strip(self.render_header(width)).adjust_cell_length(width)
            return header.apply_style(base + self.paint("header"))
        row = int(self.scroll_y) + y - 1
        if row >= self.row_count or row < 0:
            return Strip.blank(width, base)
        on_cursor = row == self.cursor
        tint = None if on_cursor else self.row_tint(row)
        key = (row, width)
        variant = (on_cursor, tint, on_cursor and self.has_focus)
        cached = self._cache.get(key)
        strip = cached[1] if cached is not None and cached[0] == variant else None
        if strip is None:
            strip = Strip(self.render_row(row, width)).adjust_cell_length(width)
            style = base
            if on_cursor:
                style = base + self.paint("cursor" if self.has_focus else "cursor-blur")
            elif tint is not None:
                style = base + Style(bgcolor=self.paint(tint).bgcolor)
            strip = strip.apply_style(style)
            self._cache[key] = (variant, strip)
        return strip

    def on_focus(self) -> None:
        self.invalidate((self.cursor,))

    def on_blur(self) -> None:
        self.invalidate((self.cursor,))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = int(self.scroll_y) + offset.y - 1
        if 0 <= row < self.row_count:
            self.post_message(self.RowClicked(self, row))


def queue_segments(
    queue: str,
    width: int,
    *,
    focus: int | None = None,
    marks: Iterable[tuple[int, int, Style]] = (),
    style: Style | None = None,
    dim: Style | None = None,
    window: tuple[int, int] | None = None,
) -> list[Segment]:
    """A queue shown in ``width`` cells: a window around ``focus`` with ``…`` on cut sides,
    and ``marks`` (start, end, style) over symbol positions. The queue is data (from the
    answer or the instance): it is cut by symbol, then each piece made visible."""
    if width <= 0:
        return []
    a, b = window if window is not None else queue_window(len(queue), width, focus)
    out: list[Segment] = []
    if a > 0:
        out.append(Segment("…", dim))
    # cut [a, b) at every mark boundary
    cuts = {a, b}
    spans = []
    for s, e, st in marks:
        s, e = max(s, a), min(e, b)
        if s < e:
            spans.append((s, e, st))
            cuts.add(s)
            cuts.add(e)
    points = sorted(cuts)
    for s, e in itertools.pairwise(points):
        piece_style = style
        for ms, me, st in spans:
            if ms <= s and e <= me:
                piece_style = st if piece_style is None else piece_style + st
        out.append(Segment(shown(queue[s:e]), piece_style))
    if b < len(queue):
        out.append(Segment("…", dim))
    return out


__all__ += ["queue_segments"]
