"""Dataset figures: ACC(i) with the official denominator, SWA, pass rate, intervals."""

from __future__ import annotations

import random

import pytest

from tmtui.core.answer import format_answer
from tmtui.core.compat import compat_steps
from tmtui.core.datasets import generate_preset
from tmtui.core.diagnose import Kind
from tmtui.core.mutate import flawed_steps, kinds_for
from tmtui.core.score import (
    ScoreAccumulator,
    compat_verdicts,
    parse_answer,
    score_sample,
)
from tmtui.core.stats import wilson

# Four samples over S = 3 steps; sample 3 halts after 2 states, sample 4 after 1.
#   step:      0  1  2
#   s1         c  c  c
#   s2         c  w  c
#   s3         c  m
#   s4         u
# ACC(0) = 3/4 = 75 %, ACC(1) = 1/3 = 33.33 %, ACC(2) = 2/2 = 100 %
# SWA uniform = (75 + 33.333 + 100) / 3 = 69.444 %
# SWA linear  = (1*75 + 2*33.333 + 3*100) / (1 + 2 + 3) = 441.667 / 6 = 73.611 %
# pass rate   = 1/4 = 25 %
HAND = ["ccc", "cwc", "cm", "u"]


def _acc(patterns, n_steps=None):
    acc = ScoreAccumulator(n_steps=n_steps)
    for p in patterns:
        acc.add_outcome(p)
    return acc


def test_hand_computed_fixture():
    r = _acc(HAND, 3).result(bootstrap=0)
    assert r.n_samples == 4 and r.passed == 1
    assert r.pass_rate == pytest.approx(25.0)
    assert r.step_accuracy == pytest.approx([75.0, 100 / 3, 100.0])
    assert r.swa_uniform == pytest.approx(69.444444, abs=1e-4)
    assert r.swa_linear == pytest.approx(73.611111, abs=1e-4)
    assert r.step_counts[0] == {"total": 4, "correct": 3, "wrong": 0, "missing": 0, "unparsable": 1}
    assert r.step_counts[1] == {"total": 3, "correct": 1, "wrong": 1, "missing": 1, "unparsable": 0}
    assert r.step_counts[2]["total"] == 2
    assert r.intervals["pass_rate"] == pytest.approx(wilson(1, 4))
    assert r.intervals["swa_uniform"] is None  # bootstrap off


def test_steps_no_sample_reaches_are_left_out():
    r5 = _acc(HAND, 5).result(bootstrap=0)
    r3 = _acc(HAND, 3).result(bootstrap=0)
    assert r5.step_accuracy[3:] == [None, None]
    assert r5.swa_uniform == pytest.approx(r3.swa_uniform)
    assert r5.swa_linear == pytest.approx(r3.swa_linear)
    assert r5.n_steps == 5
    # without a dataset size S is the longest truth
    assert _acc(HAND).result(bootstrap=0).n_steps == 3


def test_empty_accumulator():
    r = ScoreAccumulator(n_steps=31).result()
    assert r.n_samples == 0 and r.pass_rate == 0.0 and r.swa_uniform == 0.0
    assert r.intervals["pass_rate"] is None
    assert r.step_accuracy == [None] * 31


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, table I, method 3
        (81, 263, 25.53, 36.62),
        (15, 148, 6.24, 16.05),
        (0, 20, 0.0, 16.11),
        (1, 29, 0.61, 17.18),
        (5, 10, 23.66, 76.34),
        (10, 10, 72.25, 100.0),
    ],
)
def test_wilson_interval(k, n, lo, hi):
    a, b = wilson(k, n)
    assert a == pytest.approx(lo, abs=0.006)
    assert b == pytest.approx(hi, abs=0.006)


def test_wilson_of_nothing():
    assert wilson(0, 0) == (0.0, 0.0)


def _varied_patterns(seed=0, n=60):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        length = rng.randint(5, 31)
        ok = rng.randint(0, length)
        out.append("c" * ok + "".join(rng.choice("cwmu") for _ in range(length - ok)))
    return out


def test_bootstrap_is_seeded_and_contains_the_estimate():
    acc = _acc(_varied_patterns(), 31)
    a = acc.result(bootstrap=300, seed=5)
    b = acc.result(bootstrap=300, seed=5)
    c = acc.result(bootstrap=300, seed=6)
    assert a.intervals == b.intervals
    assert a.intervals != c.intervals
    for key, point in (("swa_uniform", a.swa_uniform), ("swa_linear", a.swa_linear)):
        lo, hi = a.intervals[key]
        assert lo < point < hi
        assert hi - lo < 40  # an interval, not the whole range
    assert a.bootstrap == 300


def test_bootstrap_needs_two_samples():
    r = _acc(["ccc"], 3).result(bootstrap=100)
    assert r.intervals["swa_uniform"] is None and r.bootstrap == 0


def test_merge_equals_adding_everything_to_one():
    pats = _varied_patterns(1, 40)
    one = _acc(pats, 31)
    left, right = _acc(pats[:15], 31), _acc(pats[15:], 31)
    left.merge(right)
    assert left.result(bootstrap=50, seed=1).to_dict() == one.result(bootstrap=50, seed=1).to_dict()


