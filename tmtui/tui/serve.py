"""Human sessions in a browser: textual-serve behind a token gate (``tmtui human serve``).

Each browser tab is one process running the participant's own session (``tmtui human --db
PATH --participant ID``, the terminal's entry point), its screen drawn in the page by
textual-serve's xterm.js client. What the server adds to textual-serve:

* **The gate.** A participant's link is ``/s/TOKEN`` (``tmtui human invite`` prints it). The
  page and its websocket are served only for a token whose hash is in the database
  (:mod:`tmtui.io.humaninvites`), looked up on every request, so a link made or replaced while
  the server runs works (or stops working) at once. Anything else, ``/`` included, is answered
  403 with one fixed sentence, the same for a missing, malformed, unknown or replaced token.
  The library's static files (xterm.js, its CSS and font) are public: they hold nothing of
  anyone's session.
* **The command.** The process a websocket starts is chosen here, from the participant the
  validated token names, and started without a shell (an argument list); nothing else the
  browser sends (query, headers, messages) reaches the command line. Its keys and size do
  reach the session, as a terminal's would.
* **One process per participant.** A participant who reloads the page, or opens their link in
  a second tab, gets their session in the new tab: the older tab's process is told to quit
  and has ended (its session closed and stored) before the new one starts.
* **Nothing else.** No download route, no directory listing, no third-party resource (the page
  loads only this server's files), and headers that keep the link out of referrers and caches
  and the page out of frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import shlex
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from tmtui.io.humaninvites import DEFAULT_PORT, LOOPBACK

__all__ = [
    "DEFAULT_PORT",
    "LOOPBACK",
    "ServeError",
    "SessionServer",
    "serve",
    "session_argv",
]

STOP_TIMEOUT_S = 10.0  # how long a session's process may take to quit before it is killed
FORBIDDEN = (
    "403 Forbidden: this is not a valid session link. Ask the study's organiser for yours.\n"
)

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "font-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

# The page: textual-serve's client, this server's files only. Its websocket's address is made
# in the browser from the page's own (tmtui-serve.js), so nothing from a request is echoed.
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<link rel="stylesheet" href="/static/css/xterm.css">
<link rel="stylesheet" href="/tmtui-serve.css">
<script src="/tmtui-serve.js"></script>
<script src="/static/js/textual.js"></script>
</head>
<body>
<div class="ended"><p>The session has stopped; everything you submitted is saved.</p>
<p><button type="button" id="continue">Continue</button></p></div>
<div id="terminal" class="textual-terminal" data-session-websocket-url="" data-font-size="{font_size}"></div>
</body>
</html>
"""

STYLE = """@font-face { font-family: "Roboto Mono"; src: url("/static/fonts/RobotoMono-VariableFont_wght.ttf"); }
html, body { margin: 0; padding: 0; width: 100%; height: 100%; overflow: hidden; background: #0c181f; }
#terminal { position: absolute; inset: 0; }
.ended { display: none; position: absolute; inset: 0; z-index: 10; background: #0c181f;
  color: #f0f0f0; font: 18px "Roboto Mono", monospace; flex-direction: column;
  align-items: center; justify-content: center; text-align: center; }
body.-closed .ended { display: flex; }
.ended button { font: inherit; padding: 0.5em 1.5em; }
"""

SCRIPT = """"use strict";
// The websocket's address, from the page's own; the entry focused once the session can hear it.
document.addEventListener("DOMContentLoaded", () => {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const path = window.location.pathname.replace(/\\/+$/, "");
  document.getElementById("terminal").dataset.sessionWebsocketUrl =
    scheme + "//" + window.location.host + path + "/ws";
  document.getElementById("continue").addEventListener("click", () => {
    window.location.replace(window.location.pathname);
  });
  const body = document.body;
  const input = () => document.querySelector(".xterm-helper-textarea");
  // once the websocket is open: the entry gets the focus, or the session hears that the page
  // has none (textual-serve's client sends "focus" and "blur" on the terminal's own events)
  const ready = () => {
    const screen = document.querySelector(".xterm-screen");
    if (!body.classList.contains("-loaded") || !input() || !screen) {
      return false;
    }
    if (document.hasFocus()) {
      input().focus();
    } else {
      screen.dispatchEvent(new FocusEvent("blur"));
    }
    return true;
  };
  const wait = setInterval(() => { if (ready()) { clearInterval(wait); } }, 50);
  document.addEventListener("click", () => { if (input()) { input().focus(); } });
});
"""


class ServeError(Exception):
    """The server cannot start as asked (one line: the address is taken, the host unknown)."""


def session_argv(db: Path, participant: str) -> list[str]:
    """The command a participant's tab runs: their session, with this very Python."""
    return [sys.executable, "-m", "tmtui", "human", "--db", str(db), "--participant", participant]


