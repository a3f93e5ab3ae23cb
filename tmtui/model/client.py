"""The OpenAI-compatible streaming client: one request in, plain events out.

:class:`ModelClient` wraps the official ``AsyncOpenAI`` SDK and turns a chat-completion stream
into the events of :mod:`tmtui.io.events`, so the TUI, the batch runner and the tests share
one code path from an endpoint to a record::

    client = ModelClient(ClientConfig(base_url=url, model="synthetic"))
    async with contextlib.aclosing(client.stream(messages, cancel=stop)) as events:
        async for ev in events:
            ...
    await client.aclose()

What it does for its consumers:

* asks for usage in the stream (``stream_options.include_usage``); a server that rejects the
  option (400/422) is asked again without it, and not asked again by this client;
* keeps reasoning apart from the answer: ``reasoning_content`` / ``reasoning`` delta fields and
  text inside ``<think>...</think>`` become :class:`Reasoning` events;
* retries connection errors, 408/409/429 (honouring ``Retry-After``), 5xx, read timeouts and
  stalls (no data for ``stall_seconds``) with bounded exponential backoff and jitter; a stream
  that breaks midway is retried from scratch and the failed try's text is reported in the
  :class:`Retry` event;
* stops at once, with one clear line (:class:`Failed`), on 400, 401, 403, 404 and 422;
* ``cancel`` (an ``asyncio.Event``) ends the stream cleanly with ``Finish(status=
  "interrupted")``; what was received has already been yielded.

The API key is held as a ``SecretStr``, never put in an event, a message or a record.

:meth:`ModelClient.stream` is the retry loop (backoff, ``Retry-After``, which failures are
retried, the ``stream_options`` fallback); :meth:`ModelClient._try` makes one try. The request
is built by :class:`~tmtui.model.endpoint.ClientConfig`, the stream decoded by
:mod:`tmtui.model.wire`, failures told apart by :mod:`tmtui.model.failures`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Protocol

import openai

from tmtui.io.events import Failed, Finish, Retry, Started, StreamEvent
from tmtui.model.endpoint import ClientConfig, safe_url
from tmtui.model.failures import Deadline, TryError, classify
from tmtui.model.wire import (
    AnswerTooLong,
    IncompleteStream,
    Received,
    ThinkSplitter,
    chunk_events,
    decode_chunk,
    payloads_of,
)

__all__ = ["ClientConfig", "Limiter", "ModelClient", "safe_url"]


class Limiter(Protocol):
    """What the client asks before each try (the batch runner's adaptive concurrency)."""

    async def acquire(self) -> None: ...

    def release(self) -> None: ...

    def rate_limited(self, retry_after: float | None) -> None: ...

    def succeeded(self) -> None: ...


class _Interrupt:
    """Turns ``cancel.set()``, or a try's deadline passing, into a CancelledError at the
    await the stream is blocked in.

    The consuming task is cancelled only while the stream itself awaits the network (never
    while the consumer runs its own code between events); otherwise the request is noticed at
    the next event. Our cancellation is told apart from an outside one with ``uncancel``.
    The deadline (:meth:`arm`) bounds a try however the server keeps it alive (keep-alive
    comments, a trickle of bytes): ``expired`` says it has passed.
    """

    __slots__ = ("_timer", "_watch", "event", "expired", "fired", "task", "waiting")

    def __init__(self, event: asyncio.Event | None) -> None:
        self.event = event
        self.task = asyncio.current_task()
        self.waiting = False
        self.fired = False
        self.expired = False
        self._watch: asyncio.Task | None = None
        self._timer: asyncio.TimerHandle | None = None
        if event is not None and self.task is not None:
            self._watch = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        assert self.event is not None
        await self.event.wait()
        self._fire()

    def _fire(self) -> None:
        if self.waiting and not self.fired and self.task is not None:
            self.fired = True
            self.task.cancel()

    def arm(self, when: float) -> None:
        """The try must end by ``when`` (the loop's clock)."""
        self.disarm()
        self._timer = asyncio.get_running_loop().call_at(when, self._expire)

    def _expire(self) -> None:
        self._timer = None
        self.expired = True
        self._fire()

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.expired = False

    @property
    def requested(self) -> bool:
        return self.event is not None and self.event.is_set()

    def absorb(self) -> bool:
        """After a CancelledError: True when it was ours alone (then it is swallowed)."""
        if not self.fired or self.task is None:
            return False
        self.fired = False
        return self.task.uncancel() == 0

    def close(self) -> None:
        self.disarm()
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None


class _Try(Received):
    """How one try ended (besides what it received): interrupted, or failed with ``error``."""

    __slots__ = ("error", "interrupted")

    def __init__(self) -> None:
        super().__init__()
        self.interrupted = False
        self.error: TryError | None = None


class ModelClient:
    """An OpenAI-compatible chat endpoint as a stream of plain events."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        limiter: Limiter | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.limiter = limiter
        self._rng = rng or random.Random()
        self._usage_ok: bool | None = None if config.include_usage else False
        self._sdk = openai.AsyncOpenAI(
            api_key=config.key() or "EMPTY",
            base_url=config.base_url,
            timeout=openai.Timeout(
                timeout=config.stall_seconds,
                connect=config.connect_timeout,
                read=config.stall_seconds,
            ),
            max_retries=0,
            default_headers=config.headers,
        )

    async def aclose(self) -> None:
        await self._sdk.close()

    async def __aenter__(self) -> ModelClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- the retry loop ---------------------------------------------------------------
    async def stream(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        cancel: asyncio.Event | None = None,
    ) -> AsyncIterator[StreamEvent]:
        """Send ``messages``; yield events until a :class:`Finish` (always the last event).

        Use it with ``contextlib.aclosing`` (or read it to the end) so that the connection is
        released at once when the consumer stops early.
        """
        clock = asyncio.get_running_loop().time
        t0 = clock()
        c = self.config
        guard = _Interrupt(cancel)
        attempt = 0
        usage_fallback_tried = False
        try:
            while True:
                attempt += 1
                if guard.requested:
                    yield Finish("interrupted", attempts=attempt - 1, t_ms=(clock() - t0) * 1e3)
                    return
                use_usage = self._usage_ok is not False
                end = _Try()
                one = self._try(messages, attempt, use_usage, guard, cancel, t0, end)
                async with contextlib.aclosing(one) as events:
                    async for ev in events:
                        yield ev
                t_end = (clock() - t0) * 1e3
                err = end.error
                if end.interrupted:
                    if end.usage is not None:
                        yield end.usage
                    yield Finish("interrupted", end.finish_reason, attempts=attempt, t_ms=t_end)
                    return
                if err is None:
                    if self.limiter is not None:
                        self.limiter.succeeded()
                    if use_usage and self._usage_ok is None and end.usage is not None:
                        self._usage_ok = True
                    if end.usage is not None:
                        yield end.usage
                    yield Finish("complete", end.finish_reason, attempts=attempt, t_ms=t_end)
                    return
                # a failed try
                if err.status in (400, 422) and use_usage and not usage_fallback_tried:
                    # perhaps the server does not know stream_options: ask once without it
                    usage_fallback_tried = True
                    self._usage_ok = False
                    yield Retry(
                        attempt,
                        f"{err.message} (asking again without stream_options)",
                        0.0,
                        status_code=err.status,
                        t_ms=t_end,
                    )
                    continue
                if usage_fallback_tried and self._usage_ok is False and err.status in (400, 422):
                    self._usage_ok = None  # it was not stream_options after all
                if err.status == 429 and self.limiter is not None:
                    self.limiter.rate_limited(err.retry_after)
                if not err.retryable:
                    yield Failed(err.message, err.status)
                    yield Finish(
                        "error", end.finish_reason, err.message, attempts=attempt, t_ms=t_end
                    )
                    return
                if attempt > c.max_retries:
                    msg = f"gave up after {attempt} tries: {err.message}"
                    yield Finish("error", end.finish_reason, msg, attempts=attempt, t_ms=t_end)
                    return
                wait = self._backoff(attempt, err)
                yield Retry(
                    attempt,
                    err.message,
                    wait,
                    "".join(end.parts),
                    "".join(end.rparts),
                    status_code=err.status,
                    retry_after=err.retry_after,
                    t_ms=t_end,
                )
                if wait > 0 and not await self._wait(wait, guard):
                    yield Finish("interrupted", attempts=attempt, t_ms=(clock() - t0) * 1e3)
                    return
        finally:
            guard.close()

    def _backoff(self, attempt: int, err: TryError) -> float:
        c = self.config
        if err.retry_after is not None:
            ra = min(err.retry_after, c.retry_after_max)
            return ra + self._rng.uniform(0, min(1.0, 0.1 * ra + 0.05))
        base = min(c.backoff_max, c.backoff_base * (2 ** (attempt - 1)))
        return base * self._rng.uniform(0.5, 1.0)

    @staticmethod
    async def _wait(seconds: float, guard: _Interrupt) -> bool:
        """Wait out a backoff; False when ``cancel`` ended the wait."""
        try:
            guard.waiting = True
            await asyncio.sleep(seconds)
            guard.waiting = False
        except asyncio.CancelledError:
            guard.waiting = False
            if not guard.absorb():
                raise
            return False
        return True

    # -- one try ----------------------------------------------------------------------
    async def _try(
        self,
        messages: Sequence[Mapping[str, str]],
        attempt: int,
        use_usage: bool,
        guard: _Interrupt,
        cancel: asyncio.Event | None,
        t0: float,
        end: _Try,
    ) -> AsyncIterator[StreamEvent]:
        """ONE try: wait for the limiter, send the request, decode the stream; yields
        :class:`Started`, then :class:`Content` and :class:`Reasoning` events. How the try
        ended is left in ``end`` (complete, interrupted, or its error); the connection and
        the limiter's slot are released before it returns."""
        c = self.config
        clock = asyncio.get_running_loop().time
        is_set = cancel.is_set if cancel is not None else None
        limiter = self.limiter
        acquired = False
        cm: Any = None
        source: Any = None
        in_stream = False
        splitter = ThinkSplitter() if c.split_think else None
        limit = c.answer_limit
        try:
            if limiter is not None:
                guard.waiting = True
                await limiter.acquire()
                guard.waiting = False
                acquired = True
            t_try = clock()
            yield Started((t_try - t0) * 1e3, attempt)
            if guard.requested:
                end.interrupted = True
                return
            deadline = None if c.timeout is None else t_try + c.timeout
            if deadline is not None:
                guard.arm(deadline)
            guard.waiting = True
            cm = self._sdk.chat.completions.with_streaming_response.create(
                **c.request(messages, usage=use_usage)
            )
            raw = await cm.__aenter__()
            in_stream = True
            source = payloads_of(raw.http_response, end)
            async for payloads in source:
                guard.waiting = False
                t_ms = (clock() - t0) * 1e3
                for payload in payloads:
                    if is_set is not None and is_set():
                        break  # cancelled: nothing after this point is taken
                    for ev in chunk_events(decode_chunk(payload), splitter, t_ms, end):
                        yield ev
                if guard.requested:
                    end.interrupted = True
                    break
                if deadline is not None and clock() > deadline:
                    raise Deadline(f"the try took longer than {c.timeout:g} s")
                if limit is not None and end.size > limit:
                    raise AnswerTooLong(
                        f"an answer longer than {limit:,} characters (the endpoint did not "
                        "stop at the token limit)"
                    )
                guard.waiting = True
            guard.waiting = False
            if splitter is not None:
                for ev in end.pieces(splitter.flush(), (clock() - t0) * 1e3):
                    yield ev
            if not end.interrupted:
                why = end.incomplete()
                if why is not None:
                    raise IncompleteStream(why)
        except asyncio.CancelledError:
            guard.waiting = False
            if not guard.absorb():
                raise
            if guard.expired and not guard.requested:
                end.error = TryError(f"the try took longer than {c.timeout:g} s", True)
            else:
                end.interrupted = True
        except Exception as exc:  # every SDK / transport failure of this try
            guard.waiting = False
            end.error = classify(exc, in_stream=in_stream, config=c)
        finally:
            guard.disarm()
            if source is not None:
                with contextlib.suppress(Exception):
                    await source.aclose()
            if cm is not None:
                with contextlib.suppress(Exception):
                    await cm.__aexit__(None, None, None)
            if acquired and limiter is not None:
                limiter.release()
