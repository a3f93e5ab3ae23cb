"""Dataset commands: generate, prompt, validate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tmtui.cli.app import (
    EXIT_PARTIAL,
    ID_HELP,
    app,
    fail,
    load_dataset_or_fail,
    pick_instance,
    warn,
)

# the step cap a command accepts (as `run` does): a trace of steps 0..MAX_STEPS
MAX_STEPS = 1_000_000


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
    from tmtui.cli.progress import CountProgress
    from tmtui.core.datasets import (
        DatasetError,
        GenerationSpec,
        generate_preset,
        parse_range,
        resolve_alphabet,
    )
    from tmtui.core.datasets import (
        generate as gen,
    )
    from tmtui.io.official import iter_official

    if n < 0:
        raise fail("--n must be >= 0")
    for flag, value in (("--max-steps", max_steps), ("--min-steps", min_steps)):
        if not 0 <= value <= MAX_STEPS:
            raise fail(f"{flag} must be within 0..{MAX_STEPS}")
    # long runs take a while to draw (every candidate is simulated) and to write (every
    # state is written): a bar on a terminal, for custom sets of long traces
    long_job = preset is None and n * (max_steps + 1) >= 20_000
    bar = CountProgress("drawing", n, enabled=long_job and sys.stderr.isatty())
    try:
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
                ds = gen(spec, name="custom", progress=bar.update)
        except DatasetError as exc:
            raise fail(str(exc)) from None

        def written(done: int, total: int) -> None:
            bar.update(done, total, "writing")

        # streamed: a long trace's states are read from its tape as they are written
        if output is None:
            for piece in iter_official(ds, written):
                sys.stdout.buffer.write(piece)
            sys.stdout.flush()
            return
        from tmtui.io.jsonl import open_output

        try:
            with open_output(output) as f:
                for piece in iter_official(ds, written):
                    f.write(piece)
        except OSError as exc:
            raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    finally:
        bar.close()
    warn(f"wrote {len(ds)} samples to {output}")


@app.command(rich_help_panel="Datasets")
def prompt(
    dataset: Annotated[str, typer.Argument(help="A dataset file or preset name (tmbench, ...).")],
    index: Annotated[int | None, typer.Option("--index", "-i", help="Sample index.")] = None,
    sid: Annotated[str | None, typer.Option("--id", help=ID_HELP)] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the chat messages (system + user) as JSON, exact (control characters "
            "escaped; as text they are shown as visible stand-ins).",
        ),
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
    if max_steps is not None and not 0 <= max_steps <= MAX_STEPS:
        raise fail(f"--max-steps must be within 0..{MAX_STEPS}")
    if index is not None and sid is not None:
        raise fail("--index and --id exclude each other")
    ds = load_dataset_or_fail(dataset)
    if index is None and sid is None:
        raise fail(f"which sample? give --index N (0..{len(ds) - 1}) or --id ID")
    inst = pick_instance(ds, index, sid)
    from tmtui.core.text import json_safe, visible

    if as_json:
        # exact: every character the prompt holds, control ones as JSON escapes
        text = json_safe(
            json.dumps(messages(inst, template, max_step=max_steps), indent=1, ensure_ascii=False)
        )
    else:
        # as text on a terminal: a dataset's control characters shown, never obeyed
        text = visible(render(inst, template, max_step=max_steps))
    sys.stdout.write(text if as_json is False else text + "\n")
    sys.stdout.flush()


@app.command(rich_help_panel="Datasets")
def validate(
    dataset: Annotated[str, typer.Argument(help="A dataset or results file.")],
) -> None:
    """Re-simulate every sample and report any whose step_results disagree."""
    ds = load_dataset_or_fail(dataset, readable=False)  # every bad sample listed
    problems = ds.validate()
    for idx, msg in ds.extra.get("errors", []):
        warn(f"sample {idx}: {msg}")
    for idx, msg in problems:
        warn(f"sample {idx}: {msg}")
    bad = len(problems) + len(ds.extra.get("errors", []))
    print(f"{len(ds)} samples checked, {len(problems)} disagree with the rules")
    if bad:
        raise typer.Exit(EXIT_PARTIAL)