def _official_acc(samples):
    """acc.py: ACC(i) over samples whose ground truth has step i; SWA uniform and linear."""
    max_steps = 31
    accs = []
    for i in range(max_steps):
        total = correct = 0
        for steps_ans, truth in samples:
            if i < len(truth):
                total += 1
                correct += steps_ans.get(i) == truth[i]
        accs.append(correct / total)
    uni = sum(accs) / max_steps
    lin = sum(a * (i + 1) for i, a in enumerate(accs)) / sum(range(1, max_steps + 1))
    return [100 * a for a in accs], 100 * uni, 100 * lin


def test_dataset_figures_equal_the_official_formula():
    ds = generate_preset("tmbench")
    rng = random.Random(2)
    acc = ScoreAccumulator(n_steps=31, mode="tmbench")
    official = []
    passed = 0
    for inst in ds.samples:
        kinds = [k for k in kinds_for(inst) if k not in (Kind.UNPARSABLE,)]
        steps = None
        if rng.random() < 0.6 and len(inst.run) > 2:
            k = rng.choice(kinds)
            errors = (
                {-1: k}
                if k.name in ("FAILURE_TO_HALT", "STEPS_AFTER_HALT")
                else {rng.randint(1, len(inst.run) - 1): k}
            )
            steps = flawed_steps(inst, errors, rng=rng)
        steps = steps or flawed_steps(inst)
        text = format_answer(steps)
        truth = inst.run.states()
        sc = score_sample(inst, text, mode="tmbench", truth=truth)
        acc.add(sc)
        official.append((compat_steps(text), truth))
        passed += sc.passed
    r = acc.result(bootstrap=0)
    step_acc, uni, lin = _official_acc(official)
    assert r.step_accuracy == pytest.approx(step_acc)
    assert r.swa_uniform == pytest.approx(uni)
    assert r.swa_linear == pytest.approx(lin)
    assert r.passed == passed
    assert 0 < passed < 100
    assert r.pass_rate == pytest.approx(passed)  # 100 samples: count == percent
    assert sum(r.diagnoses.values()) == 100 - passed


def test_compat_verdicts_fast_path_agrees_with_the_full_scorer():
    ds = generate_preset("tmbench")
    rng = random.Random(4)
    for inst in ds.samples[:30]:
        steps = flawed_steps(inst, {3: Kind.COPY_ERROR}, rng=rng) or flawed_steps(inst)
        text = format_answer(steps, style=rng.choice(["official", "echo", "commas"]))
        truth = inst.run.states()
        fast, _extra = compat_verdicts(text, truth)
        full = score_sample(inst, text, mode="tmbench", truth=truth)
        assert fast == full.verdicts.replace("u", "m")


def test_sample_score_figures_and_record():
    inst = generate_preset("tmbench")[0]
    sc = score_sample(inst, format_answer(flawed_steps(inst)), prompt_sha256="p" * 64)
    assert sc.passed and sc.swa() == 100.0 and sc.swa(linear=True) == 100.0
    d = sc.to_dict()
    for key in ("instance_id", "verdicts", "passed", "rules_sha256", "prompt_sha256", "diagnosis"):
        assert key in d
    assert d["rules_sha256"] == inst.rules_sha256() and d["prompt_sha256"] == "p" * 64
    half = score_sample(inst, "Step 0: [" + " ".join(inst.init) + "]\nStep 1: [A]\n")
    n = len(inst.run)
    assert half.swa() == pytest.approx(100 / n)
    assert half.swa(linear=True) == pytest.approx(100 * 1 / sum(range(1, n + 1)))


def test_unknown_parser_mode():
    with pytest.raises(ValueError, match="unknown parser 'fuzzy'; choose strict or tmbench"):
        parse_answer("x", "fuzzy")


def test_parser_mode_is_one_type_with_its_version_and_other_mode():
    from tmtui.core.compat import parse_compat
    from tmtui.core.parse import parse_strict
    from tmtui.core.parsed import ParserMode

    assert ParserMode.STRICT.other is ParserMode.TMBENCH
    assert ParserMode.TMBENCH.other is ParserMode.STRICT
    assert ParserMode.of("tmbench") is ParserMode.TMBENCH and ParserMode.STRICT == "strict"
    assert parse_strict("").version == ParserMode.STRICT.version
    assert parse_compat("").version == ParserMode.TMBENCH.version
    assert ParserMode.STRICT.version != ParserMode.TMBENCH.version


def test_a_small_all_correct_group_has_a_degenerate_interval_not_one_down_to_zero():
    """A Poisson resample can draw no sample at all (likely for tiny groups); it has no SWA and
    must be drawn again, not counted as 0."""
    acc = ScoreAccumulator(n_steps=3)
    for _ in range(4):
        acc.add_outcome("ccc")
    r = acc.result(bootstrap=500, seed=1)
    assert r.intervals["swa_uniform"] == (100.0, 100.0)
    assert r.intervals["swa_linear"] == (100.0, 100.0)
