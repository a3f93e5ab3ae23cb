"""``tmtui run``'s work: check the flags, resolve the endpoint, run the batch.

Only the standard library at module level (``tmtui run --help`` imports this module).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tmtui.cli.app import (
    EXIT_FAIL,
    EXIT_PARTIAL,
    check_finite,
    fail,
    load_dataset_or_fail,
    load_settings_or_fail,
    warn,
)
from tmtui.cli.progress import BatchProgress
from tmtui.core.parsed import ParserMode

EXIT_INTERRUPTED = 130


@dataclass
class RunFlags:
    """``tmtui run``'s arguments and options, as given (see the command for their help)."""

    dataset: str
    output: Path
    model: str | None
    base_url: str | None
    api_key_env: str | None
    concurrency: int | None
    samples: str | None
    repeat: int
    temperature: float | None
    top_p: float | None
    max_tokens: int | None
    max_tokens_param: str
    seed: int | None
    stop: list[str] | None
    reasoning_effort: str | None
    extra_body: str | None
    max_steps: int | None
    continue_until_halt: bool
    token_budget: int | None
    stop_after_divergence: int | None
    prompt_template: str | None
    timeout: float | None
    stall_seconds: float | None
    max_retries: int | None
    retry_backoff: float
    encoding: str | None
    config: Path | None
    progress: bool | None
    score_table: bool
    as_json: bool = False
    parser: ParserMode = ParserMode.STRICT  # the score's (table and --json)


@dataclass
class BatchResult:
    """How a run ended: its exit code and figures (None when it never started)."""

    code: int
    stats: Any = None  # tmtui.model.runner.RunStats


def prepare_run(f: RunFlags) -> tuple[Any, bool]:
    """The run's :class:`~tmtui.model.runner.RunSpec`, and whether the embedded synthetic
    model answers (it is started by :func:`run_batch`). Bad input: one line, exit 2."""
    check_finite(
        temperature=f.temperature,
        top_p=f.top_p,
        timeout=f.timeout,
        stall_seconds=f.stall_seconds,
        retry_backoff=f.retry_backoff,
    )
    settings = load_settings_or_fail(
        f.config,
        model=f.model,
        base_url=f.base_url,
        temperature=f.temperature,
        top_p=f.top_p,
        max_tokens=f.max_tokens,
        seed=f.seed,
        reasoning_effort=f.reasoning_effort,
        timeout=f.timeout,
        stall_seconds=f.stall_seconds,
        max_retries=f.max_retries,
        concurrency=f.concurrency,
        encoding=f.encoding,
        prompt=f.prompt_template,
    )
    _check_flags(f, settings.prompt)
    endpoint = _endpoint(f, settings)
    ds = load_dataset_or_fail(f.dataset)
    if not len(ds):
        raise fail(f"{f.dataset}: no samples")
    from tmtui.model.runner import RunError, RunSpec, parse_samples

    try:
        indices = parse_samples(f.samples, len(ds)) if f.samples is not None else None
    except RunError as exc:
        raise fail(str(exc)) from None
    if f.max_steps is not None:
        indices = _fitting(ds, indices, f.max_steps)
    from tmtui.core.datasets import PRESETS

    token_budget = f.token_budget
    if token_budget is None and f.continue_until_halt:
        token_budget = 8 * settings.max_tokens
    spec = RunSpec(
        dataset=ds,
        output=f.output,
        client=endpoint.config,
        dataset_name=f.dataset if f.dataset in PRESETS else Path(f.dataset).stem,
        samples=indices,
        repeat=f.repeat,
        concurrency=settings.concurrency,
        prompt=settings.prompt,
        max_steps=f.max_steps,
        continue_until_halt=f.continue_until_halt,
        token_budget=token_budget,
        stop_after_divergence=f.stop_after_divergence,
        encoding=settings.encoding,
    )
    return spec, endpoint.embedded is not None


def _check_flags(f: RunFlags, template: str) -> None:
    from tmtui.core.prompts import TEMPLATES

    if template not in TEMPLATES:
        raise fail(f"unknown prompt template {template!r}; choose from {', '.join(TEMPLATES)}")
    if f.repeat < 1:
        raise fail("--repeat must be >= 1")
    if f.max_steps is not None and not 0 <= f.max_steps <= 1_000_000:
        raise fail("--max-steps must be within 0..1000000")
    if f.stop_after_divergence is not None and f.stop_after_divergence < 0:
        raise fail("--stop-after-divergence must be >= 0")
    if f.max_tokens_param not in ("max_tokens", "max_completion_tokens"):
        raise fail("--max-tokens-param must be max_tokens or max_completion_tokens")
    if f.retry_backoff < 0:
        raise fail("--retry-backoff must be >= 0")
    if f.timeout is not None and f.timeout <= 0:
        raise fail("--timeout must be > 0")


