"""``tmtui score``: score saved transcripts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tmtui.cli.app import (
    EXIT_FAIL,
    EXIT_PARTIAL,
    app,
    fail,
    load_dataset_or_fail,
    warn,
)
from tmtui.core.parsed import ParserMode


@app.command(rich_help_panel="Headless")
def score(
    files: Annotated[
        list[Path],
        typer.Argument(help="Official results files (.json) and tmtui record files (.jsonl)."),
    ],
    parser: Annotated[
        ParserMode,
        typer.Option(
            "--parser",
            help="strict (tmtui's parser) or tmbench (the official evaluator's regex, bit for bit).",
        ),
    ] = ParserMode.STRICT,
    compat: Annotated[
        str | None,
        typer.Option("--compat", hidden=True, help="Old spelling of --parser tmbench."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    per_sample: Annotated[
        bool, typer.Option("--per-sample", help="Include every sample's score.")
    ] = False,
    compare: Annotated[
        bool,
        typer.Option(
            "--compare",
            help="Score with both parsers, side by side, and list the samples they read differently.",
        ),
    ] = False,
    bootstrap: Annotated[
        int,
        typer.Option("--bootstrap", help="Bootstrap resamples for the SWA intervals (0 = off)."),
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    dataset: Annotated[
        str | None,
        typer.Option("--dataset", help="Dataset for records that carry no instance."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Do not list bad records (only count them).")
    ] = False,
) -> None:
    """Score saved transcripts with the official numbers (ACC per step, SWA, pass rate)."""
    from tmtui.scoring import score_files

    if compat not in (None, "tmbench"):
        raise fail(f"unknown --compat {compat!r}; the only compat mode is tmbench")
    mode = ParserMode.TMBENCH if compat else parser
    if bootstrap < 0:
        raise fail("--bootstrap must be >= 0")
    resolver = None
    if dataset is not None:
        from tmtui.io.sources import dataset_resolver

        resolver = dataset_resolver(load_dataset_or_fail(dataset))
    shown = 0

    def on_error(err) -> None:
        nonlocal shown
        if not quiet and shown < 50:
            warn(str(err))
        shown += 1

    report = score_files(
        files,
        mode=mode,
        per_sample=per_sample,
        compare=compare,
        bootstrap=bootstrap,
        seed=seed,
        resolver=resolver,
        on_error=on_error,
    )
    for msg in report.fatal:
        warn(f"error: {msg}")
    if shown > 50:
        warn(f"... {shown - 50} more bad records")
    from tmtui.cli.render import print_score_json, print_score_table

    if as_json:
        print_score_json(report, per_sample=per_sample)
    else:
        print_score_table(report, per_sample=per_sample)
    scored = sum(f.result.n_samples for f in report.files if f.result)
    if report.fatal and not scored:
        raise typer.Exit(EXIT_FAIL)
    if not scored:
        warn("error: no answers to score")
        raise typer.Exit(EXIT_FAIL)
    if report.fatal or report.n_errors:
        raise typer.Exit(EXIT_PARTIAL)
