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
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tmtui.core.align import align
from tmtui.core.datasets import Dataset, Instance
from tmtui.core.parse import StrictParser, parse_strict
from tmtui.core.prompts import messages as prompt_messages
from tmtui.core.prompts import prompt_sha256
from tmtui.core.score import score_sample
from tmtui.io.events import Content, Failed, Finish, Retry
from tmtui.io.jsonl import RecordWriter, decode_record
from tmtui.io.records import Record
from tmtui.model.client import ClientConfig, ModelClient
from tmtui.model.limits import AdaptiveLimiter
from tmtui.model.recorder import Recorder
from tmtui.model.tokens import DEFAULT_ENCODING, TokenCounter

__all__ = [
    "CONTINUE_PROMPT",
    "RunError",
    "RunSpec",
    "RunStats",
    "Runner",
    "parse_samples",
]

CONTINUE_PROMPT = (
    "Continue the simulation from step {next} in exactly the same format, one step at a time. "
    "Stop upon reaching the halt condition or step {max_step}."
)
MAX_TURNS = 200
FATAL_CODES = frozenset({401, 403, 404})


class RunError(Exception):
    """Nothing more can be done (bad arguments, an endpoint that refuses us): one line."""


def parse_samples(spec: str, n: int) -> list[int]:
    """'0-9,17' -> [0, ..., 9, 17] (sorted, unique), checked against a dataset of n samples."""
    out: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        lo_s, sep, hi_s = part.partition("-")
        try:
            lo = int(lo_s)
            hi = int(hi_s) if sep else lo
        except ValueError:
            raise RunError(
                f"bad --samples {spec!r}: expected indices and ranges like 0-9,17"
            ) from None
        if lo < 0 or hi < lo:
            raise RunError(f"bad --samples range {part!r}")
        if hi >= n:
            raise RunError(f"--samples {part}: the dataset has samples 0..{n - 1}")
        out.update(range(lo, hi + 1))
    if not out:
        raise RunError("--samples selects no sample")
    return sorted(out)


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
    done: int = 0
    passed: int = 0
    scored: int = 0
    errors: int = 0
    cut: int = 0
    interrupted: int = 0
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

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def tokens_per_second(self) -> float:
        """Completion tokens of finished samples plus chunks of those in flight, per second."""
        return (self.tokens + self.live_chunks) / max(self.elapsed, 1e-9)

    @property
    def pass_rate(self) -> float | None:
        return 100.0 * self.passed / self.scored if self.scored else None


def _key(inst_id: str, index: int, repeat: int, model: str, psha: str) -> tuple:
    return (inst_id, index, repeat, model, psha)


