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
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import msgspec
import openai
from pydantic import SecretStr

from tmtui.core.text import one_line
from tmtui.io.events import (
    Content,
    Failed,
    Finish,
    Reasoning,
    Retry,
    Started,
    StreamEvent,
    UsageReport,
)

__all__ = ["ClientConfig", "Limiter", "ModelClient", "safe_url"]

# statuses retrying cannot fix
FATAL_STATUSES = frozenset({400, 401, 403, 404, 405, 413, 422})
_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def safe_url(url: str) -> str:
    """A base URL fit for records and messages: no user:password, no query, no fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


@dataclass
class ClientConfig:
    """Where to send requests and what to ask for."""

    base_url: str
    model: str
    api_key: SecretStr | str | None = field(default=None, repr=False)
    temperature: float | None = 0.0
    top_p: float | None = None
    max_tokens: int | None = 16384
    max_tokens_field: str = "max_tokens"  # or "max_completion_tokens" (OpenAI o-series)
    seed: int | None = None
    stop: str | list[str] | None = None
    reasoning_effort: str | None = None
    extra_body: dict[str, Any] | None = None
    timeout: float | None = None  # wall-clock limit of one try, seconds (None: no limit)
    connect_timeout: float = 10.0
    stall_seconds: float = 180.0  # no data for this long: the try has stalled
    max_retries: int = 6
    backoff_base: float = 1.0  # first wait, seconds; doubles per retry
    backoff_max: float = 60.0
    retry_after_max: float = 600.0  # the longest Retry-After honoured as is
    include_usage: bool = True
    split_think: bool = True  # <think>...</think> in the content is reasoning
    headers: dict[str, str] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.api_key, str):
            self.api_key = SecretStr(self.api_key)

    def key(self) -> str | None:
        k = self.api_key
        if isinstance(k, SecretStr):
            v = k.get_secret_value()
            return v or None
        return k or None

    def params(self) -> dict[str, Any]:
        """The request parameters, for records (never the key, no credentials in the URL)."""
        out: dict[str, Any] = {"model": self.model, "base_url": safe_url(self.base_url)}
        for name in ("temperature", "top_p", "max_tokens", "seed", "stop", "reasoning_effort"):
            v = getattr(self, name)
            if v is not None:
                out[name] = v
        if self.extra_body:
            out["extra_body"] = _scrub_obj(self.extra_body, self.key())
        return out

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> ClientConfig:
        """From :class:`tmtui.config.Settings`; ``overrides`` (None ignored) win."""
        values: dict[str, Any] = {
            "base_url": settings.base_url,
            "model": settings.model,
            "api_key": settings.api_key,
            "temperature": settings.temperature,
            "top_p": settings.top_p,
            "max_tokens": settings.max_tokens,
            "seed": settings.seed,
            "reasoning_effort": settings.reasoning_effort,
            "extra_body": dict(settings.extra_body) or None,
            "connect_timeout": settings.connect_timeout,
            "stall_seconds": settings.stall_seconds,
            "max_retries": settings.max_retries,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _scrub_obj(obj: Any, key: str | None) -> Any:
    if not key:
        return obj
    if isinstance(obj, str):
        return obj.replace(key, "***")
    if isinstance(obj, Mapping):
        return {k: _scrub_obj(v, key) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_scrub_obj(v, key) for v in obj]
    return obj


class Limiter(Protocol):
    """What the client asks before each try (the batch runner's adaptive concurrency)."""

    async def acquire(self) -> None: ...

    def release(self) -> None: ...

    def rate_limited(self, retry_after: float | None) -> None: ...

    def succeeded(self) -> None: ...


class _Interrupt:
    """Turns ``cancel.set()`` into a CancelledError at the await the stream is blocked in.

    The consuming task is cancelled only while the stream itself awaits the network (never
    while the consumer runs its own code between events); otherwise the request is noticed at
    the next event. Our cancellation is told apart from an outside one with ``uncancel``.
    """

    __slots__ = ("_watch", "event", "fired", "task", "waiting")

    def __init__(self, event: asyncio.Event | None) -> None:
        self.event = event
        self.task = asyncio.current_task()
        self.waiting = False
        self.fired = False
        self._watch: asyncio.Task | None = None
        if event is not None and self.task is not None:
            self._watch = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        assert self.event is not None
        await self.event.wait()
        if self.waiting and not self.fired and self.task is not None:
            self.fired = True
            self.task.cancel()

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
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None


class _ThinkSplitter:
    """Splits streamed content at ``<think>`` / ``</think>`` (tags may straddle chunks)."""

    __slots__ = ("held", "inside")

    OPEN = "<think>"
    CLOSE = "</think>"

    def __init__(self) -> None:
        self.inside = False
        self.held = ""

    def feed(self, text: str) -> list[tuple[bool, str]]:
        """(is_reasoning, text) pieces; a possible partial tag at the end is held back."""
        if self.held:
            text = self.held + text
            self.held = ""
        out: list[tuple[bool, str]] = []
        while text:
            tag = self.CLOSE if self.inside else self.OPEN
            i = text.find(tag)
            if i >= 0:
                if i:
                    out.append((self.inside, text[:i]))
                text = text[i + len(tag) :]
                self.inside = not self.inside
                continue
            # hold back a suffix that may be the start of the tag
            lt = text.rfind("<", max(0, len(text) - len(tag) + 1))
            if lt >= 0 and tag.startswith(text[lt:]):
                if lt:
                    out.append((self.inside, text[:lt]))
                self.held = text[lt:]
            else:
                out.append((self.inside, text))
            break
        return out

    def flush(self) -> list[tuple[bool, str]]:
        if not self.held:
            return []
        held, self.held = self.held, ""
        return [(self.inside, held)]


@dataclass(slots=True)
class _TryError:
    message: str
    retryable: bool
    status: int | None = None
    retry_after: float | None = None


def _retry_after(headers: Any) -> float | None:
    if headers is None:
        return None
    for name, div in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            v = float(raw) / div
        except (TypeError, ValueError):
            try:
                from email.utils import parsedate_to_datetime

                when = parsedate_to_datetime(raw)
                v = when.timestamp() - time.time()
            except (TypeError, ValueError, IndexError, OverflowError):
                continue
        if v == v and v >= 0:  # not NaN
            return v
    return None


def _server_message(exc: openai.APIError) -> str:
    body = getattr(exc, "body", None)
    msg = None
    if isinstance(body, Mapping):
        m = body.get("message")
        if isinstance(m, str):
            msg = m
        elif isinstance(body.get("error"), Mapping):
            m = body["error"].get("message")
            msg = m if isinstance(m, str) else None
    elif isinstance(body, str):
        msg = body
    return msg or getattr(exc, "message", "") or str(exc)


def _transport_types() -> tuple[tuple[type, ...], tuple[type, ...]]:
    """(timeout errors, other transport errors) of the HTTP stack under the SDK."""
    timeouts: list[type] = [TimeoutError]
    transport: list[type] = [OSError, EOFError]
    for name in ("httpx2", "httpx"):
        try:
            mod = __import__(name)
        except ImportError:
            continue
        timeouts.append(mod.TimeoutException)
        transport.extend([mod.RequestError, mod.StreamError])
    try:
        import anyio

        transport.extend([anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError])
    except ImportError:
        pass
    return tuple(timeouts), tuple(transport)


_TIMEOUTS, _TRANSPORT = _transport_types()


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, _TIMEOUTS)


