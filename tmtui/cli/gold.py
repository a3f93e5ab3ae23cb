"""``tmtui export-gold``: gold step-by-step traces for fine-tuning (docs/tail.md)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from tmtui.cli.app import EXIT_PARTIAL, app, fail, warn

# the instances read before a file's reuse cache is dropped (memory stays flat)
_FORGET_EVERY = 1024


class _Inputs:
    """The datasets to export, read one sample at a time, in order or shuffled by a seed."""

    def __init__(self, specs: list[str]) -> None:
        from tmtui.core.datasets import PRESETS, DatasetError, generate_preset
        from tmtui.io.inputs import InputError
        from tmtui.io.official import BadSample, OfficialFile
        from tmtui.io.sources import OfficialSource, SourceError, kind_of

        self._getters: list[tuple[int, Callable[[int], Any], Callable[[], None]]] = []
        self.file_errors: list[str] = []  # files read sample by sample (not valid JSON whole)
        for spec in specs:
            if spec in PRESETS:
                ds = generate_preset(spec)
                self._getters.append((len(ds), ds.__getitem__, lambda: None))
                continue
            p = Path(spec)
            if not p.exists():
                raise fail(f"{spec}: no such file, and not a preset ({', '.join(PRESETS)})")
            try:
                kind = kind_of(p)
            except SourceError as exc:
                raise fail(str(exc)) from None
            if kind is not OfficialSource:
                raise fail(f"{spec}: {kind.description}, not a dataset")
            try:
                f = OfficialFile(p)
            except (DatasetError, InputError) as exc:
                raise fail(f"{spec}: {exc}") from None
            if f.file_errors and not len(f):
                raise fail(f"{spec}: {f.file_errors[0].partition('; reading samples')[0]}")
            self.file_errors += [f"{spec}: {e}" for e in f.file_errors]

            def get(i: int, f: OfficialFile = f, spec: str = spec) -> Any:
                s = f.sample(i)
                return f"{spec}: {s}" if isinstance(s, BadSample) else s.instance

            self._getters.append((len(f), get, f.forget))
        self.total = sum(n for n, _, _ in self._getters)

    def __iter__(self) -> Iterator[Any]:
        return self.items(None)

    def items(self, seed: int | None) -> Iterator[Any]:
        """Every sample (an Instance, or a str saying why it cannot be read)."""
        if seed is None:
            for n, get, forget in self._getters:
                for i in range(n):
                    yield get(i)
                    if i % _FORGET_EVERY == _FORGET_EVERY - 1:
                        forget()
                forget()
            return
        import random
        from bisect import bisect_right

        starts = []
        at = 0
        for n, _, _ in self._getters:
            starts.append(at)
            at += n
        order = list(range(self.total))
        random.Random(seed).shuffle(order)
        for j, g in enumerate(order):
            src = bisect_right(starts, g) - 1
            _, get, forget = self._getters[src]
            yield get(g - starts[src])
            if j % _FORGET_EVERY == _FORGET_EVERY - 1:
                for _, _, forget in self._getters:
                    forget()


def _is_dataset(spec: str) -> bool:
    """An official dataset or results file (else: another kind tmtui reads, or an error)."""
    from tmtui.io.sources import OfficialSource, SourceError, kind_of

    p = Path(spec)
    if not p.exists():
        raise fail(f"--exclude {spec}: no such file, and not a preset")
    try:
        return kind_of(p) is OfficialSource
    except SourceError as exc:
        raise fail(f"--exclude {exc}") from None


def _exclude_answered(ex: Any, spec: str) -> None:
    """Hold out the instances of a file of answers (tmtui records, human attempts)."""
    from tmtui.io.sources import ItemError, SourceError, iter_items

    try:
        for item in iter_items(spec):
            if isinstance(item, ItemError):
                raise fail(f"--exclude {item}: every held-out instance must be readable")
            inst = item.instance
            ex.add(inst.id, inst.init, inst.rules)
    except SourceError as exc:
        raise fail(f"--exclude {exc}") from None


def _exclusion(files: list[str]) -> Any:
    """Every instance of the held-out files. A file that cannot be read whole is an error:
    an instance held out only in part could leak into the training data."""
    from tmtui.core.datasets import PRESETS, generate_preset
    from tmtui.core.gold import Exclusion

    ex = Exclusion()
    for spec in files:
        if spec in PRESETS:
            for inst in generate_preset(spec):
                ex.add(inst.id, inst.init, inst.rules)
            continue
        if not _is_dataset(spec):
            _exclude_answered(ex, spec)
            continue
        inputs = _Inputs([spec])
        if inputs.file_errors:
            raise fail(f"--exclude {inputs.file_errors[0]}")
        for item in inputs:
            if isinstance(item, str):
                raise fail(f"--exclude {item}: every held-out instance must be readable")
            ex.add(item.id, item.init, item.rules)
    return ex


@app.command("export-gold", rich_help_panel="Datasets")
def export_gold(
    datasets: Annotated[
        list[str], typer.Argument(help="Dataset files or preset names (tmbench, ...).")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The JSONL file to write.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="tmbench (the official answer format) | tail (atomic steps, explicit fetches) "
            "| indexed (queues with positions).",
        ),
    ] = "tail",
    min_steps: Annotated[
        int | None, typer.Option("--min-steps", help="Keep traces of at least this many steps.")
    ] = None,
    max_steps: Annotated[
        int | None, typer.Option("--max-steps", help="Keep traces of at most this many steps.")
    ] = None,
    min_queue: Annotated[
        int | None,
        typer.Option("--min-queue", help="Keep traces whose longest queue has at least this."),
    ] = None,
    max_queue: Annotated[
        int | None,
        typer.Option("--max-queue", help="Keep traces whose longest queue has at most this."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            help="A benchmark file, preset, or file of answers (tmtui records) whose instances "
            "are left out: by id, and by rules and initial queue under any id. Repeatable.",
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="Write at most this many traces.")
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Take the instances in an order shuffled by this seed."),
    ] = None,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress", help="A progress bar (default: on a terminal)."),
    ] = None,
) -> None:
    """Write gold step-by-step traces for fine-tuning: one chat example (JSON line) per instance.

    Each line holds `messages` (the system message, the user prompt of the format's template,
    the correct answer), `instance_id`, `steps` (the trace's length) and `longest_queue`.
    The file is written whole or not at all; an existing output must be a gold file.
    """
    from tmtui.core.gold import FORMATS, GoldFilter
    from tmtui.io.gold import GoldWriter
    from tmtui.io.gold import export_gold as run_export
    from tmtui.io.jsonl import NotRecordFile

    if fmt not in FORMATS:
        raise fail(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    bins = GoldFilter(min_steps, max_steps, min_queue, max_queue)
    problem = bins.check()
    if problem is not None:
        raise fail(problem)
    if limit is not None and limit < 0:
        raise fail("--limit must be >= 0")
    inputs = _Inputs(datasets)
    exclusion = _exclusion(exclude or [])
    show = sys.stderr.isatty() if progress is None else progress
    try:
        writer = GoldWriter(output)
    except NotRecordFile as exc:
        raise fail(f"refusing to write {output}: {exc.strerror}") from None
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    from tmtui.cli.progress import CountProgress

    bar = CountProgress("export-gold", inputs.total, show)
    bad: list[str] = []

    def keep_bad(msg: str) -> None:
        if len(bad) < 20:
            bad.append(msg)

    def tick(c: Any) -> None:
        if c.read % 64 == 0 or c.read == inputs.total:
            bar.update(c.read, info=f"written {c.written:,} · excluded {exclusion.dropped:,}")

    try:
        with writer:
            counts = run_export(
                inputs.items(seed),
                writer,
                fmt,
                bins=bins,
                exclusion=exclusion,
                limit=limit,
                on_item=tick,
                on_bad=keep_bad,
            )
            writer.commit()
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    finally:
        bar.close()
    for msg in inputs.file_errors + bad[:20]:
        warn(msg)
    if counts.bad > 20:
        warn(f"... and {counts.bad - 20} more samples that could not be read")
    if exclude:
        warn(
            f"excluded {exclusion.dropped:,} instances held out in {', '.join(exclude)} "
            f"({exclusion.dropped_by_id:,} by id, {exclusion.dropped_by_problem:,} by rules and "
            "initial queue under another id)"
        )
    outside = f"; {counts.outside_bins:,} outside the length bins" if counts.outside_bins else ""
    traces = "gold trace" if counts.written == 1 else "gold traces"
    warn(f"wrote {counts.written:,} {traces} ({fmt}) to {output}{outside}")
    if counts.bad or inputs.file_errors:
        raise typer.Exit(EXIT_PARTIAL)
