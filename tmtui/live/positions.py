"""Where each step of an answer is: its header's offset and its queue's span, kept sorted as the
readings change (a step re-read moves), so the transcript can ask which steps a range of text
holds and which step an offset belongs to in O(log n). Part of :class:`tmtui.live.trace.Trace`
(``trace.positions``)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort

from tmtui.core.parsed import MAX_STEP_NUMBER, ParsedStep

__all__ = ["Positions"]


class Positions:
    """The answer's steps by position: queue spans (start, end, step) and headers
    (start, step), each sorted, and where every step is now."""

    def __init__(self) -> None:
        self._spans: list[tuple[int, int, int]] = []  # (start, end, step) of queue spans
        self._heads: list[tuple[int, int]] = []  # (header start, step)
        self._where: dict[int, tuple[tuple[int, int] | None, int]] = {}

    def place(self, ps: ParsedStep) -> None:
        """Keep the sorted span and header lists in step with the step's current reading."""
        k = ps.step
        old = self._where.get(k)
        if old is not None:
            span, head = old
            if span is not None:
                item = (span[0], span[1], k)
                i = bisect_left(self._spans, item)
                if i < len(self._spans) and self._spans[i] == item:
                    del self._spans[i]
            hitem = (head, k)
            i = bisect_left(self._heads, hitem)
            if i < len(self._heads) and self._heads[i] == hitem:
                del self._heads[i]
        span = ps.span
        if span is not None:
            insort(self._spans, (span[0], span[1], k))
        insort(self._heads, (ps.header_span[0], k))
        self._where[k] = (span, ps.header_span[0])

    def spans_between(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """Queue spans (start, end, step) that overlap [start, end)."""
        spans = self._spans
        # spans are short and do not nest: look back a little for one that starts earlier
        i = bisect_left(spans, (start, -1, -1))
        j = i
        while j > 0 and spans[j - 1][1] > start:
            j -= 1
            if i - j > 64:
                break
        out = []
        for s in spans[j:]:
            if s[0] >= end:
                break
            if s[1] > start or (s[0] == s[1] and s[0] >= start):
                out.append(s)
        return out

    def span_of(self, k: int) -> tuple[int, int] | None:
        where = self._where.get(k)
        return None if where is None else where[0]

    def header_of(self, k: int) -> int | None:
        where = self._where.get(k)
        return None if where is None else where[1]

    def step_at(self, offset: int) -> int | None:
        """The step whose block holds ``offset`` (its header is the last one at or before)."""
        i = bisect_right(self._heads, (offset, MAX_STEP_NUMBER + 2)) - 1
        if i < 0:
            return None
        return self._heads[i][1]

    def headers_between(self, start: int, end: int) -> list[tuple[int, int]]:
        i = bisect_left(self._heads, (start, -1))
        out = []
        for h in self._heads[i:]:
            if h[0] >= end:
                break
            out.append(h)
        return out