def _is_transport(exc: BaseException) -> bool:
    return isinstance(exc, _TRANSPORT)


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

    @property
    def sdk(self) -> openai.AsyncOpenAI:
        return self._sdk

    async def aclose(self) -> None:
        await self._sdk.close()

    async def __aenter__(self) -> ModelClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- requests ---------------------------------------------------------------------
    def _kwargs(self, messages: Sequence[Mapping[str, str]], usage: bool) -> dict[str, Any]:
        c = self.config
        kw: dict[str, Any] = {"model": c.model, "messages": list(messages), "stream": True}
        if c.temperature is not None:
            kw["temperature"] = c.temperature
        if c.top_p is not None:
            kw["top_p"] = c.top_p
        if c.seed is not None:
            kw["seed"] = c.seed
        if c.stop is not None:
            kw["stop"] = c.stop
        if c.reasoning_effort is not None:
            kw["reasoning_effort"] = c.reasoning_effort
        body = dict(c.extra_body or {})
        if c.max_tokens is not None:
            if c.max_tokens_field == "max_tokens":
                kw["max_tokens"] = c.max_tokens
            elif c.max_tokens_field == "max_completion_tokens":
                kw["max_completion_tokens"] = c.max_tokens
            else:
                body[c.max_tokens_field] = c.max_tokens
        if usage:
            kw["stream_options"] = {"include_usage": True}
        if body:
            kw["extra_body"] = body
        return kw

    def _scrub(self, text: str) -> str:
        key = self.config.key()
        if key and key in text:
            text = text.replace(key, "***")
        return one_line(text, 300)

    def _classify(self, exc: BaseException, in_stream: bool) -> _TryError:
        c = self.config
        if isinstance(exc, openai.APIStatusError):
            code = exc.status_code
            reason = _REASONS.get(code, "error")
            detail = self._scrub(_server_message(exc))
            where = safe_url(c.base_url)
            if code == 401:
                msg = (
                    f"401 Unauthorized from {where}: {detail} "
                    "(check the API key: OPENAI_API_KEY or the config file)"
                )
            elif code == 403:
                msg = f"403 Forbidden from {where}: {detail}"
            elif code == 404:
                msg = (
                    f"404 Not Found from {where}: {detail} "
                    f"(is the model {c.model!r} served there, and does the base URL end in /v1?)"
                )
            else:
                msg = f"{code} {reason} from {where}: {detail}"
            retry_after = _retry_after(getattr(exc.response, "headers", None))
            return _TryError(self._scrub(msg), code not in FATAL_STATUSES, code, retry_after)
        if isinstance(exc, openai.APITimeoutError):
            if in_stream:
                msg = f"stalled: no data for {c.stall_seconds:g} s"
            else:
                msg = f"timed out waiting for {safe_url(c.base_url)}"
            return _TryError(msg, True)
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc.__context__
            why = f": {type(cause).__name__}: {cause}" if cause else ""
            if in_stream:
                msg = f"the stream broke midway{why}"
            else:
                msg = f"cannot connect to {safe_url(c.base_url)}{why}"
            return _TryError(self._scrub(msg), True)
        if isinstance(exc, openai.APIError):
            return _TryError(self._scrub(f"error from the server: {_server_message(exc)}"), True)
        if isinstance(exc, _StreamError):
            return _TryError(self._scrub(f"error from the server: {exc}"), True)
        if _is_timeout(exc):
            if in_stream:
                return _TryError(f"stalled: no data for {c.stall_seconds:g} s", True)
            return _TryError(f"timed out waiting for {safe_url(c.base_url)}", True)
        if _is_transport(exc):
            what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if in_stream:
                return _TryError(self._scrub(f"the stream broke midway: {what}"), True)
            return _TryError(self._scrub(f"cannot connect to {safe_url(c.base_url)}: {what}"), True)
        return _TryError(self._scrub(f"bad response: {type(exc).__name__}: {exc}"), True)

    def _backoff(self, attempt: int, err: _TryError) -> float:
        c = self.config
        if err.retry_after is not None:
            ra = min(err.retry_after, c.retry_after_max)
            return ra + self._rng.uniform(0, min(1.0, 0.1 * ra + 0.05))
        base = min(c.backoff_max, c.backoff_base * (2 ** (attempt - 1)))
        return base * self._rng.uniform(0.5, 1.0)

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
        loop = asyncio.get_running_loop()
        clock = loop.time
        t0 = clock()
        c = self.config
        guard = _Interrupt(cancel)
        is_set = cancel.is_set if cancel is not None else None
        attempt = 0
        usage_fallback_tried = False
        try:
            while True:
                attempt += 1
                if guard.requested:
                    yield Finish("interrupted", attempts=attempt - 1, t_ms=(clock() - t0) * 1e3)
                    return
                limiter = self.limiter
                acquired = False
                cm = None
                source: Any = None
                parts: list[str] = []
                rparts: list[str] = []
                finish_reason: str | None = None
                usage: UsageReport | None = None
                err: _TryError | None = None
                interrupted = False
                in_stream = False
                use_usage = self._usage_ok is not False
                splitter = _ThinkSplitter() if c.split_think else None
                try:
                    if limiter is not None:
                        guard.waiting = True
                        await limiter.acquire()
                        guard.waiting = False
                        acquired = True
                    t_try = clock()
                    yield Started((t_try - t0) * 1e3, attempt)
                    if guard.requested:
                        interrupted = True
                    else:
                        guard.waiting = True
                        cm = self._sdk.chat.completions.with_streaming_response.create(
                            **self._kwargs(messages, use_usage)
                        )
                        raw = await cm.__aenter__()
                        in_stream = True
                        http = raw.http_response
                        ctype = http.headers.get("content-type", "")
                        if "text/event-stream" in ctype:
                            source = _sse_payloads(http.aiter_bytes())
                        else:  # a server that ignored stream=True: one JSON body
                            source = _json_body(http)
                        deadline = None if c.timeout is None else t_try + c.timeout
                        async for payloads in source:
                            guard.waiting = False
                            t_ms = (clock() - t0) * 1e3
                            for payload in payloads:
                                if is_set is not None and is_set():
                                    break  # cancelled: nothing after this point is taken
                                chunk = _decode_chunk(payload)
                                if chunk.error is not None:
                                    raise _StreamError(_error_text(chunk.error))
                                for ch in chunk.choices:
                                    if ch.index:
                                        continue  # n > 1 is not asked for
                                    d = ch.delta or ch.message
                                    if d is not None:
                                        r = d.reasoning_content or d.reasoning
                                        if r:
                                            rparts.append(r)
                                            yield Reasoning(r, t_ms)
                                        text = d.content
                                        if text:
                                            if splitter is None or (
                                                not splitter.inside
                                                and not splitter.held
                                                and "<" not in text
                                            ):
                                                parts.append(text)
                                                yield Content(text, t_ms)
                                            else:
                                                for is_r, piece in splitter.feed(text):
                                                    if is_r:
                                                        rparts.append(piece)
                                                        yield Reasoning(piece, t_ms)
                                                    else:
                                                        parts.append(piece)
                                                        yield Content(piece, t_ms)
                                    if ch.finish_reason:
                                        finish_reason = ch.finish_reason
                                if chunk.usage is not None:
                                    usage = _usage_report(chunk.usage)
                            if guard.requested:
                                interrupted = True
                                break
                            if deadline is not None and clock() > deadline:
                                raise _Deadline(f"the try took longer than {c.timeout:g} s")
                            guard.waiting = True
                        guard.waiting = False
                        if splitter is not None:
                            for is_r, piece in splitter.flush():
                                t_ms = (clock() - t0) * 1e3
                                if is_r:
                                    rparts.append(piece)
                                    yield Reasoning(piece, t_ms)
                                else:
                                    parts.append(piece)
                                    yield Content(piece, t_ms)
                except asyncio.CancelledError:
                    guard.waiting = False
                    if not guard.absorb():
                        raise
                    interrupted = True
                except _Deadline as exc:
                    guard.waiting = False
                    err = _TryError(str(exc), True)
                except Exception as exc:  # every SDK / transport failure of this try
                    guard.waiting = False
                    err = self._classify(exc, in_stream)
                finally:
                    if source is not None:
                        with contextlib.suppress(Exception):
                            await source.aclose()
                    if cm is not None:
                        with contextlib.suppress(Exception):
                            await cm.__aexit__(None, None, None)
                    if acquired and limiter is not None:
                        limiter.release()

                t_end = (clock() - t0) * 1e3
                if interrupted:
                    if usage is not None:
                        yield usage
                    yield Finish("interrupted", finish_reason, attempts=attempt, t_ms=t_end)
                    return
                if err is None:
                    if limiter is not None:
                        limiter.succeeded()
                    if use_usage and self._usage_ok is None and usage is not None:
                        self._usage_ok = True
                    if usage is not None:
                        yield usage
                    yield Finish("complete", finish_reason, attempts=attempt, t_ms=t_end)
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
                if err.status == 429 and limiter is not None:
                    limiter.rate_limited(err.retry_after)
                if not err.retryable:
                    yield Failed(err.message, err.status)
                    yield Finish("error", finish_reason, err.message, attempts=attempt, t_ms=t_end)
                    return
                if attempt > c.max_retries:
                    msg = f"gave up after {attempt} tries: {err.message}"
                    yield Finish("error", finish_reason, msg, attempts=attempt, t_ms=t_end)
                    return
                wait = self._backoff(attempt, err)
                yield Retry(
                    attempt,
                    err.message,
                    wait,
                    "".join(parts),
                    "".join(rparts),
                    status_code=err.status,
                    retry_after=err.retry_after,
                    t_ms=t_end,
                )
                if wait > 0:
                    try:
                        guard.waiting = True
                        await asyncio.sleep(wait)
                        guard.waiting = False
                    except asyncio.CancelledError:
                        guard.waiting = False
                        if not guard.absorb():
                            raise
                        yield Finish("interrupted", attempts=attempt, t_ms=(clock() - t0) * 1e3)
                        return
        finally:
            guard.close()


