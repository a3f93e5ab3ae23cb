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

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tmtui.core.parsed import ParserMode
from tmtui.io.sources import ItemError, Resolver, SourceError, kind_of
from tmtui.report import assemble
from tmtui.report.assemble import ALL_PAIRS_ROWS, ReportError
from tmtui.report.cache import CACHEABLE_KINDS, DigestCache
from tmtui.report.digest import NONE, FileDigest, digest_source
from tmtui.report.groups import DIMENSIONS, HUMANS_POOLED, dimension_value, file_system
from tmtui.report.paired import PairStore
from tmtui.report.tables import FileInfo, Report
from tmtui.scoring import ScoreGroups

__all__ = ["ALL_PAIRS_ROWS", "BuildProgress", "ReportError", "build_report", "expand_paths"]

KEEP_SAMPLES = 50_000  # digests kept in memory (for Report.samples) up to this many samples


@dataclass
class BuildProgress:
    """Where a report is: files and bytes done, samples scored."""

    files_done: int = 0
    files_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    samples: int = 0
    cached: int = 0  # files whose scores came from the cache
    current: str = ""


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


@dataclass
class _RowState:
    key: tuple[str, ...]
    first_seen: int
    pooled: bool = False
    files: set[int] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)
    members: set[str] = field(default_factory=set)  # the participants of a pooled row
    tokens: float = 0.0
    token_steps: int = 0
    token_samples: int = 0
    seconds: float = 0.0
    second_steps: int = 0
    timed_samples: int = 0
    differ: int = 0
    compared: int = 0
    not_attempted: list[dict] = field(default_factory=list)
    pairs: PairStore = field(default_factory=PairStore)


