"""People in a report, from what `tmtui human export` actually writes: a row per participant
("human:<id>"), the pooled humans, seconds per step from the export's active time
(``meta.human.active_ms``), and the assist level (``meta.human.assist``)."""

from __future__ import annotations

from tests.cli.clihelp import invoke
from tests.human.humankit import FakeClock, db_at, session, truth, type_queue
from tmtui.human import Assist, Feedback
from tmtui.io.jsonl import iter_jsonl


def _attempts(s, clock, steps: int, think: float) -> None:
    """Every instance of the session: ``steps`` right queues, then a declared halt."""
    while s.attempt is not None and s.view().instance is not None:
        states = truth(s)
        for k in range(1, min(steps, len(states) - 1) + 1):
            assert type_queue(s, clock, " ".join(states[k]), think=think, typing=2.0).ok
        s.halt()


def test_exported_people_have_rows_and_seconds_per_step(tmp_path) -> None:
    db, clock = db_at(tmp_path), FakeClock()
    s1 = session(db, clock, "P01", samples="0,1", feedback=Feedback.NONE, assist=Assist.PREFILL)
    _attempts(s1, clock, 3, think=4.0)
    s1.close()
    s2 = session(db_at(tmp_path), clock, "P02", samples="0,1", feedback=Feedback.NONE)
    _attempts(s2, clock, 5, think=9.0)
    s2.close()
    out = tmp_path / "people.jsonl"
    assert (
        invoke("human", "export", "--db", str(tmp_path / "study.sqlite"), "-o", str(out)).code == 0
    )
    records = [r for _n, r in iter_jsonl(out)]
    assert len(records) == 4 and all("active_ms" in r.meta["human"] for r in records)

    per = invoke("score", str(out), "--json", "--per-sample").json()["per_sample"]
    written = [len(p["verdicts"]) - p["verdicts"].count("m") for p in per]
    seconds = [r.meta["human"]["active_ms"] / 1000 for r in records]

    res = invoke("report", str(out), "--json", "--no-cache")
    assert res.code == 0, res.err
    rows = {r["row"]: r for r in res.json()["rows"]}
    assert list(rows) == ["human:P01", "human:P02", "humans (all)"]
    for who, idx in (("human:P01", [0, 1]), ("human:P02", [2, 3]), ("humans (all)", [0, 1, 2, 3])):
        row = rows[who]
        want = sum(seconds[i] for i in idx) / sum(written[i] for i in idx)
        assert row["seconds_per_step"] is not None
        assert abs(row["seconds_per_step"] - want) < 1e-9, who
        assert row["timed_samples"] == len(idx) and row["tokens_per_step"] is None
        assert row["n_samples"] == len(idx)
    assert rows["human:P02"]["seconds_per_step"] > rows["human:P01"]["seconds_per_step"]
    assert rows["humans (all)"]["system_kind"] == "humans"

    table = invoke("report", str(out), "--no-cache", "--no-compare")
    assert table.code == 0
    assert f"{rows['human:P01']['seconds_per_step']:,.1f} s" in table.stdout

    by_assist = invoke("report", str(out), "--json", "--no-cache", "--by", "assist").json()
    assert sorted(r["row"] for r in by_assist["rows"]) == ["none", "prefill"]