# -- the wire format ----------------------------------------------------------------------
#
# The SDK sends the request (auth, base URL, errors as APIStatusError) and hands over the
# raw response; the stream is decoded here with msgspec. The SDK's own chunk objects cost
# about 100 us each (pydantic construction), which alone is half a core at 5,000 chunks/s.


class _Delta(msgspec.Struct, dict=False):
    content: str | None = None
    reasoning_content: str | None = None
    reasoning: str | None = None


class _Choice(msgspec.Struct):
    index: int = 0
    delta: _Delta | None = None
    message: _Delta | None = None  # a non-streamed body
    finish_reason: str | None = None


class _Details(msgspec.Struct):
    reasoning_tokens: int | None = None


class _Usage(msgspec.Struct):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    completion_tokens_details: _Details | None = None


class _Chunk(msgspec.Struct):
    choices: list[_Choice] = []
    usage: _Usage | None = None
    error: Any = None


_chunk_decoder = msgspec.json.Decoder(_Chunk)


class _StreamError(Exception):
    """An error the server sent inside the stream."""


class _Deadline(Exception):
    """The try ran past ``ClientConfig.timeout``."""


def _error_text(err: Any) -> str:
    if isinstance(err, Mapping):
        m = err.get("message")
        if isinstance(m, str):
            return m
    return str(err)


