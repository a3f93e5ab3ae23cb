"""The ``tmtui`` command line. Thin: every command imports what it needs when it runs, so
``tmtui --help`` and ``tmtui score`` never load textual or openai.

Exit codes (an API): 0 success; 1 done, but some records were bad (the good ones were
used); 2 nothing could be done (unreadable file, bad arguments).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from tmtui import __version__

app = typer.Typer(
    name="tmtui",
    help=(
        "Trace debugger, scorer and human-baseline tool for [bold]TMBench[/bold]: "
        "language models simulating m-tag systems step by step."
    ),
    rich_markup_mode="rich",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_PARTIAL = 1
EXIT_FAIL = 2


def fail(message: str, code: int = EXIT_FAIL) -> typer.Exit:
    """Print one clear error line (control characters made visible) and exit."""
    from tmtui.core.text import one_line

    sys.stderr.write(f"tmtui: error: {one_line(message, 500)}\n")
    sys.stderr.flush()
    return typer.Exit(code)


def warn(message: str) -> None:
    from tmtui.core.text import one_line

    sys.stderr.write(f"tmtui: {one_line(message, 500)}\n")


def _version(value: bool) -> None:
    if value:
        print(f"tmtui {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """tmtui: see what a model does on TMBench, score it exactly, and measure people too."""


# -- datasets ---------------------------------------------------------------------------


@app.command(rich_help_panel="Datasets")
def generate(
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset",
            help="tmbench | tmbench-greek | tmbench-number | tmbench-special: the official files, byte for byte.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (default: stdout).")
    ] = None,
    n: Annotated[int, typer.Option("--n", help="Number of samples.")] = 100,
    seed: Annotated[int, typer.Option("--seed", help="random.seed for the draw.")] = 1,
    m: Annotated[int, typer.Option("--m", help="Deletion number m.")] = 2,
    alphabet: Annotated[
        str,
        typer.Option(
            "--alphabet",
            help="letters | numbers | greek | special, or explicit symbols (e.g. 'ABC' or 'a,b,c').",
        ),
    ] = "letters",
    rule_len: Annotated[
        str, typer.Option("--rule-len", help="Production length range MIN-MAX.")
    ] = "1-5",
    init_len: Annotated[
        str, typer.Option("--init-len", help="Initial queue length range MIN-MAX.")
    ] = "2-9",
    max_steps: Annotated[
        int, typer.Option("--max-steps", help="Last step of each trace (TMBench: 30).")
    ] = 30,
    min_steps: Annotated[
        int,
        typer.Option(
            "--min-steps", help="Filter: reject samples that halt before this step (0 = off)."
        ),
    ] = 0,
) -> None:
    """Generate a TMBench dataset: an official preset, or a custom one for ablations."""
    from tmtui.core.datasets import (
        DatasetError,
        GenerationSpec,
        dump_official,
        generate_preset,
        parse_range,
        resolve_alphabet,
    )
    from tmtui.core.datasets import (
        generate as gen,
    )

    try:
        if preset is not None:
            ds = generate_preset(preset)
        else:
            spec = GenerationSpec(
                n=n,
                seed=seed,
                m=m,
                alphabet=resolve_alphabet(alphabet),
                rule_len=parse_range(rule_len),
                init_len=parse_range(init_len),
                max_states=max_steps + 1,
                min_states=min_steps + 1 if min_steps else 0,
            )
            ds = gen(spec, name="custom")
    except DatasetError as exc:
        raise fail(str(exc)) from None
    data = dump_official(ds)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    warn(f"wrote {len(ds)} samples to {output}")


def _load(dataset: str):
    from tmtui.core.datasets import DatasetError
    from tmtui.io.sources import SourceError, load_dataset

    try:
        return load_dataset(dataset)
    except (DatasetError, SourceError) as exc:
        raise fail(str(exc)) from None


def _pick(ds, index: int | None, sid: str | None):
    if sid is not None:
        inst = ds.by_id(sid)
        if inst is None:
            raise fail(f"no sample with id {sid!r}")
        return inst
    i = 0 if index is None else index
    if not 0 <= i < len(ds):
        raise fail(f"index {i} is outside 0..{len(ds) - 1}")
    return ds[i]


@app.command(rich_help_panel="Datasets")
def prompt(
    dataset: Annotated[str, typer.Argument(help="A dataset file or preset name (tmbench, ...).")],
    index: Annotated[int | None, typer.Option("--index", "-i", help="Sample index.")] = None,
    sid: Annotated[str | None, typer.Option("--id", help="Sample id (or a unique prefix).")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the chat messages (system + user) as JSON.")
    ] = False,
    template: Annotated[str, typer.Option("--template", help="Prompt template.")] = "tmbench",
    max_steps: Annotated[
        int | None, typer.Option("--max-steps", help="Step cap written in the prompt.")
    ] = None,
) -> None:
    """Print the exact official prompt for one sample."""
    import json

    from tmtui.core.prompts import TEMPLATES, messages, render

    if template not in TEMPLATES:
        raise fail(f"unknown template {template!r}; choose from {', '.join(TEMPLATES)}")
    inst = _pick(_load(dataset), index, sid)
    if as_json:
        sys.stdout.write(
            json.dumps(messages(inst, template, max_step=max_steps), ensure_ascii=False, indent=1)
            + "\n"
        )
    else:
        sys.stdout.write(render(inst, template, max_step=max_steps))
    sys.stdout.flush()


@app.command(rich_help_panel="Datasets")
def validate(
    dataset: Annotated[str, typer.Argument(help="A dataset or results file.")],
) -> None:
    """Re-simulate every sample and report any whose step_results disagree."""
    ds = _load(dataset)
    problems = ds.validate()
    for idx, msg in ds.extra.get("errors", []):
        warn(f"sample {idx}: {msg}")
    for idx, msg in problems:
        warn(f"sample {idx}: {msg}")
    bad = len(problems) + len(ds.extra.get("errors", []))
    print(f"{len(ds)} samples checked, {len(problems)} disagree with the rules")
    if bad:
        raise typer.Exit(EXIT_PARTIAL)


# -- scoring ----------------------------------------------------------------------------


@app.command(rich_help_panel="Headless")
def score(
    files: Annotated[
        list[Path],
        typer.Argument(help="Official results files (.json) and tmtui record files (.jsonl)."),
    ],
    compat: Annotated[
        str | None,
        typer.Option(
            "--compat",
            help="Parse as the official evaluator does: [bold]tmbench[/bold] (default: strict).",
        ),
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
    mode = "tmbench" if compat else "strict"
    if bootstrap < 0:
        raise fail("--bootstrap must be >= 0")
    resolver = None
    if dataset is not None:
        from tmtui.io.sources import dataset_resolver

        resolver = dataset_resolver(_load(dataset))
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
    from tmtui.render import print_score_json, print_score_table

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


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("tmtui: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        # the reader went away (e.g. `| head`); stay quiet
        with contextlib.suppress(Exception):
            sys.stdout.close()
        sys.exit(0)


if __name__ == "__main__":
    main()
