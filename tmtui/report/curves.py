"""A row's curves, each point with its n and 95 % interval (Wilson), all in percent:

* **accuracy by step** — ACC(i), the paper's figure: correct / samples whose truth has step i;
* **survival** — the share of samples still fully correct after step t (a sample that halted
  earlier, right on every step, counts as still correct);
* **hazard** — P(first error at step t | correct before t): first errors at t over the
  samples at risk (whose truth has step t and that were right before it);
* **accuracy by queue length** — the accuracy of the steps whose true queue has a given
  length (in bins of equal width, the same for every row of a report);
* **first failing step** — how many samples first fail at each step (for long runs).

Built from what the accumulators keep (verdict patterns and their counts) and, for queue
lengths, the (instance, pattern) pairs of the row: flat in the number of samples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tmtui.core.score import DatasetScore
from tmtui.core.stats import life_table, proportion
from tmtui.report.samples import InstanceInfo

__all__ = ["Curves", "Point", "first_error", "make_curves", "queue_bin_width"]


@dataclass(frozen=True, slots=True)
class Point:
    x: int  # the step, or the low end of a queue-length bin
    k: int  # the count the value is of (correct, survived, failed)
    n: int  # out of
    value: float | None  # percent; None when n is 0
    ci: tuple[float, float] | None
    x_hi: int | None = None  # the high end of a queue-length bin

    def to_dict(self) -> dict:
        d: dict = {"x": self.x, "k": self.k, "n": self.n, "value": self.value}
        d["ci"] = list(self.ci) if self.ci is not None else None
        if self.x_hi is not None:
            d["x_hi"] = self.x_hi
        return d


def _point(x: int, k: int, n: int, x_hi: int | None = None) -> Point:
    v, ci = proportion(k, n)
    return Point(x, k, n, v, ci, x_hi)


@dataclass
class Curves:
    steps: int = 0
    accuracy: list[Point] = field(default_factory=list)
    survival: list[Point] = field(default_factory=list)
    hazard: list[Point] = field(default_factory=list)
    queue_length: list[Point] = field(default_factory=list)
    first_failure: list[tuple[int, int]] = field(default_factory=list)  # (step, samples)
    never_failed: int = 0  # samples right on every step

    def to_dict(self) -> dict:
        return {
            "steps": self.steps,
            "accuracy": [p.to_dict() for p in self.accuracy],
            "survival": [p.to_dict() for p in self.survival],
            "hazard": [p.to_dict() for p in self.hazard],
            "queue_length": [p.to_dict() for p in self.queue_length],
            "first_failure": [{"step": s, "samples": c} for s, c in self.first_failure],
            "never_failed": self.never_failed,
        }


def first_error(verdicts: str) -> int | None:
    """The first step not correct, or None."""
    for i, v in enumerate(verdicts):
        if v != "c":
            return i
    return None


def queue_bin_width(longest: int, bins: int = 40) -> int:
    """Bins of queue length: one per length up to ``bins`` lengths, else wider."""
    return max(1, -(-longest // bins))


def make_curves(
    score: DatasetScore,
    patterns: Mapping[str, int],
    pairs: Iterable[tuple[tuple[int, int], int]] = (),
    instances: Sequence[InstanceInfo] = (),
    patterns_table: Sequence[str] = (),
    width: int = 1,
) -> Curves:
    """Curves of a row from its score, its verdict patterns (pattern -> samples) and its
    ((instance, pattern) indices -> samples) pairs for the queue-length curve."""
    steps = score.n_steps
    c = Curves(steps=steps)
    for i, sc in enumerate(score.step_counts):
        c.accuracy.append(_point(i, sc["correct"], sc["total"]))
    outcomes = [(first_error(p), len(p), n) for p, n in patterns.items()]
    for lp in life_table(outcomes, steps):
        v_s = Point(lp.step, lp.survived, lp.n, lp.survival, lp.survival_ci)
        c.survival.append(v_s)
        c.hazard.append(Point(lp.step, lp.failed, lp.at_risk, lp.hazard, lp.hazard_ci))
    firsts: Counter[int] = Counter()
    for first, _, n in outcomes:
        if first is None:
            c.never_failed += n
        else:
            firsts[first] += n
    c.first_failure = sorted(firsts.items())
    correct: Counter[int] = Counter()
    total: Counter[int] = Counter()
    for (ii, pi), n in pairs:
        lengths = instances[ii].queue_lengths
        pat = patterns_table[pi]
        for t in range(min(len(pat), len(lengths))):
            b = lengths[t] // width
            total[b] += n
            if pat[t] == "c":
                correct[b] += n
    for b in sorted(total):
        lo = b * width
        c.queue_length.append(_point(lo, correct[b], total[b], lo + width - 1))
    return c
