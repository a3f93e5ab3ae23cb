"""The trace debugger commands: ``tmtui watch`` (live) and ``tmtui view`` (saved records).

The options are declared here; watch's preparation is :mod:`tmtui.cli.watching`. Only the
standard library and Typer at module level: Textual, the client and the server are imported
inside the commands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tmtui.cli.app import ID_HELP, app, fail, load_keymap_or_fail
from tmtui.cli.watching import WatchFlags, prepare_watch
from tmtui.core.parsed import ParserMode

_THEME_HELP = "dark | light (or any Textual theme name)."
_PARSER_HELP = "Start with strict (tmtui's parser) or tmbench (the official regex); m switches."


def _need_terminal() -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise fail(
            "this command is a terminal UI and needs a terminal (headless: tmtui run, tmtui score)"
        )


def _run_app(tui_app) -> None:
    tui_app.run()
    if getattr(tui_app, "error", None):
        raise fail(tui_app.error)


@app.command(rich_help_panel="Trace debugger")
def watch(
    dataset: Annotated[
        str,
        typer.Argument(help="A preset (tmbench, tmbench-greek, ...) or a dataset file."),
    ] = "tmbench",
    index: Annotated[
        int | None, typer.Option("--index", "-i", help="Sample index (default 0).")
    ] = None,
    sample_id: Annotated[str | None, typer.Option("--id", help=ID_HELP)] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Model id (default: the embedded synthetic model)."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL)."),
    ] = None,
    replay: Annotated[
        Path | None,
        typer.Option("--replay", help="Stream a recorded answer (tmtui JSONL or results file)."),
    ] = None,
    tokens_per_second: Annotated[
        float | None,
        typer.Option(
            "--tokens-per-second",
            help="Embedded model's rate (0 = at once; default 150, replays: recorded timing).",
        ),
    ] = None,
    prompt: Annotated[
        str | None,
        typer.Option(
            "--prompt",
            "--template",
            help="Prompt template: tmbench | zero-shot | tail | indexed.",
        ),
    ] = None,
    error_rate: Annotated[
        float | None,
        typer.Option("--error-rate", help="Synthetic model's mistakes per step (default 0.03)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Synthetic model's seed.")] = 0,
    reasoning: Annotated[
        str, typer.Option("--reasoning", help="Synthetic reasoning: field | think | none.")
    ] = "field",
    max_tokens: Annotated[
        int | None, typer.Option("--max-tokens", help="Completion token limit (default 16384).")
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where s appends the record (JSONL).")
    ] = Path("tmtui-watch.jsonl"),
    parser: Annotated[ParserMode, typer.Option("--parser", help=_PARSER_HELP)] = ParserMode.STRICT,
    compat: Annotated[
        bool, typer.Option("--compat", hidden=True, help="Old spelling of --parser tmbench.")
    ] = False,
    theme: Annotated[str, typer.Option("--theme", help=_THEME_HELP)] = "dark",
    config: Annotated[
        Path | None, typer.Option("--config", help="Config file (default: XDG config dir).")
    ] = None,
) -> None:
    """Watch a model simulate one instance, live, beside the true simulation.

    With no arguments: TMBench instance 0 answered by the embedded synthetic model (served on a loopback port, reached through the same client as any endpoint).
    """
    w = prepare_watch(WatchFlags(**locals()))
    keymap = load_keymap_or_fail(config)
    _need_terminal()
    from tmtui.model.feed import ClientFeed
    from tmtui.tui.app import TmtuiApp
    from tmtui.tui.plans import WatchPlan

    feed = ClientFeed(w.client, w.messages, serve=w.serve)
    mode = ParserMode.TMBENCH if compat else parser
    plan = WatchPlan(
        w.instance, feed, make_recorder=w.recorder, save_path=output, title=w.title, mode=mode
    )
    _run_app(TmtuiApp(plan, theme=theme, keymap=keymap))


@app.command(rich_help_panel="Trace debugger")
def view(
    file: Annotated[
        Path, typer.Argument(help="Records (tmtui JSONL) or an official results file.")
    ],
    sample: Annotated[
        int | None,
        typer.Option("--sample", "-n", help="Open sample N (its # in the list) at once."),
    ] = None,
    compare: Annotated[
        Path | None,
        typer.Option("--compare", help="A second file: its answers beside the first's."),
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where s appends a sample's record (JSONL).")
    ] = Path("tmtui-saved.jsonl"),
    parser: Annotated[ParserMode, typer.Option("--parser", help=_PARSER_HELP)] = ParserMode.STRICT,
    compat: Annotated[
        bool, typer.Option("--compat", hidden=True, help="Old spelling of --parser tmbench.")
    ] = False,
    theme: Annotated[str, typer.Option("--theme", help=_THEME_HELP)] = "dark",
    config: Annotated[
        Path | None, typer.Option("--config", help="Config file (for the \\[keymap] table).")
    ] = None,
) -> None:
    """Step through saved answers: a sortable, filterable sample list; Enter debugs one."""
    from tmtui.io.sources import SourceError, sniff

    for p in (file, compare):
        if p is None:
            continue
        try:
            sniff(p)
        except SourceError as exc:
            raise fail(str(exc)) from None
    if sample is not None and sample < 0:
        raise fail("--sample must be >= 0")
    keymap = load_keymap_or_fail(config)
    _need_terminal()
    from tmtui.tui.app import TmtuiApp
    from tmtui.tui.plans import ViewPlan

    plan = ViewPlan(
        file,
        sample=sample,
        compare=compare,
        save_path=output,
        mode=ParserMode.TMBENCH if compat else parser,
    )
    _run_app(TmtuiApp(plan, theme=theme, keymap=keymap))
