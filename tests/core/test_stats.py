"""Statistics against hand-computed figures."""

from __future__ import annotations

import random

import pytest

from tmtui.core.stats import (
    binomial_two_sided,
    class_bootstrap,
    life_table,
    mcnemar_exact,
    paired_bootstrap,
    percentile_interval,
    poisson,
    proportion,
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


def test_proportion_is_none_without_data():
    assert proportion(0, 0) == (None, None)
    v, ci = proportion(1, 4)
    assert v == 25.0 and ci == wilson(1, 4)


def test_life_table_by_hand():
    # 5 samples over 5 steps: one fails at step 0, two at step 1, one halts right after
    # 2 steps (every step right), one is right on all 5 steps
    outcomes = [(0, 5, 1), (1, 5, 2), (None, 2, 1), (None, 5, 1)]
    t = life_table(outcomes, 5)
    assert [p.at_risk for p in t] == [5, 4, 1, 1, 1]
    assert [p.failed for p in t] == [1, 2, 0, 0, 0]
    assert [p.survived for p in t] == [4, 2, 2, 2, 2]
    assert [p.survival for p in t] == [80.0, 40.0, 40.0, 40.0, 40.0]
    assert [p.hazard for p in t] == [20.0, 50.0, 0.0, 0.0, 0.0]
    assert t[0].hazard_ci == wilson(1, 5) and t[1].hazard_ci == wilson(2, 4)
    assert t[1].survival_ci == wilson(2, 5)
    assert all(p.n == 5 for p in t)
    # nothing at risk: no hazard (not 0 %, not NaN)
    t = life_table([(0, 3, 2)], 3)
    assert [p.at_risk for p in t] == [2, 0, 0]
    assert t[1].hazard is None and t[1].hazard_ci is None
    assert t[2].survival == 0.0
    assert life_table([], 2)[0].survival is None


def _mean(values):
    def statistic(w):
        total = sum(w)
        if not total:
            return None
        return (sum(x * v for x, v in zip(w, values, strict=True)) / total,)

    return statistic


def test_class_bootstrap_constant_difference():
    (f,) = class_bootstrap([5], _mean([3.0]), resamples=500, seed=2)
    assert f.observed == 3.0
    assert f.interval == (3.0, 3.0)
    assert f.p == 0.0  # no resample reaches 0
    # a resample with weight 0 has no value: P(Poisson(5) = 0) = e^-5, a few of 500
    assert 480 <= f.resamples < 500


def test_class_bootstrap_symmetric_and_seeded():
    stat = _mean([1.0, -1.0])
    (f,) = class_bootstrap([50, 50], stat, resamples=400, seed=7)
    assert f.observed == 0.0
    lo, hi = f.interval
    assert lo < 0 < hi and lo > -0.5 and hi < 0.5
    assert f.p > 0.5
    assert class_bootstrap([50, 50], stat, resamples=400, seed=7) == [f]
    (none,) = class_bootstrap([50, 50], stat, resamples=0)
    assert none.interval is None and none.p is None and none.resamples == 0
    with pytest.raises(ValueError):
        class_bootstrap([0], stat)


def test_class_bootstrap_agrees_with_the_paired_bootstrap():
    diffs = [10.0, 20.0, -5.0, 40.0, 0.0, 15.0]
    (f,) = class_bootstrap([1] * len(diffs), _mean(diffs), resamples=4000, seed=1)
    d, (lo, hi), _ = paired_bootstrap(diffs, [0.0] * len(diffs), resamples=4000, seed=1)
    assert f.observed == pytest.approx(d)
    assert f.interval[0] == pytest.approx(lo, abs=4)
    assert f.interval[1] == pytest.approx(hi, abs=4)
