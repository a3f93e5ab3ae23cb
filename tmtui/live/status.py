"""What a stream is doing: kept by the stream's controller, shown by the status bar."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StreamStatus"]


@dataclass
class StreamStatus:
    """What the stream is doing (kept by the controller, shown by the bar)."""

    model: str = ""
    state: str = "idle"
    attempt: int = 1
    retries: int = 0
    chunks: int = 0  # content and reasoning pieces received (≈ tokens)
    tokens: int | None = None  # completion tokens reported by the server
    started: float | None = None  # monotonic seconds
    first_token: float | None = None
    ended: float | None = None
    error: str = ""
    held: int = 0  # chunks held back while the display is paused
    elapsed_override: float | None = None  # a recorded elapsed time (saved records)

    def token_count(self) -> tuple[int, bool]:
        """(tokens, exact): the server's count when reported, else the chunks received."""
        if self.tokens is not None:
            return self.tokens, True
        return self.chunks, False

    def elapsed(self, now: float) -> float | None:
        if self.elapsed_override is not None:
            return self.elapsed_override
        if self.started is None:
            return None
        return (self.ended if self.ended is not None else now) - self.started

    def rate(self, now: float) -> float | None:
        if self.first_token is None:
            return None
        end = self.ended if self.ended is not None else now
        span = end - self.first_token
        if span <= 0.05:
            return None
        n, _exact = self.token_count()
        return n / span
