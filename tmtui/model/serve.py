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

Here: what is served (:class:`ServeOptions`) and the server's life (start in the running loop
or in a thread of its own, close). The HTTP/1.1 protocol is :mod:`tmtui.model.http1`, the
routes and the chat-completions handler (and which requests fail) :mod:`tmtui.model.chat`,
the answer's chunks, pacing and stream faults :mod:`tmtui.model.answer`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tmtui.model.answer import DEFAULT_TPS
from tmtui.model.chat import ChatApp, ServeOptions
from tmtui.model.http1 import MAX_HEADER, Connections, Limits

__all__ = [
    "DEFAULT_TPS",
    "RunningServer",
    "ServeOptions",
    "ThreadedServer",
    "describe",
    "start_server",
    "start_server_thread",
]


@dataclass
class RunningServer:
    """A server running in the current event loop."""

    host: str
    port: int
    _server: asyncio.Server = field(repr=False)
    _conns: Connections = field(repr=False)
    _app: ChatApp = field(repr=False)
    models: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"

    @property
    def requests(self) -> int:
        return self._app.requests

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
    app = ChatApp(opts)
    limits = Limits(opts.head_timeout, opts.body_timeout, opts.max_connections, opts.max_bodies)
    warn = opts.warn or app.log
    conns = Connections(app.handle, app.log, limits, warn)
    _quiet_accept_errors(asyncio.get_running_loop(), warn)
    server = await asyncio.start_server(
        conns.connection, host, port, limit=MAX_HEADER, reuse_address=True
    )
    sock = server.sockets[0]
    real_port = sock.getsockname()[1]
    return RunningServer(host, real_port, server, conns, app, app.models)


_ACCEPT_FAILED = "socket.accept() out of system resource"


def _quiet_accept_errors(loop: asyncio.AbstractEventLoop, warn: Callable[[str], None]) -> None:
    """When accepting fails for want of descriptors, asyncio logs a traceback on every
    retry (once a second per listening socket, for as long as it lasts): say it once per
    episode instead, in one line. Every other error goes to the loop's handler as before."""
    previous = loop.get_exception_handler()
    if getattr(previous, "tmtui_accept", False):
        return
    last = [0.0]

    def handler(lp: asyncio.AbstractEventLoop, context: dict) -> None:
        if context.get("message") == _ACCEPT_FAILED:
            now = lp.time()
            if now - last[0] > 60:
                exc = context.get("exception")
                why = getattr(exc, "strerror", None) or exc
                warn(f"cannot accept connections: {why} (retrying every second)")
            last[0] = now
            return
        if previous is not None:
            previous(lp, context)
        else:
            lp.default_exception_handler(context)

    handler.tmtui_accept = True  # type: ignore[attr-defined]
    loop.set_exception_handler(handler)


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
