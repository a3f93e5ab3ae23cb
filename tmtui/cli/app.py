"""The Typer application and what every command shares (one-line errors, exit codes).

Exit codes (an API): 0 success; 1 done, but some records were bad (the good ones were
used); 2 nothing could be done (unreadable file, bad arguments).

Commands are loaded when used (:mod:`tmtui.cli.lazy`): :data:`COMMANDS` names each one's
module, help panel and one-line help, in the order ``tmtui --help`` lists them.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from tmtui import __version__
from tmtui.cli.lazy import CommandEntry, LazyGroup, bind

# every command: the module whose @app.command defines it, its help panel, and the first
# paragraph of its docstring (what `tmtui --help` lists; a test checks they agree)
COMMANDS: dict[str, CommandEntry] = {
    "generate": CommandEntry(
        "tmtui.cli.data",
        "Datasets",
        "Generate a TMBench dataset: an official preset, or a custom one for ablations.",
    ),
    "prompt": CommandEntry(
        "tmtui.cli.data", "Datasets", "Print the exact official prompt for one sample."
    ),
    "validate": CommandEntry(
        "tmtui.cli.data",
        "Datasets",
        "Re-simulate every sample and report any whose step_results disagree.",
    ),
    "run": CommandEntry(
        "tmtui.cli.model",
        "Headless",
        "Run a model on a dataset: one record per sample, resumable, crash-safe.",
    ),
    "serve": CommandEntry(
        "tmtui.cli.model",
        "Models",
        "Serve an OpenAI-compatible endpoint: the synthetic model and/or recorded answers.",
    ),
    "score": CommandEntry(
        "tmtui.cli.scorecmd",
        "Headless",
        "Score saved transcripts with the official numbers (ACC per step, SWA, pass rate).",
    ),
    "report": CommandEntry(
        "tmtui.cli.report",
        "Headless",
        "Compare models and humans: one row per system, with intervals, paired tests and curves.",
    ),
    "watch": CommandEntry(
        "tmtui.cli.tui",
        "Trace debugger",
        "Watch a model simulate one instance, live, beside the true simulation.",
    ),
    "view": CommandEntry(
        "tmtui.cli.tui",
        "Trace debugger",
        "Step through saved answers: a sortable, filterable sample list; Enter debugs one.",
    ),
}

app = typer.Typer(
    cls=LazyGroup,
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

bind(app, COMMANDS)

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


def load_dataset_or_fail(dataset: str):
    from tmtui.core.datasets import DatasetError
    from tmtui.io.sources import SourceError, load_dataset

    try:
        return load_dataset(dataset)
    except (DatasetError, SourceError) as exc:
        raise fail(str(exc)) from None


def load_settings_or_fail(config: Path | None, **overrides: Any) -> Any:
    """:class:`tmtui.config.Settings` from the flags (``overrides``), the environment and
    the config file."""
    from tmtui.config import ConfigError, load_settings

    try:
        return load_settings(config, **overrides)
    except ConfigError as exc:
        raise fail(str(exc)) from None


def pick_instance(ds, index: int | None, sid: str | None):
    if sid is not None:
        inst = ds.by_id(sid)
        if inst is None:
            raise fail(f"no sample with id {sid!r}")
        return inst
    i = 0 if index is None else index
    if not 0 <= i < len(ds):
        raise fail(f"index {i} is outside 0..{len(ds) - 1}")
    return ds[i]


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
