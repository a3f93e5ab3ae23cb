"""Adaptive concurrency: an in-flight limit that backs off on 429 and grows back on success.

``--concurrency N`` is the ceiling and the start (a fast local server is saturated at once).
On a 429 the limit halves (multiplicative decrease, never below 1) and a cool-down starts
(at least the server's Retry-After); no further decrease and no growth happen during the
cool-down. After it, every ``limit`` successful requests in a row raise the limit by one
(additive increase) up to the ceiling. The client asks the limiter before each try, so a
request waiting out its backoff holds no slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable

__all__ = ["AdaptiveLimiter"]


class AdaptiveLimiter:
    def __init__(
        self,
        ceiling: int,
        *,
        cooldown: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ceiling < 1:
            raise ValueError("the concurrency ceiling must be >= 1")
        self.ceiling = ceiling
        self.limit = ceiling
        self.in_flight = 0
        self.cooldown = cooldown
        self._clock = clock
        self._cool_until = 0.0
        self._streak = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self.decreases = 0
        self.rate_limits = 0

    async def acquire(self) -> None:
        if self.in_flight < self.limit and not self._waiters:
            self.in_flight += 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                # the slot was handed to us just as we were cancelled: give it back
                self.release()
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(fut)
            raise

    def release(self) -> None:
        self.in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_flight < self.limit:
            fut = self._waiters.popleft()
            if fut.done():
                continue
            self.in_flight += 1
            fut.set_result(None)

    def rate_limited(self, retry_after: float | None) -> None:
        self.rate_limits += 1
        now = self._clock()
        self._streak = 0
        if now < self._cool_until:
            return
        new = max(1, self.limit // 2)
        if new < self.limit:
            self.decreases += 1
        self.limit = new
        self._cool_until = now + max(self.cooldown, retry_after or 0.0)

    def succeeded(self) -> None:
        if self._clock() < self._cool_until:
            return
        self._streak += 1
        if self._streak >= self.limit and self.limit < self.ceiling:
            self.limit += 1
            self._streak = 0
            self._wake()
