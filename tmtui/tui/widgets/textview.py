"""A read-only view of styled text on the Line API: each line folded to the width at word
boundaries, only the visible rows rendered. A queue of thousands of symbols costs what the
screen shows."""

from __future__ import annotations

from bisect import bisect_right

from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tmtui.tui.widgets.paint import PAINT_CLASSES, PAINT_CSS, Painter, set_virtual_size
from tmtui.tui.widgets.wrap import word_breaks

__all__ = ["TextView"]


def _cuts(line: Text, width: int, hang: int = 0) -> list[int]:
    """Character offsets where the rows of ``line`` start: folded at word boundaries (see
    :func:`~tmtui.tui.widgets.wrap.word_breaks`), the rows after the first ``hang`` cells
    narrower (they are indented)."""
    rest = max(1, width - hang) if hang < width // 2 else width
    return word_breaks(line.plain, width, rest)


class TextView(Painter, ScrollView, can_focus=True, inherit_bindings=False):
    """Lines of :class:`rich.text.Text` (untrusted parts already made visible), folded."""

    DEFAULT_CSS = (
        """
    TextView {
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

    def __init__(self, *, hang: int = 0, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.hang = hang  # the indent of a folded line's later rows (a hanging indent)
        self._lines: list[Text] = []
        self._cuts: list[list[int]] = []
        self._row_start: list[int] = [0]
        self._width = 0
        self._cache: LRUCache[int, Strip] = LRUCache(256)

    def set_lines(self, lines: list[Text]) -> None:
        self._lines = lines
        self._reflow()
        self.scroll_to(y=0, animate=False)

    @property
    def plain(self) -> str:
        return "\n".join(t.plain for t in self._lines)

    def _reflow(self) -> None:
        w = max(1, self._width)
        self._cuts = [_cuts(t, w, self.hang) for t in self._lines]
        rs = [0]
        for c in self._cuts:
            rs.append(rs[-1] + len(c))
        self._row_start = rs
        self._cache.clear()
        set_virtual_size(self, Size(w, rs[-1]))
        self.refresh()

    def on_resize(self) -> None:
        w = max(1, self.scrollable_content_region.width)
        if w != self._width:
            self._width = w
            self._reflow()

    def paint_changed(self) -> None:
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        row = int(self.scroll_y) + y
        if row >= self._row_start[-1]:
            return Strip.blank(width, base)
        strip = self._cache.get(row)
        if strip is None:
            i = bisect_right(self._row_start, row) - 1
            sub = row - self._row_start[i]
            line = self._lines[i]
            cuts = self._cuts[i]
            a = cuts[sub]
            b = cuts[sub + 1] if sub + 1 < len(cuts) else len(line.plain)
            piece = line[a:b]
            if sub and self.hang and self.hang < width // 2:
                piece = Text(" " * self.hang) + piece
            strip = Strip(piece.render(self.app.console), piece.cell_len)
            strip = strip.adjust_cell_length(width).apply_style(base)
            self._cache[row] = strip
        return strip
