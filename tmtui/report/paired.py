"""Paired comparisons: two rows that answered the same instances.

Attempts are paired by instance (its id and the hash of its rules, m, alphabet, initial
queue and step cap) and by occurrence: the k-th attempt of row A at an instance goes with
the k-th attempt of row B there (with ``tmtui run --repeat R`` an instance gives R pairs).
On the pairs:

* the counts — both passed, neither, A alone, B alone — and the exact McNemar test of pass/
  fail (:func:`tmtui.core.stats.mcnemar_exact`: only the discordant pairs count);
* the SWA difference A − B (uniform and linear, the table's definition, over the paired
  samples) with a paired bootstrap: pairs are resampled together, by a Poisson bootstrap over
  the distinct (pattern A, pattern B) classes (:func:`tmtui.core.stats.class_bootstrap`), so
  the cost does not grow with the number of pairs.

Each row keeps 12 bytes per attempt for this (an instance-and-occurrence key and a pattern
index), in arrays, as long as it may be compared: a report without ``--vs`` and with more
rows than it compares all pairs of drops them.
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field
from operator import mul

from tmtui.core.score import ScoreAccumulator
from tmtui.core.stats import BootstrapFigure, class_bootstrap, mcnemar_exact

__all__ = ["Comparison", "PairStore", "compare_rows"]

_OCC_BITS = 20  # occurrences per instance and row: up to about a million


@dataclass
class PairStore:
    """A row's attempts: (instance, pattern) counts, and, while the row may still be
    compared, one (instance, occurrence) key and pattern index per attempt."""

    keys: array = field(default_factory=lambda: array("q"))
    patterns: array = field(default_factory=lambda: array("i"))
    seen: Counter = field(default_factory=Counter)  # instance -> attempts so far
    counts: Counter = field(default_factory=Counter)  # (instance, pattern) -> attempts
    keep: bool = True  # keep the per-attempt keys (False: no comparison will need them)

    def add(self, instance: int, pattern: int) -> None:
        self.counts[(instance, pattern)] += 1
        if not self.keep:
            return
        k = self.seen[instance]
        self.seen[instance] = k + 1
        if k >= 1 << _OCC_BITS:
            return
        self.keys.append((instance << _OCC_BITS) | k)
        self.patterns.append(pattern)

    def drop(self) -> None:
        """No comparison will need this row's attempts one by one: free them."""
        self.keep = False
        self.keys = array("q")
        self.patterns = array("i")
        self.seen = Counter()

    def __len__(self) -> int:
        return len(self.keys)

    def pairs(self) -> Counter:
        """(instance, pattern) -> attempts."""
        return self.counts


@dataclass
class Comparison:
    a: str  # row labels
    b: str
    pairs: int
    both: int  # both passed
    neither: int
    only_a: int
    only_b: int
    mcnemar_p: float
    pass_rate_a: float  # on the pairs, percent
    pass_rate_b: float
    swa_uniform_a: float
    swa_uniform_b: float
    swa_uniform: BootstrapFigure | None  # the difference A - B
    swa_linear: BootstrapFigure | None
    note: str = ""

    def to_dict(self) -> dict:
        def fig(f: BootstrapFigure | None) -> dict | None:
            if f is None:
                return None
            return {
                "difference": f.observed,
                "interval": list(f.interval) if f.interval else None,
                "p": f.p,
                "resamples": f.resamples,
            }

        return {
            "a": self.a,
            "b": self.b,
            "pairs": self.pairs,
            "both_passed": self.both,
            "neither_passed": self.neither,
            "only_a_passed": self.only_a,
            "only_b_passed": self.only_b,
            "mcnemar_p": self.mcnemar_p,
            "pass_rate_a": self.pass_rate_a,
            "pass_rate_b": self.pass_rate_b,
            "swa_uniform_a": self.swa_uniform_a,
            "swa_uniform_b": self.swa_uniform_b,
            "swa_uniform_difference": fig(self.swa_uniform),
            "swa_linear_difference": fig(self.swa_linear),
            "note": self.note,
        }


