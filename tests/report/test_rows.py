"""Rows: models, participants and all humans pooled; cost per step; the diagnosis mix;
attempts that did not happen; groups by --by; bad input."""

from __future__ import annotations

import json
import math

import pytest

from tests.report.reportkit import (
    DS,
    answer,
    human,
    record,
    with_tokens,
    write_records,
    write_results,
)
from tmtui.core.diagnose import Kind
from tmtui.io.records import Record, Timing
from tmtui.report import CATEGORIES, HUMANS_POOLED, ReportError, build_report
from tmtui.report.groups import category, pow2_bin, variant_of
from tmtui.report.samples import human_assist, human_seconds


def _no_nan(obj) -> None:
    json.dumps(obj, allow_nan=False)  # raises on NaN or infinity


def test_models_participants_and_pooled_humans(tmp_path):
    models = [with_tokens(record(i, answer(i), model="m1"), 310) for i in range(3)]
    people = [
        human(0, "P01", answer(0), meta={"active_seconds": 62.0, "assist": "none"}),
        human(1, "P01", answer(1, (4, Kind.COPY_ERROR), seed=2)),
        human(0, "P02", answer(0), meta={"steps": [{"submit_ms": 2000}] * 31}),
    ]
    f1 = write_records(tmp_path / "m1.jsonl", models)
    f2 = write_records(tmp_path / "people.jsonl", people)
    rep = build_report([f1, f2], bootstrap=50, cache=None)
    assert [r.label for r in rep.rows] == ["m1", "human:P01", "human:P02", HUMANS_POOLED]
    assert [r.kind for r in rep.rows] == ["model", "human", "human", "humans"]
    m1, p1, p2, pooled = rep.rows
    assert pooled.n == 3 and p1.n == 2 and p2.n == 1
    # tokens per step written: 3 x 310 tokens over 3 x 31 steps
    assert m1.tokens_per_step == pytest.approx(10.0) and m1.token_samples == 3
    assert m1.seconds_per_step is None and p1.tokens_per_step is None
    # P02 wrote 31 steps in 31 x 2 s
    assert p2.seconds_per_step == pytest.approx(2.0) and p2.timed_samples == 1
    assert pooled.timed_samples == 3
    assert p1.mix == {"copy": 1}
    d = rep.to_dict()
    _no_nan(d)
    assert d["rows"][3]["system_kind"] == "humans"
    assert d["rows"][1]["group"] == {"model": "human:P01"}
    # the pooled humans are compared only when asked for, and never with their members
    pairs = {(c.a, c.b) for c in rep.comparisons}
    assert pairs == {("m1", "human:P01"), ("m1", "human:P02"), ("human:P01", "human:P02")}
    vs = build_report([f1, f2], vs=HUMANS_POOLED, bootstrap=20, cache=None)
    assert {(c.a, c.b) for c in vs.comparisons} == {(HUMANS_POOLED, "m1")}
    assert len(rep.samples(HUMANS_POOLED)) == 3 and len(rep.samples("human:P01")) == 2
    by_participant = build_report([f1, f2], by=["participant"], bootstrap=0, cache=None)
    assert [r.label for r in by_participant.rows] == ["P01", "P02", "—"]


def test_one_participant_has_no_pooled_row(tmp_path):
    f = write_records(tmp_path / "p.jsonl", [human(0, "P01"), human(1, "P01")])
    rep = build_report([f], bootstrap=0, cache=None)
    assert [r.label for r in rep.rows] == ["human:P01"]


