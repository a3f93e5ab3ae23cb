"""A recorded answer replayed as plain :mod:`tmtui.io.events`, in process, at its recorded
chunk times (or at once): the debugger replays saved samples with it, the tests stream with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from tmtui.io.events import Content, Finish, Reasoning, Started, StreamEvent

__all__ = ["replay_events"]


async def replay_events(
    answer: str,
    reasoning: str = "",
    chunks: Sequence[Sequence[float]] | None = None,
    *,
    start_ms: float = 0.0,
    speed: float = 1.0,
    finish_reason: str | None = "stop",
    status: str = "complete",
    cancel: asyncio.Event | None = None,
    piece: int = 64,
) -> AsyncIterator[StreamEvent]:
    """A recorded answer as stream events: at its chunk times divided by ``speed`` (0: at
    once), or in ``piece``-character chunks when no times were recorded."""
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    yield Started(0.0)
    a = r = 0
    if not chunks:
        chunks = [[0.0, 0, len(reasoning)]] if reasoning else []
        chunks += [[0.0, min(piece, len(answer) - i), 0] for i in range(0, len(answer), piece)]
    for n, (ms, nc, nr) in enumerate(chunks):
        if cancel is not None and cancel.is_set():
            yield Finish("interrupted", t_ms=(loop.time() - t0) * 1e3)
            return
        due = max(0.0, (ms - start_ms) / 1e3 / speed) if speed > 0 else 0.0
        wait = due - (loop.time() - t0)
        if wait > 0:
            await asyncio.sleep(wait)
        elif n % 256 == 255:
            await asyncio.sleep(0)
        t_ms = (loop.time() - t0) * 1e3
        nr, nc = int(nr), int(nc)
        if nr:
            yield Reasoning(reasoning[r : r + nr], t_ms)
            r += nr
        if nc:
            yield Content(answer[a : a + nc], t_ms)
            a += nc
    if a < len(answer):  # chunks that do not cover the text (hand-made records)
        yield Content(answer[a:], (loop.time() - t0) * 1e3)
    yield Finish(status, finish_reason, t_ms=(loop.time() - t0) * 1e3)
