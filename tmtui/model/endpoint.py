"""Where requests go and what they ask for: :class:`ClientConfig`, and
:func:`resolve_endpoint`, which ``tmtui run`` and ``tmtui watch`` share to turn settings and
flags into one.

Cheap to import (pydantic's ``SecretStr`` and the standard library): the CLI decides the
endpoint before it loads the client, the server or the UI.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

__all__ = [
    "EMBEDDED_URL",
    "ClientConfig",
    "Endpoint",
    "EndpointError",
    "resolve_endpoint",
    "safe_url",
]

# the embedded server's address before it has started (its port is picked when it starts)
EMBEDDED_URL = "http://127.0.0.1:0/v1"

# What one try may bring (answer and reasoning, in characters) before it is cut as an error,
# so that an endpoint that does not stop at the token limit cannot grow tmtui without bound:
# 32 characters a token asked for (ordinary text has about 4), never under 16 Mi characters.
ANSWER_CHARS_PER_TOKEN = 32
MIN_ANSWER_CHARS = 16 << 20


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


def scrub_obj(obj: Any, key: str | None) -> Any:
    """``obj`` with every occurrence of ``key`` in its strings replaced by ``***``."""
    if not key:
        return obj
    if isinstance(obj, str):
        return obj.replace(key, "***")
    if isinstance(obj, Mapping):
        return {k: scrub_obj(v, key) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [scrub_obj(v, key) for v in obj]
    return obj


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
    # the most characters one try may bring (None: from max_tokens, see answer_limit;
    # 0: no limit, for tmtui's own embedded models)
    max_answer_chars: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.api_key, str):
            self.api_key = SecretStr(self.api_key)

    @property
    def answer_limit(self) -> int | None:
        """The most answer and reasoning characters one try may bring (None: no limit)."""
        if self.max_answer_chars is not None:
            return self.max_answer_chars or None
        return max(MIN_ANSWER_CHARS, ANSWER_CHARS_PER_TOKEN * (self.max_tokens or 0))

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
            out["extra_body"] = scrub_obj(self.extra_body, self.key())
        return out

    def request(self, messages: Sequence[Mapping[str, str]], *, usage: bool) -> dict[str, Any]:
        """The keyword arguments of one streamed chat-completion request (``usage``: ask for
        usage in the stream with ``stream_options``)."""
        kw: dict[str, Any] = {"model": self.model, "messages": list(messages), "stream": True}
        if self.temperature is not None:
            kw["temperature"] = self.temperature
        if self.top_p is not None:
            kw["top_p"] = self.top_p
        if self.seed is not None:
            kw["seed"] = self.seed
        if self.stop is not None:
            kw["stop"] = self.stop
        if self.reasoning_effort is not None:
            kw["reasoning_effort"] = self.reasoning_effort
        body = dict(self.extra_body or {})
        if self.max_tokens is not None:
            if self.max_tokens_field == "max_tokens":
                kw["max_tokens"] = self.max_tokens
            elif self.max_tokens_field == "max_completion_tokens":
                kw["max_completion_tokens"] = self.max_tokens
            else:
                body[self.max_tokens_field] = self.max_tokens
        if usage:
            kw["stream_options"] = {"include_usage": True}
        if body:
            kw["extra_body"] = body
        return kw

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> ClientConfig:
        """From :class:`tmtui.config.Settings`; ``overrides`` win (None too: it unsets)."""
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
            "timeout": settings.timeout,
            "connect_timeout": settings.connect_timeout,
            "stall_seconds": settings.stall_seconds,
            "max_retries": settings.max_retries,
        }
        values.update(overrides)
        return cls(**values)


class EndpointError(Exception):
    """No endpoint can be resolved: ``missing`` is ``"model"`` or ``"endpoint"`` (the base
    URL). Each command words the message its own way."""

    def __init__(self, missing: str) -> None:
        super().__init__(f"no {missing}")
        self.missing = missing


@dataclass
class Endpoint:
    """Where a command's requests go."""

    config: ClientConfig
    # "synthetic" or "replay": a model tmtui serves itself on a loopback port, which the
    # command starts (then sets ``config.base_url``); None: a real endpoint
    embedded: str | None = None


def resolve_endpoint(
    settings: Any,
    *,
    model: str | None = None,
    base_url: str | None = None,
    max_tokens: int | None = None,
    replay: bool = False,
    synthetic_by_default: bool = False,
    **request: Any,
) -> Endpoint:
    """The endpoint of ``tmtui run`` and ``tmtui watch``, and its :class:`ClientConfig`.

    ``settings`` (:class:`tmtui.config.Settings`) hold the command's flags over the
    environment and the config file; ``model``, ``base_url`` and ``max_tokens`` are the
    flags themselves, for the two cases where the environment must not decide:

    * ``replay``: the embedded replay model; the recorded answer is streamed whole unless
      the command's own ``max_tokens`` limits it;
    * ``synthetic_by_default`` (watch): with no ``base_url`` flag and a ``model`` flag that is
      absent or ``synthetic``, the embedded synthetic model, whatever the settings say.

    Otherwise the settings decide: no base URL and the model ``synthetic`` is the embedded
    synthetic model; any other needs both a model and a base URL (EndpointError). An
    embedded model is asked with no API key. ``request``: ClientConfig fields that win over
    the settings (``api_key``, ``stop``, ``timeout``, ``extra_body``, ...; None unsets).
    """
    embedded: str | None = None
    if replay:
        embedded = "replay"
        request["max_tokens"] = max_tokens
    elif synthetic_by_default:
        if base_url is None and model in (None, "synthetic"):
            embedded = "synthetic"
    elif settings.base_url is None and settings.model == "synthetic":
        embedded = "synthetic"
    if embedded is None:
        if not settings.model:
            raise EndpointError("model")
        if not settings.base_url:
            raise EndpointError("endpoint")
        return Endpoint(ClientConfig.from_settings(settings, **request))
    # tmtui's own server: an answer as long as the model it serves writes (a replayed record,
    # a synthetic run of a million steps)
    request.update(base_url=EMBEDDED_URL, model=embedded, api_key=None, max_answer_chars=0)
    return Endpoint(ClientConfig.from_settings(settings, **request), embedded)
