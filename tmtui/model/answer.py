"""An answer of ``tmtui serve``: planned as timed chunks, written as SSE or as one JSON body.

:class:`Plan` holds the chunks of one completion with the time each is due (the synthetic
model's or a recording's at a steady rate, or a recording's own timing); :func:`write_stream`
sends it as server-sent events in chunked transfer encoding, paced, batching whatever is due
into one write, and injects the stream faults (a reset after N characters, a stall halfway);
:func:`write_complete` sends it whole.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from tmtui.model.http1 import drain, head, write_json
from tmtui.model.replay import ReplayEntry
from tmtui.model.synthetic import split_tokens

__all__ = [
    "BATCH_BYTES",
    "DEFAULT_TPS",
    "Plan",
    "paced_plan",
    "recorded_usage",
    "replay_plan",
    "write_complete",
    "write_stream",
]

DEFAULT_TPS = 150.0  # synthetic streams, when no rate is given
BATCH_BYTES = 32 * 1024

_enc = msgspec.json.Encoder()


@dataclass
class Plan:
    """One answer, as chunks with due times."""

    pieces: list[tuple[float, str, str]]  # (due seconds, content, reasoning)
    finish_reason: str
    completion_tokens: int
    prompt_tokens: int
    reasoning_tokens: int | None = None  # None: the reasoning pieces are counted
    cut: bool = False  # cut short by the request's max_tokens


def paced_plan(
    reasoning: list[str],
    content: list[str],
    finish: str,
    tps: float,
    limit: int | None,
    messages: list,
) -> Plan:
    """Reasoning tokens, then content tokens, one every 1/``tps`` s (``tps`` 0: at once); cut
    at ``limit`` tokens (``finish_reason`` length)."""
    total = len(reasoning) + len(content)
    cut = limit is not None and total > limit
    if cut:
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
    return Plan(pieces, finish, len(pieces), prompt_tokens(messages), cut=cut)


def replay_plan(entry: ReplayEntry, messages: list) -> Plan:
    """A recorded answer at its recorded timing (its ``chunks``)."""
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
    plan = Plan(pieces, entry.finish_reason or "stop", len(pieces), prompt_tokens(messages))
    return recorded_usage(plan, entry)


def recorded_usage(plan: Plan, entry: ReplayEntry) -> Plan:
    """``plan`` reporting the token counts that were recorded with ``entry`` (a record's
    usage, an official file's ``num_token``) instead of counting its pieces; a plan cut
    short by ``max_tokens`` keeps its own count."""
    u = entry.usage
    if not u or plan.cut:
        return plan
    if "completion_tokens" in u:
        plan.completion_tokens = u["completion_tokens"]
    if "prompt_tokens" in u:
        plan.prompt_tokens = u["prompt_tokens"]
    if "reasoning_tokens" in u:
        plan.reasoning_tokens = u["reasoning_tokens"]
    return plan


def prompt_tokens(messages: list) -> int:
    total = 0
    for m in messages:
        c = m.get("content") if isinstance(m, dict) else None
        if isinstance(c, str):
            total += len(split_tokens(c)) + 4
    return total + 2


def usage(plan: Plan) -> dict[str, Any]:
    reasoning = plan.reasoning_tokens
    if reasoning is None:
        reasoning = sum(1 for p in plan.pieces if p[2])
    out: dict[str, Any] = {
        "prompt_tokens": plan.prompt_tokens,
        "completion_tokens": plan.completion_tokens,
        "total_tokens": plan.prompt_tokens + plan.completion_tokens,
    }
    if reasoning:
        out["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return out


async def write_complete(
    writer: asyncio.StreamWriter,
    plan: Plan,
    cid: str,
    model: str,
    keep_alive: bool,
    fault: str | None,
    stall_seconds: float | None,
) -> bool:
    """The whole answer as one ``chat.completion`` body, once its last chunk is due."""
    if plan.pieces:
        await asyncio.sleep(plan.pieces[-1][0])
    if fault == "stall":
        await asyncio.sleep(stall_seconds or 0)
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
        "usage": usage(plan),
    }
    return await write_json(writer, 200, obj, keep_alive)


class _Chunks:
    """The HTTP chunks of a streamed body: events are collected, then sent in one write."""

    __slots__ = ("parts", "size", "writer")

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, event: bytes) -> None:
        self.parts.append(event)
        self.size += len(event)

    def send(self) -> None:
        if self.parts:
            data = b"".join(self.parts)
            self.writer.write(b"%x\r\n%b\r\n" % (len(data), data))
        self.parts, self.size = [], 0

    async def flush(self) -> None:
        self.send()
        await drain(self.writer)


async def write_stream(
    writer: asyncio.StreamWriter,
    plan: Plan,
    cid: str,
    model: str,
    keep_alive: bool,
    include_usage: bool,
    *,
    drop_after_chars: int | None = None,
    stall_seconds: float | None = None,
    log: Callable[[str], None] = lambda msg: None,
) -> bool:
    """The answer as ``chat.completion.chunk`` events, each sent when due. Faults:
    ``drop_after_chars`` resets the connection once that much content is sent;
    ``stall_seconds`` pauses halfway. False when the connection is gone."""
    headers = {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache",
        "Transfer-Encoding": "chunked",
        "Connection": "keep-alive" if keep_alive else "close",
    }
    writer.write(head(200, headers))
    created = int(time.time())
    # every SSE chunk of this completion starts with the same id/created/model prefix
    prefix = (
        b'data: {"id":"'
        + cid.encode()
        + b'","object":"chat.completion.chunk","created":'
        + str(created).encode()
        + b',"model":'
        + _enc.encode(model)
    )
    choice = prefix + b',"choices":[{"index":0,"delta":'
    pre = choice + b"{"
    post = b'},"logprobs":null,"finish_reason":null}]}\n\n'
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    pieces = plan.pieces
    n = len(pieces)
    stall_at = n // 2 if stall_seconds is not None else -1
    sent_chars = 0
    out = _Chunks(writer)
    out.add(pre + b'"role":"assistant","content":""' + post)
    i = 0
    try:
        while i < n:
            now = loop.time() - t0
            due, text, reason = pieces[i]
            if due > now and out.parts:
                await out.flush()
                continue
            if due > now:
                await asyncio.sleep(due - now)
                continue
            if i == stall_at:
                stall_at = -1
                await out.flush()
                log(f"stalling {stall_seconds:g} s")
                await asyncio.sleep(stall_seconds or 0)
                t0 += stall_seconds or 0
                continue
            if reason:
                out.add(pre + b'"reasoning_content":' + _enc.encode(reason) + post)
            else:
                out.add(pre + b'"content":' + _enc.encode(text) + post)
            sent_chars += len(text)
            i += 1
            if drop_after_chars is not None and sent_chars >= drop_after_chars:
                await out.flush()
                log(f"dropping the stream after {sent_chars} characters")
                writer.transport.abort()
                return False
            if out.size >= BATCH_BYTES:
                await out.flush()
        out.add(
            choice
            + b'{},"logprobs":null,"finish_reason":'
            + _enc.encode(plan.finish_reason)
            + b"}]}\n\n"
        )
        if include_usage:
            out.add(prefix + b',"choices":[],"usage":' + _enc.encode(usage(plan)) + b"}\n\n")
        out.add(b"data: [DONE]\n\n")
        out.send()
        writer.write(b"0\r\n\r\n")
        await drain(writer)
    except (ConnectionError, RuntimeError):
        return False  # the client went away
    return keep_alive