def test_human_seconds_are_read_defensively():
    def rec(meta, timing=None):
        return Record(
            instance_id="x", dataset="d", index=0, model="h", status="complete", answer="",
            meta=meta, timing=timing,
        )  # fmt: skip

    assert human_seconds(rec({"active_seconds": 12.5})) == 12.5
    assert human_seconds(rec({"active_ms": 1500})) == 1.5
    assert human_seconds(rec({"timing": {"active_ms": 3000}})) == 3.0
    assert human_seconds(rec({"steps": [{"seconds": 1}, {"submit_ms": 500}]})) == 1.5
    # a step without a time: the steps say nothing; the record's elapsed time does
    assert human_seconds(rec({"steps": [{"seconds": 1}, {}]}, Timing(elapsed_ms=9000))) == 9.0
    for bad in ({"active_seconds": "12"}, {"active_seconds": True}, {"active_ms": -1}, {}):
        assert human_seconds(rec(bad)) is None
    assert human_seconds(rec({"active_seconds": float("nan")})) is None
    assert human_assist(rec({"assist": "prefill"})) == "prefill"
    assert human_assist(rec({"session": {"assist": "append"}})) == "append"
    assert human_assist(rec({"assist": 3})) is None


def test_every_diagnosis_kind_has_a_category():
    for kind in Kind:
        assert category(kind.value) in CATEGORIES
    assert category(Kind.WRONG_HEAD.value) == "read"
    assert category(Kind.WRONG_PRODUCTION.value) == "rule"
    assert category(Kind.WRONG_DELETION.value) == "delete"
    assert category(Kind.COPY_ERROR.value) == "copy"
    assert category(Kind.PREMATURE_HALT.value) == "halt"
    assert category(Kind.UNPARSABLE.value) == "format"
    assert category("something-new") == "other"


def test_attempts_that_did_not_happen_are_counted_apart(tmp_path):
    recs = [
        record(0, answer(0), model="m"),
        record(1, "", model="m", status="error", error="HTTP 500"),
        record(2, "### step 0:", model="m", status="interrupted", error="cut"),
        record(3, "", model="down", status="error", error="refused"),
    ]
    f = write_records(tmp_path / "r.jsonl", recs)
    rep = build_report([f], bootstrap=0, cache=None)
    m, down = rep.row("m"), rep.row("down")
    assert m.n == 1 and m.request_errors == 1 and m.incomplete == 1
    assert m.note == "one sample: no SWA interval"
    assert down.n == 0 and down.score is None
    assert down.note == "no scored sample (1 request errors, not scored)"
    row = down.to_dict()
    _no_nan(row)
    assert row["n_samples"] == 0 and row["swa_uniform"] is None and row["request_errors"] == 1
    assert row["not_attempted"][0]["error"] == "refused"
    assert row["not_attempted"][0]["where"] == "line 4"
    assert rep.n_samples == 1


def test_single_sample_rows_and_empty_input(tmp_path):
    f = write_records(tmp_path / "one.jsonl", [record(0, answer(0), model="solo")])
    rep = build_report([f], cache=None)
    (row,) = rep.rows
    assert row.note == "one sample: no SWA interval"
    assert row.score.intervals["swa_uniform"] is None
    _no_nan(rep.to_dict())
    empty = build_report([], cache=None)
    assert empty.rows == [] and empty.comparisons == []


def test_bad_records_are_one_line_and_the_rest_is_reported(tmp_path):
    f = tmp_path / "mixed.jsonl"
    good = write_records(tmp_path / "g.jsonl", [record(0, answer(0)), record(1, answer(1))])
    lines = good.read_bytes().splitlines(keepends=True)
    f.write_bytes(lines[0] + b'{"instance_id": 3, "oops"\n' + lines[1] + b"not json at all\n")
    seen = []
    rep = build_report([f, tmp_path / "missing.jsonl"], cache=None, on_error=seen.append)
    assert [e.where for e in seen] == ["line 2", "line 4"]
    (row,) = rep.rows
    assert row.n == 2
    assert [e["where"] for e in row.errors] == ["line 2", "line 4"]  # the file is wholly its
    assert rep.fatal == [f"{tmp_path / 'missing.jsonl'}: no such file"]
    assert len(rep.errors) == 2


