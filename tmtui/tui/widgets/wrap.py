"""Where a long line is folded: after the last space that fits (a word is never cut while a
space gives a place to break), else where the width ends (a queue written without spaces,
one long word, is cut between symbols).

The rows are given as the offsets where each starts (the first is 0). A row may end with the
space it broke at; that space can be one cell past the width and is cropped when drawn (it
shows nothing). Offsets count characters of the raw text, so a click or a mark maps back to
the text directly.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len

__all__ = ["word_breaks"]


def word_breaks(text: str | Sequence[str], width: int, rest: int | None = None) -> list[int]:
    """Offsets where the rows of ``text`` start when folded to ``width`` cells (``rest``: the
    width of the rows after the first, for a hanging indent).

    ``text`` is a string, or the display piece of each raw character (a control made
    visible is several cells wide); a piece that is white space is a place to break."""
    first = max(1, width)
    width = max(1, rest if rest is not None else width)
    if isinstance(text, str) and text.isascii() and text.isprintable():
        return _ascii_breaks(text, first, width)
    pieces = list(text)
    breaks = [0]
    start = 0
    cells = 0
    space = -1  # the last break opportunity in the current row (index of the space)
    i = 0
    n = len(pieces)
    while i < n:
        piece = pieces[i]
        w = cell_len(piece)
        if cells + w > (first if start == 0 else width) and i > start:
            if piece.isspace():  # the space that overflows ends the row (cropped when drawn)
                start = i + 1
                breaks.append(start)
                cells, space = 0, -1
                i += 1
                continue
            start = space + 1 if space > start else i
            breaks.append(start)
            cells = sum(cell_len(p) for p in pieces[start:i])
            space = -1
            continue
        if piece.isspace():
            space = i
        cells += w
        i += 1
    if breaks[-1] >= n and len(breaks) > 1:
        breaks.pop()
    return breaks


def _ascii_breaks(text: str, first: int, width: int) -> list[int]:
    breaks = [0]
    start = 0
    n = len(text)
    while n - start > (w := first if start == 0 else width):
        end = start + w
        space = text.rfind(" ", start + 1, end + 1)
        start = space + 1 if space > start else end
        if start >= n:
            break
        breaks.append(start)
    return breaks
