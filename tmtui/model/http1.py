"""The HTTP/1.1 side of ``tmtui serve``: read requests off a connection, answer JSON.

A small server on the standard library's asyncio streams rather than an ASGI stack (see
:mod:`tmtui.model.serve` for why): requests with ``Content-Length`` or chunked bodies,
keep-alive, one-line JSON errors in the OpenAI shape. What a request means is the handler's
business (:mod:`tmtui.model.chat`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec

__all__ = [
    "MAX_BODY",
    "MAX_HEADER",
    "Connections",
    "HTTPError",
    "Request",
    "head",
    "read_request",
    "write_error",
    "write_json",
]

MAX_HEADER = 64 * 1024
MAX_BODY = 256 * 1024 * 1024

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
    await writer.drain()
    return keep_alive


async def write_error(writer: asyncio.StreamWriter, err: HTTPError, keep_alive: bool) -> bool:
    obj = {"error": {"message": err.message, "type": err.kind, "param": None, "code": err.code}}
    return await write_json(writer, err.status, obj, keep_alive, err.headers)


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """The next request on a connection; None when the client closed it or broke off
    mid-request. Raises HTTPError for a malformed one (answer it, then close)."""
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    except asyncio.LimitOverrunError:
        raise HTTPError(431, "request headers too large") from None
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
        body = await _read_body(reader, headers)
    except (asyncio.IncompleteReadError, ValueError):
        return None
    return Request(method, target, headers, body, keep_alive)


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    te = headers.get("transfer-encoding", "").lower()
    if "chunked" in te:
        parts = []
        total = 0
        while True:
            line = await reader.readuntil(b"\r\n")
            size = int(line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                # trailers
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass
                return b"".join(parts)
            total += size
            if total > MAX_BODY:
                raise HTTPError(413, "request body too large")
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
    length = headers.get("content-length")
    if length is None:
        return b""
    try:
        n = int(length)
    except ValueError:
        raise HTTPError(400, "bad Content-Length") from None
    if n < 0:
        raise HTTPError(400, "bad Content-Length")
    if n > MAX_BODY:
        raise HTTPError(413, "request body too large")
    return await reader.readexactly(n)


Handler = Callable[[Request, asyncio.StreamWriter], Awaitable[bool]]


class Connections:
    """The connection loop: one task per connection, requests served in turn until the client
    or the handler (which returns False) closes it. Tracks the open connections so that a
    server can close them all at once."""

    def __init__(self, handler: Handler, log: Callable[[str], None]) -> None:
        self.handler = handler
        self.log = log
        self.tasks: set[asyncio.Task] = set()
        self.writers: set[asyncio.StreamWriter] = set()

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
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
        finally:
            self.writers.discard(writer)
            if task is not None:
                self.tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Read and answer one request; False when the connection is to be closed."""
        try:
            req = await read_request(reader)
        except HTTPError as err:
            await write_error(writer, err, False)
            return False
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
