"""The HTTP/1.1 side of ``tmtui serve``: read requests off a connection, answer JSON.

A small server on the standard library's asyncio streams rather than an ASGI stack (see
:mod:`tmtui.model.serve` for why): requests with ``Content-Length`` or chunked bodies,
keep-alive, one-line JSON errors in the OpenAI shape. What a request means is the handler's
business (:mod:`tmtui.model.chat`).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec

__all__ = [
    "MAX_BODY",
    "MAX_HEADER",
    "WRITE_TIMEOUT",
    "Connections",
    "HTTPError",
    "Limits",
    "Request",
    "drain",
    "head",
    "read_request",
    "write_error",
    "write_json",
]

MAX_HEADER = 64 * 1024
MAX_BODY = 256 * 1024 * 1024
WRITE_TIMEOUT = 60.0  # a client that takes nothing for this long is dropped

_enc = msgspec.json.Encoder()

_STATUS_TEXT = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    411: "Length Required",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class HTTPError(Exception):
    """A request answered with an error status (and an OpenAI-style error body)."""

    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.code = code
        self.headers = headers or {}


@dataclass(slots=True)
class Request:
    method: str
    target: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    keep_alive: bool


def head(status: int, headers: dict[str, str]) -> bytes:
    """The status line and headers of a response."""
    lines = [f"HTTP/1.1 {status} {_STATUS_TEXT.get(status, 'Status')}"]
    lines.extend(f"{k}: {v}" for k, v in headers.items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def write_json(
    writer: asyncio.StreamWriter,
    status: int,
    obj: Any,
    keep_alive: bool,
    extra: dict[str, str] | None = None,
) -> bool:
    """Answer ``obj`` as JSON; returns ``keep_alive`` (False: close the connection)."""
    body = _enc.encode(obj)
    headers = {
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "Connection": "keep-alive" if keep_alive else "close",
    }
    if extra:
        headers.update(extra)
    writer.write(head(status, headers) + body)
    await drain(writer)
    return keep_alive


async def write_error(writer: asyncio.StreamWriter, err: HTTPError, keep_alive: bool) -> bool:
    obj = {"error": {"message": err.message, "type": err.kind, "param": None, "code": err.code}}
    return await write_json(writer, err.status, obj, keep_alive, err.headers)


async def drain(writer: asyncio.StreamWriter) -> None:
    """Wait until the client has taken what was written, at most :data:`WRITE_TIMEOUT`
    seconds (a client that stops reading does not hold the server's memory and tasks for
    ever): ConnectionError when it has not."""
    try:
        async with asyncio.timeout(WRITE_TIMEOUT):
            await writer.drain()
    except TimeoutError:
        with contextlib.suppress(Exception):
            writer.transport.abort()
        raise ConnectionError("the client stopped reading") from None


async def read_request(
    reader: asyncio.StreamReader,
    *,
    head_timeout: float | None = None,
    body_timeout: float | None = None,
    on_head: Callable[[], None] | None = None,
    take: Callable[[int], None] | None = None,
) -> Request | None:
    """The next request on a connection; None when the client closed it, broke off
    mid-request or sent no complete request head within ``head_timeout`` seconds (idle
    keep-alive included). Raises HTTPError for a malformed one, or a body not received
    within ``body_timeout`` (answer it, then close). ``on_head`` is called once the head
    has arrived. ``take(n)`` is called before ``n`` bytes of the body are read (it raises
    HTTPError to refuse them)."""
    try:
        async with asyncio.timeout(head_timeout):
            raw = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, TimeoutError):
        return None
    except asyncio.LimitOverrunError:
        raise HTTPError(431, "request headers too large") from None
    if on_head is not None:
        on_head()
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HTTPError(400, "bad request line")
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise HTTPError(400, "bad header line")
        headers[name.strip().lower()] = value.strip()
    conn = headers.get("connection", "").lower()
    keep_alive = (version == "HTTP/1.1" and conn != "close") or conn == "keep-alive"
    try:
        async with asyncio.timeout(body_timeout):
            body = await _read_body(reader, headers, take or _take_any)
    except asyncio.IncompleteReadError:
        return None
    except TimeoutError:
        raise HTTPError(408, "the request body was not received in time") from None
    return Request(method, target, headers, body, keep_alive)


_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
_DIGITS = re.compile(r"[0-9]+")


async def _line(reader: asyncio.StreamReader, what: str, status: int) -> bytes:
    """One CRLF-terminated line of a chunked body (at most the reader's limit, 64 KiB)."""
    try:
        return await reader.readuntil(b"\r\n")
    except asyncio.LimitOverrunError:
        raise HTTPError(status, f"{what} longer than {MAX_HEADER // 1024} KiB") from None


def _take_any(n: int) -> None:
    pass


async def _read_chunked(reader: asyncio.StreamReader, take: Callable[[int], None]) -> bytes:
    parts = []
    total = 0
    while True:
        line = await _line(reader, "a chunk size line", 400)
        size_text = line[:-2].split(b";", 1)[0].strip()
        if not _HEX.fullmatch(size_text):
            raise HTTPError(400, "bad chunk size")
        size = int(size_text, 16)
        if size == 0:
            trailers = 0
            while (t := await _line(reader, "a trailer line", 431)) != b"\r\n":
                trailers += len(t)
                if trailers > MAX_HEADER:
                    raise HTTPError(431, "request trailers too large")
            return b"".join(parts)
        total += size
        if total > MAX_BODY:
            raise HTTPError(413, "request body too large")
        take(size)
        parts.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b"\r\n":
            raise HTTPError(400, "a chunk does not end with CRLF")


async def _read_body(
    reader: asyncio.StreamReader, headers: dict[str, str], take: Callable[[int], None]
) -> bytes:
    te = headers.get("transfer-encoding", "").lower()
    if "chunked" in te:
        return await _read_chunked(reader, take)
    length = headers.get("content-length")
    if length is None:
        return b""
    if not _DIGITS.fullmatch(length):  # ASCII digits only ("²".isdigit() is true)
        raise HTTPError(400, "bad Content-Length")
    digits = length.lstrip("0") or "0"
    n = int(digits) if len(digits) <= 20 else MAX_BODY + 1  # int() refuses 4,300 digits
    if n > MAX_BODY:
        raise HTTPError(413, "request body too large")
    take(n)
    return await reader.readexactly(n)


Handler = Callable[[Request, asyncio.StreamWriter], Awaitable[bool]]


@dataclass
class Limits:
    """How long a client may take and how many may be connected at once."""

    # a request's head (from when the server waits for it: idle keep-alive included)
    head_timeout: float | None = 30.0
    body_timeout: float | None = 60.0  # a request's body, once its head has arrived
    max_connections: int = 1024  # at most; lowered to fit the process's descriptor limit
    # request bodies held at once, all connections together (bytes): two of the largest
    max_bodies: int = 2 * MAX_BODY

    def connection_cap(self) -> int:
        """``max_connections``, lowered to half the descriptors left under RLIMIT_NOFILE
        (the server must always be able to accept, answer and close)."""
        cap = max(1, self.max_connections)
        try:
            import resource

            soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        except (ImportError, OSError, ValueError):
            return cap
        if soft != resource.RLIM_INFINITY:
            cap = min(cap, max(4, (soft - 48) // 2))
        return cap


class Connections:
    """The connection loop: one task per connection, requests served in turn until the client
    or the handler (which returns False) closes it. Tracks the open connections so that a
    server can close them all at once.

    Abuse is bounded: a client that sends no complete request head within
    ``limits.head_timeout`` (an idle keep-alive connection, a slow or partial header) is
    closed, a body that takes longer than ``limits.body_timeout`` gets a 408, and at most
    :meth:`Limits.connection_cap` connections are open: a new one over the cap closes the
    connection that has waited longest for a request head, or is answered 503 when every
    connection is busy. No client error ends in a traceback."""

    def __init__(
        self,
        handler: Handler,
        log: Callable[[str], None],
        limits: Limits | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.handler = handler
        self.log = log
        self.warn = warn or log
        self.limits = limits or Limits()
        self.cap = self.limits.connection_cap()
        self.tasks: set[asyncio.Task] = set()
        self.writers: set[asyncio.StreamWriter] = set()
        self.waiting: dict[asyncio.StreamWriter, float] = {}  # waiting for a request head
        self.body_bytes = 0  # request bodies held now (read, or being read), all connections
        self.refused = 0  # connections answered 503 (all busy)
        self.evicted = 0  # idle or slow connections closed to make room
        self._crowded = False

    def _make_room(self) -> bool:
        """At the cap: close the connection that has waited longest for a request head;
        False when every connection is busy."""
        if len(self.writers) < self.cap:
            if self._crowded and len(self.writers) < self.cap * 3 // 4:
                self._crowded = False
            return True
        if not self._crowded:
            self._crowded = True
            self.warn(
                f"{len(self.writers)} connections open (the cap): closing idle and slow "
                "ones to make room"
            )
        if self.waiting:
            oldest = min(self.waiting, key=self.waiting.__getitem__)
            self.waiting.pop(oldest, None)
            self.writers.discard(oldest)
            with contextlib.suppress(Exception):
                oldest.transport.abort()
            self.evicted += 1
            return True
        self.refused += 1
        return False

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if not self._make_room():
            with contextlib.suppress(Exception):
                err = HTTPError(
                    503, "too many connections", "server_error", headers={"Retry-After": "1"}
                )
                await write_error(writer, err, False)
            with contextlib.suppress(Exception):
                writer.close()
            return
        if task is not None:
            self.tasks.add(task)
        self.writers.add(writer)
        try:
            while await self._serve_one(reader, writer):
                pass
        except asyncio.CancelledError:
            pass
        except (ConnectionError, OSError):
            pass
        except Exception as exc:  # never a traceback per connection
            self.log(f"connection error: {type(exc).__name__}: {exc}")
        finally:
            self.waiting.pop(writer, None)
            self.writers.discard(writer)
            if task is not None:
                self.tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    def _take(self, held: list[int]) -> Callable[[int], None]:
        """A request's share of :attr:`Limits.max_bodies` (its bytes added up in ``held``):
        503 when the bodies already held leave no room for ``n`` more bytes."""

        def take(n: int) -> None:
            if self.body_bytes + n > self.limits.max_bodies:
                raise HTTPError(
                    503, "too many large requests at once", "server_error",
                    headers={"Retry-After": "1"},
                )  # fmt: skip
            self.body_bytes += n
            held[0] += n

        return take

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Read and answer one request; False when the connection is to be closed."""
        held = [0]  # this request's bytes in Connections.body_bytes, given back at the end
        try:
            return await self._read_and_answer(reader, writer, held)
        finally:
            self.body_bytes -= held[0]

    async def _read_and_answer(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, held: list[int]
    ) -> bool:
        self.waiting[writer] = asyncio.get_running_loop().time()
        lim = self.limits
        try:
            req = await read_request(
                reader,
                head_timeout=lim.head_timeout,
                body_timeout=lim.body_timeout,
                on_head=lambda: self.waiting.pop(writer, None),
                take=self._take(held),
            )
        except HTTPError as err:
            self.log(f"bad request -> {err.status} {err.message}")
            await write_error(writer, err, False)
            return False
        finally:
            self.waiting.pop(writer, None)
        if req is None:
            return False
        try:
            return await self.handler(req, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            return False
        except Exception as exc:  # a bug: answer 500, keep serving others
            self.log(f"internal error: {type(exc).__name__}: {exc}")
            with contextlib.suppress(Exception):
                await write_error(writer, HTTPError(500, "internal error", "server_error"), False)
            return False
