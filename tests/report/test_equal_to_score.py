"""A report's numbers are `tmtui score`'s: for any grouping of any samples, each row equals
`tmtui score` on a file holding exactly that row's samples (same parser, same seed),
intervals, diagnoses, request errors and the other parser's figures included."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.report.reportkit import answer, record, write_records, write_results
from tmtui.core.diagnose import Kind
from tmtui.core.parsed import ParserMode
from tmtui.report import build_report
from tmtui.report.groups import NO_VALUE
from tmtui.scoring import score_files

KINDS = [None, Kind.COPY_ERROR, Kind.WRONG_HEAD, Kind.WRONG_DELETION, Kind.STEP_MISSING]
STYLES = ["official", "official", "echo", "compact", "chinese"]
# the keys of `tmtui score --json`'s figures a row must carry with equal values
FIGURES = (
    "n_samples",
    "passed",
    "pass_rate",
    "swa_uniform",
    "swa_linear",
    "step_accuracy",
    "step_counts",
    "intervals",
    "diagnoses",
    "findings",
    "n_steps",
    "parser",
    "scorer_version",
    "bootstrap_resamples",
    "request_errors",
    "incomplete",
)

sample = st.fixed_dictionaries(
    {
        "i": st.integers(0, 7),
        "error": st.sampled_from(KINDS),
        "at": st.integers(1, 12),
        "style": st.sampled_from(STYLES),
        "model": st.sampled_from(["a", "b", "c"]),
        "template": st.sampled_from(["tmbench", "zero-shot"]),
        "temperature": st.sampled_from([0.0, 0.7, None]),
        "status": st.sampled_from(["complete"] * 6 + ["error", "interrupted", "cut"]),
        "file": st.integers(0, 2),
    }
)


def _record(s: dict):
    err = None if s["error"] is None else (s["at"], s["error"])
    params = {} if s["temperature"] is None else {"temperature": s["temperature"]}
    return record(
        s["i"],
        answer(s["i"], err, s["style"]),
        model=s["model"],
        prompt_template=s["template"],
        params=params,
        status=s["status"],
        error="boom" if s["status"] == "error" else None,
    )


def _group(s: dict, by: str) -> str:
    if by == "model":
        return s["model"]
    if by == "template":
        return s["template"]
    t = s["temperature"]
    return NO_VALUE if t is None else f"{t:g}"


def _figures(d: dict) -> dict:
    return {k: d.get(k) for k in FIGURES}


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    samples=st.lists(sample, min_size=1, max_size=14),
    by=st.sampled_from(["model", "template", "temperature"]),
    mode=st.sampled_from(list(ParserMode)),
)
def test_rows_equal_score_on_the_rows_samples(samples, by, mode):
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        files = []
        for f in range(3):
            recs = [_record(s) for s in samples if s["file"] == f]
            if recs:
                files.append(write_records(d / f"run{f}.jsonl", recs))
        rep = build_report(files, parser=mode, by=[by], bootstrap=40, seed=3, cache=None)
        # file order, then line order: the order the report adds samples in
        ordered = [s for f in range(3) for s in samples if s["file"] == f]
        groups = sorted({_group(s, by) for s in ordered})
        assert sorted(r.label for r in rep.rows) == groups
        for g in groups:
            mine = [_record(s) for s in ordered if _group(s, by) == g]
            path = write_records(d / f"group-{len(mine)}-{abs(hash(g))}.jsonl", mine)
            sr = score_files([path], mode=mode, bootstrap=40, seed=3, compare=True)
            fs = sr.files[0]
            row = rep.row(g)
            assert row is not None
            got = row.to_dict()
            want = fs.to_dict(False)
            if fs.result is None:  # nothing attempted: only the counts apart
                assert got["n_samples"] == 0 and got["pass_rate"] is None
                assert got["request_errors"] == want["request_errors"]
                assert got["incomplete"] == want["incomplete"]
                continue
            assert _figures(got) == _figures(want)
            assert got["other_parser"] == want["other_parser"]
            assert got["read_differently"] == len(sr.disagreements)
            assert got["models"] == want["models"]
            assert [(n["status"], n["error"]) for n in got["not_attempted"]] == [
                (n["status"], n["error"]) for n in want["not_attempted"]
            ]


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    answers=st.lists(
        st.tuples(st.integers(0, 9), st.sampled_from(KINDS), st.integers(1, 12), st.booleans()),
        min_size=1,
        max_size=8,
    ),
    mode=st.sampled_from(list(ParserMode)),
)
def test_official_files_equal_score_per_file_and_pooled(answers, mode):
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        a = {i: answer(i, None if k is None else (at, k)) for i, k, at, _ in answers}
        b = {i: (answer(i) if keep else None) for i, _, _, keep in answers}
        fa = write_results(d / "alpha.json", a, num_token=120)
        fb = write_results(d / "beta.json", b, num_token=80)
        rep = build_report([fa, fb], parser=mode, bootstrap=30, seed=1, cache=None)
        for path in (fa, fb):
            sr = score_files([path], mode=mode, bootstrap=30, seed=1)
            row = rep.row(path.stem)
            want = sr.files[0].to_dict(False)
            if sr.files[0].result is None:
                assert row is None or row.n == 0
                continue
            assert row is not None
            got = row.to_dict()
            assert _figures(got) == _figures(want)
            assert got["skipped_without_answer"] == want["skipped_without_answer"]
            assert got["source"] == str(path) and got["kind"] == "official"
        # pooled across both files: one row by alphabet variant = tmtui score's "all files"
        # (a row whose samples all come from one file is that file's score: its max_step)
        pooled = build_report(
            [fa, fb], parser=mode, by=["variant"], bootstrap=30, seed=1, cache=None
        )
        scored = [p for p in (fa, fb) if score_files([p], mode=mode, bootstrap=0).files[0].result]
        sr = score_files(scored, mode=mode, bootstrap=30, seed=1)
        want = (sr.pooled if len(scored) == 2 else sr.files[0].result).to_dict()
        (row,) = pooled.rows
        got = row.to_dict()
        assert {k: got[k] for k in FIGURES if k in want} == {
            k: want[k] for k in FIGURES if k in want
        }


person = st.fixed_dictionaries(
    {
        "i": st.integers(0, 5),
        "error": st.sampled_from(KINDS),
        "at": st.integers(1, 12),
        "who": st.sampled_from(["P01", "P02", "P03"]),
        "assist": st.sampled_from(["none", "prefill", "append"]),
        "active_ms": st.integers(1_000, 600_000),
    }
)


def _human(s: dict):
    from tests.report.reportkit import human

    err = None if s["error"] is None else (s["at"], s["error"])
    meta = {"human": {"active_ms": float(s["active_ms"]), "assist": s["assist"]}}
    return human(s["i"], s["who"], answer(s["i"], err), meta=meta)


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.lists(person, min_size=1, max_size=12),
    by=st.sampled_from(["model", "participant", "assist"]),
    mode=st.sampled_from(list(ParserMode)),
)
def test_people_and_the_pooled_humans_equal_score(people, by, mode):
    """Human exports too: each participant's row, each assist level's, and the pooled humans
    equal `tmtui score` on exactly those attempts (with both parsers)."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        models = [record(i, answer(i), model="m") for i in range(3)]
        files = [write_records(d / "m.jsonl", models), write_records(d / "people.jsonl",
                 [_human(s) for s in people])]  # fmt: skip
        rep = build_report(files, parser=mode, by=[by], bootstrap=40, seed=5, cache=None)

        def key(s: dict) -> str:
            return {"model": f"human:{s['who']}", "participant": s["who"]}.get(by, s["assist"])

        groups = {key(s) for s in people}
        if by == "model" and len({s["who"] for s in people}) > 1:
            groups.add("humans (all)")
        for g in sorted(groups):
            mine = [s for s in people if g == "humans (all)" or key(s) == g]
            path = write_records(d / f"g{abs(hash(g))}.jsonl", [_human(s) for s in mine])
            want = score_files([path], mode=mode, bootstrap=40, seed=5).files[0].to_dict(False)
            row = rep.row(g)
            assert row is not None, g
            assert _figures(row.to_dict()) == _figures(want), g
            assert row.timed_samples == len(mine)
            written = sum(len(v) - v.count("m") for v in
                          [ps["verdicts"] for ps in score_files([path], mode=mode, bootstrap=0,
                           per_sample=True).files[0].to_dict(True)["per_sample"]])  # fmt: skip
            secs = sum(s["active_ms"] for s in mine) / 1000
            assert row.seconds_per_step == pytest.approx(secs / written)
