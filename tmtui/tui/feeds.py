"""Where a debugger's stream comes from, as plain :mod:`tmtui.io.events`.

* :class:`ClientFeed` — an OpenAI-compatible endpoint through :class:`~tmtui.model.client.
  ModelClient`, optionally with the embedded server (synthetic or replay model) started on an
  ephemeral loopback port first: the default ``tmtui watch`` goes through the same client path
  as a real endpoint.
* :func:`replay_events` — a recorded answer replayed in process at its recorded chunk times
  (or at once); tests and the timeline use it, nothing else is needed.
* :class:`RecordedTiming` — what the model had written at time t (the replay timeline).

No Textual here; the client is imported only when a ClientFeed opens.
"""

from __future__ import annotations

import asyncio
import contextlib
from bisect import bisect_right
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from tmtui.io.events import Content, Failed, Finish, Reasoning, Started, StreamEvent

__all__ = ["ClientFeed", "RecordedTiming", "replay_events"]


class ClientFeed:
    """Streams one prompt through the client; starts the embedded server when asked."""

    def __init__(
        self,
        config: Any,  # tmtui.model.client.ClientConfig
        messages: Sequence[Mapping[str, str]],
        *,
        serve: Any | None = None,  # tmtui.model.serve.ServeOptions: start it first
    ) -> None:
        self.config = config
        self.messages = list(messages)
        self.serve = serve
        self._server: Any | None = None
        self._client: Any | None = None

    @property
    def model(self) -> str:
        return self.config.model

    async def open(self) -> None:
        if self.serve is not None and self._server is None:
            from tmtui.model.serve import start_server_thread

            # a thread of its own: the server's work never competes with the screen's loop
            self._server = await asyncio.to_thread(start_server_thread, self.serve)
            self.config.base_url = self._server.base_url
        if self._client is None:
            from tmtui.model.client import ModelClient

            self._client = ModelClient(self.config)

    async def events(self, cancel: asyncio.Event) -> AsyncIterator[StreamEvent]:
        """The client's own event stream (opened first; no extra layer per event)."""
        try:
            await self.open()
        except Exception as exc:  # the embedded server could not start
            return _failed(f"cannot start the embedded server: {exc}")
        assert self._client is not None
        return self._client.stream(self.messages, cancel=cancel)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.aclose()
        server, self._server = self._server, None
        if server is not None:
            await asyncio.to_thread(server.close)


async def _failed(msg: str) -> AsyncIterator[StreamEvent]:
    yield Failed(msg)
    yield Finish("error", error=msg)


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
