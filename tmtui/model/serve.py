"""``tmtui serve``: a small OpenAI-compatible server (the embedded default model).

Endpoints: ``POST /v1/chat/completions`` (SSE streaming and plain JSON), ``GET /v1/models``,
``GET /health``. Models: ``synthetic`` (:mod:`tmtui.model.synthetic`) and ``replay``
(:mod:`tmtui.model.replay`). Fault injection for testing clients: failing statuses with
``Retry-After``, streams dropped after N characters, stalls.

It is written on the standard library's asyncio (``asyncio.start_server`` and a small HTTP/1.1
parser) rather than an ASGI stack: no extra dependency, it runs inside any running event loop
(the TUI's) or in a thread, and it needs exact control of the byte stream for the faults (a
connection reset in the middle of a chunked body, a pause between two SSE events). See
docs/model.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from tmtui.core.prompts import parse_messages
from tmtui.model.replay import ReplayEntry, ReplayStore
from tmtui.model.synthetic import (
    DEFAULT_ERROR_RATE,
    SyntheticModel,
    split_tokens,
)

__all__ = [
    "RunningServer",
    "ServeOptions",
    "ThreadedServer",
    "start_server",
    "start_server_thread",
]

DEFAULT_TPS = 150.0  # synthetic streams, when no rate is given
MAX_HEADER = 64 * 1024
MAX_BODY = 256 * 1024 * 1024
BATCH_BYTES = 32 * 1024

_enc = msgspec.json.Encoder()
_dec = msgspec.json.Decoder()


@dataclass
class ServeOptions:
    """What ``tmtui serve`` serves and which faults it injects."""

    synthetic: bool = True
    replay: str | Path | None = None
    tokens_per_second: float | None = None  # None: 150 (synthetic) / recorded timing (replay)
    error_rate: float = DEFAULT_ERROR_RATE
    seed: int = 0
    reasoning: str = "none"  # none | field | think (synthetic)
    # faults: which requests fail ...
    fail_rate: float | None = None
    fail_first: int = 0
    # ... and how (one of these kinds, picked per faulty request)
    status: int | None = None
    retry_after: float | None = None
    drop_after_chars: int | None = None
    stall_seconds: float | None = None
    reject_stream_options: bool = False  # answer 400 to stream_options (an older server)
    api_key: str | None = field(default=None, repr=False)  # required key, if any
    log: Callable[[str], None] | None = None

    def fault_kinds(self) -> list[str]:
        kinds = []
        if self.status is not None:
            kinds.append("status")
        if self.drop_after_chars is not None:
            kinds.append("drop")
        if self.stall_seconds:
            kinds.append("stall")
        if not kinds and (self.fail_rate or self.fail_first):
            kinds.append("status")
        return kinds


class _HTTPError(Exception):
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


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_STATUS_TEXT.get(status, 'Status')}"]
    lines.extend(f"{k}: {v}" for k, v in headers.items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass
class _Plan:
    """One answer, as chunks with due times."""

    pieces: list[tuple[float, str, str]]  # (due seconds, content, reasoning)
    finish_reason: str
    completion_tokens: int
    prompt_tokens: int


class _App:
    def __init__(self, options: ServeOptions) -> None:
        self.o = options
        self.synthetic = (
            SyntheticModel(options.error_rate, options.seed, reasoning=options.reasoning)
            if options.synthetic
            else None
        )
        self.store: ReplayStore | None = None
        if options.replay is not None:
            self.store = ReplayStore.load(options.replay)
        self.models = [m for m, on in (("synthetic", self.synthetic), ("replay", self.store)) if on]
        self.requests = 0
        self._rng = random.Random(options.seed)
        self.created = int(time.time())

    def log(self, msg: str) -> None:
        if self.o.log is not None:
            self.o.log(msg)

    # -- routing ------------------------------------------------------------------------
    async def handle(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
        writer: asyncio.StreamWriter,
        keep_alive: bool,
    ) -> bool:
        """Serve one request; False when the connection must be closed."""
        path = path.split("?", 1)[0].rstrip("/") or "/"
        try:
            if path in ("/health", "/v1/health"):
                if method not in ("GET", "HEAD"):
                    raise _HTTPError(405, "use GET")
                return await self._json(
                    writer, 200, {"status": "ok", "models": self.models}, keep_alive
                )
            if path == "/v1/models":
                if method != "GET":
                    raise _HTTPError(405, "use GET")
                data = [
                    {"id": m, "object": "model", "created": self.created, "owned_by": "tmtui"}
                    for m in self.models
                ]
                return await self._json(writer, 200, {"object": "list", "data": data}, keep_alive)
            if path.startswith("/v1/models/"):
                mid = path[len("/v1/models/") :]
                if mid not in self.models:
                    raise _HTTPError(
                        404, f"The model '{mid}' does not exist", code="model_not_found"
                    )
                return await self._json(
                    writer,
                    200,
                    {"id": mid, "object": "model", "created": self.created, "owned_by": "tmtui"},
                    keep_alive,
                )
            if path == "/v1/chat/completions":
                if method != "POST":
                    raise _HTTPError(405, "use POST")
                return await self._chat(headers, body, writer, keep_alive)
            raise _HTTPError(
                404, f"no route {path}; try POST /v1/chat/completions", code="not_found"
            )
        except _HTTPError as err:
            self.log(f"{method} {path} -> {err.status} {err.message}")
            return await self._error(writer, err, keep_alive)

    async def _json(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        obj: Any,
        keep_alive: bool,
        extra: dict[str, str] | None = None,
    ) -> bool:
        body = _enc.encode(obj)
        headers = {
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
            "Connection": "keep-alive" if keep_alive else "close",
        }
        if extra:
            headers.update(extra)
        writer.write(_head(status, headers) + body)
        await writer.drain()
        return keep_alive

    async def _error(self, writer: asyncio.StreamWriter, err: _HTTPError, keep_alive: bool) -> bool:
        obj = {"error": {"message": err.message, "type": err.kind, "param": None, "code": err.code}}
        return await self._json(writer, err.status, obj, keep_alive, err.headers)

    # -- chat completions ---------------------------------------------------------------
    def _check_auth(self, headers: dict[str, str]) -> None:
        want = self.o.api_key
        if not want:
            return
        got = headers.get("authorization", "")
        if got != f"Bearer {want}":
            raise _HTTPError(
                401, "Incorrect API key provided.", "authentication_error", "invalid_api_key"
            )

    def _fault(self, n: int) -> str | None:
        kinds = self.o.fault_kinds()
        if not kinds:
            return None
        rate = self.o.fail_rate
        if rate is None:
            rate = 0.0 if self.o.fail_first else 1.0
        if n <= self.o.fail_first or self._rng.random() < rate:
            return kinds[0] if len(kinds) == 1 else self._rng.choice(kinds)
        return None

    async def _chat(
        self, headers: dict[str, str], body: bytes, writer: asyncio.StreamWriter, keep_alive: bool
    ) -> bool:
        self._check_auth(headers)
        try:
            req = _dec.decode(body)
        except msgspec.DecodeError:
            raise _HTTPError(400, "the request body is not valid JSON") from None
        if not isinstance(req, dict):
            raise _HTTPError(400, "the request body must be a JSON object")
        model = req.get("model")
        messages = req.get("messages")
        if not isinstance(model, str):
            raise _HTTPError(400, "'model' is required")
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise _HTTPError(400, "'messages' must be a list of objects")
        if model not in self.models:
            raise _HTTPError(
                404,
                f"The model '{model}' does not exist (this server serves: "
                f"{', '.join(self.models)})",
                code="model_not_found",
            )
        stream = bool(req.get("stream"))
        opts = req.get("stream_options")
        if opts is not None and self.o.reject_stream_options:
            raise _HTTPError(400, "Unrecognized request argument supplied: stream_options")
        include_usage = stream and isinstance(opts, dict) and bool(opts.get("include_usage"))
        self.requests += 1
        n = self.requests
        fault = self._fault(n)
        if fault == "status":
            status = self.o.status or 500
            extra = {}
            if self.o.retry_after is not None:
                extra["Retry-After"] = f"{self.o.retry_after:g}"
            kind = (
                "rate_limit_error"
                if status == 429
                else ("authentication_error" if status == 401 else "server_error")
            )
            raise _HTTPError(
                status, f"injected fault: {status} on request {n}", kind, headers=extra
            )
        # off the event loop: a long answer takes a while to write (the loop may be the TUI's)
        plan = await asyncio.to_thread(self._plan, model, messages, req, n)
        self.log(
            f"POST /v1/chat/completions #{n} model={model} stream={stream} "
            f"chunks={len(plan.pieces)} fault={fault or '-'}"
        )
        cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        if not stream:
            return await self._complete(writer, plan, cid, model, keep_alive, fault)
        return await self._stream(writer, plan, cid, model, keep_alive, include_usage, fault)

    def _max_tokens(self, req: dict) -> int | None:
        for key in ("max_completion_tokens", "max_tokens"):
            v = req.get(key)
            if isinstance(v, int) and not isinstance(v, bool) and v > 0:
                return v
        return None

    def _plan(self, model: str, messages: list, req: dict, n: int) -> _Plan:
        tps = self.o.tokens_per_second
        content: list[str]
        reasoning: list[str] = []
        finish = "stop"
        if model == "synthetic":
            assert self.synthetic is not None
            problem = parse_messages(messages)
            if problem is None:
                raise _HTTPError(
                    400,
                    "not a TMBench prompt: no '## The Only Problem to Solve:' "
                    "block with m, Alphabet, Init and Transition Rules",
                )
            salt = str(req.get("seed", ""))
            temp = req.get("temperature")
            if isinstance(temp, int | float) and temp > 0 and req.get("seed") is None:
                salt += f"/{n}"
            ans = self.synthetic.answer(problem.instance, previous=problem.previous, salt=salt)
            reasoning = split_tokens(ans.reasoning) if ans.reasoning else []
            content = split_tokens(ans.text)
            if tps is None:
                tps = DEFAULT_TPS
        else:
            assert self.store is not None
            entry = self.store.lookup(messages)
            if entry is None:
                raise _HTTPError(
                    400, f"no recorded answer for this prompt in {self.store.path.name}"
                )
            finish = entry.finish_reason or "stop"
            if tps is None and entry.chunks:
                return self._replay_plan(entry, messages)
            reasoning = split_tokens(entry.reasoning) if entry.reasoning else []
            content = split_tokens(entry.answer)
            if tps is None:
                tps = DEFAULT_TPS
        limit = self._max_tokens(req)
        total = len(reasoning) + len(content)
        if limit is not None and total > limit:
            keep_r = min(len(reasoning), limit)
            reasoning = reasoning[:keep_r]
            content = content[: limit - keep_r]
            finish = "length"
        pieces: list[tuple[float, str, str]] = []
        step = 1.0 / tps if tps and tps > 0 else 0.0
        i = 0
        for r in reasoning:
            pieces.append((i * step, "", r))
            i += 1
        for c in content:
            pieces.append((i * step, c, ""))
            i += 1
        return _Plan(pieces, finish, len(pieces), _prompt_tokens(messages))

    def _replay_plan(self, entry: ReplayEntry, messages: list) -> _Plan:
        assert entry.chunks is not None
        pieces: list[tuple[float, str, str]] = []
        a = r = 0
        t0 = entry.start_ms
        for ms, nc, nr in entry.chunks:
            nc, nr = int(nc), int(nr)
            due = max(0.0, (ms - t0) / 1000.0)
            pieces.append((due, entry.answer[a : a + nc], entry.reasoning[r : r + nr]))
            a += nc
            r += nr
        return _Plan(pieces, entry.finish_reason or "stop", len(pieces), _prompt_tokens(messages))

    async def _complete(
        self,
        writer: asyncio.StreamWriter,
        plan: _Plan,
        cid: str,
        model: str,
        keep_alive: bool,
        fault: str | None,
    ) -> bool:
        if plan.pieces:
            await asyncio.sleep(plan.pieces[-1][0])
        if fault == "stall":
            await asyncio.sleep(self.o.stall_seconds or 0)
        if fault == "drop":
            writer.transport.abort()
            return False
        content = "".join(p[1] for p in plan.pieces)
        reasoning = "".join(p[2] for p in plan.pieces)
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if reasoning:
            message["reasoning_content"] = reasoning
        obj = {
            "id": cid,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": plan.finish_reason,
                    "logprobs": None,
                }
            ],
            "usage": _usage(plan),
        }
        return await self._json(writer, 200, obj, keep_alive)

    async def _stream(
        self,
        writer: asyncio.StreamWriter,
        plan: _Plan,
        cid: str,
        model: str,
        keep_alive: bool,
        include_usage: bool,
        fault: str | None,
    ) -> bool:
        headers = {
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache",
            "Transfer-Encoding": "chunked",
            "Connection": "keep-alive" if keep_alive else "close",
        }
        writer.write(_head(200, headers))
        created = int(time.time())
        # every SSE chunk of this completion starts with the same id/created/model prefix
        head = (
            b'data: {"id":"'
            + cid.encode()
            + b'","object":"chat.completion.chunk","created":'
            + str(created).encode()
            + b',"model":'
            + _enc.encode(model)
            + b',"choices":[{"index":0,"delta":'
        )
        pre = head + b"{"
        post = b'},"logprobs":null,"finish_reason":null}]}\n\n'
        first = pre + b'"role":"assistant","content":""' + post
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        pieces = plan.pieces
        n = len(pieces)
        drop_at = self.o.drop_after_chars if fault == "drop" else None
        stall_at = n // 2 if fault == "stall" else -1
        sent_chars = 0
        buf: list[bytes] = [first]
        size = len(first)
        i = 0
        transport = writer.transport
        try:
            while i < n:
                now = loop.time() - t0
                due, text, reason = pieces[i]
                if due > now and buf:
                    _send(writer, buf)
                    buf, size = [], 0
                    await writer.drain()
                    continue
                if due > now:
                    await asyncio.sleep(due - now)
                    continue
                if i == stall_at:
                    stall_at = -1
                    _send(writer, buf)
                    buf, size = [], 0
                    await writer.drain()
                    self.log(f"stalling {self.o.stall_seconds:g} s")
                    await asyncio.sleep(self.o.stall_seconds or 0)
                    t0 += self.o.stall_seconds or 0
                    continue
                if reason:
                    ev = pre + b'"reasoning_content":' + _enc.encode(reason) + post
                else:
                    ev = pre + b'"content":' + _enc.encode(text) + post
                buf.append(ev)
                size += len(ev)
                sent_chars += len(text)
                i += 1
                if drop_at is not None and sent_chars >= drop_at:
                    _send(writer, buf)
                    buf, size = [], 0
                    await writer.drain()
                    self.log(f"dropping the stream after {sent_chars} characters")
                    transport.abort()
                    return False
                if size >= BATCH_BYTES:
                    _send(writer, buf)
                    buf, size = [], 0
                    await writer.drain()
            final = (
                head
                + b'{},"logprobs":null,"finish_reason":'
                + _enc.encode(plan.finish_reason)
                + b"}]}\n\n"
            )
            buf.append(final)
            if include_usage:
                buf.append(
                    b'data: {"id":"'
                    + cid.encode()
                    + b'","object":"chat.completion.chunk","created":'
                    + str(created).encode()
                    + b',"model":'
                    + _enc.encode(model)
                    + b',"choices":[],"usage":'
                    + _enc.encode(_usage(plan))
                    + b"}\n\n"
                )
            buf.append(b"data: [DONE]\n\n")
            _send(writer, buf)
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        except (ConnectionError, RuntimeError):
            return False  # the client went away
        return keep_alive


def _send(writer: asyncio.StreamWriter, parts: list[bytes]) -> None:
    if not parts:
        return
    data = b"".join(parts)
    writer.write(b"%x\r\n%b\r\n" % (len(data), data))


def _prompt_tokens(messages: list) -> int:
    total = 0
    for m in messages:
        c = m.get("content") if isinstance(m, dict) else None
        if isinstance(c, str):
            total += len(split_tokens(c)) + 4
    return total + 2


def _usage(plan: _Plan) -> dict[str, Any]:
    reasoning = sum(1 for p in plan.pieces if p[2])
    out: dict[str, Any] = {
        "prompt_tokens": plan.prompt_tokens,
        "completion_tokens": plan.completion_tokens,
        "total_tokens": plan.prompt_tokens + plan.completion_tokens,
    }
    if reasoning:
        out["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return out


# -- the HTTP/1.1 connection loop ---------------------------------------------------------


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
                raise _HTTPError(413, "request body too large")
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
    length = headers.get("content-length")
    if length is None:
        return b""
    try:
        n = int(length)
    except ValueError:
        raise _HTTPError(400, "bad Content-Length") from None
    if n < 0:
        raise _HTTPError(400, "bad Content-Length")
    if n > MAX_BODY:
        raise _HTTPError(413, "request body too large")
    return await reader.readexactly(n)


class _Server:
    def __init__(self, app: _App) -> None:
        self.app = app
        self.tasks: set[asyncio.Task] = set()
        self.writers: set[asyncio.StreamWriter] = set()

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
        self.writers.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                except asyncio.LimitOverrunError:
                    await self.app._error(
                        writer, _HTTPError(431, "request headers too large"), False
                    )
                    return
                lines = head.decode("latin-1").split("\r\n")
                parts = lines[0].split(" ")
                if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
                    await self.app._error(writer, _HTTPError(400, "bad request line"), False)
                    return
                method, target, version = parts
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    if not line:
                        continue
                    name, sep, value = line.partition(":")
                    if not sep:
                        await self.app._error(writer, _HTTPError(400, "bad header line"), False)
                        return
                    headers[name.strip().lower()] = value.strip()
                conn = headers.get("connection", "").lower()
                keep_alive = (version == "HTTP/1.1" and conn != "close") or conn == "keep-alive"
                try:
                    body = await _read_body(reader, headers)
                except _HTTPError as err:
                    await self.app._error(writer, err, False)
                    return
                except (asyncio.IncompleteReadError, ValueError):
                    return
                try:
                    keep = await self.app.handle(method, target, headers, body, writer, keep_alive)
                except (ConnectionError, asyncio.IncompleteReadError):
                    return
                except Exception as exc:  # a bug: answer 500, keep serving others
                    self.app.log(f"internal error: {type(exc).__name__}: {exc}")
                    with contextlib.suppress(Exception):
                        await self.app._error(
                            writer, _HTTPError(500, "internal error", "server_error"), False
                        )
                    return
                if not keep:
                    return
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


@dataclass
class RunningServer:
    """A server running in the current event loop."""

    host: str
    port: int
    _server: asyncio.Server = field(repr=False)
    _conns: _Server = field(repr=False)
    models: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"

    @property
    def requests(self) -> int:
        return self._conns.app.requests

    async def close(self) -> None:
        self._server.close()
        for w in list(self._conns.writers):
            with contextlib.suppress(Exception):
                w.transport.abort()
        for t in list(self._conns.tasks):
            t.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 5)

    async def serve_forever(self) -> None:
        await self._server.serve_forever()

    async def __aenter__(self) -> RunningServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def start_server(
    options: ServeOptions | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> RunningServer:
    """Start serving in the running loop (``port=0``: a free port). Raises ReplayError for an
    unreadable replay file and OSError when the address cannot be bound."""
    opts = options or ServeOptions()
    app = _App(opts)
    conns = _Server(app)
    server = await asyncio.start_server(
        conns.connection, host, port, limit=MAX_HEADER, reuse_address=True
    )
    sock = server.sockets[0]
    real_port = sock.getsockname()[1]
    return RunningServer(host, real_port, server, conns, app.models)


class ThreadedServer:
    """A server in its own thread and event loop (for synchronous callers)."""

    def __init__(
        self, options: ServeOptions | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._server: RunningServer | None = None
        self._thread = threading.Thread(
            target=self._run, args=(options, host, port), name="tmtui-serve", daemon=True
        )
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error

    def _run(self, options: ServeOptions | None, host: str, port: int) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._server = self._loop.run_until_complete(
                start_server(options, host=host, port=port)
            )
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return self._server.base_url

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.port

    def close(self) -> None:
        if self._server is None or self._loop.is_closed():
            return
        fut = asyncio.run_coroutine_threadsafe(self._server.close(), self._loop)
        with contextlib.suppress(Exception):
            fut.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> ThreadedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_server_thread(
    options: ServeOptions | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> ThreadedServer:
    return ThreadedServer(options, host=host, port=port)


def describe(options: ServeOptions) -> str:
    """One line about what is served (for the CLI)."""
    parts = []
    if options.synthetic:
        rate = options.tokens_per_second
        tps = "unlimited" if rate == 0 else f"{DEFAULT_TPS if rate is None else rate:g} tokens/s"
        parts.append(f"synthetic (error rate {options.error_rate:g}, seed {options.seed}, {tps})")
    if options.replay is not None:
        parts.append(f"replay ({Path(options.replay).name})")
    faults = options.fault_kinds()
    if faults:
        parts.append("faults: " + ", ".join(faults))
    return "; ".join(parts)


__all__ += ["describe"]
