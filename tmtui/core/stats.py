"""Statistics for scores: confidence intervals and resampling, with no dependencies.

* :func:`wilson` — the Wilson score interval of a proportion (pass rates);
* :func:`poisson` — a Poisson draw (Knuth's product method for small means, PTRS for large
  ones), the weight a sample gets in one resample of a Poisson bootstrap;
* :func:`percentile_interval` — the central interval of a list of resampled figures;
* :func:`mcnemar_exact` and :func:`paired_bootstrap` — is the difference between two systems
  on the same instances real (pass/fail pairs; per-instance figures such as SWA)?
* :func:`class_bootstrap` — a Poisson bootstrap over classes of identical units (pairs of
  verdict patterns, say): any figures computed from class weights, with intervals and p;
* :func:`proportion` — a share with its Wilson interval, or nothing when there is no data;
* :func:`life_table` — survival (still fully correct after step t) and hazard (first error
  at step t, given correct before it), each point with its n and Wilson interval.

Figures are percentages 0-100 where they are rates. The same seed gives the same intervals.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "Z95",
    "BootstrapFigure",
    "LifePoint",
    "binomial_two_sided",
    "class_bootstrap",
    "life_table",
    "mcnemar_exact",
    "paired_bootstrap",
    "percentile_interval",
    "poisson",
    "proportion",
    "wilson",
]

Z95 = 1.959963984540054  # the two-sided 95 % normal quantile


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval, as percentages."""
    if n == 0:
        return (0.0, 0.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (100 * max(0.0, centre - half), 100 * min(1.0, centre + half))


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson(lam) draw: Knuth's product method for small means, PTRS (Hörmann 1993)
    for large ones."""
    if lam <= 0:
        return 0
    if lam < 30:
        limit = math.exp(-lam)
        k, prod = 0, rng.random()
        while prod > limit:
            k += 1
            prod *= rng.random()
        return k
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = rng.random() - 0.5
        v = rng.random()
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v * inv_alpha / (a / (us * us) + b)) <= -lam + k * loglam - math.lgamma(k + 1):
            return k


def percentile_interval(values: list[float], level: float = 0.95) -> tuple[float, float]:
    """The central ``level`` interval of ``values`` (nearest ranks, outward)."""
    vs = sorted(values)
    lo_i = math.floor((1 - level) / 2 * (len(vs) - 1))
    hi_i = math.ceil((1 + level) / 2 * (len(vs) - 1))
    return (vs[lo_i], vs[hi_i])


def binomial_two_sided(k: int, n: int) -> float:
    """The exact two-sided p-value of ``k`` successes in ``n`` fair coin flips: the
    probability of an outcome at least as far from n/2 (the sum of the two tails, at most 1)."""
    if n == 0:
        return 1.0
    lo = min(k, n - k)
    tail = sum(math.comb(n, i) for i in range(lo + 1)) / 2**n
    return min(1.0, 2 * tail)


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """The exact McNemar test of two systems on the same instances: the discordant pairs
    (solved by A alone, by B alone) against a fair split. Returns the two-sided p-value."""
    return binomial_two_sided(only_a, only_a + only_b)


def paired_bootstrap(
    a: list[float],
    b: list[float],
    resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, tuple[float, float], float]:
    """The mean difference mean(a) - mean(b) of paired figures (the same instances, in the
    same order), its bootstrap interval (instances resampled with replacement) and a
    two-sided p-value (twice the share of resampled differences on the far side of zero)."""
    n = len(a)
    if n != len(b):
        raise ValueError("paired figures need the same instances on both sides")
    if n == 0:
        raise ValueError("no paired instances")
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    observed = math.fsum(diffs) / n
    if resamples <= 0:
        return observed, (observed, observed), 1.0
    rng = random.Random(seed)
    means = []
    for _ in range(resamples):
        means.append(math.fsum(diffs[rng.randrange(n)] for _ in range(n)) / n)
    lo, hi = percentile_interval(means, level)
    below = sum(1 for m in means if m <= 0)
    above = sum(1 for m in means if m >= 0)
    p = min(1.0, 2 * min(below, above) / resamples)
    return observed, (lo, hi), p


def proportion(k: int, n: int) -> tuple[float | None, tuple[float, float] | None]:
    """``k`` of ``n`` as a percentage and its Wilson 95 % interval; (None, None) when n is 0
    (no data is not 0 %)."""
    if n <= 0:
        return None, None
    return 100 * k / n, wilson(k, n)


@dataclass(frozen=True, slots=True)
class BootstrapFigure:
    """One figure of a bootstrap: its observed value, the interval of its resampled values
    and a two-sided p-value against 0 (twice the share of resamples on the far side of 0).
    ``resamples`` counts the resamples that gave a value (None when no resample could)."""

    observed: float
    interval: tuple[float, float] | None
    p: float | None
    resamples: int


def class_bootstrap(
    counts: Sequence[int],
    statistic: Callable[[Sequence[float]], Sequence[float] | None],
    resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> list[BootstrapFigure]:
    """A Poisson bootstrap over classes of identical units.

    ``counts[j]`` units fall in class j (the pairs of instances whose two verdict patterns
    are the same, say); ``statistic(weights)`` computes the figures from a weight per class
    (None when they cannot be computed, e.g. every weight is 0). Each resample draws the
    weight Poisson(counts[j]) for class j — the sum of counts[j] independent Poisson(1)
    unit weights — so the cost does not grow with the number of units. The observed figures
    are ``statistic(counts)``; the p-value tests "the figure is 0" (for a difference between
    two systems: no difference)."""
    observed = statistic([float(c) for c in counts])
    if observed is None:
        raise ValueError("the statistic has no value on the data itself")
    k = len(observed)
    if resamples <= 0:
        return [BootstrapFigure(v, None, None, 0) for v in observed]
    rng = random.Random(seed)
    draws: list[list[float]] = [[] for _ in range(k)]
    for _ in range(resamples):
        vals = statistic([float(poisson(rng, c)) for c in counts])
        if vals is None:
            continue
        for i, v in enumerate(vals):
            draws[i].append(v)
    out = []
    for v, ds in zip(observed, draws, strict=True):
        if len(ds) < 2:
            out.append(BootstrapFigure(v, None, None, len(ds)))
            continue
        below = sum(1 for d in ds if d <= 0)
        above = sum(1 for d in ds if d >= 0)
        p = min(1.0, 2 * min(below, above) / len(ds))
        out.append(BootstrapFigure(v, percentile_interval(ds, level), p, len(ds)))
    return out


@dataclass(frozen=True, slots=True)
class LifePoint:
    """Step t of a life table (figures in percent; None where nothing is at risk)."""

    step: int
    n: int  # every sample
    survived: int  # samples fully correct through step t (a sample that halted before t
    # and was right on every one of its steps is still fully correct)
    at_risk: int  # samples whose truth has step t and that were correct before it
    failed: int  # samples whose first error is at step t
    survival: float | None
    survival_ci: tuple[float, float] | None
    hazard: float | None  # failed / at_risk
    hazard_ci: tuple[float, float] | None


def life_table(outcomes: Iterable[tuple[int | None, int, int]], steps: int) -> list[LifePoint]:
    """Survival and hazard by step from ``(first_error, n_steps, count)`` outcomes: ``count``
    samples whose truth has ``n_steps`` steps and whose first step not correct is
    ``first_error`` (None: every step correct). Points for steps 0..``steps``-1."""
    failed = [0] * steps
    ended = [0] * (steps + 1)  # samples whose truth ends before step t (right through it)
    n = 0
    for first, length, count in outcomes:
        if count <= 0:
            continue
        n += count
        if first is not None and first < steps:
            failed[first] += count
        elif first is None:
            ended[min(length, steps)] += count
    points = []
    dead = 0  # first error at or before t
    gone = 0  # left the risk set without failing (their truth ended)
    for t in range(steps):
        gone += ended[t]
        at_risk = n - dead - gone
        dead += failed[t]
        survived = n - dead
        s, s_ci = proportion(survived, n)
        h, h_ci = proportion(failed[t], at_risk)
        points.append(LifePoint(t, n, survived, at_risk, failed[t], s, s_ci, h, h_ci))
    return points