def _passed(p: str) -> bool:
    return bool(p) and set(p) == {"c"}


def _swa_figures(classes: list[tuple[str, str]]):
    """statistic(weights) -> (uniform A - B, linear A - B), SWA as the accumulators compute
    it (ACC(i) over the weighted samples whose truth has step i)."""
    steps = max((max(len(a), len(b)) for a, b in classes), default=0)
    columns: dict[tuple[int, ...], int] = {}

    def col(values: tuple[int, ...]) -> int:
        return columns.setdefault(values, len(columns))

    idx = []  # per side and step: (correct column, total column)
    for side in (0, 1):
        per_step = []
        for i in range(steps):
            c = col(tuple(1 if i < len(p[side]) and p[side][i] == "c" else 0 for p in classes))
            t = col(tuple(1 if i < len(p[side]) else 0 for p in classes))
            per_step.append((c, t))
        idx.append(per_step)
    distinct = list(columns)

    def statistic(w) -> tuple[float, float] | None:
        sums = [sum(map(mul, w, c)) for c in distinct]
        out = []
        for per_step in idx:
            correct = [sums[c] for c, _ in per_step]
            total = [sums[t] for _, t in per_step]
            if not any(total):
                return None
            out.append(ScoreAccumulator._swa(correct, total))
        (ua, la), (ub, lb) = out
        return (ua - ub, la - lb)

    return statistic


def compare_rows(
    a_label: str,
    a: PairStore,
    b_label: str,
    b: PairStore,
    patterns: list[str],
    *,
    bootstrap: int = 1000,
    seed: int = 0,
) -> Comparison | None:
    """The paired comparison of two rows, or None when they share no instance."""
    small, large, flip = (a, b, False) if len(a) <= len(b) else (b, a, True)
    index = dict(zip(small.keys, small.patterns, strict=True))
    classes: Counter[tuple[int, int]] = Counter()
    for k, p in zip(large.keys, large.patterns, strict=True):
        q = index.get(k)
        if q is not None:
            classes[(p, q) if flip else (q, p)] += 1
    if not classes:
        return None
    n = sum(classes.values())
    both = neither = only_a = only_b = 0
    for (pa, pb), c in classes.items():
        sa, sb = _passed(patterns[pa]), _passed(patterns[pb])
        if sa and sb:
            both += c
        elif sa:
            only_a += c
        elif sb:
            only_b += c
        else:
            neither += c
    # the classes in a fixed order (by their patterns, not by when they came): the same pairs
    # give the same interval however the files order their records
    keys = sorted(classes, key=lambda k: (patterns[k[0]], patterns[k[1]]))
    text = [(patterns[pa], patterns[pb]) for pa, pb in keys]
    counts = [classes[k] for k in keys]
    statistic = _swa_figures(text)
    observed = statistic([float(c) for c in counts])
    note = ""
    uni = lin = None
    if observed is None:
        note = "no step to compare"
    else:
        resamples = bootstrap if n > 1 else 0
        uni, lin = class_bootstrap(counts, statistic, resamples=resamples, seed=seed)
        if n == 1:
            note = "one pair: no interval"
    swa_a_val = _swa_on(text, counts, 0)
    swa_b_val = _swa_on(text, counts, 1)
    return Comparison(
        a=a_label,
        b=b_label,
        pairs=n,
        both=both,
        neither=neither,
        only_a=only_a,
        only_b=only_b,
        mcnemar_p=mcnemar_exact(only_a, only_b),
        pass_rate_a=100 * (both + only_a) / n,
        pass_rate_b=100 * (both + only_b) / n,
        swa_uniform_a=swa_a_val,
        swa_uniform_b=swa_b_val,
        swa_uniform=uni,
        swa_linear=lin,
        note=note,
    )


def _swa_on(classes: list[tuple[str, str]], counts: list[int], side: int) -> float:
    acc = ScoreAccumulator()
    for pats, c in zip(classes, counts, strict=True):
        acc.patterns[pats[side]] += c  # c samples with this pattern (what add_outcome adds)
    return acc.result(bootstrap=0).swa_uniform
