"""CLI: tmtui score (table, JSON, compat, compare, several files, exit codes)."""

from __future__ import annotations

import json

import pytest

from tests.cli.clihelp import DS, answer, invoke, record_line, results_obj, run
from tmtui.core.compat import COMPAT_VERSION
from tmtui.core.diagnose import Kind
from tmtui.core.parse import STRICT_VERSION
from tmtui.core.prompts import prompt_sha256
from tmtui.core.score import SCORER_VERSION
from tmtui.io.official import dump_official


def test_score_table(mini_results):
    r = invoke("score", mini_results, "--bootstrap", "0")
    assert r.code == 0, r.stderr
    out = r.stdout
    assert f"parser strict ({STRICT_VERSION})" in out and f"scorer {SCORER_VERSION}" in out
    assert "mini.results.json" in out
    for row in ("samples", "passed", "pass rate %", "SWA uniform %", "SWA linear %"):
        assert row in out
    assert "copy-error 1" in out
    assert "ACC(i) mini.results.json, steps 0..30:" in out


def test_score_json(mini_results):
    r = invoke("score", mini_results, "--json", "--bootstrap", "200", "--seed", "3")
    assert r.code == 0
    d = r.json()
    for key in (
        "n_samples",
        "passed",
        "pass_rate",
        "swa_uniform",
        "swa_linear",
        "step_accuracy",
        "intervals",
        "diagnoses",
    ):
        assert key in d
    assert d["n_samples"] == 6  # sample 4 has no "ans": skipped, as the official script does
    assert d["skipped_without_answer"] == 1
    assert d["passed"] == 5
    assert d["pass_rate"] == pytest.approx(500 / 6)
    assert len(d["step_accuracy"]) == 31
    assert d["step_accuracy"][0] == 100.0
    assert d["diagnoses"] == {"copy-error": 1}
    assert d["parser"] == {"mode": "strict", "version": STRICT_VERSION}
    assert d["scorer_version"] == SCORER_VERSION
    lo, hi = d["intervals"]["pass_rate"]
    assert lo < d["pass_rate"] < hi
    lo, hi = d["intervals"]["swa_uniform"]
    assert lo <= d["swa_uniform"] <= hi
    assert d["errors"] == [] and d["models"] == ["mini.results"]
    assert "per_sample" not in d
    # the same seed gives the same intervals
    again = invoke("score", mini_results, "--json", "--bootstrap", "200", "--seed", "3").json()
    assert again["intervals"] == d["intervals"]


def test_score_per_sample(mini_results):
    d = invoke("score", mini_results, "--json", "--per-sample", "--bootstrap", "0").json()
    rows = d["per_sample"]
    assert [s["index"] for s in rows] == [0, 1, 2, 3, 5, 6]
    bad = rows[2]
    assert bad["passed"] is False and bad["first_divergence"] == 3
    assert bad["diagnosis"]["kind"] == "copy-error"
    assert bad["diagnosis"]["new_errors"] == [3]
    for s in rows:
        inst = DS[s["index"]]
        assert s["rules_sha256"] == inst.rules_sha256()
        assert s["prompt_sha256"] == prompt_sha256(inst)
        assert s["instance_id"] == inst.id
    table = invoke("score", mini_results, "--per-sample", "--bootstrap", "0")
    assert "copy error: dropped" in table.stdout


def test_score_compat_mode(mini_results):
    d = invoke("score", mini_results, "--compat", "tmbench", "--json", "--bootstrap", "0").json()
    assert d["parser"] == {"mode": "tmbench", "version": COMPAT_VERSION}
    # the echo answer (sample 3) and the compact one (sample 6, no "Queue State:") fail here
    assert d["passed"] == 3
    strict = invoke("score", mini_results, "--json", "--bootstrap", "0").json()
    assert strict["passed"] == 5
    # one spelling: --parser (the old --compat tmbench stays as a hidden alias)
    again = invoke("score", mini_results, "--parser", "tmbench", "--json", "--bootstrap", "0")
    assert again.json() == d
    assert (
        invoke("score", mini_results, "--parser", "strict", "--json", "--bootstrap", "0").json()
        == strict
    )
    bad = invoke("score", mini_results, "--parser", "fuzzy")
    assert bad.code == 2 and "fuzzy" in bad.stderr


