"""`tmtui run`'s own account of a run: requests that fail are not model answers (summary,
progress, exit code), --json, numbers that must be finite, timeouts from every source,
arguments that are not UTF-8, config files that are not files."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.model import hostile as H
from tests.model.test_model_cli import TMTUI, Server, _env, run_cmd
from tmtui.io.jsonl import iter_jsonl

CLOSED = "http://127.0.0.1:9/v1"  # nothing listens on the discard port


def test_a_run_where_every_request_fails_is_not_scored_as_wrong_answers(tmp_path):
    out = tmp_path / "o.jsonl"
    res = run_cmd(
        "tmbench", "--model", "m", "--base-url", CLOSED, "--samples", "0-1",
        "--max-retries", "0", "-o", str(out), "--no-progress",
    )  # fmt: skip
    assert res.returncode == 2, res.stderr
    # no score table of answers that never were (on main: "passed 0", "truncated 2")
    assert res.stdout == "" and "truncated" not in res.stderr
    err = res.stderr.strip().splitlines()
    assert "complete 0" in err[0] and "errors 2" in err[0]
    assert "not answered" in err[1] and "0-1" in err[1]
    assert err[-1].startswith("tmtui: error: no sample was answered: all 2 request(s) failed")
    assert "cannot connect" in err[-1]
    assert [r.status for _, r in iter_jsonl(out)] == ["error", "error"]


def test_a_partly_failed_run_counts_failed_requests_apart(tmp_path):
    srv = Server(tmp_path, "--tokens-per-second", "0", "--fail-rate", "0.5", "--seed", "1")
    try:
        out = tmp_path / "o.jsonl"
        res = run_cmd(
            "tmbench", "--model", "synthetic", "--base-url", srv.url, "--samples", "0-9",
            "--max-retries", "0", "--concurrency", "1", "-o", str(out), "--no-progress",
            "--json",
        )  # fmt: skip
    finally:
        srv.close()
    assert res.returncode == 1, res.stderr
    obj = json.loads(res.stdout)
    statuses = [r.status for _, r in iter_jsonl(out)]
    assert obj["written"] == len(statuses) == 10
    assert obj["error"] == statuses.count("error") and 0 < obj["error"] < 10
    assert obj["complete"] == statuses.count("complete")
    assert obj["complete"] + obj["error"] == 10 and obj["cut"] == obj["interrupted"] == 0
    assert obj["output"] == str(out) and obj["elapsed_s"] >= 0 and obj["retries"] == 0
    assert sorted(x["index"] for x in obj["not_answered"]) == [
        r.index for _, r in iter_jsonl(out) if r.status == "error"
    ]
    # the score is exactly what `tmtui score --json OUT` says
    score = subprocess.run(
        [*TMTUI, "score", "--json", str(out)], capture_output=True, text=True, env=_env()
    )
    assert obj["score"] == json.loads(score.stdout)
    assert f"errors {obj['error']}" in res.stderr and "not answered" in res.stderr


def test_json_of_a_clean_run_and_of_nothing_to_do(tmp_path):
    out = tmp_path / "o.jsonl"
    args = ["tmbench", "--model", "synthetic", "--samples", "0-2", "-o", str(out), "--json"]
    first = run_cmd(*args, "--no-progress")
    assert first.returncode == 0, first.stderr
    obj = json.loads(first.stdout)  # stdout holds the one object, no table
    assert (obj["written"], obj["complete"], obj["error"], obj["exit_code"]) == (3, 3, 0, 0)
    assert obj["score"]["n_samples"] == 3 and "pass rate" not in first.stdout
    again = json.loads(run_cmd(*args, "--no-progress").stdout)
    assert again["written"] == 0 and again["skipped"] == 3 and again["score"] == obj["score"]


def test_the_score_of_a_run_takes_the_parser_of_score(tmp_path):
    """`--parser` is spelled as on score, watch, view and report: the run's table and its
    --json score are the ones `tmtui score --parser P` gives."""
    out = tmp_path / "o.jsonl"
    args = ["tmbench", "--model", "synthetic", "--samples", "0-1", "-o", str(out)]
    res = run_cmd(*args, "--no-progress", "--json", "--parser", "tmbench")
    assert res.returncode == 0, res.stderr
    obj = json.loads(res.stdout)
    score = subprocess.run(
        [*TMTUI, "score", "--parser", "tmbench", "--json", str(out)],
        capture_output=True,
        text=True,
        env=_env(),
    )
    assert obj["score"] == json.loads(score.stdout)
    assert obj["score"]["parser"]["mode"] == "tmbench"
    table = subprocess.run(
        [*TMTUI, "score", "--parser", "tmbench", str(out)],
        capture_output=True,
        text=True,
        env=_env(),
    )
    again = run_cmd(*args, "--no-progress", "--parser", "tmbench")  # nothing to do: the table
    assert again.returncode == 0, again.stderr
    assert again.stdout == table.stdout and "tmbench" in again.stdout
    bad = run_cmd(*args, "--no-progress", "--parser", "regex")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--temperature", "nan"),
        ("--temperature", "inf"),
        ("--top-p", "-inf"),
        ("--timeout", "nan"),
        ("--timeout", "inf"),
        ("--stall-seconds", "nan"),
        ("--retry-backoff", "nan"),
        ("--extra-body", '{"top_k": NaN}'),
        ("--extra-body", '{"a": {"b": [Infinity]}}'),
        ("--extra-body", '{"a": 1e999}'),
    ],
)
def test_numbers_that_are_not_finite_are_refused_up_front(tmp_path, flag, value):
    out = tmp_path / "o.jsonl"
    res = run_cmd("tmbench", "--model", "synthetic", "-o", str(out), flag, value)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and ("finite" in lines[0] or "NaN or infinity" in lines[0]), lines
    assert not out.exists()


@pytest.mark.parametrize("source", ["env", "config"])
def test_nan_in_the_environment_or_the_config_is_refused(tmp_path, source):
    env = _env()
    if source == "env":
        env["TMTUI_TEMPERATURE"] = "nan"
    else:
        cfg = tmp_path / "c.toml"
        cfg.write_text("timeout = nan\n[extra_body]\ntop_k = inf\n")
        env["TMTUI_CONFIG"] = str(cfg)
    res = run_cmd("tmbench", "--model", "synthetic", "-o", str(tmp_path / "o.jsonl"), env=env)
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "finite" in res.stderr or "NaN" in res.stderr


@pytest.mark.parametrize("source", ["flag", "env", "config"])
def test_every_timeout_bounds_a_stream_of_keep_alives(tmp_path, source):
    env = _env()
    extra: list[str] = []
    if source == "flag":
        extra = ["--timeout", "1"]
    elif source == "env":
        env["TMTUI_TIMEOUT"] = "1"
    else:
        cfg = tmp_path / "c.toml"
        cfg.write_text("timeout = 1\n")
        env["TMTUI_CONFIG"] = str(cfg)
    out = tmp_path / "o.jsonl"
    with H.hostile_thread(H.keepalives(0.1)) as url:
        res = run_cmd(
            "tmbench", "--model", "m", "--base-url", url, "--samples", "0", "--max-retries",
            "0", "-o", str(out), "--no-progress", *extra, env=env, timeout=60,
        )  # fmt: skip
    assert res.returncode == 2, res.stderr
    [rec] = [r for _, r in iter_jsonl(out)]
    assert rec.status == "error" and "longer than 1 s" in rec.error


def test_watch_takes_its_timeout_from_the_environment_and_the_config(tmp_path, monkeypatch):
    from tmtui.cli.watching import WatchFlags, prepare_watch
    from tmtui.core.parsed import ParserMode

    def flags(config=None) -> WatchFlags:
        return WatchFlags(
            dataset="tmbench", index=0, sample_id=None, model=None, base_url=None,
            replay=None, tokens_per_second=None, prompt=None, error_rate=None, seed=0,
            reasoning="none", max_tokens=None, output=tmp_path / "w.jsonl",
            parser=ParserMode.STRICT, compat=False, theme="dark", config=config,
        )  # fmt: skip

    for k in list(os.environ):
        if k.startswith(("TMTUI_", "OPENAI_")):
            monkeypatch.delenv(k)
    monkeypatch.setenv("TMTUI_CONFIG", str(tmp_path / "none.toml"))
    assert prepare_watch(flags()).client.timeout is None
    monkeypatch.setenv("TMTUI_TIMEOUT", "7")
    assert prepare_watch(flags()).client.timeout == 7
    monkeypatch.delenv("TMTUI_TIMEOUT")
    cfg = tmp_path / "c.toml"
    cfg.write_text("timeout = 9\n")
    assert prepare_watch(flags(cfg)).client.timeout == 9


@pytest.mark.parametrize("kind", ["dir", "fifo"])
def test_a_config_that_is_not_a_file_is_one_line(tmp_path, kind):
    cfg = tmp_path / "cfg"
    if kind == "dir":
        cfg.mkdir()
    else:
        os.mkfifo(cfg)
    for args, env in (
        (["--config", str(cfg)], _env()),
        ([], {**_env(), "TMTUI_CONFIG": str(cfg)}),
    ):
        res = run_cmd(
            "tmbench", "--model", "synthetic", "-o", str(tmp_path / "o.jsonl"), *args,
            env=env, timeout=30,
        )  # fmt: skip
        assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1
        assert f"config file {cfg}" in res.stderr
        assert ("directory" if kind == "dir" else "not a regular file") in res.stderr


BAD = "\udcff\udcfeAB"  # the bytes ff fe 41 42 as Python holds them from argv


@pytest.mark.parametrize(
    "args",
    [
        ["generate", "--alphabet", BAD, "--n", "1", "-o", "x.json"],
        ["generate", "--n", "1", "--name", BAD, "-o", "x.json"],
        ["run", "tmbench", "--model", BAD, "-o", "o.jsonl"],
        ["run", "tmbench", "--model", "synthetic", "--stop", BAD, "-o", "o.jsonl"],
        ["prompt", "tmbench", "--index", "0", "--prompt", BAD],
        ["score", BAD],
        ["serve", "--host", BAD],
        ["watch", "--model", BAD],
        ["view", BAD],
    ],
)
def test_arguments_that_are_not_utf8_are_one_line(tmp_path, args):
    res = subprocess.run(
        [*TMTUI, *(a.encode("utf-8", "surrogateescape") for a in args)],
        capture_output=True,
        env=_env(),
        cwd=tmp_path,
        timeout=30,
    )
    err = res.stderr.decode("utf-8", "replace")
    assert res.returncode == 2 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "\\xff\\xfeAB" in err and "UTF-8" in err
    assert not list(tmp_path.iterdir())  # nothing was written


def test_progress_reads_the_pass_rate_of_answers_and_counts_failed_requests_apart():
    from tmtui.cli.progress import BatchProgress
    from tmtui.model.runner import RunStats

    st = RunStats(total=9, done=9, scored=5, passed=2, complete=5, errors=3, interrupted=1)
    info = BatchProgress(False)._info(st)
    assert "pass 40% of 5" in info and "failed requests 3" in info and "interrupted 1" in info
