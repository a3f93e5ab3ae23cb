"""``tmtui serve``'s work: check the flags, build the server's options, serve until Ctrl-C.

Only the standard library at module level (``tmtui serve --help`` imports this module).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tmtui.cli.app import check_finite, fail, warn


@dataclass
class ServeFlags:
    """``tmtui serve``'s options, as given (see the command for their help)."""

    synthetic: bool
    replay: Path | None
    host: str
    port: int
    tokens_per_second: float | None
    error_rate: float | None
    seed: int
    reasoning: str
    fail_rate: float | None
    fail_first: int
    status: int | None
    retry_after: float | None
    drop_after_chars: int | None
    stall_seconds: float | None
    reject_stream_options: bool
    log: bool


def serve_options(f: ServeFlags) -> Any:
    """The :class:`~tmtui.model.serve.ServeOptions` of the flags (bad input: one line, exit
    2); warns when the address is reachable from other machines."""
    import os

    from tmtui.model.synthetic import DEFAULT_ERROR_RATE

    rate = DEFAULT_ERROR_RATE if f.error_rate is None else f.error_rate
    _check(f, rate)
    check_host(f.host)
    if not is_loopback(f.host):
        warn(
            f"warning: binding {f.host}: the server is reachable from other machines "
            "(it has no authentication unless TMTUI_SERVE_API_KEY is set)"
        )
    from tmtui.model.serve import ServeOptions

    return ServeOptions(
        synthetic=f.synthetic or f.replay is None,
        replay=f.replay,
        tokens_per_second=f.tokens_per_second,
        error_rate=rate,
        seed=f.seed,
        reasoning=f.reasoning,
        fail_rate=f.fail_rate,
        fail_first=f.fail_first,
        status=f.status,
        retry_after=f.retry_after,
        drop_after_chars=f.drop_after_chars,
        stall_seconds=f.stall_seconds,
        reject_stream_options=f.reject_stream_options,
        api_key=os.environ.get("TMTUI_SERVE_API_KEY") or None,
        log=_log_line if f.log else None,
        warn=_log_line,
    )


def _check(f: ServeFlags, rate: float) -> None:
    check_finite(
        tokens_per_second=f.tokens_per_second,
        error_rate=f.error_rate,
        fail_rate=f.fail_rate,
        retry_after=f.retry_after,
        stall_seconds=f.stall_seconds,
    )
    if not 0 <= rate <= 1:
        raise fail("--error-rate must be within 0..1")
    if f.fail_rate is not None and not 0 <= f.fail_rate <= 1:
        raise fail("--fail-rate must be within 0..1")
    if f.status is not None and not 400 <= f.status <= 599:
        raise fail("--status must be an HTTP error status (400..599)")
    if f.tokens_per_second is not None and f.tokens_per_second < 0:
        raise fail("--tokens-per-second must be >= 0")
    if not 0 <= f.port <= 65535:
        raise fail("--port must be within 0..65535")
    if f.reasoning not in ("none", "field", "think"):
        raise fail("--reasoning must be none, field or think")
    for name, value in (
        ("--retry-after", f.retry_after),
        ("--stall-seconds", f.stall_seconds),
        ("--drop-after-chars", f.drop_after_chars),
    ):
        if value is not None and value < 0:
            raise fail(f"{name} must be >= 0")


_HOSTNAME = re.compile(
    r"(?=.{1,253}\Z)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
)


def check_host(host: str) -> str:
    """``--host``: an IP address or a host name, else one line (exit 2). Text that is neither
    never reaches the resolver (an escape in it ended in a traceback from the IDNA codec)."""
    import ipaddress

    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    if not _HOSTNAME.fullmatch(host):
        raise fail(f"bad --host {host!r}: an IP address or a host name")
    return host


def is_loopback(host: str) -> bool:
    import ipaddress

    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _log_line(msg: str) -> None:
    from tmtui.core.text import one_line

    sys.stderr.write(f"tmtui serve: {one_line(msg, 300)}\n")


def serve_until_stopped(options: Any, host: str, port: int) -> None:
    """Listen (one line on stdout says where) and serve until Ctrl-C."""
    import asyncio

    from tmtui.model.replay import ReplayError
    from tmtui.model.serve import describe, start_server

    async def main() -> None:
        try:
            server = await start_server(options, host=host, port=port)
        except ReplayError as exc:
            raise fail(str(exc)) from None
        except OSError as exc:
            raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        sys.stdout.write(f"tmtui serve: listening on {server.base_url} · {describe(options)}\n")
        sys.stdout.flush()
        try:
            await server.serve_forever()
        finally:
            await server.close()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.stderr.write("tmtui serve: stopped\n")