class _LiveCut:
    """Watches the answer as it streams and says when to cut it (K steps after the first
    divergence). A step counts once a later step has been written (its reading is settled)."""

    def __init__(self, truth: list[str], alphabet: tuple[str, ...], k: int) -> None:
        self.truth = truth
        self.k = k
        self.parser = StrictParser(alphabet)
        self.divergence: int | None = None
        self.at_step: int | None = None

    def feed(self, text: str) -> bool:
        events = self.parser.feed(text)
        if not events:
            return False
        steps = self.parser.steps
        if not steps:
            return False
        top = max(steps)
        settled = {k: s for k, s in steps.items() if k < top}
        if not settled:
            return False
        al = align(self.truth, settled, final=False)
        div = al.first_divergence
        if div is None:
            return False
        self.divergence = div.step
        if top - 1 >= div.step + self.k:
            self.at_step = top
            return True
        return False


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
        self._cancels: set[asyncio.Event] = set()
        self._stop = asyncio.Event()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tmtui-writer")
        self._writer: RecordWriter | None = None
        self._lock_fd: int | None = None
        self._lock_path: Path | None = None

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
        return Instance(
            id=inst.id,
            init=inst.init,
            rules=inst.rules,
            m=inst.m,
            alphabet=inst.alphabet,
            max_states=s.max_steps + 1,
            index=inst.index,
            dataset=inst.dataset,
        )

    def lock(self) -> None:
        """Make sure no other run writes the same file (``<out>.lock``, flock)."""
        if self._lock_fd is not None:
            return
        import fcntl

        out = self.spec.output
        path = out.with_name(out.name + ".lock")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise RunError(f"cannot write next to {out}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise RunError(f"another tmtui run is writing {out}") from None
        self._lock_fd = fd
        self._lock_path = path

    def unlock(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self._lock_path)
        os.close(fd)

    def plan(self) -> list[tuple[Instance, int]]:
        """The (instance, repeat) pairs still to run; moves unfinished records aside.
        Takes the output's lock (released by :meth:`run` or :meth:`unlock`)."""
        self.lock()
        s = self.spec
        ds = s.dataset
        indices = s.samples if s.samples is not None else list(range(len(ds)))
        model = s.client.model
        wanted: dict[tuple, tuple[Instance, int]] = {}
        for r in range(s.repeat):
            for i in indices:
                inst = ds[i]
                _, psha = self._prompt(inst)
                wanted[_key(inst.id, inst.index, r, model, psha)] = (inst, r)
        done, stale = self._scan(set(wanted))
        if stale:
            self._supersede(stale)
        todo = [v for k, v in wanted.items() if k not in done]
        self.stats.skipped = len(wanted) - len(todo)
        self.stats.total = len(todo)
        return todo

    def _scan(self, wanted: set[tuple]) -> tuple[set[tuple], set[int]]:
        """Keys already complete, and line numbers of unfinished records to redo."""
        out = self.spec.output
        done: set[tuple] = set()
        stale: set[int] = set()
        if not out.exists():
            return done, stale
        unfinished: dict[tuple, list[int]] = {}
        try:
            f = open(out, "rb")  # noqa: SIM115
        except OSError as exc:
            raise RunError(f"cannot read {out}: {exc.strerror or exc}") from None
        with f:
            for n, raw in enumerate(f, 1):
                if not raw.strip() or not raw.endswith(b"\n"):
                    continue
                try:
                    rec = decode_record(raw)
                except Exception:
                    continue
                key = _key(rec.instance_id, rec.index, rec.repeat, rec.model, rec.prompt_sha256)
                if key not in wanted:
                    continue
                if rec.status in ("complete", "cut"):
                    done.add(key)
                else:
                    unfinished.setdefault(key, []).append(n)
        for lines in unfinished.values():
            stale.update(lines)
        return done, stale

    def _supersede(self, lines: set[int]) -> None:
        """Move the given lines out of the output file (atomically) into the sidecar."""
        out = self.spec.output
        side = out.with_name(out.name + ".superseded.jsonl")
        tmp = out.with_name(out.name + ".compact.tmp")
        try:
            with open(out, "rb") as src, open(tmp, "wb") as dst, open(side, "ab") as aside:
                for n, raw in enumerate(src, 1):
                    if n in lines:
                        aside.write(raw if raw.endswith(b"\n") else raw + b"\n")
                    else:
                        dst.write(raw)
                aside.flush()
                os.fsync(aside.fileno())
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(tmp, out)
            with contextlib.suppress(OSError):
                dfd = os.open(out.parent, os.O_RDONLY)
                try:
                    os.fsync(dfd)
                finally:
                    os.close(dfd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise RunError(f"cannot rewrite {out}: {exc.strerror or exc}") from None
        self.stats.superseded = len(lines)

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
        stats = self.stats
        inst = self._instance(inst0)
        msgs, psha = self._prompt(inst0)
        params = spec.client.params()
        if spec.prompt != "tmbench":
            params["prompt"] = spec.prompt
        if spec.continue_until_halt:
            params["continue_until_halt"] = True
            params["token_budget"] = spec.token_budget
        if spec.stop_after_divergence is not None:
            params["stop_after_divergence"] = spec.stop_after_divergence
        rec = Recorder(
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
        truth: list[str] | None = None
        live: _LiveCut | None = None
        if spec.stop_after_divergence is not None:
            truth = inst.run.states()
            live = _LiveCut(truth, inst.alphabet, spec.stop_after_divergence)
        cancel = asyncio.Event()
        if self._stop.is_set():
            return
        self._cancels.add(cancel)
        conv: list[dict[str, str]] = list(msgs)
        status: str | None = None
        fatal: str | None = None
        turn_tokens = 0
        prev_last = -1
        n_chunks = 0
        try:
            for turn in range(MAX_TURNS):
                if turn:
                    rec.new_turn()
                    if live is not None and rec.answer and not rec.answer.endswith("\n"):
                        live.feed("\n")
                cut = False
                chunks_before = len(rec.chunks)
                async with contextlib.aclosing(client.stream(conv, cancel=cancel)) as events:
                    async for ev in events:
                        rec.feed(ev)
                        if isinstance(ev, Content):
                            stats.chunks += 1
                            stats.live_chunks += 1
                            n_chunks += 1
                            if live is not None and not cut and live.feed(ev.text):
                                cut = True
                                cancel.set()
                        elif isinstance(ev, Retry):
                            stats.retries += 1
                            if ev.status_code == 429:
                                stats.rate_limited += 1
                            stats.last_error = ev.error
                            if live is not None:
                                # the try is redone from scratch: so is the live reading
                                live = _LiveCut(live.truth, inst.alphabet, live.k)
                            self._progress()
                        elif isinstance(ev, Failed):
                            if ev.status_code in FATAL_CODES:
                                fatal = ev.message
                        elif isinstance(ev, Finish):
                            status = ev.status
                            if ev.error:
                                stats.last_error = ev.error
                if fatal is not None:
                    break
                if cut:
                    status = "cut"
                    rec.meta["cut"] = {
                        "first_divergence": live.divergence if live else None,
                        "at_step": live.at_step if live else None,
                        "k": spec.stop_after_divergence,
                    }
                    break
                if status != "complete" or not spec.continue_until_halt:
                    break
                # budget forcing: does the model need a continuation?
                u = rec.turn_usage  # this turn's server usage, if any
                if u is not None and u.completion_tokens is not None:
                    turn_tokens += u.completion_tokens
                else:
                    new_chars = sum(int(c[1] + c[2]) for c in rec.chunks[chunks_before:])
                    turn_tokens += max(1, int(new_chars / 2.8))
                reason, last = self._continuation(
                    inst, rec.answer, rec.finish_reason, prev_last, turn_tokens
                )
                if reason is not None:
                    rec.meta["continuation"] = {"turns": turn + 1, "stopped": reason}
                    break
                prev_last = last
                conv = [
                    *msgs,
                    {"role": "assistant", "content": rec.answer},
                    {
                        "role": "user",
                        "content": CONTINUE_PROMPT.format(next=last + 1, max_step=inst.max_step),
                    },
                ]
        finally:
            self._cancels.discard(cancel)
            stats.live_chunks -= n_chunks
        if fatal is not None:
            if stats.fatal is None:
                stats.fatal = fatal
                self.request_stop()
            return
        if status is None:
            status = "interrupted"
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
        if status in ("complete", "cut"):
            sc = score_sample(
                inst,
                record.answer,
                status=status,
                finish_reason=record.finish_reason,
                diagnose_it=False,
            )
            stats.scored += 1
            stats.passed += sc.passed
        self._progress()

    def _continuation(
        self,
        inst: Instance,
        answer: str,
        finish_reason: str | None,
        prev_last: int,
        tokens: int,
    ) -> tuple[str | None, int]:
        """(why to stop, or None to continue; the last complete step written).

        When the turn was cut by the token limit its last step may be incomplete: it is left
        out and asked for again (a step written twice counts in its later reading)."""
        res = parse_strict(answer, inst.alphabet)
        run = inst.run
        truth = run.states()
        steps = dict(res.steps)
        if steps and (finish_reason == "length" or res.truncated):
            del steps[max(steps)]
        written = [k for k, s in steps.items() if s.queue is not None]
        last = max(written, default=-1)
        al = align(truth, steps, final=False)
        if al.first_divergence is not None:
            return "diverged", last
        if last >= len(truth) - 1:
            return ("halted" if run.halted else "reached the step cap"), last
        budget = self.spec.token_budget
        if budget is not None and tokens >= budget:
            return "token budget spent", last
        if last <= prev_last:
            return "no progress", last
        return None, last

    async def _write(self, record: Record) -> None:
        assert self._writer is not None
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._pool, self._writer.write, record)
        except OSError as exc:
            raise RunError(f"cannot write {self.spec.output}: {exc.strerror or exc}") from None
