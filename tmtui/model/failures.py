"""How a try failed, in one line, and whether retrying can help.

:func:`classify` turns whatever ended a try (an HTTP status from the SDK, a timeout, a broken
connection, an error event inside the stream, a try past its deadline) into a
:class:`TryError`: a message fit for a record (the API key scrubbed, control characters made
visible), whether it is worth retrying, the status and the server's ``Retry-After``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import openai

from tmtui.core.text import one_line
from tmtui.model.endpoint import ClientConfig, safe_url
from tmtui.model.wire import AnswerTooLong, IncompleteStream, Oversized, StreamError

__all__ = ["FATAL_STATUSES", "Deadline", "TryError", "classify", "scrub"]

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


@dataclass(slots=True)
class TryError:
    message: str
    retryable: bool
    status: int | None = None
    retry_after: float | None = None


class Deadline(Exception):
    """The try ran past ``ClientConfig.timeout``."""


def scrub(text: str, key: str | None) -> str:
    """One line of at most 300 characters, without the API key."""
    if key and key in text:
        text = text.replace(key, "***")
    return one_line(text, 300)


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


def classify(exc: BaseException, *, in_stream: bool, config: ClientConfig) -> TryError:
    """Why a try ended with ``exc`` (``in_stream``: after the response had started)."""
    c = config
    key = c.key()
    if isinstance(exc, Deadline):
        return TryError(str(exc), True)
    if isinstance(exc, openai.APIStatusError):
        return _status_error(exc, c)
    if isinstance(exc, openai.APITimeoutError):
        if in_stream:
            msg = f"stalled: no data for {c.stall_seconds:g} s"
        else:
            msg = f"timed out waiting for {safe_url(c.base_url)}"
        return TryError(msg, True)
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        why = f": {type(cause).__name__}: {cause}" if cause else ""
        if in_stream:
            msg = f"the stream broke midway{why}"
        else:
            msg = f"cannot connect to {safe_url(c.base_url)}{why}"
        return TryError(scrub(msg, key), True)
    if isinstance(exc, openai.APIError):
        return TryError(scrub(f"error from the server: {_server_message(exc)}", key), True)
    if isinstance(exc, AnswerTooLong):  # the endpoint ignores the token limit: not retried
        return TryError(scrub(str(exc), key), False)
    if isinstance(exc, IncompleteStream | Oversized):  # the stream broke the protocol
        return TryError(scrub(str(exc), key), True)
    if isinstance(exc, StreamError):
        return TryError(scrub(f"error from the server: {exc}", key), True)
    if _is_timeout(exc):
        if in_stream:
            return TryError(f"stalled: no data for {c.stall_seconds:g} s", True)
        return TryError(f"timed out waiting for {safe_url(c.base_url)}", True)
    if _is_transport(exc):
        what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if in_stream:
            return TryError(scrub(f"the stream broke midway: {what}", key), True)
        return TryError(scrub(f"cannot connect to {safe_url(c.base_url)}: {what}", key), True)
    return TryError(scrub(f"bad response: {type(exc).__name__}: {exc}", key), True)


def _status_error(exc: openai.APIStatusError, c: ClientConfig) -> TryError:
    code = exc.status_code
    key = c.key()
    detail = scrub(_server_message(exc), key)
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
        msg = f"{code} {_REASONS.get(code, 'error')} from {where}: {detail}"
    retry_after = _retry_after(getattr(exc.response, "headers", None))
    return TryError(scrub(msg, key), code not in FATAL_STATUSES, code, retry_after)
