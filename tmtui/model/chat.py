"""What ``tmtui serve`` answers: the ``/v1`` routes and the chat-completions handler.

:class:`ChatApp` checks a request (key, JSON, model, ``stream_options``), decides whether it
is one of the faulty ones (:class:`Faults`), asks the synthetic model or the recordings for
the answer, plans it (:mod:`tmtui.model.answer`) and writes it, streamed or whole.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from tmtui.core.prompts import answer_format, parse_messages, problem_prompt
from tmtui.model.answer import (
    DEFAULT_TPS,
    Plan,
    paced_plan,
    recorded_usage,
    replay_plan,
    write_complete,
    write_stream,
)
from tmtui.model.http1 import MAX_BODY, HTTPError, Request, write_error, write_json
from tmtui.model.replay import ReplayEntry, ReplayStore
from tmtui.model.synthetic import DEFAULT_ERROR_RATE, SyntheticModel, split_tokens

__all__ = ["ChatApp", "Faults"]

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
    log: Callable[[str], None] | None = None  # one line per request (--log)
    # what a client may take (see tmtui.model.http1.Limits): seconds to send a request's
    # head (idle keep-alive included) and its body, and connections open at once
    head_timeout: float | None = 30.0
    body_timeout: float | None = 60.0
    max_connections: int = 1024
    max_bodies: int = 2 * MAX_BODY  # request bodies held at once, bytes (all connections)
    # operational warnings (too many connections, no descriptors left), once per episode
    warn: Callable[[str], None] | None = None

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


class Faults:
    """Which requests fail, and how (``--fail-first``, ``--fail-rate``, and the kinds asked
    for: ``--status``, ``--drop-after-chars``, ``--stall-seconds``)."""

    def __init__(self, options: ServeOptions) -> None:
        self.o = options
        self._rng = random.Random(options.seed)

    def pick(self, n: int) -> str | None:
        """The fault of request number ``n`` (from 1), if any: status, drop or stall."""
        kinds = self.o.fault_kinds()
        if not kinds:
            return None
        rate = self.o.fail_rate
        if rate is None:
            rate = 0.0 if self.o.fail_first else 1.0
        if n <= self.o.fail_first or self._rng.random() < rate:
            return kinds[0] if len(kinds) == 1 else self._rng.choice(kinds)
        return None

    def status_error(self, n: int) -> HTTPError:
        """The error answer of a request that fails with a status."""
        status = self.o.status or 500
        extra = {}
        if self.o.retry_after is not None:
            extra["Retry-After"] = f"{self.o.retry_after:g}"
        kind = (
            "rate_limit_error"
            if status == 429
            else ("authentication_error" if status == 401 else "server_error")
        )
        return HTTPError(status, f"injected fault: {status} on request {n}", kind, headers=extra)


class ChatApp:
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
        self.faults = Faults(options)
        self.created = int(time.time())

    def log(self, msg: str) -> None:
        if self.o.log is not None:
            self.o.log(msg)

    # -- routing ------------------------------------------------------------------------
    async def handle(self, req: Request, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; False when the connection must be closed."""
        method, keep_alive = req.method, req.keep_alive
        path = req.target.split("?", 1)[0].rstrip("/") or "/"
        try:
            if path in ("/health", "/v1/health"):
                if method not in ("GET", "HEAD"):
                    raise HTTPError(405, "use GET")
                body = {"status": "ok", "models": self.models}
                return await write_json(writer, 200, body, keep_alive)
            if path == "/v1/models":
                if method != "GET":
                    raise HTTPError(405, "use GET")
                data = [self._model(m) for m in self.models]
                return await write_json(writer, 200, {"object": "list", "data": data}, keep_alive)
            if path.startswith("/v1/models/"):
                mid = path[len("/v1/models/") :]
                if mid not in self.models:
                    raise HTTPError(
                        404, f"The model '{mid}' does not exist", code="model_not_found"
                    )
                return await write_json(writer, 200, self._model(mid), keep_alive)
            if path == "/v1/chat/completions":
                if method != "POST":
                    raise HTTPError(405, "use POST")
                return await self._chat(req, writer)
            raise HTTPError(
                404, f"no route {path}; try POST /v1/chat/completions", code="not_found"
            )
        except HTTPError as err:
            self.log(f"{method} {path} -> {err.status} {err.message}")
            return await write_error(writer, err, keep_alive)

    def _model(self, mid: str) -> dict[str, Any]:
        return {"id": mid, "object": "model", "created": self.created, "owned_by": "tmtui"}

    # -- chat completions ---------------------------------------------------------------
    def _check_auth(self, headers: dict[str, str]) -> None:
        want = self.o.api_key
        if not want:
            return
        got = headers.get("authorization", "")
        if got != f"Bearer {want}":
            raise HTTPError(
                401, "Incorrect API key provided.", "authentication_error", "invalid_api_key"
            )

    def _body(self, raw: bytes) -> tuple[dict, str, list]:
        """(the request, its model, its messages), checked: whatever a client sends is a
        client error (400, with the reason), never an internal one."""
        try:
            req = _dec.decode(raw)
        except msgspec.DecodeError:
            raise HTTPError(400, "the request body is not valid JSON") from None
        except RecursionError:
            raise HTTPError(400, "the request body is nested too deeply") from None
        if not isinstance(req, dict):
            raise HTTPError(400, "the request body must be a JSON object")
        model = req.get("model")
        messages = req.get("messages")
        if not isinstance(model, str):
            raise HTTPError(400, "'model' is required")
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise HTTPError(400, "'messages' must be a list of objects")
        for i, m in enumerate(messages):
            why = _bad_message(m)
            if why is not None:
                raise HTTPError(400, f"messages[{i}]: {why}")
        if model not in self.models:
            raise HTTPError(
                404,
                f"The model '{model}' does not exist (this server serves: "
                f"{', '.join(self.models)})",
                code="model_not_found",
            )
        return req, model, messages

    async def _chat(self, request: Request, writer: asyncio.StreamWriter) -> bool:
        self._check_auth(request.headers)
        req, model, messages = self._body(request.body)
        stream = bool(req.get("stream"))
        opts = req.get("stream_options")
        if opts is not None and self.o.reject_stream_options:
            raise HTTPError(400, "Unrecognized request argument supplied: stream_options")
        include_usage = stream and isinstance(opts, dict) and bool(opts.get("include_usage"))
        self.requests += 1
        n = self.requests
        fault = self.faults.pick(n)
        if fault == "status":
            raise self.faults.status_error(n)
        # off the event loop: a long answer takes a while to write (the loop may be the TUI's)
        plan = await asyncio.to_thread(self._plan, model, messages, req, n)
        self.log(
            f"POST /v1/chat/completions #{n} model={model} stream={stream} "
            f"chunks={len(plan.pieces)} fault={fault or '-'}"
        )
        cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        keep_alive = request.keep_alive
        stall = self.o.stall_seconds if fault == "stall" else None
        if not stream:
            return await write_complete(writer, plan, cid, model, keep_alive, fault, stall)
        return await write_stream(
            writer,
            plan,
            cid,
            model,
            keep_alive,
            include_usage,
            drop_after_chars=self.o.drop_after_chars if fault == "drop" else None,
            stall_seconds=stall,
            log=self.log,
        )

    # -- the answer ---------------------------------------------------------------------
    def _plan(self, model: str, messages: list, req: dict, n: int) -> Plan:
        tps = self.o.tokens_per_second
        if model == "synthetic":
            reasoning, content = self._synthetic(messages, req, n)
            finish = "stop"
        else:
            entry = self._recorded(messages)
            if tps is None and entry.chunks:
                return replay_plan(entry, messages)
            reasoning = split_tokens(entry.reasoning) if entry.reasoning else []
            content = split_tokens(entry.answer)
            rate = DEFAULT_TPS if tps is None else tps
            plan = paced_plan(
                reasoning,
                content,
                entry.finish_reason or "stop",
                rate,
                _max_tokens(req),
                messages,
            )
            return recorded_usage(plan, entry)
        rate = DEFAULT_TPS if tps is None else tps
        return paced_plan(reasoning, content, finish, rate, _max_tokens(req), messages)

    def _synthetic(self, messages: list, req: dict, n: int) -> tuple[list[str], list[str]]:
        """The synthetic model's (reasoning, content) tokens for a TMBench prompt."""
        assert self.synthetic is not None
        problem = parse_messages(messages)
        if problem is None:
            raise HTTPError(
                400,
                "not a TMBench prompt: no '## The Only Problem to Solve:' "
                "block with m, Alphabet, Init and Transition Rules",
            )
        salt = str(req.get("seed", ""))
        temp = req.get("temperature")
        if isinstance(temp, int | float) and temp > 0 and req.get("seed") is None:
            salt += f"/{n}"
        fmt = answer_format(problem_prompt(messages) or "")
        ans = self.synthetic.answer(problem.instance, previous=problem.previous, salt=salt, fmt=fmt)
        reasoning = split_tokens(ans.reasoning) if ans.reasoning else []
        return reasoning, split_tokens(ans.text)

    def _recorded(self, messages: list) -> ReplayEntry:
        assert self.store is not None
        entry = self.store.lookup(messages)
        if entry is None:
            raise HTTPError(400, f"no recorded answer for this prompt in {self.store.path.name}")
        return entry


def _bad_message(m: dict) -> str | None:
    """Why a chat message is malformed (None: it is fine): a role that is not a string,
    content that is neither a string, null, nor a list of content parts whose text is a
    string."""
    if not isinstance(m.get("role"), str):
        return "'role' must be a string"
    content = m.get("content")
    if content is None or isinstance(content, str):
        return None
    if not isinstance(content, list):
        return "'content' must be a string or a list of content parts"
    for j, part in enumerate(content):
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            return f"content[{j}] must be an object with a 'type'"
        if part["type"] == "text" and not isinstance(part.get("text"), str):
            return f"content[{j}]: 'text' must be a string"
    return None


def _max_tokens(req: dict) -> int | None:
    for key in ("max_completion_tokens", "max_tokens"):
        v = req.get(key)
        if isinstance(v, int) and not isinstance(v, bool) and v > 0:
            return v
    return None
