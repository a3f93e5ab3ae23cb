"""Bounded work at every door an instance comes in by (issue 9): records, official files,
datasets, generate, run --max-steps, prompt. An instance too large is one line, decided from
its parameters or from a simulation no larger than the limits, and the good ones still count;
a stored truth longer than the rules' trace is scored as the official evaluator does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.cli.clihelp import DS, answer, invoke, results_obj
from tmtui.core.datasets import Instance
from tmtui.core.limits import MAX_RUN_STATES, MAX_TRUTH
from tmtui.core.parsed import ParserMode
from tmtui.core.score import compat_verdicts, score_sample
from tmtui.io.instances import size_problem
from tmtui.io.records import Record, encode_record, spec_of

# tmtui's main, then its own peak memory (the high-water mark of this process's memory since
# it started: a child's ru_maxrss would include its parent's, the test process's, at spawn)
_PEAK = (
    "import atexit, sys\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('peak ' + line.split()[1] + '\\n')\n"
    "atexit.register(peak)\n"
    "from tmtui.cli.app import main\n"
    "sys.argv = ['tmtui', *sys.argv[1:]]\n"
    "main()\n"
)


def _measured(*args: str) -> tuple[int, str, float, int]:
    """tmtui as a process: exit code, stderr, wall seconds, its own peak memory (bytes)."""
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    t0 = time.monotonic()
    p = subprocess.run(
        [sys.executable, "-c", _PEAK, *args], capture_output=True, env=env, check=False
    )
    seconds = time.monotonic() - t0
    err, _, last = p.stderr.decode().rstrip("\n").rpartition("\n")
    assert last.startswith("peak "), p.stderr[-2000:]
    return p.returncode, err + "\n" if err else "", seconds, int(last.split()[1]) * 1024


def _record(inst: Instance, ans: str = "step 0: [A]\n") -> bytes:
    return encode_record(
        Record(
            instance_id=inst.id,
            dataset="tmbench",
            index=inst.index,
            model="m",
            status="complete",
            answer=ans,
            instance=spec_of(inst),
        )
    )


# m = 2, productions of 2 symbols: the queue never grows and never halts
LEVEL = Instance(
    id="level", init="ABCABC", rules={"A": "BC", "B": "CA", "C": "AB"}, alphabet=("A", "B", "C")
)


def test_records_asking_for_ten_million_states_cost_only_the_limits(tmp_path):
    """Before: each such record was simulated to its cap (3.5 s and 330 MB), 20 of them 69 s."""
    halting = [i for i in range(20) if DS[i].run.halted]  # these are fine at any cap
    assert 0 < len(halting) < 10
    lines = [_record(DS[i].replace(max_states=10_000_000)) for i in range(20)]
    lines.append(_record(LEVEL.replace(max_states=10_000_000)))
    lines.append(_record(DS[0], answer(0)))
    p = tmp_path / "caps.jsonl"
    p.write_bytes(b"".join(lines))
    code, err, seconds, peak = _measured("score", str(p), "--bootstrap", "0", "--json")
    assert code == 1, err
    bad = [line for line in err.splitlines() if "caps.jsonl: line" in line]
    assert len(bad) == 21 - len(halting) and all("bad instance" in line for line in bad)
    assert all(f"line {i + 1}:" not in "".join(bad) for i in halting)
    assert "ground-truth states hold" in bad[0] and "runs past 1,000,001 states" in bad[-1]
    assert "Traceback" not in err
    assert peak < 250 * 2**20, peak  # was 330 MB for one record
    assert seconds < 60  # generous: the level one simulates at most the 1,000,002 states


def test_a_huge_cap_that_halts_early_is_scored_without_simulating_the_cap():
    halts = Instance(id="h", init="AAB", rules={"A": "AAA"}, alphabet=("A", "B"))
    halts = halts.replace(max_states=10_000_000)
    assert size_problem(halts) is None and len(halts.run) == 2
    # the parameters alone settle a TMBench instance: nothing is simulated
    inst = Instance(id="t", init=DS[3].init, rules=DS[3].rules)
    assert size_problem(inst) is None and "run" not in inst.__dict__


def test_an_official_file_asking_for_ten_million_states_is_one_line(tmp_path):
    """Before: 900 s and 2.8 GB (the scores ran over 10 million steps)."""
    obj = results_obj({i: answer(i) for i in range(4)})
    obj["max_step"] = 10_000_000
    p = tmp_path / "cap.json"
    p.write_text(json.dumps(obj))
    code, err, seconds, _ = _measured("score", str(p), "--parser", "tmbench")
    assert code == 2 and err.count("\n") == 1
    assert f"'max_step' must be between 1 and {MAX_RUN_STATES:,}" in err
    assert seconds < 30


def test_dataset_samples_too_large_are_errors_of_the_dataset(tmp_path):
    obj = DS.to_official()
    obj["samples"] = obj["samples"][:3]
    obj["max_step"] = MAX_RUN_STATES  # samples 0..2 grow past the truth limit
    p = tmp_path / "long.json"
    p.write_text(json.dumps(obj))
    r = invoke("validate", str(p))
    assert r.code == 1
    assert r.stderr.count("ground-truth states hold") == 3


def test_generate_a_million_steps_is_one_line_in_bounded_memory(tmp_path):
    """Before: 17.6 GB (every state of the trace listed, then dumped)."""
    out = tmp_path / "ds.json"
    code, err, _, peak = _measured("generate", "--n", "1", "--max-steps", "1000000", "-o", str(out))
    assert code == 2 and err.count("\n") == 1, err
    assert f"the limit is {MAX_TRUTH:,}" in err and not out.exists()
    assert peak < 250 * 2**20, peak


def test_generate_streams_long_traces(tmp_path):
    out = tmp_path / "ds.json"
    r = invoke("generate", "--n", "2", "--max-steps", "1500", "--seed", "5", "-o", str(out))
    assert r.code == 0, r.stderr
    obj = json.loads(out.read_bytes())
    assert all(len(s["step_results"]) <= 1501 for s in obj["samples"])
    assert any(len(s["step_results"]) == 1501 for s in obj["samples"])


@pytest.mark.parametrize(
    ("args", "msg"),
    [
        (["prompt", "tmbench", "--max-steps", "-1"], "--max-steps must be within 0..1000000"),
        (["prompt", "tmbench", "--max-steps", "1000001"], "--max-steps must be within"),
        (["generate", "--max-steps", "-3"], "--max-steps must be within 0..1000000"),
        (["generate", "--min-steps", "-1"], "--min-steps must be within"),
        (["generate", "--n", "-2"], "--n must be >= 0"),
    ],
)
def test_step_caps_out_of_range_are_refused(args, msg):
    r = invoke(*args)
    assert r.code == 2 and msg in r.stderr and r.stdout == ""


def test_run_max_steps_leaves_out_what_cannot_be_scored(tmp_path):
    """Before: a MemoryError traceback (every state of a million-step truth listed)."""
    out = tmp_path / "run.jsonl"
    halting = next(i for i, inst in enumerate(DS) if len(inst.run) < 31)
    code, err, _, peak = _measured(
        "run",
        "tmbench",
        "--model",
        "synthetic",
        "--max-steps",
        "1000000",
        "--samples",
        f"0,{halting}",
        "-o",
        str(out),
        "--no-progress",
    )
    assert "Traceback" not in err and code == 0, err
    left = [line for line in err.splitlines() if "left out" in line]
    assert len(left) == 1 and left[0].startswith("tmtui: sample 0: ")
    recs = [json.loads(line) for line in out.read_bytes().splitlines()]
    assert [r["index"] for r in recs] == [halting]
    assert peak < 300 * 2**20, peak
    code, err, _, _ = _measured(
        "run", "tmbench", "--model", "synthetic", "--max-steps", "1000000", "--samples", "0-2",
        "-o", str(tmp_path / "none.jsonl"), "--no-progress",
    )  # fmt: skip
    assert code == 2 and "no sample's trace fits the limits" in err


# -- stored truth longer than the simulated run ---------------------------------------------


def _longer_truth() -> tuple[int, list[str], str]:
    """A sample that halts early, its stored truth extended by two states, and an answer
    that diverges at the last stored step."""
    i = next(i for i, inst in enumerate(DS) if len(inst.run) < 31)
    truth = [*DS[i].run.states(), "ABCDE", "BCDEA"]
    written = [*truth[:-1], "EEEEE"]
    ans = "".join(f"step {k}:\nQueue State: [{' '.join(q)}]\n" for k, q in enumerate(written))
    return i, truth, ans


def test_a_divergence_past_the_rules_trace_is_scored_as_acc_py_and_explained():
    i, truth, ans = _longer_truth()
    sc = score_sample(DS[i], ans, mode=ParserMode.TMBENCH, truth=truth)
    verdicts, _ = compat_verdicts(ans, truth)
    assert sc.verdicts == verdicts == "c" * (len(truth) - 1) + "w"
    d = sc.diagnosis
    assert d is not None and d.kind.value == "other" and d.step == len(truth) - 1
    assert "past the rules' trace" in d.message and "not diagnosed" in d.message


@pytest.mark.parametrize(
    "flags",
    [
        ["--parser", "tmbench"],
        ["--parser", "tmbench", "--compare"],
        ["--parser", "tmbench", "--per-sample"],
    ],
)
def test_a_stored_truth_longer_than_the_run_costs_no_other_sample(tmp_path, flags):
    """Before: an IndexError traceback, and every other sample of the file lost."""
    i, truth, ans = _longer_truth()
    obj = results_obj({0: answer(0), i: ans, 1: answer(1)})
    obj["samples"][1]["step_results"] = truth
    p = tmp_path / "longer.json"
    p.write_text(json.dumps(obj))
    r = invoke("score", str(p), *flags, "--json", "--bootstrap", "0")
    assert r.code == 0, r.stderr
    d = r.json()
    assert d["n_samples"] == 3 and d["passed"] == 2
    assert d["truth_mismatches"] == ["sample 1: stored step_results disagree with the rules"]
