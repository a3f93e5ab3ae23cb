"""The plain events a model stream is turned into.

Every consumer (the TUI, the batch runner, the tests) reads the same events, so there is one
code path from an endpoint to a record. Times are monotonic milliseconds since the request
was sent. This module imports nothing beyond the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Content",
    "Failed",
    "Finish",
    "Reasoning",
    "Retry",
    "Started",
    "StreamEvent",
    "UsageReport",
]


@dataclass(slots=True)
class Started:
    """The request was sent (or re-sent, after a retry)."""

    t_ms: float
    attempt: int = 1


@dataclass(slots=True)
class Content:
    """A piece of the answer."""

    text: str
    t_ms: float


@dataclass(slots=True)
class Reasoning:
    """A piece of reasoning (reasoning_content / reasoning fields, or <think> text)."""

    text: str
    t_ms: float


@dataclass(slots=True)
class UsageReport:
    prompt_tokens: int | None
    completion_tokens: int | None
    reasoning_tokens: int | None = None
    total_tokens: int | None = None
    source: str = "server"  # "server", "tiktoken:<encoding>" or "estimate"


@dataclass(slots=True)
class Retry:
    """A try failed and will be retried after ``wait_s``; its partial text is kept."""

    attempt: int  # the try that failed (1-based)
    error: str
    wait_s: float
    partial: str = ""
    partial_reasoning: str = ""
    status_code: int | None = None  # HTTP status of the failure (429, 500, ...), if any
    retry_after: float | None = None  # what the server asked for (Retry-After), seconds
    t_ms: float | None = None  # when the try failed


@dataclass(slots=True)
class Finish:
    """The stream ended. status: complete | interrupted | error | cut."""

    status: str
    finish_reason: str | None = None
    error: str | None = None
    attempts: int = 1  # tries made (1 = no retry)
    t_ms: float | None = None


@dataclass(slots=True)
class Failed:
    """An error retrying cannot fix (400, 401, 403, unknown model): one clear line."""

    message: str
    status_code: int | None = None


StreamEvent = Started | Content | Reasoning | UsageReport | Retry | Finish | Failed
