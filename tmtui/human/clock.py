"""Active time on a monotonic clock: a stopwatch that runs only while it is told to.

The session runs one for itself, one for the attempt in progress (while the participant can
work on it) and one for the attempt's held time (paused, or the terminal out of focus). The
clock is injected (``time.monotonic`` by default), so tests drive time by hand.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Clock", "Stopwatch"]

Clock = Callable[[], float]  # monotonic seconds


class Stopwatch:
    """Milliseconds accumulated while running, from ``base_ms`` (time stored earlier)."""

    __slots__ = ("_clock", "_since", "base_ms")

    def __init__(self, clock: Clock, base_ms: float = 0.0) -> None:
        self._clock = clock
        self.base_ms = base_ms
        self._since: float | None = None

    @property
    def running(self) -> bool:
        return self._since is not None

    def set_running(self, run: bool) -> None:
        if run and self._since is None:
            self._since = self._clock()
        elif not run and self._since is not None:
            self.base_ms += (self._clock() - self._since) * 1000.0
            self._since = None

    def ms(self) -> float:
        if self._since is None:
            return self.base_ms
        return self.base_ms + (self._clock() - self._since) * 1000.0

    def set_ms(self, ms: float) -> None:
        """Set the time (keeps running if it was)."""
        self.base_ms = ms
        if self._since is not None:
            self._since = self._clock()
