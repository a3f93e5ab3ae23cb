"""The same samples give the same intervals however a file orders its records: `tmtui run`
with concurrent requests writes records as answers finish, so two runs with the same answers
come in different orders. Both the SWA intervals of a row (the score's bootstrap) and the
paired comparison's bootstrap are drawn over classes in a fixed order."""

from __future__ import annotations

import random

from tests.report.reportkit import answer, record, write_records
from tmtui.core.diagnose import Kind
from tmtui.report import build_report

MISTAKES = [Kind.COPY_ERROR, Kind.WRONG_PRODUCTION, Kind.WRONG_DELETION, Kind.WRONG_HEAD]


def _records(model: str, seed: int):
    rng = random.Random(seed)
    out = []
    for i in range(24):
        err = (rng.randrange(1, 20), rng.choice(MISTAKES)) if rng.random() < 0.6 else None
        out.append(record(i, answer(i, err, seed=seed), model=model))
    return out


def _figures(tmp_path, name: str, a: list, b: list) -> tuple:
    fa = write_records(tmp_path / f"{name}-a.jsonl", a)
    fb = write_records(tmp_path / f"{name}-b.jsonl", b)
    rep = build_report([fa, fb], bootstrap=200, cache=None)
    rows = sorted((r.to_dict() for r in rep.rows), key=lambda r: str(r["row"]))
    cis = [(str(r["row"]), r["intervals"]) for r in rows]
    comps = [(c.a, c.b, c.swa_uniform.interval, c.swa_linear.interval) for c in rep.comparisons]
    return cis, comps


def test_the_order_of_records_does_not_change_any_interval(tmp_path):
    a, b = _records("model-a", 1), _records("model-b", 2)
    first = _figures(tmp_path, "in-order", a, b)
    shuffled_a, shuffled_b = a[:], b[:]
    random.Random(7).shuffle(shuffled_a)
    random.Random(8).shuffle(shuffled_b)
    again = _figures(tmp_path, "shuffled", shuffled_a, shuffled_b)
    assert first[1] and all(ci.get("swa_uniform") for _row, ci in first[0])
    assert again == first
