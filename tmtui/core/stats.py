"""Statistics for scores: confidence intervals and resampling, with no dependencies.

* :func:`wilson` — the Wilson score interval of a proportion (pass rates);
* :func:`poisson` — a Poisson draw (Knuth's product method for small means, PTRS for large
  ones), the weight a sample gets in one resample of a Poisson bootstrap;
* :func:`percentile_interval` — the central interval of a list of resampled figures;
* :func:`mcnemar_exact` and :func:`paired_bootstrap` — is the difference between two systems
  on the same instances real (pass/fail pairs; per-instance figures such as SWA)?

Figures are percentages 0-100 where they are rates. The same seed gives the same intervals.
"""

from __future__ import annotations

import math
import random

__all__ = [
    "Z95",
    "binomial_two_sided",
    "mcnemar_exact",
    "paired_bootstrap",
    "percentile_interval",
    "poisson",
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
