"""Sources scored as a stream of per-sample outcomes, and accumulators grouped by any key.

:func:`score_source` turns every item of a source into a :class:`Scored` (or passes an
:class:`~tmtui.io.sources.ItemError` through); :class:`ScoreGroups` adds them into one
:class:`~tmtui.core.score.ScoreAccumulator` per key the caller chooses (the file, the model,
the participant, the dataset, the template, ...). ``tmtui score`` groups by file and pools;
reports group by anything else, with the very same numbers.

Official results files in compat mode, when no per-sample detail is wanted (the common
headless case), take a fast path: the samples are split into contiguous ranges scored by
forked workers (:mod:`tmtui.scoring.workers`), whose compact outcomes come back in file order.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any

from tmtui.core.parsed import ParserMode
from tmtui.core.score import NOT_ATTEMPTED, SampleScore, ScoreAccumulator
from tmtui.io.sources import (
    ItemError,
    OfficialSource,
    Resolver,
    ScoreItem,
    Source,
    official_items,
)
from tmtui.scoring.sample import PromptHashes, score_item
from tmtui.scoring.workers import cpu_count, run_parts

__all__ = ["ScoreGroups", "Scored", "score_source"]

# samples per worker, at least (a fork costs a few milliseconds), and the most workers
PARALLEL_MIN_SAMPLES = 2000
MAX_WORKERS = 4


@dataclass(slots=True)
class Scored:
    """What is known of one scored sample: enough to accumulate and group it, and (except on
    the fast path) the item and its full score."""

    source: str
    where: str
    instance_id: str
    index: int
    model: str
    kind: str  # "model" or "human"
    status: str
    verdicts: str  # one letter per ground-truth step: c w m u
    diagnosis: str | None  # the kind of the first divergence (or of a finding)
    fatal: bool  # the diagnosis is a first divergence, not a finding on a passing sample
    truth_ok: bool | None = None  # stored truth agrees with the rules (checked once per id)
    item: ScoreItem | None = None
    score: SampleScore | None = None
    other: SampleScore | None = None  # the other parser's score (compare)
    info: Any = None  # what the caller's ``info(item)`` kept of the item (see score_source)

    @property
    def passed(self) -> bool:
        return bool(self.verdicts) and set(self.verdicts) == {"c"}

    @property
    def attempted(self) -> bool:
        """False for a record of an attempt that did not happen (a failed request, an
        interrupted stream): counted apart, never scored."""
        return self.status not in NOT_ATTEMPTED


def _scored(item: ScoreItem, sc: SampleScore, truth_ok: bool | None) -> Scored:
    d = sc.diagnosis
    return Scored(
        source=item.source,
        where=item.where,
        instance_id=item.instance.id,
        index=item.instance.index,
        model=item.model,
        kind=item.kind,
        status=item.status,
        verdicts=sc.verdicts,
        diagnosis=None if d is None else d.kind.value,
        fatal=True if d is None else d.fatal,
        truth_ok=truth_ok,
        item=item,
        score=sc,
    )


def score_source(
    src: Source,
    parser: ParserMode | str = ParserMode.STRICT,
    *,
    keep: bool = False,
    compare: bool = False,
    resolver: Resolver | None = None,
    hashes: PromptHashes | None = None,
    info: Callable[[ScoreItem], Any] | None = None,
) -> Iterator[Scored | ItemError]:
    """Every item of ``src`` scored with ``parser`` (and with the other parser too when
    ``compare``), in the source's order; bad items pass through as ItemError.

    ``info``: called on every item, its result kept as ``Scored.info`` — on the fast path
    too, where the item itself is not kept (it runs in the forked workers there, so it must
    return something small and picklable: reports keep the instance's features this way)."""
    mode = ParserMode.of(parser)
    if mode is ParserMode.TMBENCH and isinstance(src, OfficialSource) and not (keep or compare):
        yield from _official_fast(src, info)
        return
    checked: set[str] = set()
    for item in src.items(resolver):
        if isinstance(item, ItemError):
            yield item
            continue
        truth_ok = None
        if item.truth is not None and item.instance.id not in checked:
            checked.add(item.instance.id)
            truth_ok = item.instance.run.matches(item.truth)
        sc = score_item(item, mode, keep=keep or compare, hashes=hashes)
        out = _scored(item, sc, truth_ok)
        if info is not None:
            out.info = info(item)
        if compare:
            out.other = score_item(item, mode.other, keep=True, hashes=hashes)
        yield out


def _official_fast(
    src: OfficialSource, info: Callable[[ScoreItem], Any] | None = None
) -> Iterator[Scored | ItemError]:
    n = len(src.official)
    parts = max(1, min(cpu_count(), MAX_WORKERS, n // PARALLEL_MIN_SAMPLES))
    bounds = [n * k // parts for k in range(parts + 1)]
    ranges = [(src, bounds[k], bounds[k + 1], info) for k in range(parts)]
    src.skipped = []
    checked: set[str] = set()
    for events, skipped in run_parts(_official_part, ranges):
        src.skipped.extend(skipped)
        for ev in events:
            if isinstance(ev, ItemError):
                yield ev
                continue
            if ev.truth_ok is not None:
                if ev.instance_id in checked:
                    ev.truth_ok = None
                else:
                    checked.add(ev.instance_id)
            yield ev


def _official_part(
    part: tuple[OfficialSource, int, int, Callable[[ScoreItem], Any] | None],
) -> tuple[list, list[int]]:
    """Samples start..stop of an official file in compat mode: a compact Scored (no item, no
    full score) or an ItemError each, and the samples skipped for having no answer."""
    src, start, stop, info = part
    skipped: list[int] = []
    events: list = []
    checked: set[str] = set()
    shared: dict[str, str] = {}  # one string per verdict pattern: compact, pickled once
    for item in official_items(src.official, skipped, start, stop):
        if isinstance(item, ItemError):
            events.append(item)
            continue
        truth_ok = None
        inst = item.instance
        if item.truth is not None and inst.id not in checked:
            checked.add(inst.id)
            truth_ok = inst.run.matches(item.truth)
        sc = score_item(item, ParserMode.TMBENCH)
        d = sc.diagnosis
        events.append(
            Scored(
                source=item.source,
                where=item.where,
                instance_id=inst.id,
                index=inst.index,
                model=item.model,
                kind=item.kind,
                status=item.status,
                verdicts=shared.setdefault(sc.verdicts, sc.verdicts),
                diagnosis=None if d is None else d.kind.value,
                fatal=True if d is None else d.fatal,
                truth_ok=truth_ok,
                info=None if info is None else info(item),
            )
        )
    return events, skipped


class ScoreGroups:
    """One accumulator per group key; ``key(scored)`` decides the group (None: one group).

    ``n_steps(key)`` gives a group's number of states S when it is fixed (an official file's
    ``max_step``); otherwise S is the longest truth seen."""

    def __init__(
        self,
        parser: ParserMode | str = ParserMode.STRICT,
        key: Callable[[Scored], Hashable] | None = None,
        n_steps: Callable[[Hashable], int | None] | None = None,
    ) -> None:
        self.mode = ParserMode.of(parser)
        self.key = key
        self.n_steps = n_steps
        self.groups: dict[Hashable, ScoreAccumulator] = {}

    def accumulator(self, key: Hashable) -> ScoreAccumulator:
        acc = self.groups.get(key)
        if acc is None:
            steps = self.n_steps(key) if self.n_steps is not None else None
            acc = self.groups[key] = ScoreAccumulator(n_steps=steps, mode=self.mode)
        return acc

    def add(self, s: Scored, key: Hashable = ...) -> Hashable:
        """Add a sample to its group (``key``, or else ``self.key(s)``); returns the key."""
        if key is ...:
            key = self.key(s) if self.key is not None else None
        self.accumulator(key).add_outcome(s.verdicts, s.diagnosis, s.fatal, s.status)
        return key

    def __len__(self) -> int:
        return len(self.groups)

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self.groups)

    def pooled(self) -> ScoreAccumulator:
        """Every group together."""
        acc = ScoreAccumulator(mode=self.mode)
        for g in self.groups.values():
            acc.merge(g)
        return acc
