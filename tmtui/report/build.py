"""``build_report``: files → digests (scored once, then cached) → rows, curves, comparisons.

Every file is scored on the one scoring path (:func:`tmtui.scoring.score_source`) into a
:class:`~tmtui.report.digest.FileDigest`, or its digest is read from the cache. The digests
are then read one at a time, in the order the files were given, and every sample is added
to its row's accumulator (:class:`tmtui.scoring.ScoreGroups`) exactly as ``tmtui score``
adds it, so a row's figures — intervals included — are the ones ``tmtui score`` gives for the
same samples. Memory stays flat: one digest at a time, accumulators per verdict pattern, and
12 bytes per attempt for the paired comparisons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from tmtui.core.parsed import ParserMode
from tmtui.io.sources import ItemError, Resolver, SourceError, kind_of
from tmtui.report import assemble
from tmtui.report.accumulate import ALL_PAIRS_ROWS, Builder, BuildProgress
from tmtui.report.assemble import ReportError
from tmtui.report.cache import DigestCache
from tmtui.report.digest import FileDigest
from tmtui.report.groups import DIMENSIONS
from tmtui.report.tables import FileInfo, Report

__all__ = ["ALL_PAIRS_ROWS", "BuildProgress", "ReportError", "build_report", "expand_paths"]

KEEP_SAMPLES = 50_000  # digests kept in memory (for Report.samples) up to this many samples


def expand_paths(paths: Sequence[str | Path]) -> tuple[list[Path], list[str], list[str]]:
    """Files to read: each file given, and the files in each directory given (not hidden,
    not in subdirectories) that some registered kind of source claims. Returns the files,
    notes (files of a directory passed over) and fatal messages (paths that do not exist)."""
    files: list[Path] = []
    notes: list[str] = []
    fatal: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            passed = 0
            try:
                entries = sorted(p.iterdir())
            except OSError as exc:
                fatal.append(f"{p}: cannot list ({exc.strerror or exc})")
                continue
            for e in entries:
                if e.name.startswith(".") or not e.is_file():
                    continue
                try:
                    kind_of(e)
                except SourceError:
                    passed += 1
                    continue
                files.append(e)
            if passed:
                notes.append(f"{p}: {passed} file(s) that are not answer files passed over")
        elif not p.exists():
            fatal.append(f"{p}: no such file")
        else:
            files.append(p)
    return files, notes, fatal


def build_report(
    paths: Sequence[str | Path],
    *,
    parser: ParserMode | str = ParserMode.STRICT,
    by: Sequence[str] = ("model",),
    compare: bool = True,
    vs: str | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
    resolver: Resolver | None = None,
    dataset_id: str = "",
    cache: DigestCache | None = None,
    on_error: Callable[[ItemError], None] | None = None,
    on_progress: Callable[[BuildProgress], None] | None = None,
) -> Report:
    """A report over files (a directory: the files in it). ``by``: the dimensions of a row
    (:data:`tmtui.report.groups.DIMENSIONS`); ``compare``: read every sample with the other
    parser too; ``vs``: compare every row with this one (else every pair, up to
    :data:`ALL_PAIRS_ROWS` rows); ``cache``: where digests are kept (None: no cache)."""
    mode = ParserMode.of(parser)
    by = list(dict.fromkeys(by)) or ["model"]
    unknown = [b for b in by if b not in DIMENSIONS]
    if unknown:
        raise ReportError(f"unknown --by {unknown[0]!r}; choose from {', '.join(DIMENSIONS)}")
    if bootstrap < 0:
        raise ReportError("--bootstrap must be >= 0")
    files, notes, fatal = expand_paths(paths)
    b = Builder(mode, by, compare, resolver, dataset_id, cache, on_error, on_progress)
    b.vs = vs is not None
    prog = b.progress
    prog.files_total = len(files)
    sizes = []
    for p in files:
        try:
            sizes.append(p.stat().st_size)
        except OSError:
            sizes.append(0)
    prog.bytes_total = sum(sizes)
    infos: list[FileInfo] = []
    errors: list[dict] = []
    read: list[tuple[int, Path, FileDigest]] = []  # file index in infos, path, digest
    for path, size in zip(files, sizes, strict=True):
        prog.current = str(path)
        base = prog.samples
        if on_progress is not None:
            on_progress(prog)
        try:
            d, cached = b.digest(path)
        except SourceError as exc:
            fatal.append(str(exc))
            prog.files_done += 1
            prog.bytes_done += size
            continue
        fi = len(infos)
        for where, message in d.errors:
            err = ItemError(str(path), where, message)
            errors.append({"source": err.source, "where": where, "message": message})
            if on_error is not None:
                on_error(err)
        n = b.add(fi, path, d)
        infos.append(FileInfo(str(path), d.kind, n, len(d.errors), d.skipped, cached))
        read.append((fi, path, d.light()))  # the samples are in the accumulators now
        b.kept += n
        b.digests.append(d if b.kept <= KEEP_SAMPLES else None)
        prog.samples = base + n
        prog.files_done += 1
        prog.bytes_done += size
        prog.cached += cached
        if on_progress is not None:
            on_progress(prog)
    if cache is not None:
        cache.prune()
    rows = assemble.rows(b, read, bootstrap, seed)
    report = Report(
        mode=mode,
        compared=compare,
        by=by,
        rows=rows,
        files=infos,
        errors=errors,
        fatal=fatal,
        notes=notes,
        vs=vs,
        bootstrap=bootstrap,
        seed=seed,
    )
    report.comparisons = assemble.comparisons(b, rows, vs, bootstrap, seed, report.notes)
    report._samples = assemble.sample_reader(b, read)
    return report
