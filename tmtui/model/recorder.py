"""From a stream of events to a tmtui :class:`~tmtui.io.records.Record`.

The recorder keeps the answer and the reasoning of the try that succeeded, the text of every
failed try (in ``tries``), the arrival of every chunk (``chunks``: ``[ms since the first
request, content chars, reasoning chars]``, so a run can be replayed with its timing), usage
(the server's, else tiktoken's, else a labelled estimate), timings and the final status.
Continuation turns (``--continue-until-halt``) append to the same answer: see
:meth:`Recorder.new_turn`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tmtui.core.datasets import Instance
from tmtui.io.events import (
    Content,
    Failed,
    Finish,
    Reasoning,
    Retry,
    Started,
    StreamEvent,
    UsageReport,
)
from tmtui.io.records import FailedTry, Record, Timing, Usage, spec_of
from tmtui.model.tokens import TokenCounter

__all__ = ["Recorder", "utc_now"]


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Recorder:
    """Accumulates one sample's events; :meth:`record` makes the Record."""

    def __init__(
        self,
        *,
        instance: Instance,
        model: str,
        dataset: str = "",
        params: Mapping[str, Any] | None = None,
        prompt_template: str = "tmbench",
        prompt_sha256: str = "",
        max_steps: int | None = None,
        repeat: int = 0,
        run_id: str = "",
        kind: str = "model",
        messages: Sequence[Mapping[str, str]] | None = None,
        counter: TokenCounter | None = None,
    ) -> None:
        self.instance = instance
        self.model = model
        self.dataset = dataset or instance.dataset
        self.params = dict(params or {})
        self.prompt_template = prompt_template
        self.prompt_sha256 = prompt_sha256
        self.max_steps = max_steps
        self.repeat = repeat
        self.run_id = run_id
        self.kind = kind
        self.messages = list(messages or [])
        self.counter = counter
        self.meta: dict[str, Any] = {}
        # the answer so far (all turns), as parts
        self._parts: list[str] = []
        self._rparts: list[str] = []
        self._chunks: list[list[float]] = []
        self._n_chars = 0
        self._n_rchars = 0
        self._merge_from = 0  # chunk entries before this index belong to an earlier try
        # where the current try started (to roll a failed try back)
        self._try_mark: tuple[int, int, int, bool, bool] = (0, 0, 0, True, False)
        self._tries: list[FailedTry] = []
        self._usages: list[UsageReport | None] = []
        self._turn_usage: UsageReport | None = None
        self._sep_pending = False
        self.started_at: str | None = None
        self._t_wall0: float | None = None
        self.answer_start_ms: float | None = None
        self.first_token_ms: float | None = None
        self.elapsed_ms: float | None = None
        self.offset_ms = 0.0  # added to event times (continuation turns restart their clock)
        self.status: str | None = None
        self.finish_reason: str | None = None
        self.error: str | None = None
        self.retries = 0

    # -- text ---------------------------------------------------------------------------
    @property
    def answer(self) -> str:
        if len(self._parts) > 1:
            self._parts[:] = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    @property
    def reasoning(self) -> str:
        if len(self._rparts) > 1:
            self._rparts[:] = ["".join(self._rparts)]
        return self._rparts[0] if self._rparts else ""

    @property
    def chunks(self) -> list[list[float]]:
        return self._chunks

    @property
    def turn_usage(self) -> UsageReport | None:
        """The server's usage for the current turn, once it has been reported."""
        return self._turn_usage

    def new_turn(self) -> None:
        """The next events answer a continuation request: their text is appended, on a new
        line, and their times continue from the turn before."""
        self._end_turn()
        if self._t_wall0 is not None:
            self.offset_ms = (time.monotonic() - self._t_wall0) * 1e3
        text = self.answer
        self._sep_pending = bool(text) and not text.endswith("\n")

    def _end_turn(self) -> None:
        self._usages.append(self._turn_usage)
        self._turn_usage = None

    # -- events -------------------------------------------------------------------------
    def feed(self, ev: StreamEvent) -> None:
        if isinstance(ev, Content):
            text = ev.text
            if not text:
                return
            t = round(ev.t_ms + self.offset_ms, 1)
            chunks = self._chunks
            if self._sep_pending:
                self._sep_pending = False
                self._parts.append("\n")
                self._n_chars += 1
                chunks.append([t, 1, 0])
            self._parts.append(text)
            self._n_chars += len(text)
            if len(chunks) > self._merge_from and chunks[-1][0] == t:
                chunks[-1][1] += len(text)
            else:
                chunks.append([t, len(text), 0])
            if self.first_token_ms is None:
                self.first_token_ms = t
        elif isinstance(ev, Reasoning):
            text = ev.text
            if not text:
                return
            t = round(ev.t_ms + self.offset_ms, 1)
            self._rparts.append(text)
            self._n_rchars += len(text)
            chunks = self._chunks
            if len(chunks) > self._merge_from and chunks[-1][0] == t:
                chunks[-1][2] += len(text)
            else:
                chunks.append([t, 0, len(text)])
            if self.first_token_ms is None:
                self.first_token_ms = t
        elif isinstance(ev, Started):
            if self._t_wall0 is None:
                self._t_wall0 = time.monotonic() - ev.t_ms / 1e3
                self.started_at = utc_now()
            self._try_mark = (
                self._n_chars,
                self._n_rchars,
                len(self._chunks),
                self.first_token_ms is None,
                self._sep_pending,
            )
            self._merge_from = len(self._chunks)
            if not self._usages:  # the first turn holds the first chunk
                self.answer_start_ms = round(ev.t_ms + self.offset_ms, 1)
        elif isinstance(ev, Retry):
            self.retries += 1
            nc_a, nc_r, n_chunks, reset_first, sep = self._try_mark
            if self._n_chars > nc_a:
                kept = "".join(self._parts)[:nc_a]
                self._parts[:] = [kept] if kept else []
                self._n_chars = nc_a
            if self._n_rchars > nc_r:
                kept = "".join(self._rparts)[:nc_r]
                self._rparts[:] = [kept] if kept else []
                self._n_rchars = nc_r
            del self._chunks[n_chunks:]
            self._sep_pending = sep
            if reset_first:
                self.first_token_ms = None
            at = None if ev.t_ms is None else round(ev.t_ms + self.offset_ms, 1)
            self._tries.append(
                FailedTry(
                    error=ev.error,
                    partial=ev.partial,
                    reasoning=ev.partial_reasoning,
                    at_ms=at,
                )
            )
            self._turn_usage = None
        elif isinstance(ev, UsageReport):
            self._turn_usage = ev
        elif isinstance(ev, Failed):
            self.error = ev.message
        elif isinstance(ev, Finish):
            self.status = ev.status
            self.finish_reason = ev.finish_reason
            if ev.error:
                self.error = ev.error
            if ev.t_ms is not None:
                self.elapsed_ms = round(ev.t_ms + self.offset_ms, 1)

    # -- the record ---------------------------------------------------------------------
    def usage(self) -> Usage | None:
        usages = [*self._usages, self._turn_usage]
        server = [u for u in usages if u is not None]
        if server and len(server) == len(usages):

            def total(name: str) -> int | None:
                vals = [getattr(u, name) for u in server]
                return None if any(v is None for v in vals) else sum(vals)

            return Usage(
                prompt_tokens=total("prompt_tokens"),
                completion_tokens=total("completion_tokens"),
                reasoning_tokens=total("reasoning_tokens"),
                total_tokens=total("total_tokens"),
                source="server",
            )
        if self.counter is None:
            return None
        answer, reasoning = self.answer, self.reasoning
        completion = self.counter.count(answer) + self.counter.count(reasoning)
        prompt = self.counter.count_messages(list(self.messages)) if self.messages else None
        return Usage(
            prompt_tokens=prompt,
            completion_tokens=completion,
            reasoning_tokens=self.counter.count(reasoning) if reasoning else None,
            total_tokens=None if prompt is None else prompt + completion,
            source=self.counter.source,
        )

    def record(self, status: str | None = None, error: str | None = None) -> Record:
        """The record as things stand (``status`` overrides: e.g. ``cut``)."""
        st = status or self.status or "interrupted"
        turns = len(self._usages) + 1
        return Record(
            kind=self.kind,
            instance_id=self.instance.id,
            dataset=self.dataset,
            index=self.instance.index,
            model=self.model,
            status=st,
            answer=self.answer,
            reasoning=self.reasoning,
            finish_reason=self.finish_reason,
            instance=spec_of(self.instance),
            prompt_template=self.prompt_template,
            prompt_sha256=self.prompt_sha256,
            max_steps=self.max_steps,
            params=dict(self.params),
            usage=self.usage(),
            chunks=self._chunks,
            timing=Timing(
                started_at=self.started_at,
                first_token_ms=self.first_token_ms,
                elapsed_ms=self.elapsed_ms,
                answer_start_ms=self.answer_start_ms if self.retries else None,
                turns=turns if turns > 1 else None,
            ),
            error=error or self.error,
            tries=list(self._tries),
            repeat=self.repeat,
            run_id=self.run_id,
            created_at=utc_now(),
            meta=dict(self.meta),
        )
