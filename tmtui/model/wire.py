"""The wire format of a streamed chat completion, decoded into :mod:`tmtui.io.events`.

The SDK sends the request (auth, base URL, errors as ``APIStatusError``) and hands over the
raw response; the stream is decoded here with msgspec: :func:`sse_payloads` cuts server-sent
events out of the network reads, :func:`decode_chunk` reads one chunk, :func:`chunk_events`
turns it into :class:`Content` / :class:`Reasoning` events and notes what the try received in
a :class:`Received`. The SDK's own chunk objects cost about 100 us each (pydantic
construction), which alone is half a core at 5,000 chunks/s.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import msgspec

from tmtui.io.events import Content, Reasoning, StreamEvent, UsageReport

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_EVENT_BYTES",
    "AnswerTooLong",
    "IncompleteStream",
    "Oversized",
    "Received",
    "StreamError",
    "ThinkSplitter",
    "chunk_events",
    "decode_chunk",
    "payloads_of",
    "sse_payloads",
]


class ThinkSplitter:
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


class StreamError(Exception):
    """An error the server sent inside the stream, or a stream that breaks the protocol."""


class IncompleteStream(StreamError):
    """The stream ended (the connection closed cleanly) before the protocol's end: no
    finish reason and no ``[DONE]``, or no answer at all. Not a complete answer."""


class Oversized(StreamError):
    """An event or a body larger than tmtui holds for one stream (refused, not buffered)."""


class AnswerTooLong(Oversized):
    """More answer than the try may bring (``ClientConfig.answer_limit``): the endpoint did
    not stop at the token limit. Not retried: a retry would most likely do the same."""


# what one stream may make tmtui hold before it is refused: one server-sent event (a chat
# chunk is well under a kilobyte) and a non-streamed JSON body
MAX_EVENT_BYTES = 8 << 20
MAX_BODY_BYTES = 64 << 20


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
        raise StreamError("a stream event that is not a JSON object")
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


def decode_chunk(payload: bytes) -> _Chunk:
    try:
        return _chunk_decoder.decode(payload)
    except msgspec.ValidationError:
        return _lenient_chunk(msgspec.json.decode(payload))
    except msgspec.DecodeError:
        raise StreamError(
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


def _too_long(n: int) -> StreamError:
    return Oversized(
        f"a stream event longer than {MAX_EVENT_BYTES >> 20} MiB ({n:,} bytes without its end)"
    )


async def sse_payloads(
    chunks: AsyncIterator[bytes], got: Received | None = None
) -> AsyncIterator[list[bytes]]:
    """Server-sent events: the data of every complete event, as lists per network read.
    Comments (keep-alives) and other fields are skipped; ``[DONE]`` ends the stream (and is
    noted in ``got.done``). An event longer than :data:`MAX_EVENT_BYTES` raises
    StreamError: what one stream may buffer is bounded."""
    buf = b""
    pending: list[bytes] = []  # reads without a newline, not yet joined (no quadratic copy)
    pending_n = 0
    data: list[bytes] = []
    data_n = 0
    event = b""
    async for block in chunks:
        if b"\n" not in block:
            pending.append(block)
            pending_n += len(block)
            if len(buf) + pending_n + data_n > MAX_EVENT_BYTES:
                raise _too_long(len(buf) + pending_n + data_n)
            continue
        if pending:
            buf = b"".join([buf, *pending, block])
            pending, pending_n = [], 0
        else:
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
                    data, data_n = [], 0
                    if payload == b"[DONE]":
                        if got is not None:
                            got.done = True
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
                data_n += len(v)
                if data_n > MAX_EVENT_BYTES:
                    raise _too_long(data_n)
            elif line[:1] == b":":
                continue  # a comment: keep-alive
            elif line[:6] == b"event:":
                event = line[6:].strip()
        buf = buf[start:] if start else buf
        if len(buf) + data_n > MAX_EVENT_BYTES:
            raise _too_long(len(buf) + data_n)
        if out:
            yield out
    if data and data[0] != b"[DONE]":
        yield [b"\n".join(data)]


async def _json_body(http: Any, got: Received | None) -> AsyncIterator[list[bytes]]:
    parts: list[bytes] = []
    n = 0
    async for block in http.aiter_bytes():
        n += len(block)
        if n > MAX_BODY_BYTES:
            raise Oversized(f"a response body longer than {MAX_BODY_BYTES >> 20} MiB")
        parts.append(block)
    if got is not None:
        got.done = True  # the whole body arrived
    yield [b"".join(parts)]


def payloads_of(http: Any, got: Received | None = None) -> AsyncIterator[list[bytes]]:
    """The payloads of a raw streaming response, as lists per network read: server-sent
    events, or the one JSON body of a server that ignored ``stream=True``. Whether the
    stream reached its end (``[DONE]``, the whole body) is noted in ``got.done``."""
    if "text/event-stream" in http.headers.get("content-type", ""):
        return sse_payloads(http.aiter_bytes(), got)
    return _json_body(http, got)


# -- from chunks to events ----------------------------------------------------------------


class Received:
    """What one try received: its answer and reasoning texts (a failed try's are reported in
    its Retry event), the finish reason and the usage the server sent, and whether the
    stream ended as the protocol says."""

    __slots__ = ("choice", "done", "finish_reason", "parts", "rparts", "size", "usage")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.rparts: list[str] = []
        self.size = 0  # characters in parts and rparts
        self.finish_reason: str | None = None
        self.usage: UsageReport | None = None
        self.done = False  # [DONE], or the whole of a non-streamed body
        self.choice = False  # a choice (index 0) was received

    def incomplete(self) -> str | None:
        """Why the stream, which ended cleanly, is not a complete answer (None: it is).
        Complete: an answer (a choice) and the protocol's end (a finish reason, or
        ``[DONE]`` / the whole body)."""
        if not self.choice:
            return "the response held no answer (no choices)"
        if self.finish_reason is None and not self.done:
            return "the stream ended early: no finish reason and no [DONE]"
        return None

    def pieces(self, pieces: list[tuple[bool, str]], t_ms: float) -> list[StreamEvent]:
        """Events of the (is_reasoning, text) pieces of a :class:`ThinkSplitter`."""
        out: list[StreamEvent] = []
        for is_r, piece in pieces:
            self.size += len(piece)
            if is_r:
                self.rparts.append(piece)
                out.append(Reasoning(piece, t_ms))
            else:
                self.parts.append(piece)
                out.append(Content(piece, t_ms))
        return out


def chunk_events(
    chunk: _Chunk, splitter: ThinkSplitter | None, t_ms: float, got: Received
) -> list[StreamEvent]:
    """The events of one decoded chunk (only choice 0: n > 1 is never asked for); its text,
    finish reason and usage are noted in ``got``. Raises StreamError for an error event."""
    if chunk.error is not None:
        raise StreamError(_error_text(chunk.error))
    out: list[StreamEvent] = []
    for ch in chunk.choices:
        if ch.index:
            continue
        got.choice = True
        d = ch.delta or ch.message
        if d is not None:
            r = d.reasoning_content or d.reasoning
            if r:
                got.size += len(r)
                got.rparts.append(r)
                out.append(Reasoning(r, t_ms))
            text = d.content
            if text:
                if splitter is None or (
                    not splitter.inside and not splitter.held and "<" not in text
                ):
                    got.size += len(text)
                    got.parts.append(text)
                    out.append(Content(text, t_ms))
                else:
                    out.extend(got.pieces(splitter.feed(text), t_ms))
        if ch.finish_reason:
            got.finish_reason = ch.finish_reason
    if chunk.usage is not None:
        got.usage = _usage_report(chunk.usage)
    return out
