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
    "export-gold": CommandEntry(
        "tmtui.cli.gold",
        "Datasets",
        "Write gold step-by-step traces for fine-tuning: one chat example (JSON line) per instance.",
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
    "human": CommandEntry(
        "tmtui.cli.human",
        "Human baselines",
        "Human baselines: timed, blind, crash-safe sessions, study plans, progress and export.",
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


def check_finite(**values: float | None) -> None:
    """One error line (exit 2) for a number that is NaN or infinite: ``--temperature nan``
    must never be sent, nor ``--timeout inf`` disable a limit. Names are option names
    (``retry_backoff`` is ``--retry-backoff``)."""
    import math

    for name, v in values.items():
        if v is not None and not math.isfinite(v):
            raise fail(f"--{name.replace('_', '-')} must be a finite number, not {v}")


def _not_utf8(args: list[str]) -> str | None:
    """The first argument that holds bytes that are not UTF-8 (Python keeps them as lone
    surrogates), made visible; None when every argument is UTF-8."""
    from tmtui.core.text import one_line

    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("latin-1")
            return one_line(ascii(shown)[1:-1], 120)
    return None


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


def load_dataset_or_fail(dataset: str, *, readable: bool = True):
    """The dataset (a preset or a file), or one clear line. ``readable``: a file none of whose
    samples can be read is an error too, said with the first sample's problem."""
    from tmtui.core.datasets import DatasetError
    from tmtui.io.sources import SourceError, load_dataset

    try:
        ds = load_dataset(dataset)
    except (DatasetError, SourceError) as exc:
        raise fail(str(exc)) from None
    errors = ds.extra.get("errors") or []
    if readable and not len(ds) and errors:
        index, message = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise fail(f"{dataset}: no readable sample: sample {index}: {message}{more}")
    return ds


def load_settings_or_fail(config: Path | None, **overrides: Any) -> Any:
    """:class:`tmtui.config.Settings` from the flags (``overrides``), the environment and
    the config file."""
    from tmtui.config import ConfigError, load_settings

    try:
        return load_settings(config, **overrides)
    except ConfigError as exc:
        raise fail(str(exc)) from None


def load_keymap_or_fail(config: Path | None) -> dict[str, str]:
    """The screens' ``[keymap]`` from the config file, or one clear line (a directory, a FIFO,
    a file named that is not there, bad TOML), checked before any screen starts."""
    from tmtui.config import ConfigError, load_keymap

    try:
        return load_keymap(config)
    except ConfigError as exc:
        raise fail(str(exc)) from None


ID_HELP = "Sample id (sha256), or any prefix of it that only one sample's id starts with."


def pick_instance(ds, index: int | None, sid: str | None):
    if sid is not None:
        found = ds.find_id(sid)
        if not found:
            raise fail(f"no sample whose id is or starts with {sid!r}")
        if len(found) > 1:
            raise fail(
                f"{len(found)} samples have ids starting with {sid!r} "
                f"(#{found[0].index}, #{found[1].index}, ...): give more of the id"
            )
        return found[0]
    i = 0 if index is None else index
    if not 0 <= i < len(ds):
        raise fail(f"index {i} is outside 0..{len(ds) - 1}")
    return ds[i]


def main() -> None:
    """Console entry point."""
    import os

    # bytes that are not UTF-8 in an argument: one line, before any work (the name of a
    # file that exists may be any bytes)
    bad = _not_utf8([a for a in sys.argv[1:] if not os.path.lexists(a)])
    if bad is not None:
        sys.stderr.write(
            f"tmtui: error: the argument '{bad}' is not valid UTF-8; tmtui reads names, "
            "models and text as UTF-8 (only the name of an existing file may be other bytes)\n"
        )
        sys.exit(EXIT_FAIL)
    try:
        app()
    except UnicodeError as exc:
        # text that cannot be encoded: bytes that are not UTF-8 in an argument (or the
        # environment) reach a file, a request or the terminal
        from tmtui.core.text import one_line

        bad = _not_utf8(sys.argv[1:])
        if bad:
            why = f"the argument '{bad}' is not valid UTF-8; tmtui needs UTF-8 text"
        elif isinstance(exc, UnicodeEncodeError | UnicodeDecodeError):
            why = f"some text is not valid UTF-8 ({exc.reason}); tmtui needs UTF-8 text"
        else:  # another codec's (IDNA: a host name): say what it said, on one line
            why = f"some text cannot be encoded: {exc}"
        sys.stderr.write(f"tmtui: error: {one_line(why, 300)}\n")
        sys.exit(EXIT_FAIL)
    except KeyboardInterrupt:
        sys.stderr.write("tmtui: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        # the reader went away (e.g. `| head`); stay quiet
        with contextlib.suppress(Exception):
            sys.stdout.close()
        sys.exit(0)
