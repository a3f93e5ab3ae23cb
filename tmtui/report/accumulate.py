"""The state a report is built in: the files' digests read one at a time into row
accumulators (:class:`Builder`), and where the build is (:class:`BuildProgress`).

:func:`tmtui.report.build.build_report` drives it; :mod:`tmtui.report.assemble` reads what it
accumulated into rows, curves and comparisons.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tmtui.core.parsed import ParserMode
from tmtui.io.sources import ItemError, Resolver, kind_of
from tmtui.report.cache import CACHEABLE_KINDS, DigestCache
from tmtui.report.digest import NONE, FileDigest, digest_source
from tmtui.report.groups import HUMANS_POOLED, dimension_value, file_system
from tmtui.report.paired import PairStore
from tmtui.scoring import ScoreGroups

__all__ = ["ALL_PAIRS_ROWS", "BuildProgress", "Builder", "RowState"]

ALL_PAIRS_ROWS = 8  # without --vs, every pair of rows is compared up to this many rows


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


@dataclass
class RowState:
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


class Builder:
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
        self.rows: dict[tuple[str, ...], RowState] = {}
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
    def _row(self, key: tuple[str, ...], pooled: bool = False) -> RowState:
        rs = self.rows.get(key)
        if rs is None:
            rs = self.rows[key] = RowState(key, len(self.rows), pooled)
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
        targets: dict[tuple[int, int], list[RowState]] = {}
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

    def _targets(self, d: FileDigest, pi: int, ii: int, name: str, fi: int) -> list[RowState]:
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
