"""Statistics against hand-computed figures."""

from __future__ import annotations

import random

import pytest

from tmtui.core.stats import (
    binomial_two_sided,
    mcnemar_exact,
    paired_bootstrap,
    percentile_interval,
    poisson,
    wilson,
)


def test_binomial_two_sided_by_hand():
    # 0 heads in 5: P = 1/32 in each tail
    assert binomial_two_sided(0, 5) == pytest.approx(2 / 32)
    # 1 of 7: P(X <= 1) = (1 + 7) / 128
    assert binomial_two_sided(1, 7) == pytest.approx(2 * 8 / 128)
    assert binomial_two_sided(6, 7) == binomial_two_sided(1, 7)
    # the centre: capped at 1
    assert binomial_two_sided(2, 4) == 1.0
    assert binomial_two_sided(0, 0) == 1.0


def test_mcnemar_exact_uses_only_the_discordant_pairs():
    # A alone solved 1 instance, B alone 6: p = 2 * (1 + 7) / 2^7 = 0.125
    assert mcnemar_exact(1, 6) == pytest.approx(0.125)
    assert mcnemar_exact(0, 10) == pytest.approx(2 / 1024)
    assert mcnemar_exact(0, 0) == 1.0


def test_paired_bootstrap_difference_interval_and_p():
    a = [100.0, 100.0, 90.0, 80.0]
    b = [50.0, 60.0, 70.0, 40.0]
    diff, (lo, hi), p = paired_bootstrap(a, b, resamples=2000, seed=1)
    assert diff == pytest.approx(37.5)
    assert 20 <= lo <= diff <= hi <= 50
    assert p == 0.0  # every instance favours a: no resample crosses zero
    same, ci, p_same = paired_bootstrap(a, a, resamples=200, seed=1)
    assert same == 0 and ci == (0, 0) and p_same == 1.0
    # seeded: the same seed, the same interval
    assert paired_bootstrap(a, b, resamples=300, seed=5) == paired_bootstrap(
        a, b, resamples=300, seed=5
    )
    with pytest.raises(ValueError):
        paired_bootstrap([1.0], [1.0, 2.0])
    with pytest.raises(ValueError):
        paired_bootstrap([], [])
    assert paired_bootstrap(a, b, resamples=0)[1:] == ((37.5, 37.5), 1.0)


def test_percentile_interval_and_poisson_mean():
    assert percentile_interval(list(range(101))) == (2, 98)  # 2.5 and 97.5, outward
    rng = random.Random(3)
    for lam in (0.5, 4, 50):
        draws = [poisson(rng, lam) for _ in range(4000)]
        assert sum(draws) / len(draws) == pytest.approx(lam, rel=0.1)
    assert poisson(rng, 0) == 0


def test_wilson_is_inside_0_100():
    lo, hi = wilson(10, 10)
    assert hi == pytest.approx(100.0) and 60 < lo < 100