def test_directories_mean_the_files_in_them(tmp_path):
    d = tmp_path / "runs"
    d.mkdir()
    write_records(d / "a.jsonl", [record(0, answer(0), model="a")])
    write_results(d / "b.json", {1: answer(1), 2: None})
    (d / "README.txt").write_text("not an answer file")
    (d / ".hidden.jsonl").write_text("")
    (d / "sub").mkdir()
    rep = build_report([d], bootstrap=0, cache=None)
    assert [r.label for r in rep.rows] == ["a", "b"]
    assert rep.notes == [f"{d}: 1 file(s) that are not answer files passed over"]
    assert rep.row("b").skipped == 1 and rep.row("b").tokens_per_step == pytest.approx(100 / 31)


def test_groups_by_variant_template_temperature_and_difficulty(tmp_path):
    recs = [
        record(0, answer(0), prompt_template="tmbench", params={"temperature": 0}),
        record(1, answer(1), prompt_template="zero-shot", params={"temperature": 0.7}),
        record(2, answer(2, dataset="tmbench-greek"), dataset="tmbench-greek"),
    ]
    f = write_records(tmp_path / "v.jsonl", recs)

    def labels(*by):
        return [r.label for r in build_report([f], by=list(by), bootstrap=0, cache=None).rows]

    assert labels("variant") == ["letters", "greek"]
    assert labels("template") == ["tmbench", "zero-shot"]
    assert labels("temperature") == ["0", "0.7", "—"]
    assert labels("dataset") == ["tmbench", "tmbench-greek"]
    assert labels("m") == ["2"] and labels("alphabet-size") == ["5"]
    assert labels("model", "variant") == ["model-a · letters", "model-a · greek"]
    lengths = {len(DS[i].init) for i in range(2)}
    assert set(labels("init-length")) <= {
        f"{lo}–{hi}" if lo != hi else f"{lo}"
        for lo, hi in map(pow2_bin, lengths | {len(DS[2].init)})
    }
    assert all(x.endswith("states") for x in labels("trace-length"))
    with pytest.raises(ReportError, match="unknown --by 'colour'"):
        build_report([f], by=["colour"], cache=None)
    with pytest.raises(ReportError, match="no such row"):
        build_report([f], vs="nobody", cache=None)


def test_bins_and_variants():
    assert [pow2_bin(n) for n in (1, 2, 3, 4, 5, 8, 9, 31, 32, 33)] == [
        (1, 1), (2, 2), (3, 4), (3, 4), (5, 8), (5, 8), (9, 16), (17, 32), (17, 32), (33, 64),
    ]  # fmt: skip
    assert variant_of(("α", "β", "γ", "δ", "ε")) == "greek"
    assert variant_of(("A", "B")) == "custom (2 symbols)"


def test_samples_of_a_row_worst_first(tmp_path):
    recs = [
        record(0, answer(0)),
        record(1, answer(1, (2, Kind.COPY_ERROR), seed=1)),
        record(2, answer(2, (9, Kind.WRONG_HEAD), seed=1)),
    ]
    f = write_records(tmp_path / "w.jsonl", recs)
    rep = build_report([f], bootstrap=0, cache=None)
    refs = rep.samples("model-a")
    assert [r.where for r in refs] == ["line 2", "line 3", "line 1"]
    assert refs[0].diagnosis == Kind.COPY_ERROR.value and refs[-1].first_error is None
    assert rep.samples("nobody") == []
    assert not math.isnan(refs[0].swa)


def test_many_rows_compare_only_against_vs(tmp_path):
    recs = [record(i % 3, answer(i % 3), model=f"m{i:02d}") for i in range(10)]
    f = write_records(tmp_path / "many.jsonl", recs)
    rep = build_report([f], bootstrap=0, cache=None)
    assert len(rep.rows) == 10 and rep.comparisons == []
    assert rep.notes == [
        "10 rows: no pairwise comparisons (give --vs ROW to compare each row with one)"
    ]
    vs = build_report([f], vs="m00", bootstrap=0, cache=None)
    assert [c.b for c in vs.comparisons] == ["m03", "m06", "m09"]  # the ones on instance 0
    assert all(c.pairs == 1 for c in vs.comparisons)