class _SessionProcess(AppService):
    """textual-serve's app service, started from an argument list (no shell), and stopped for
    certain: told to quit, waited for, killed if it does not end in time."""

    def __init__(self, argv: Sequence[str], **kwargs) -> None:
        super().__init__(shlex.join(argv), **kwargs)
        self.argv = list(argv)

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env = super()._build_environment(width=width, height=height)
        env["TEXTUAL_DRIVER"] = "tmtui.tui.serve_driver:SessionWebDriver"
        return env

    async def _open_app_process(self, width: int = 80, height: int = 24):
        env = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        self._stdin = process.stdin
        return process

    @property
    def ended(self) -> asyncio.Task[None]:
        """Done when the process's output has ended (it quit, or never started)."""
        assert self._task is not None
        return self._task

    async def stop(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(super().stop(), STOP_TIMEOUT_S)
        process = self._process
        if process is None or process.returncode is not None:
            return
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


@dataclass
class _Tab:
    websocket: web.WebSocketResponse
    ended: asyncio.Event = field(default_factory=asyncio.Event)


class SessionServer(Server):
    """textual-serve's server with the token gate. ``lookup(token)`` names the participant a
    token opens (None: nobody); ``argv(participant)`` is the command their tab runs."""

    def __init__(
        self,
        lookup: Callable[[str], str | None],
        argv: Callable[[str], list[str]],
        *,
        host: str = LOOPBACK,
        port: int = DEFAULT_PORT,
        title: str = "tmtui session",
    ) -> None:
        super().__init__(command="tmtui human", host=host, port=port, title=title)
        self.lookup = lookup
        self.argv = argv
        self._tabs: dict[str, _Tab] = {}
        self._turns: dict[str, asyncio.Lock] = {}

    # -- the application -------------------------------------------------------------------
    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[_headers])
        app.add_routes(
            [
                web.get("/s/{token}", self.handle_index),
                web.get("/s/{token}/ws", self.handle_websocket),
                web.get("/tmtui-serve.js", _asset(SCRIPT, "text/javascript")),
                web.get("/tmtui-serve.css", _asset(STYLE, "text/css")),
                web.get("/favicon.ico", _no_icon),
                web.static("/static", self.statics_path, show_index=False),
                web.route("*", "/{tail:.*}", _forbidden),
            ]
        )
        app.on_shutdown.append(self.on_shutdown)
        return app

    def participant(self, request: web.Request) -> str:
        """The participant the request's token opens; 403 for anything else."""
        name = self.lookup(request.match_info.get("token", ""))
        if name is None:
            raise web.HTTPForbidden(text=FORBIDDEN)
        return name

    async def handle_index(self, request: web.Request) -> web.Response:
        self.participant(request)
        font_size = min(max(to_int(request.query.get("fontsize", "16"), 16), 8), 48)
        page = PAGE.format(title=html.escape(self.title), font_size=font_size)
        response = web.Response(text=page, content_type="text/html")
        response.headers["Content-Security-Policy"] = PAGE_POLICY
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        name = self.participant(request)
        width = min(max(to_int(request.query.get("width", "80"), 80), 20), 500)
        height = min(max(to_int(request.query.get("height", "24"), 24), 5), 200)
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        turn = self._turns.setdefault(name, asyncio.Lock())
        async with turn:  # one tab at a time takes a participant's session over
            old = self._tabs.get(name)
            if old is not None:
                await old.websocket.close()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(old.ended.wait(), 3 * STOP_TIMEOUT_S)
            tab = self._tabs[name] = _Tab(websocket)
        service = _SessionProcess(
            self.argv(name),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        try:
            await service.start(width, height)
            # a session that ends (finished, refused, crashed) ends its tab too
            service.ended.add_done_callback(lambda _: asyncio.ensure_future(websocket.close()))
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
            raise
        except Exception:  # a broken message from the browser ends its tab, not the server
            await websocket.close()
        finally:
            await service.stop()
            if self._tabs.get(name) is tab:
                del self._tabs[name]
            tab.ended.set()
        return websocket

    async def on_shutdown(self, app: web.Application) -> None:
        for tab in list(self._tabs.values()):
            await tab.websocket.close()

    # -- running ---------------------------------------------------------------------------
    async def start(self) -> web.AppRunner:
        """Listen (``ServeError`` if the address cannot be had); the runner to clean up."""
        runner = web.AppRunner(
            await self._make_app(),
            handle_signals=False,
            access_log=None,
            shutdown_timeout=STOP_TIMEOUT_S,
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            if isinstance(exc, socket.gaierror):
                raise ServeError(f"cannot listen on {self.host}: unknown host") from None
            raise ServeError(
                f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}"
            ) from None
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]
        return runner


@web.middleware
async def _headers(request: web.Request, handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        # every refusal looks the same (a missing static file, a directory, a method): nothing
        # tells a prober which paths or tokens exist
        if 400 <= exc.status < 500:
            raise web.HTTPForbidden(text=FORBIDDEN, headers=SECURITY_HEADERS) from None
        exc.headers.update(SECURITY_HEADERS)
        raise
    if not response.prepared:
        response.headers.update(SECURITY_HEADERS)
    return response


async def _no_icon(request: web.Request) -> web.Response:
    return web.Response(status=204)


async def _forbidden(request: web.Request) -> web.Response:
    raise web.HTTPForbidden(text=FORBIDDEN)


def _asset(text: str, content_type: str):
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=text, content_type=content_type)

    return handler


def serve(server: SessionServer, listening: Callable[[str], None]) -> None:
    """Run until SIGINT or SIGTERM; ``listening(url)`` once the port is open. Stopping closes
    every tab's session (each process quits and stores what it holds) before returning."""
    import signal

    async def main() -> None:
        runner = await server.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        host = f"[{server.host}]" if ":" in server.host else server.host
        listening(f"http://{host}:{server.port}/")
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    asyncio.run(main())