def test_compat_mode_matches_the_official_formula(tmp_path):
    """Official-file scoring in compat mode: ACC(i) over the samples whose stored truth has
    step i, read with the official regex, exactly."""
    import re

    from tmtui.core.compat import OFFICIAL_PATTERN

    answers = {}
    for i in range(25):
        kinds = [Kind.COPY_ERROR, Kind.WRONG_PRODUCTION, Kind.PREMATURE_HALT, None]
        kind = kinds[i % 4]
        n = len(DS[i].run)
        errs = {max(1, n // 2): kind} if kind and n > 2 else {}
        try:
            answers[i] = answer(i, errs, style=["official", "echo", "commas"][i % 3], seed=i)
        except AssertionError:
            answers[i] = answer(i)
    obj = results_obj(answers)
    f = tmp_path / "r.json"
    f.write_text(json.dumps(obj))
    d = invoke("score", f, "--compat", "tmbench", "--json", "--bootstrap", "0").json()
    accs = []
    for step in range(31):
        total = correct = 0
        for s in obj["samples"]:
            truth = s["step_results"]
            got = {}
            for k, content in re.findall(OFFICIAL_PATTERN, s["ans"], re.DOTALL):
                got[int(k)] = content.replace(" ", "").replace(",", "")
            if step < len(truth):
                total += 1
                correct += got.get(step) == truth[step]
        accs.append(100 * correct / total)
    assert d["step_accuracy"] == pytest.approx(accs)
    assert d["swa_uniform"] == pytest.approx(sum(accs) / 31)
    assert d["swa_linear"] == pytest.approx(
        sum(a * (i + 1) for i, a in enumerate(accs)) / sum(range(1, 32))
    )


def test_compare_lists_the_echo_answer(mini_results):
    d = invoke("score", mini_results, "--compare", "--json", "--bootstrap", "0").json()
    where = {x["where"]: x for x in d["disagreements"]}
    assert set(where) == {"sample 3", "sample 6"}
    echo = where["sample 3"]
    assert echo["strict_passed"] is True and echo["compat_passed"] is False
    first = echo["steps"][0]
    assert first["step"] == 1
    assert first["strict"] == DS[3].run.state(1)
    assert first["compat"] == DS[3].run.state(0)  # the echo of the previous queue
    assert first["strict_verdict"] == "correct" and first["compat_verdict"] == "wrong"
    assert d["other_parser"]["parser"]["mode"] == "tmbench"
    table = invoke("score", mini_results, "--compare", "--bootstrap", "0").stdout
    assert "strict and tmbench read 2 sample(s) differently" in table
    assert "sample 3" in table


def test_records_file(mini_records):
    d = invoke("score", mini_records, "--json", "--per-sample", "--bootstrap", "0").json()
    assert d["kind"] == "jsonl"
    assert d["n_samples"] == 3 and d["passed"] == 2
    assert d["diagnoses"] == {"wrong-head": 1}
    assert d["models"] == ["test-model"]
    chinese = d["per_sample"][2]
    assert chinese["passed"] and any("non-English" in x for x in chinese["deviations"])


def test_records_without_an_instance_use_the_preset_or_dataset(tmp_path):
    f = tmp_path / "r.jsonl"
    f.write_bytes(record_line(4, answer(4), instance=None))
    d = invoke("score", f, "--json", "--bootstrap", "0").json()
    assert d["n_samples"] == 1 and d["passed"] == 1
    g = tmp_path / "g.jsonl"
    g.write_bytes(record_line(4, answer(4), instance=None, dataset="my-file"))
    r = invoke("score", g, "--json", "--bootstrap", "0")
    assert r.code == 2 and "not a known dataset" in r.stderr
    ds = tmp_path / "TMBench.json"
    ds.write_bytes(dump_official(DS))
    d = invoke("score", g, "--dataset", ds, "--json", "--bootstrap", "0").json()
    assert d["n_samples"] == 1 and d["passed"] == 1


def test_several_files_are_pooled(mini_results, mini_records):
    r = invoke("score", mini_results, mini_records, "--json", "--bootstrap", "0")
    assert r.code == 0
    d = r.json()
    assert d["n_samples"] == 9 and d["passed"] == 7
    assert [(b["source"].rsplit("/", 1)[-1], b["n_samples"]) for b in d["by_source"]] == [
        ("mini.results.json", 6),
        ("mini.jsonl", 3),
    ]
    table = invoke("score", mini_results, mini_records, "--bootstrap", "0").stdout
    assert "all files" in table


def test_exit_codes(tmp_path, mini_results):
    # 0: everything scored
    assert invoke("score", mini_results, "--bootstrap", "0").code == 0
    # 1: some bad records, the others scored
    obj = json.loads(mini_results.read_text())
    obj["samples"][1]["init_str"] = 7
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps(obj))
    r = invoke("score", partial, "--json", "--bootstrap", "0")
    assert r.code == 1
    assert r.json()["n_samples"] == 5
    assert "sample 1:" in r.stderr
    # 1: one unreadable file among good ones
    png = tmp_path / "x.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    r = invoke("score", mini_results, png, "--json", "--bootstrap", "0")
    assert r.code == 1
    assert r.json()["n_samples"] == 6
    # 2: nothing scorable
    assert invoke("score", png).code == 2
    dataset = tmp_path / "TMBench.json"
    dataset.write_bytes(dump_official(DS))
    r = invoke("score", dataset)
    assert r.code == 2 and "no answers to score" in r.stderr
    # 2: bad arguments
    r = invoke("score", mini_results, "--compat", "lm-eval")
    assert r.code == 2 and "only compat mode is tmbench" in r.stderr
    assert invoke("score", mini_results, "--bootstrap", "-1").code == 2


def test_exit_codes_as_a_real_process(tmp_path, mini_results):
    assert run("score", mini_results, "--bootstrap", "0").code == 0
    r = run("score", tmp_path / "missing.json")
    assert r.code == 2
    assert "no such file" in r.stderr and "Traceback" not in r.stderr


def test_quiet_counts_bad_records(tmp_path):
    f = tmp_path / "r.jsonl"
    f.write_bytes(record_line(0, answer(0)) + b"junk\n" * 3)
    r = invoke("score", f, "-q", "--json", "--bootstrap", "0")
    assert r.code == 1
    assert "line 2" not in r.stderr
    assert len(r.json()["errors"]) == 3


# -- attempts that did not happen, pooled tables, --compare ------------------------------------


def test_failed_requests_and_interrupted_streams_are_counted_apart(tmp_path):
    from tests.cli.clihelp import answer, record_line

    p = tmp_path / "run.jsonl"
    p.write_bytes(
        record_line(0, answer(0))
        + record_line(1, answer(1))
        + record_line(2, "", status="error", error="connection refused")
        + record_line(3, answer(3)[:200], status="interrupted", error="stream dropped")
    )
    d = invoke("score", p, "--json", "--bootstrap", "0").json()
    assert d["n_samples"] == 2 and d["passed"] == 2 and d["pass_rate"] == 100.0
    assert d["request_errors"] == 1 and d["incomplete"] == 1
    assert [n["where"] for n in d["not_attempted"]] == ["line 3", "line 4"]
    assert d["not_attempted"][0] == {
        "where": "line 3",
        "status": "error",
        "error": "connection refused",
    }
    assert "truncated" not in d["diagnoses"]  # a failed request is not a truncated answer
    table = invoke("score", p, "--bootstrap", "0").stdout
    assert "request errors (not scored)" in table and "incomplete (not scored)" in table
    assert "line 3: request failed: connection refused (not scored)" in table
    rows = invoke("score", p, "--json", "--per-sample", "--bootstrap", "0").json()["per_sample"]
    assert [r["attempted"] for r in rows] == [True, True, False, False]
    assert rows[2]["diagnosis"] is None


def test_per_sample_table_lists_failed_requests_as_no_answer(tmp_path):
    """--per-sample: a failed request or an interrupted stream is no answer (not scored), not
    a row of missing steps with SWA 0.0, a first divergence at step 0 and a '✓' diagnosis."""
    from tests.cli.clihelp import answer, record_line

    p = tmp_path / "run.jsonl"
    p.write_bytes(
        record_line(0, answer(0))
        + record_line(2, "", status="error", error="connection refused")
        + record_line(3, answer(3)[:200], status="interrupted", error="stream dropped")
    )
    out = invoke("score", p, "--per-sample", "--bootstrap", "0").stdout
    lines = out.splitlines()
    a = next(i for i, line in enumerate(lines) if line.startswith("│ 2 "))
    b = next(i for i, line in enumerate(lines) if line.startswith("│ 3 "))
    c = next(i for i, line in enumerate(lines) if i > b and line.startswith("└"))
    failed, cut = " ".join(lines[a:b]), " ".join(lines[b:c])
    assert "no answer" in failed and "request failed" in failed
    assert "not scored" in cut and "interrupted" in cut
    for row in (failed, cut):
        assert "0.0" not in row and "✓" not in row and "·" not in row
    # the JSON: no pass or fail, no figure for an attempt that did not happen
    js = invoke("score", p, "--json", "--per-sample", "--bootstrap", "0").json()["per_sample"]
    want = [(True, True), (False, None), (False, None)]
    assert [(r["attempted"], r["passed"]) for r in js] == want
    assert js[1]["swa_uniform"] is None and js[1]["first_divergence"] is None


def test_a_file_of_failed_requests_only_scores_nothing_and_says_so(tmp_path):
    from tests.cli.clihelp import record_line

    p = tmp_path / "run.jsonl"
    p.write_bytes(record_line(0, "", status="error", error="HTTP 404: no such model"))
    r = invoke("score", p, "--bootstrap", "0")
    assert r.code == 2
    assert "request errors (not scored)" in r.stdout
    assert "no answers to score" in r.stderr


def _table_rows(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("│┃").split("│")]
        if len(cells) > 1 and cells[0]:
            rows[cells[0]] = cells[1:]
    return rows


def test_the_pooled_table_is_built_by_row_name(tmp_path, mini_results):
    """The first file has no halting finding and skips a sample; the second has a finding and
    skips none: every row lines up under its own name."""
    from tests.cli.clihelp import answer, record_line

    second = tmp_path / "b.jsonl"
    second.write_bytes(
        record_line(0, answer(0)) + record_line(6, answer(6, {-1: Kind.STEPS_AFTER_HALT}))
    )
    rows = _table_rows(invoke("score", mini_results, second, "--bootstrap", "0").stdout)
    assert rows["skipped (no ans)"] == ["1", "0", "1"]
    assert rows["bad records"] == ["0", "0", "0"]
    assert rows["samples"] == ["6", "2", "8"]
    assert rows["halting findings"][0] == "—"
    assert "steps-after-halt 1" in rows["halting findings"][1]


def test_compare_counts_samples_read_differently_with_the_same_verdicts(tmp_path):
    """At one step the answer echoes the previous queue and then writes a wrong one: the
    regex reads the echo, strict the written queue; both are wrong, so the verdicts agree,
    but the readings differ and --compare must say so."""
    import random

    from tests.cli.clihelp import DS, record_line
    from tmtui.core.answer import format_step
    from tmtui.core.mutate import flawed_steps

    inst = DS[0]
    k, steps = next(
        (k, st)
        for k in range(2, 12)
        if (st := flawed_steps(inst, {k: Kind.COPY_ERROR}, rng=random.Random(1))) is not None
    )
    parts = []
    for s in steps:
        if s.step == k:
            s.prev = steps[k - 1].queue
            parts.append(format_step(s, "echo"))
        else:
            parts.append(format_step(s))
    p = tmp_path / "r.jsonl"
    p.write_bytes(record_line(0, "".join(parts)))
    d = invoke("score", p, "--compare", "--json", "--bootstrap", "0").json()
    (dis,) = d["disagreements"]
    assert dis["strict_verdicts"] == dis["compat_verdicts"] and dis["verdicts_differ"] is False
    assert [s["step"] for s in dis["steps"]] == [k]
    table = invoke("score", p, "--compare", "--bootstrap", "0").stdout
    assert "read 1 sample(s) differently (0 with different verdicts, 1 with the same" in table
    assert "None" not in table


def test_compare_table_says_not_read_instead_of_none(mini_results):
    table = invoke("score", mini_results, "--compare", "--bootstrap", "0").stdout
    assert "None" not in table
    assert "tmbench (not read) (missing)" in table


def test_json_of_a_file_of_failed_requests_only_still_reports_them(tmp_path):
    from tests.cli.clihelp import record_line

    p = tmp_path / "run.jsonl"
    p.write_bytes(record_line(0, "", status="error", error="HTTP 404"))
    r = invoke("score", p, "--json", "--bootstrap", "0")
    assert r.code == 2
    d = r.json()
    assert d["request_errors"] == 1 and d["not_attempted"][0]["error"] == "HTTP 404"


def test_a_long_runs_step_accuracy_is_printed_one_step_in_k():
    """A 2,001-step ACC(i) is not 2,001 numbers on the terminal: one step in k, step:value,
    the first and last steps among them; a TMBench-sized run still prints every step."""
    from tmtui.cli.render import ACC_SHOWN, _step_accuracy_line

    head, line = _step_accuracy_line([100.0] * 31)
    assert head == "steps 0..30" and len(line.split()) == 31
    acc = [100.0 - i / 40 for i in range(2001)]  # percentages, as the scorer gives them
    head, line = _step_accuracy_line(acc)
    pairs = [p.split(":") for p in line.split()]
    steps = [int(s) for s, _ in pairs]
    assert len(pairs) <= ACC_SHOWN and steps[0] == 0 and steps[-1] == 2000
    assert steps == sorted(set(steps)) and "one in" in head and "--json" in head
    assert pairs[-1][1] == "50.0"