def _str_or_none(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _int_or_none(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _lenient_chunk(obj: Any) -> _Chunk:
    """A chunk whose fields have unexpected types: take what makes sense."""
    if not isinstance(obj, Mapping):
        raise _StreamError("a stream event that is not a JSON object")
    choices = []
    raw_choices = obj.get("choices")
    for ch in raw_choices if isinstance(raw_choices, list) else []:
        if not isinstance(ch, Mapping):
            continue
        parts = []
        for key in ("delta", "message"):
            d = ch.get(key)
            if isinstance(d, Mapping):
                parts.append(
                    _Delta(
                        _str_or_none(d.get("content")),
                        _str_or_none(d.get("reasoning_content")),
                        _str_or_none(d.get("reasoning")),
                    )
                )
            else:
                parts.append(None)
        choices.append(
            _Choice(
                _int_or_none(ch.get("index")) or 0,
                parts[0],
                parts[1],
                _str_or_none(ch.get("finish_reason")),
            )
        )
    usage = None
    u = obj.get("usage")
    if isinstance(u, Mapping):
        det = u.get("completion_tokens_details")
        usage = _Usage(
            _int_or_none(u.get("prompt_tokens")),
            _int_or_none(u.get("completion_tokens")),
            _int_or_none(u.get("total_tokens")),
            _Details(_int_or_none(det.get("reasoning_tokens")))
            if isinstance(det, Mapping)
            else None,
        )
    return _Chunk(choices, usage, obj.get("error"))


def _decode_chunk(payload: bytes) -> _Chunk:
    try:
        return _chunk_decoder.decode(payload)
    except msgspec.ValidationError:
        return _lenient_chunk(msgspec.json.decode(payload))
    except msgspec.DecodeError:
        raise _StreamError(
            f"a stream event is not valid JSON: {payload[:80].decode('utf-8', 'replace')!r}"
        ) from None


def _usage_report(u: _Usage) -> UsageReport:
    det = u.completion_tokens_details
    return UsageReport(
        prompt_tokens=u.prompt_tokens,
        completion_tokens=u.completion_tokens,
        reasoning_tokens=det.reasoning_tokens if det is not None else None,
        total_tokens=u.total_tokens,
    )


async def _sse_payloads(chunks: AsyncIterator[bytes]) -> AsyncIterator[list[bytes]]:
    """Server-sent events: the data of every complete event, as lists per network read.
    Comments (keep-alives) and other fields are skipped; ``[DONE]`` ends the stream."""
    buf = b""
    data: list[bytes] = []
    event = b""
    async for block in chunks:
        buf = buf + block if buf else block
        out: list[bytes] = []
        start = 0
        find = buf.find
        while True:
            nl = find(b"\n", start)
            if nl < 0:
                break
            line = buf[start:nl]
            start = nl + 1
            if line[-1:] == b"\r":
                line = line[:-1]
            if not line:
                if data:
                    payload = data[0] if len(data) == 1 else b"\n".join(data)
                    data = []
                    if payload == b"[DONE]":
                        if out:
                            yield out
                        return
                    if event == b"error":
                        payload = b'{"error":' + payload + b"}"
                    out.append(payload)
                event = b""
                continue
            if line[:5] == b"data:":
                v = line[5:]
                data.append(v[1:] if v[:1] == b" " else v)
            elif line[:1] == b":":
                continue  # a comment: keep-alive
            elif line[:6] == b"event:":
                event = line[6:].strip()
        buf = buf[start:] if start else buf
        if out:
            yield out
    if data and data[0] != b"[DONE]":
        yield [b"\n".join(data)]


async def _json_body(http: Any) -> AsyncIterator[list[bytes]]:
    body = await http.aread()
    yield [body]
