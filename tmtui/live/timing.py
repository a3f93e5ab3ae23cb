"""The replay timeline's clock: what a recorded answer had written at time t."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

__all__ = ["RecordedTiming"]


class RecordedTiming:
    """What had arrived at time t: cumulative characters of the answer and the reasoning.

    With no recorded chunk times the scale is the answer's characters ("by position").
    """

    def __init__(
        self,
        answer_len: int,
        reasoning_len: int = 0,
        chunks: Sequence[Sequence[float]] | None = None,
        *,
        start_ms: float = 0.0,
    ) -> None:
        self.answer_len = answer_len
        self.reasoning_len = reasoning_len
        self.timed = bool(chunks)
        self.times: list[float] = []
        self.content: list[int] = []
        self.reasoning: list[int] = []
        if chunks:
            a = r = 0
            for ms, nc, nr in chunks:
                a += int(nc)
                r += int(nr)
                self.times.append(max(0.0, float(ms) - start_ms))
                self.content.append(min(a, answer_len))
                self.reasoning.append(min(r, reasoning_len))
            self.duration = self.times[-1] if self.times else 0.0
        else:
            self.duration = float(answer_len)

    def at(self, t: float) -> tuple[int, int]:
        """(answer characters, reasoning characters) written by time ``t``."""
        if not self.timed:
            n = int(min(max(t, 0.0), self.duration))
            return n, self.reasoning_len
        i = bisect_right(self.times, t) - 1
        if i < 0:
            return 0, 0
        if i >= len(self.times) - 1:
            return self.answer_len, self.reasoning_len
        return self.content[i], self.reasoning[i]

    def time_of(self, chars: int) -> float:
        """When the answer reached ``chars`` characters."""
        if not self.timed:
            return float(chars)
        i = bisect_right(self.content, chars - 1)
        return self.times[min(i, len(self.times) - 1)] if self.times else 0.0

    def label(self, t: float) -> str:
        if not self.timed:
            return f"{int(t):,}/{int(self.duration):,} chars"
        return f"{t / 1e3:.1f}/{self.duration / 1e3:.1f} s"
