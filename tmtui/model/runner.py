"""The headless batch runner behind ``tmtui run``.

One record per (sample, repeat) is appended to the output file by one writer thread (write,
flush, fsync per record). Re-running the same command resumes:

* a sample whose record is ``complete`` or ``cut`` (for the same model, prompt and repeat) is
  skipped;
* an ``interrupted`` or ``error`` record is redone; before the run starts it is moved out of
  the output file into ``<out>.superseded.jsonl`` (the output is rewritten atomically: a
  temporary file, fsync, rename), so the file ends with exactly one record per sample;
* a torn last line (a kill -9 while writing) is cut off.

A kill -9 at any moment loses at most the samples in flight. Concurrency adapts to the server
(:mod:`tmtui.model.limits`). ``stop_after_divergence`` cancels a stream K steps after its
first divergence (status ``cut``); ``continue_until_halt`` sends continuations when the model
stops early (budget forcing).

Here: the run loop (workers, one sample's turns, the record, the figures). The output file's
lock, resume and supersede are :mod:`tmtui.model.resume`; the live cut and the continuation
decision :mod:`tmtui.model.turns`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tmtui.core.datasets import Dataset, Instance
from tmtui.core.parsed import ParserMode
from tmtui.core.prompts import messages as prompt_messages
from tmtui.core.prompts import prompt_sha256
from tmtui.io.events import Content, Failed, Finish, Retry
from tmtui.io.jsonl import RecordWriter
from tmtui.io.records import Record
from tmtui.io.sources import ScoreItem
from tmtui.model.client import ClientConfig, ModelClient
from tmtui.model.limits import AdaptiveLimiter
from tmtui.model.recorder import Recorder
from tmtui.model.resume import RecordKey, RunError, RunOutput, parse_samples, record_key
from tmtui.model.tokens import DEFAULT_ENCODING, TokenCounter
from tmtui.model.turns import CONTINUE_PROMPT, MAX_TURNS, LiveCut, continuation, continue_messages
from tmtui.scoring import score_item

__all__ = [
    "CONTINUE_PROMPT",
    "RunError",
    "RunSpec",
    "RunStats",
    "Runner",
    "parse_samples",
]

FATAL_CODES = frozenset({401, 403, 404})


@dataclass
class RunSpec:
    dataset: Dataset
    output: Path
    client: ClientConfig
    dataset_name: str = ""
    samples: list[int] | None = None
    repeat: int = 1
    concurrency: int = 8
    prompt: str = "tmbench"
    max_steps: int | None = None
    continue_until_halt: bool = False
    token_budget: int | None = None  # completion tokens per sample over all turns
    stop_after_divergence: int | None = None
    encoding: str = DEFAULT_ENCODING
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    sync: bool = True  # fsync every record


@dataclass
class RunStats:
    total: int = 0  # samples to run in this invocation
    skipped: int = 0  # complete records found (resume)
    superseded: int = 0  # unfinished records moved aside
    done: int = 0  # records written
    passed: int = 0
    scored: int = 0
    complete: int = 0
    errors: int = 0
    cut: int = 0
    interrupted: int = 0
    # samples whose request did not give an answer (status error or interrupted): attempts
    # that did not happen, never model failures; (index, repeat, status)
    unanswered: list[tuple[int, int, str]] = field(default_factory=list)
    retries: int = 0
    rate_limited: int = 0
    tokens: int = 0  # completion tokens of finished samples
    chunks: int = 0  # content chunks received, all samples
    live_chunks: int = 0  # content chunks of the samples in flight
    in_flight: int = 0
    limit: int = 0
    started: float = field(default_factory=time.monotonic)
    fatal: str | None = None
    repaired_bytes: int = 0
    last_error: str | None = None
    stale_lock: str | None = None  # a lock file left by a killed run ("pid 1234")

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def tokens_per_second(self) -> float:
        """Completion tokens of finished samples plus chunks of those in flight, per second."""
        return (self.tokens + self.live_chunks) / max(self.elapsed, 1e-9)

    @property
    def answered(self) -> int:
        """Records with an answer to score (complete or cut)."""
        return self.complete + self.cut

    @property
    def pass_rate(self) -> float | None:
        return 100.0 * self.passed / self.scored if self.scored else None


class _Streams:
    """One sample's streams (its turns): the recorder, the cancel event, the live cut, and
    how the last turn ended."""

    __slots__ = ("cancel", "chunks", "cut", "fatal", "live", "rec", "status")

    def __init__(self, rec: Recorder, live: LiveCut | None) -> None:
        self.rec = rec
        self.live = live
        self.cancel = asyncio.Event()
        self.chunks = 0  # content chunks received, all turns
        self.status: str | None = None
        self.fatal: str | None = None  # an endpoint that refuses us: stop the run
        self.cut = False


class Runner:
    """Runs a spec; ``on_progress(stats)`` is called as samples finish."""

    def __init__(
        self,
        spec: RunSpec,
        *,
        on_progress: Callable[[RunStats], None] | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.spec = spec
        self.on_progress = on_progress
        self.warn = warn or (lambda msg: None)
        self.stats = RunStats()
        self.limiter = AdaptiveLimiter(max(1, spec.concurrency))
        self.counter = TokenCounter(spec.encoding, warn=self.warn)
        self.output = RunOutput(spec.output)
        self._cancels: set[asyncio.Event] = set()
        self._stop = asyncio.Event()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tmtui-writer")
        self._writer: RecordWriter | None = None

    # -- planning and resume -----------------------------------------------------------
    def _prompt(self, inst: Instance) -> tuple[list[dict[str, str]], str]:
        s = self.spec
        return (
            prompt_messages(inst, s.prompt, max_step=s.max_steps),
            prompt_sha256(inst, s.prompt, max_step=s.max_steps),
        )

    def _instance(self, inst: Instance) -> Instance:
        s = self.spec
        if s.max_steps is None or s.max_steps + 1 == inst.max_states:
            return inst
        return inst.replace(max_states=s.max_steps + 1, step_results=None)

    def lock(self) -> None:
        """Check the output and make sure no other run writes it (``<out>.lock``, flock)."""
        self.output.lock()
        self.stats.stale_lock = self.output.stale_lock

    def unlock(self) -> None:
        self.output.unlock()

    def plan(self) -> list[tuple[Instance, int]]:
        """The (instance, repeat) pairs still to run; moves unfinished records aside.
        Takes the output's lock (released by :meth:`run` or :meth:`unlock`)."""
        self.lock()
        s = self.spec
        ds = s.dataset
        indices = s.samples if s.samples is not None else list(range(len(ds)))
        model = s.client.model
        wanted: dict[RecordKey, tuple[Instance, int]] = {}
        for r in range(s.repeat):
            for i in indices:
                inst = ds[i]
                _, psha = self._prompt(inst)
                wanted[record_key(inst.id, inst.index, r, model, psha)] = (inst, r)
        done, stale = self.output.scan(set(wanted))
        if stale:
            self.stats.superseded = self.output.supersede(stale)
        todo = [v for k, v in wanted.items() if k not in done]
        self.stats.skipped = len(wanted) - len(todo)
        self.stats.total = len(todo)
        return todo

    # -- running -------------------------------------------------------------------------
    def request_stop(self) -> None:
        """Ctrl-C: cancel every stream; what was received is saved as ``interrupted``."""
        self._stop.set()
        for ev in list(self._cancels):
            ev.set()

    async def run(self, todo: Iterable[tuple[Instance, int]] | None = None) -> RunStats:
        """Run ``todo`` (default: :meth:`plan`); returns the stats. Raises RunError."""
        self.lock()
        try:
            return await self._run(list(self.plan() if todo is None else todo))
        finally:
            self.unlock()

    async def _run(self, items: list[tuple[Instance, int]]) -> RunStats:
        spec = self.spec
        try:
            self._writer = RecordWriter(spec.output, sync=spec.sync)
        except OSError as exc:
            raise RunError(f"cannot write {spec.output}: {exc.strerror or exc}") from None
        self.stats.repaired_bytes = self._writer.repaired
        self.stats.limit = self.limiter.limit
        client = ModelClient(spec.client, limiter=self.limiter)
        queue: asyncio.Queue[tuple[Instance, int]] = asyncio.Queue()
        for item in items:
            queue.put_nowait(item)
        workers = [
            asyncio.create_task(self._worker(client, queue))
            for _ in range(min(max(1, spec.concurrency), max(1, len(items))))
        ]
        self._progress()
        try:
            await asyncio.gather(*workers)
        finally:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            await client.aclose()
            with contextlib.suppress(OSError):  # every record was fsynced when written
                await asyncio.get_running_loop().run_in_executor(self._pool, self._writer.close)
            self._pool.shutdown(wait=True)
        self._progress()
        return self.stats

    async def _worker(self, client: ModelClient, queue: asyncio.Queue) -> None:
        while not self._stop.is_set():
            try:
                inst, repeat = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                await self._sample(client, inst, repeat)
            except RunError as exc:  # the output cannot be written: stop everything
                if self.stats.fatal is None:
                    self.stats.fatal = str(exc)
                self.request_stop()
                return

    def _progress(self) -> None:
        self.stats.in_flight = self.limiter.in_flight
        self.stats.limit = self.limiter.limit
        if self.on_progress is not None:
            self.on_progress(self.stats)

    async def _sample(self, client: ModelClient, inst0: Instance, repeat: int) -> None:
        spec = self.spec
        inst = self._instance(inst0)
        msgs, psha = self._prompt(inst0)
        rec = self._recorder(inst, inst0, repeat, msgs, psha)
        live = None
        if spec.stop_after_divergence is not None:
            live = LiveCut(inst.run.states(), inst.alphabet, spec.stop_after_divergence)
        s = _Streams(rec, live)
        if self._stop.is_set():
            return
        self._cancels.add(s.cancel)
        try:
            await self._turns(client, inst, msgs, s)
        finally:
            self._cancels.discard(s.cancel)
            self.stats.live_chunks -= s.chunks
        if s.fatal is not None:
            if self.stats.fatal is None:
                self.stats.fatal = s.fatal
                self.request_stop()
            return
        if self.stats.fatal is not None and not (rec.answer or rec.reasoning):
            # cancelled because another request met a fatal error (a model the server does
            # not have, a refused key) before anything came: no attempt of its own to record
            return
        await self._finish(inst, rec, s.status or "interrupted")

    def _recorder(
        self, inst: Instance, inst0: Instance, repeat: int, msgs: list[dict[str, str]], psha: str
    ) -> Recorder:
        spec = self.spec
        params = spec.client.params()
        if spec.prompt != "tmbench":
            params["prompt"] = spec.prompt
        if spec.continue_until_halt:
            params["continue_until_halt"] = True
            params["token_budget"] = spec.token_budget
        if spec.stop_after_divergence is not None:
            params["stop_after_divergence"] = spec.stop_after_divergence
        return Recorder(
            instance=inst,
            model=spec.client.model,
            dataset=spec.dataset_name or inst0.dataset,
            params=params,
            prompt_template=spec.prompt,
            prompt_sha256=psha,
            max_steps=spec.max_steps,
            repeat=repeat,
            run_id=spec.run_id,
            messages=msgs,
            counter=self.counter,
        )

    async def _turns(
        self, client: ModelClient, inst: Instance, msgs: list[dict[str, str]], s: _Streams
    ) -> None:
        """The sample's turns: one, or (``continue_until_halt``) as many as the model needs;
        ``s.status`` is how the last one ended."""
        spec = self.spec
        rec = s.rec
        conv: list[dict[str, str]] = list(msgs)
        turn_tokens = 0
        prev_last = -1
        for turn in range(MAX_TURNS):
            if turn:
                rec.new_turn()
                if s.live is not None and rec.answer and not rec.answer.endswith("\n"):
                    s.live.feed("\n")
            chunks_before = len(rec.chunks)
            await self._turn(client, conv, s)
            if s.fatal is not None:
                return
            if s.cut:
                s.status = "cut"
                rec.meta["cut"] = {
                    "first_divergence": s.live.divergence if s.live else None,
                    "at_step": s.live.at_step if s.live else None,
                    "k": spec.stop_after_divergence,
                }
                return
            if s.status != "complete" or not spec.continue_until_halt:
                return
            # budget forcing: does the model need a continuation?
            u = rec.turn_usage  # this turn's server usage, if any
            if u is not None and u.completion_tokens is not None:
                turn_tokens += u.completion_tokens
            else:
                new_chars = sum(int(c[1] + c[2]) for c in rec.chunks[chunks_before:])
                turn_tokens += max(1, int(new_chars / 2.8))
            reason, last = continuation(
                inst, rec.answer, rec.finish_reason, prev_last, turn_tokens, spec.token_budget
            )
            if reason is not None:
                rec.meta["continuation"] = {"turns": turn + 1, "stopped": reason}
                return
            prev_last = last
            conv = continue_messages(msgs, rec.answer, last, inst.max_step)

    async def _turn(self, client: ModelClient, conv: list[dict[str, str]], s: _Streams) -> None:
        """One request's events into the recorder, the live cut and the figures."""
        stats = self.stats
        rec = s.rec
        s.cut = False
        async with contextlib.aclosing(client.stream(conv, cancel=s.cancel)) as events:
            async for ev in events:
                rec.feed(ev)
                if isinstance(ev, Content):
                    stats.chunks += 1
                    stats.live_chunks += 1
                    s.chunks += 1
                    if s.live is not None and not s.cut and s.live.feed(ev.text):
                        s.cut = True
                        s.cancel.set()
                elif isinstance(ev, Retry):
                    stats.retries += 1
                    if ev.status_code == 429:
                        stats.rate_limited += 1
                    stats.last_error = ev.error
                    if s.live is not None:
                        # the try is redone from scratch: so is the live reading
                        s.live = s.live.restart()
                    self._progress()
                elif isinstance(ev, Failed):
                    if ev.status_code in FATAL_CODES:
                        s.fatal = ev.message
                elif isinstance(ev, Finish):
                    s.status = ev.status
                    if ev.error:
                        stats.last_error = ev.error

    async def _finish(self, inst: Instance, rec: Recorder, status: str) -> None:
        """Write the sample's record and count it."""
        stats = self.stats
        record = rec.record(status)
        await self._write(record)
        stats.done += 1
        if record.usage is not None and record.usage.completion_tokens:
            stats.tokens += record.usage.completion_tokens
        if status == "error":
            stats.errors += 1
        elif status == "cut":
            stats.cut += 1
        elif status == "interrupted":
            stats.interrupted += 1
        else:
            stats.complete += 1
        if status in ("error", "interrupted"):
            stats.unanswered.append((inst.index, record.repeat, status))
        if status in ("complete", "cut"):
            item = ScoreItem.of_record(str(self.spec.output), "", inst, record)
            sc = score_item(item, ParserMode.STRICT, diagnose=False)
            stats.scored += 1
            stats.passed += sc.passed
        self._progress()

    async def _write(self, record: Record) -> None:
        assert self._writer is not None
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._pool, self._writer.write, record)
        except OSError as exc:
            raise RunError(f"cannot write {self.spec.output}: {exc.strerror or exc}") from None
