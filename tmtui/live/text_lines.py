"""Append-only text kept as lines, for virtual rendering of a growing transcript."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

__all__ = ["TextLines", "symbol_offsets"]

_SEPARATORS = frozenset(",;'\"`“”‘’")


class TextLines:
    """Append-only text kept as lines (for virtual rendering), with each line's offset."""

    __slots__ = ("_text", "length", "lines", "starts")

    def __init__(self) -> None:
        self.lines: list[str] = [""]
        self.starts: list[int] = [0]
        self.length = 0
        self._text: str | None = ""

    def append(self, s: str) -> int:
        """Append ``s``; return the index of the first line that changed."""
        first = len(self.lines) - 1
        if not s:
            return first
        self._text = None
        lines = self.lines
        if "\n" not in s:
            lines[-1] += s
        else:
            parts = s.split("\n")
            lines[-1] += parts[0]
            off = self.length + len(parts[0]) + 1
            starts = self.starts
            for p in parts[1:]:
                starts.append(off)
                lines.append(p)
                off += len(p) + 1
        self.length += len(s)
        return first

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "\n".join(self.lines)
        return self._text

    def __len__(self) -> int:
        return self.length

    @property
    def line_count(self) -> int:
        return len(self.lines)

    def line_of(self, offset: int) -> int:
        """The line holding ``offset`` (the last line for offsets past the end)."""
        return max(0, bisect_right(self.starts, offset) - 1)

    def slice(self, start: int, end: int) -> str:
        """text[start:end] without joining the whole text when the range is in one line."""
        i = self.line_of(start)
        s = self.starts[i]
        line = self.lines[i]
        if end - s <= len(line):
            return line[start - s : end - s]
        return self.text[start:end]


def symbol_offsets(raw: str, alphabet: Sequence[str] | None = None) -> list[int]:
    """Offsets in ``raw`` (a queue's text) of each symbol the parser kept, in order."""
    return [i for i, ch in enumerate(raw) if ch not in _SEPARATORS and not ch.isspace()]