def _endpoint(f: RunFlags, settings: Any) -> Any:
    """The endpoint (:func:`tmtui.model.endpoint.resolve_endpoint`) with run's own flags."""
    import json
    import os

    from tmtui.model.endpoint import EndpointError, resolve_endpoint

    body = dict(settings.extra_body)
    if f.extra_body is not None:
        try:
            extra = json.loads(f.extra_body, parse_constant=_no_constant)
        except _NotFinite as exc:
            raise fail(f"--extra-body must not hold NaN or infinity ({exc} is not JSON)") from None
        except json.JSONDecodeError as exc:
            raise fail(f"--extra-body is not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise fail("--extra-body is nested too deeply") from None
        if not isinstance(extra, dict):
            raise fail("--extra-body must be a JSON object")
        from tmtui.config import all_finite

        if not all_finite(extra):  # 1e999 is infinity
            raise fail("--extra-body must not hold NaN or infinity")
        body.update(extra)
    api_key = settings.api_key_value()
    if f.api_key_env is not None:
        api_key = os.environ.get(f.api_key_env)
        if not api_key:
            raise fail(f"--api-key-env {f.api_key_env}: the variable is not set")
    try:
        return resolve_endpoint(
            settings,
            api_key=api_key,
            max_tokens_field=f.max_tokens_param,
            stop=list(f.stop) if f.stop else None,
            extra_body=body or None,
            backoff_base=f.retry_backoff,
        )
    except EndpointError as exc:
        if exc.missing == "model":
            raise fail(
                "no model: pass --model (or set OPENAI_MODEL / model in the config file)"
            ) from None
        raise fail(
            "no endpoint: pass --base-url (or set OPENAI_BASE_URL / base_url in the config "
            "file); --model synthetic alone runs the embedded synthetic model"
        ) from None


class _NotFinite(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NotFinite(name)


def run_batch(spec: Any, *, embedded: bool, show_progress: bool) -> BatchResult:
    """Run ``spec`` (starting the embedded server first if asked); its exit code and
    figures. The first Ctrl-C stops the streams and saves what was received; a second one
    quits at once."""
    import asyncio

    from tmtui.model.runner import Runner

    display = BatchProgress(show_progress)
    runner = Runner(spec, on_progress=display.update, warn=warn)
    batch = _Batch(spec, runner, display)
    try:
        code = asyncio.run(batch.main(embedded))
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    return BatchResult(code, runner.stats if batch.started else None)


def sample_list(items: list[tuple[int, int, str]], limit: int = 20) -> str:
    """'0-3, 7' (repeat 0 only) or '0#0, 0#1, 5#1' (sample#repeat), the first ``limit``."""
    pairs = sorted({(i, r) for i, r, _ in items})
    if all(r == 0 for _, r in pairs):
        idx = [i for i, _ in pairs]
        parts: list[str] = []
        lo = prev = idx[0]
        for i in [*idx[1:], None]:
            if i is not None and i == prev + 1:
                prev = i
                continue
            parts.append(str(lo) if lo == prev else f"{lo}-{prev}")
            if i is not None:
                lo = prev = i
        shown = parts[:limit]
        more = len(parts) - len(shown)
    else:
        shown = [f"{i}#{r}" for i, r in pairs[:limit]]
        more = len(pairs) - len(shown)
    return ", ".join(shown) + (f", ... ({more} more)" if more > 0 else "")


class _Batch:
    def __init__(self, spec: Any, runner: Any, display: BatchProgress) -> None:
        self.spec = spec
        self.runner = runner
        self.display = display
        self.interrupted = False
        self.presses = 0
        self.started = False  # the run got past planning (its figures mean something)

    def on_signal(self) -> None:
        import os

        self.presses += 1
        self.interrupted = True
        if self.presses == 1:
            self.display.note("interrupted: saving what was received (Ctrl-C again to quit now)")
            self.runner.request_stop()
        else:
            self.display.close()
            sys.stderr.write("tmtui: interrupted\n")
            sys.stderr.flush()
            os._exit(EXIT_INTERRUPTED)

    async def main(self, embedded: bool) -> int:
        import asyncio
        import contextlib
        import signal

        from tmtui.model.runner import RunError

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.on_signal)
        runner, spec = self.runner, self.spec
        server = None
        try:
            try:
                runner.lock()  # the output is checked before the server starts
            except RunError as exc:
                raise fail(str(exc)) from None
            if embedded:
                from tmtui.model.serve import ServeOptions, start_server

                server = await start_server(ServeOptions(tokens_per_second=0))
                spec.client.base_url = server.base_url
            try:
                todo = runner.plan()
            except RunError as exc:
                raise fail(str(exc)) from None
            self.started = True
            self._resuming(runner.stats)
            if not todo:
                warn("nothing to do: every sample already has a complete record")
                return 0
            self.display.start(len(todo))
            try:
                stats = await runner.run(todo)
            except RunError as exc:
                raise fail(str(exc)) from None
        finally:
            self.display.close()
            runner.unlock()
            if server is not None:
                await server.close()
        return self._summary(stats)

    def _resuming(self, st: Any) -> None:
        if st.stale_lock:
            warn(
                f"{self.spec.output.name}.lock was stale: the run that left it ({st.stale_lock}) "
                "is no longer running (killed?); taken over"
            )
        if st.superseded:
            warn(
                f"resuming: {st.superseded} unfinished record(s) moved to "
                f"{self.spec.output.name}.superseded.jsonl"
            )
        if st.skipped:
            warn(f"resuming: {st.skipped} sample(s) already complete")

    def _summary(self, stats: Any) -> int:
        """The closing lines; the exit code. Records with status error or interrupted are
        requests that gave no answer: counted and listed apart, never as model failures."""
        spec = self.spec
        if stats.repaired_bytes:
            warn(
                f"repaired {spec.output.name}: cut a torn last line ({stats.repaired_bytes} bytes)"
            )
        if stats.fatal:
            warn(f"error: {stats.fatal}")
            return EXIT_FAIL
        warn(
            f"{stats.done} record(s) written to {spec.output} in {stats.elapsed:.1f} s"
            f" · complete {stats.complete} · cut {stats.cut} · errors {stats.errors}"
            f" · interrupted {stats.interrupted} · retries {stats.retries}"
        )
        if stats.unanswered:
            warn(
                f"not answered (the request failed; not counted as model answers, re-run to "
                f"retry): {len(stats.unanswered)} sample(s): {sample_list(stats.unanswered)}"
            )
        if self.interrupted:
            warn("interrupted: re-run the same command to resume")
            return EXIT_INTERRUPTED
        if stats.errors and not stats.answered:
            why = f" (last error: {stats.last_error})" if stats.last_error else ""
            warn(f"error: no sample was answered: all {stats.errors} request(s) failed{why}")
            return EXIT_FAIL
        if stats.errors or stats.interrupted:
            if stats.last_error:
                warn(f"last error: {stats.last_error}")
            return EXIT_PARTIAL
        return 0


def run_json(
    result: BatchResult, output: Path, parser: ParserMode = ParserMode.STRICT
) -> dict[str, Any]:
    """``tmtui run --json``: the run's counts and the score of its output file (what
    ``tmtui score --parser PARSER --json OUT`` prints), as one object."""
    st = result.stats
    obj: dict[str, Any] = {
        "output": str(output),
        "exit_code": result.code,
        "written": st.done,
        "complete": st.complete,
        "cut": st.cut,
        "error": st.errors,
        "interrupted": st.interrupted,
        "skipped": st.skipped,
        "superseded": st.superseded,
        "retries": st.retries,
        "rate_limited": st.rate_limited,
        "elapsed_s": round(st.elapsed, 3),
        "not_answered": [
            {"index": i, "repeat": r, "status": status} for i, r, status in st.unanswered
        ],
        "fatal": st.fatal,
        "score": _score_json(output, parser),
    }
    return obj


def _score_json(output: Path, parser: ParserMode) -> Any:
    """What ``tmtui score --parser PARSER --json OUT`` prints, as an object (None without a
    file)."""
    import json

    if not output.is_file():
        return None
    from tmtui.cli.render import score_json
    from tmtui.scoring import score_files

    report = score_files([output], mode=parser, bootstrap=1000)
    # the same object `tmtui score --json` prints (through JSON: exactly what it prints)
    return json.loads(json.dumps(score_json(report), ensure_ascii=True, allow_nan=False))


def _fitting(ds: Any, indices: list[int] | None, max_steps: int) -> list[int]:
    """The samples whose trace at this step cap can be simulated and scored (the others are
    said, one line each, and left out), checked before anything runs."""
    from tmtui.io.instances import size_problem

    fits = []
    for i in indices if indices is not None else range(len(ds)):
        problem = size_problem(ds[i].replace(max_states=max_steps + 1, step_results=None))
        if problem is None:
            fits.append(i)
        else:
            warn(f"sample {ds[i].index}: {problem.removeprefix('bad instance: ')}; left out")
    if not fits:
        raise fail(f"--max-steps {max_steps}: no sample's trace fits the limits")
    return fits
