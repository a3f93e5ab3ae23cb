"""``tmtui report``: models and humans side by side (the table, paired comparisons, curves).

The report itself is headless (:mod:`tmtui.report`); this module parses the command line,
shows progress on stderr, and renders the table with rich. Every string from a file goes to
rich as ``Text`` (never markup) after :func:`tmtui.core.text.one_line`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from tmtui.cli.app import (
    EXIT_FAIL,
    EXIT_PARTIAL,
    app,
    fail,
    load_dataset_or_fail,
    load_keymap_or_fail,
    warn,
)
from tmtui.core.parsed import ParserMode

BY_HELP = (
    "Rows by: model (the default: each model, each participant, all humans pooled), "
    "dataset, variant, template, temperature, participant, assist, m, alphabet-size, "
    "production-length, init-length, trace-length. Repeat to combine."
)


@app.command(rich_help_panel="Headless")
def report(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Official results files, tmtui JSONL (model runs, human exports), or directories of them."
        ),
    ],
    by: Annotated[list[str] | None, typer.Option("--by", help=BY_HELP)] = None,
    parser: Annotated[
        ParserMode,
        typer.Option(
            "--parser",
            help="strict (tmtui's parser) or tmbench (the official evaluator's regex, bit for bit).",
        ),
    ] = ParserMode.STRICT,
    compare: Annotated[
        bool,
        typer.Option(
            "--compare/--no-compare",
            help="Also read every answer with the other parser and show its figures where they differ.",
        ),
    ] = True,
    vs: Annotated[
        str | None,
        typer.Option(
            "--vs", help="Compare every row with this one (its name, or a unique part of it)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    markdown: Annotated[
        Path | None,
        typer.Option(
            "--markdown", help="Write the table and the comparisons as Markdown to this file."
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html", help="Write one self-contained HTML page (table, comparisons, curves)."
        ),
    ] = None,
    tui: Annotated[
        bool,
        typer.Option(
            "--tui",
            help="Show the report on a terminal screen: the table, the curves, the comparisons; "
            "Enter opens a row's samples, worst first.",
        ),
    ] = False,
    theme: Annotated[
        str, typer.Option("--theme", help="With --tui: dark | light (or any Textual theme name).")
    ] = "dark",
    config: Annotated[
        Path | None,
        typer.Option("--config", help="With --tui: config file (for the \\[keymap] table)."),
    ] = None,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap resamples for the intervals (0 = off).")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="Dataset for records that carry no instance.")
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Score every file again and keep nothing (the cache: $TMTUI_CACHE_DIR, else $XDG_CACHE_HOME/tmtui/report, else ~/.cache/tmtui/report).",
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No progress bar; do not list bad records (only count them)."
        ),
    ] = False,
) -> None:
    """Compare models and humans: one row per system, with intervals, paired tests and curves."""
    from tmtui.report import DigestCache, ReportError, build_report

    keymap: dict[str, str] = {}
    if tui:
        from tmtui.cli.tui import _need_terminal

        keymap = load_keymap_or_fail(config)
        _need_terminal()

    resolver = None
    dataset_id = ""
    if dataset is not None:
        from tmtui.io.sources import dataset_resolver

        resolver = dataset_resolver(load_dataset_or_fail(dataset))
        dataset_id = _dataset_id(dataset)
    shown = 0

    def on_error(err: Any) -> None:
        nonlocal shown
        if not quiet and shown < 50:
            warn(str(err))
        shown += 1

    bar = ReportProgress(enabled=not quiet)
    try:
        rep = build_report(
            files,
            parser=parser,
            by=by or ["model"],
            compare=compare,
            vs=vs,
            bootstrap=bootstrap,
            seed=seed,
            resolver=resolver,
            dataset_id=dataset_id,
            cache=None if no_cache else DigestCache(),
            on_error=on_error,
            on_progress=bar.update,
        )
    except ReportError as exc:
        raise fail(str(exc)) from None
    finally:
        bar.close()
    for msg in rep.fatal:
        warn(f"error: {msg}")
    if shown > 50:
        warn(f"... {shown - 50} more bad records")
    for note in rep.notes:
        warn(note)
    scored = rep.n_samples
    if markdown is not None and scored:
        from tmtui.report.markdown import write_markdown

        _write(markdown, lambda: write_markdown(rep, markdown))
    if html is not None and scored:
        from tmtui.report.html import write_html

        _write(html, lambda: write_html(rep, html))
    if tui and scored:
        from tmtui.cli.tui import _run_app
        from tmtui.tui.app import TmtuiApp
        from tmtui.tui.plans import ReportPlan

        _run_app(TmtuiApp(ReportPlan(rep), theme=theme, keymap=keymap))
    elif as_json:
        from tmtui.cli.report_render import print_report_json

        print_report_json(rep)
    else:
        from tmtui.cli.report_render import print_report_table

        print_report_table(rep)
    if not scored:
        warn("error: no answers to score")
        raise typer.Exit(EXIT_FAIL)
    if rep.fatal or rep.errors:
        raise typer.Exit(EXIT_PARTIAL)


def _write(path: Path, write: Any) -> None:
    try:
        write()
    except OSError as exc:
        raise fail(f"{path}: cannot write ({exc.strerror or exc})") from None
    warn(f"wrote {path}")


def _dataset_id(spec: str) -> str:
    """What names the --dataset in the cache key: a preset, or the file's content."""
    import hashlib

    from tmtui.core.datasets import PRESETS

    if spec in PRESETS:
        return f"preset:{spec}"
    try:
        return "file:" + hashlib.sha256(Path(spec).read_bytes()).hexdigest()
    except OSError:
        return f"path:{spec}"


class ReportProgress:
    """A progress bar on stderr, shown once a report has taken more than ``delay`` seconds
    and only on a terminal (elsewhere: a line every 10 s). It never runs a thread (the bar
    is refreshed from the callbacks), so scoring may still fork its workers."""

    def __init__(
        self,
        enabled: bool = True,
        *,
        delay: float = 1.0,
        clock: Any = time.monotonic,
        console: Any = None,
    ) -> None:
        self.enabled = enabled
        self.delay = delay
        self.clock = clock
        self.started = clock()
        self._console = console
        self._bar: Any = None
        self._task: Any = None
        self._last = 0.0
        self._plain_last = self.started

    def _terminal(self) -> bool:
        if self._console is not None:
            return bool(self._console.is_terminal)
        return sys.stderr.isatty()

    def update(self, prog: Any) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < self.delay:
            return
        if not self._terminal():
            if now - self._plain_last >= 10:
                self._plain_last = now
                warn(
                    f"report: {prog.files_done}/{prog.files_total} files · {prog.samples:,} samples"
                )
            return
        if self._bar is None:
            self._start(prog)
        if now - self._last < 0.1 and prog.files_done < prog.files_total:
            return
        self._last = now
        info = f"{prog.files_done}/{prog.files_total} files · {prog.samples:,} samples"
        if prog.cached:
            info += f" · {prog.cached} cached"
        self._bar.update(self._task, completed=prog.bytes_done, info=info)
        self._bar.refresh()

    def _start(self, prog: Any) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        console = self._console or Console(stderr=True, highlight=False)
        self._bar = Progress(
            TextColumn("report"),
            BarColumn(),
            TextColumn("{task.fields[info]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            auto_refresh=False,
            transient=True,
        )
        self._task = self._bar.add_task("report", total=max(1, prog.bytes_total), info="")
        self._bar.start()

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
