"""Paired comparisons and curves against hand-computed fixtures."""

from __future__ import annotations

import pytest

from tests.report.reportkit import answer, record, write_records
from tmtui.core.diagnose import Kind
from tmtui.core.score import ScoreAccumulator
from tmtui.core.stats import mcnemar_exact, wilson
from tmtui.report import build_report
from tmtui.report.curves import first_error, make_curves, queue_bin_width
from tmtui.report.paired import PairStore, compare_rows
from tmtui.report.samples import InstanceInfo


def _store(items: list[tuple[int, int]]) -> PairStore:
    s = PairStore()
    for inst, pat in items:
        s.add(inst, pat)
    return s


def test_counts_and_mcnemar_by_hand():
    patterns = ["ccc", "ccw"]  # 0: passed, 1: failed
    # six instances: A passes 0-4, B passes 0-1
    a = _store([(i, 0 if i < 5 else 1) for i in range(6)])
    b = _store([(i, 0 if i < 2 else 1) for i in range(6)])
    c = compare_rows("A", a, "B", b, patterns, bootstrap=200, seed=1)
    assert (c.pairs, c.both, c.neither, c.only_a, c.only_b) == (6, 2, 1, 3, 0)
    assert c.mcnemar_p == pytest.approx(2 * (1 / 8))  # 3 discordant pairs, all A's
    assert c.mcnemar_p == mcnemar_exact(3, 0)
    assert c.pass_rate_a == pytest.approx(500 / 6) and c.pass_rate_b == pytest.approx(200 / 6)


def test_paired_swa_difference_by_hand():
    # A right on both instances; B: "ccw" on one, "cww" on the other.
    # ACC of B = [100, 50, 0]: SWA uniform 50, linear (100 + 2*50)/6 = 33.3
    patterns = ["ccc", "ccw", "cww"]
    a = _store([(0, 0), (1, 0)])
    b = _store([(0, 1), (1, 2)])
    c = compare_rows("A", a, "B", b, patterns, bootstrap=500, seed=3)
    assert c.swa_uniform.observed == pytest.approx(50.0)
    assert c.swa_linear.observed == pytest.approx(100 - 200 / 6)
    assert c.swa_uniform_a == 100.0 and c.swa_uniform_b == pytest.approx(50.0)
    # any resample weights B's two patterns w1:w2: its SWA is (1 + w1/(w1+w2))/3, so the
    # difference stays within [33.3, 66.7] and never reaches 0
    lo, hi = c.swa_uniform.interval
    assert 100 / 3 - 1e-9 <= lo <= 50 <= hi <= 200 / 3 + 1e-9
    assert c.swa_uniform.p == 0.0
    # the same seed, the same figures
    assert compare_rows("A", a, "B", b, patterns, bootstrap=500, seed=3) == c


def test_pairs_match_instance_and_occurrence():
    patterns = ["cc", "cw"]
    a = _store([(7, 0), (7, 0), (8, 0)])  # instance 7 twice, 8 once
    b = _store([(7, 1), (7, 1), (7, 1), (9, 0)])  # 7 three times, 9 (A never saw it)
    c = compare_rows("A", a, "B", b, patterns, bootstrap=0)
    assert c.pairs == 2 and c.only_a == 2
    assert c.swa_uniform.interval is None  # no resamples asked for
    assert compare_rows("A", a, "C", _store([(5, 0)]), patterns) is None  # nothing shared
    one = compare_rows("A", _store([(1, 0)]), "B", _store([(1, 1)]), patterns)
    assert one.pairs == 1 and one.note == "one pair: no interval"
    assert one.swa_uniform.interval is None


def _info(lengths: tuple[int, ...]) -> InstanceInfo:
    return InstanceInfo("x", "h", 2, ("A", "B"), (1, 2), lengths[0], lengths)


def test_curves_on_known_first_failures():
    acc = ScoreAccumulator()
    pats = {"cccc": 2, "cwww": 1, "ccwc": 1, "cc": 1}  # the last halts after 2 states
    for p, n in pats.items():
        for _ in range(n):
            acc.add_outcome(p)
    score = acc.result(bootstrap=0)
    infos = [_info((3, 4, 5, 6)), _info((3, 2))]
    table = ["cccc", "cwww", "ccwc", "cc"]
    pairs = [((0, 0), 2), ((0, 1), 1), ((0, 2), 1), ((1, 3), 1)]
    c = make_curves(score, acc.patterns, pairs, infos, table, width=1)
    assert c.steps == 4
    assert [p.value for p in c.accuracy] == [100.0, 80.0, 50.0, 75.0]
    assert [(p.k, p.n) for p in c.survival] == [(5, 5), (4, 5), (3, 5), (3, 5)]
    assert [(p.k, p.n) for p in c.hazard] == [(0, 5), (1, 5), (1, 3), (0, 2)]
    assert c.hazard[2].value == pytest.approx(100 / 3)
    assert c.hazard[2].ci == wilson(1, 3)
    assert c.first_failure == [(1, 1), (2, 1)] and c.never_failed == 3
    # queue lengths: step t of instance 0 has length 3+t; instance 1: 3 then 2
    by_len = {p.x: (p.k, p.n) for p in c.queue_length}
    assert by_len == {2: (1, 1), 3: (5, 5), 4: (3, 4), 5: (2, 4), 6: (3, 4)}
    assert first_error("ccwc") == 2 and first_error("cc") is None
    assert queue_bin_width(40) == 1 and queue_bin_width(41) == 2 and queue_bin_width(400) == 10


def test_report_comparison_equals_the_rows(tmp_path):
    a = [record(i, answer(i), model="A") for i in range(6)]
    b = [
        record(i, answer(i, (3, Kind.COPY_ERROR) if i % 2 else None, seed=i), model="B")
        for i in range(6)
    ]
    f = write_records(tmp_path / "ab.jsonl", a + b)
    rep = build_report([f], bootstrap=200, seed=0, cache=None)
    (c,) = rep.comparisons
    ra, rb = rep.row("A"), rep.row("B")
    assert (c.a, c.b, c.pairs) == ("A", "B", 6)
    assert c.both == rb.score.passed and c.only_a == 6 - rb.score.passed
    assert c.swa_uniform.observed == pytest.approx(ra.score.swa_uniform - rb.score.swa_uniform)
    assert c.swa_uniform_b == pytest.approx(rb.score.swa_uniform)
    lo, hi = c.swa_uniform.interval
    assert lo <= c.swa_uniform.observed <= hi
    vs = build_report([f], vs="b", bootstrap=50, cache=None)
    assert [(x.a, x.b) for x in vs.comparisons] == [("B", "A")]