class _Builder:
    def __init__(
        self,
        mode: ParserMode,
        by: list[str],
        compare: bool,
        resolver: Resolver | None,
        dataset_id: str,
        cache: DigestCache | None,
        on_error: Callable[[ItemError], None] | None,
        on_progress: Callable[[BuildProgress], None] | None,
    ) -> None:
        self.mode = mode
        self.by = by
        self.compare = compare
        self.resolver = resolver
        self.cache = cache
        self.params = DigestCache.params(mode, compare, dataset_id)
        self.on_error = on_error
        self.on_progress = on_progress
        self.groups = ScoreGroups(mode)
        self.others = ScoreGroups(mode.other)
        self.rows: dict[tuple[str, ...], _RowState] = {}
        self.instances: list = []  # global instance table (InstanceInfo)
        self.instance_index: dict[tuple[str, str], int] = {}
        self.patterns: list[str] = []
        self.pattern_index: dict[str, int] = {}
        self.written: list[int] = []  # steps written, per global pattern
        self.file_rows: list[set[tuple[str, ...]]] = []
        self.digests: list[FileDigest | None] = []
        self.kept = 0
        self.progress = BuildProgress()
        self.model_dim = by.index("model") if "model" in by else None
        self.plain_rows = 0
        self.vs = False  # a row to compare every row with was named (--vs)

    # -- reading -----------------------------------------------------------------------
    def digest(self, path: Path) -> tuple[FileDigest, bool]:
        kind = kind_of(path)  # SourceError: not a file any kind reads
        content = None
        cacheable = self.cache is not None and kind.kind in CACHEABLE_KINDS
        if cacheable:
            assert self.cache is not None
            content = self.cache.content_hash(path)
            if content is not None:
                d = self.cache.load(content[0], self.params, self.mode, self.compare)
                if d is not None:
                    return d, True
        src = kind.open(path)
        base = self.progress.samples

        def on_sample(n: int) -> None:
            if self.on_progress is not None:
                self.progress.samples = base + n
                self.on_progress(self.progress)

        d = digest_source(
            src, self.mode, compare=self.compare, resolver=self.resolver, on_sample=on_sample
        )
        if cacheable and content is not None:
            assert self.cache is not None
            try:
                unchanged = _sig(path) == content[1]
            except OSError:
                unchanged = False
            if unchanged:
                self.cache.store(content[0], self.params, d)
        return d, False

    # -- adding ------------------------------------------------------------------------
    def _row(self, key: tuple[str, ...], pooled: bool = False) -> _RowState:
        rs = self.rows.get(key)
        if rs is None:
            rs = self.rows[key] = _RowState(key, len(self.rows), pooled)
            if not pooled:
                self.plain_rows += 1
            if not self.vs and self.plain_rows > ALL_PAIRS_ROWS:
                # too many rows to compare every pair, and no --vs: no comparison at all
                if self.plain_rows == ALL_PAIRS_ROWS + 1:
                    for r in self.rows.values():
                        r.pairs.drop()
                else:
                    rs.pairs.drop()
        return rs

    def _pattern(self, p: str) -> int:
        i = self.pattern_index.get(p)
        if i is None:
            i = self.pattern_index[p] = len(self.patterns)
            self.patterns.append(p)
            self.written.append(len(p) - p.count("m"))
        return i

    def add(self, fi: int, path: Path, d: FileDigest) -> int:
        """Add every sample of a digest to its rows; returns the samples added."""
        cols = d.columns()
        name = file_system(path)
        ginst = []
        for info in d.instances:
            g = self.instance_index.get(info.key)
            if g is None:
                g = self.instance_index[info.key] = len(self.instances)
                self.instances.append(info)
            ginst.append(g)
        gpat = [self._pattern(o.verdicts) for o in d.outcomes]
        targets: dict[tuple[int, int], list[_RowState]] = {}
        touched: set[tuple[str, ...]] = set()
        na = dict(d.not_attempted)
        source = str(path)
        outcomes = d.outcomes
        for j in range(len(cols)):
            pi, ii = cols.profile[j], cols.inst[j]
            rows = targets.get((pi, ii))
            if rows is None:
                rows = targets[(pi, ii)] = self._targets(d, pi, ii, name, fi)
                touched.update(r.key for r in rows if not r.pooled)
            o = outcomes[cols.outcome[j]]
            other = cols.other[j]
            for rs in rows:
                self.groups.accumulator(rs.key).add_outcome(
                    o.verdicts, o.diagnosis, o.fatal, o.status
                )
                if not o.attempted:
                    rs.not_attempted.append(
                        {
                            "source": source,
                            "where": d.where(j, cols.pos[j]),
                            "status": o.status,
                            "error": na.get(j, ""),
                        }
                    )
                    continue
                p = gpat[cols.outcome[j]]
                rs.pairs.add(ginst[ii], p)
                tok = cols.tokens[j]
                if not math.isnan(tok):
                    rs.tokens += tok
                    rs.token_steps += self.written[p]
                    rs.token_samples += 1
                sec = cols.seconds[j]
                if not math.isnan(sec):
                    rs.seconds += sec
                    rs.second_steps += self.written[p]
                    rs.timed_samples += 1
                if other != NONE:
                    ob = outcomes[other]
                    self.others.accumulator(rs.key).add_outcome(
                        ob.verdicts, ob.diagnosis, ob.fatal, ob.status
                    )
                    rs.compared += 1
                    rs.differ += cols.differ[j] == 1
        self.file_rows.append(touched)
        return len(cols)

    def _targets(self, d: FileDigest, pi: int, ii: int, name: str, fi: int) -> list[_RowState]:
        profile = d.profiles[pi]
        inst = d.instances[ii]
        key = tuple(dimension_value(dim, profile, inst, name) for dim in self.by)
        rs = self._row(key)
        out = [rs]
        if profile.kind == "human" and self.model_dim is not None:
            pkey = list(key)
            pkey[self.model_dim] = HUMANS_POOLED
            pooled = self._row(tuple(pkey), pooled=True)
            pooled.members.add(key[self.model_dim])
            out.append(pooled)
        model = profile.model if profile.model is not None else name
        for r in out:
            r.files.add(fi)
            r.kinds.add(profile.kind)
            r.models.add(model)
        return out


def _sig(path: Path) -> list[int]:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


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
    b = _Builder(mode, by, compare, resolver, dataset_id, cache, on_error, on_progress)
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
