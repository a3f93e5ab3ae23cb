"""`tmtui run` as a user runs it: subprocesses, signals, exit codes, and the API key."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.model.modelkit import FAKE_KEY, read_all
from tmtui.io.jsonl import iter_jsonl
from tmtui.io.records import Record

TMTUI = [sys.executable, "-m", "tmtui"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "TMTUI_"))}
    env["TMTUI_CONFIG"] = "/nonexistent/tmtui-test-config.toml"
    env.update(extra)
    return env


class Server:
    def __init__(self, tmp: Path, *args: str) -> None:
        self.log = tmp / f"serve-{time.monotonic_ns()}.log"
        self.out = tmp / f"serve-{time.monotonic_ns()}.out"
        self._err = open(self.log, "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [*TMTUI, "serve", "--port", "0", "--log", *args],
            stdout=subprocess.PIPE,
            stderr=self._err,
            text=True,
            env=_env(),
        )
        line = self.proc.stdout.readline()
        assert "listening on" in line, line
        self.out.write_text(line)
        self.url = line.split("listening on ", 1)[1].split(" ", 1)[0]

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(10)
        self._err.close()


@pytest.fixture
def server(tmp_path):
    servers = []

    def start(*args: str) -> Server:
        s = Server(tmp_path, *args)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.close()


def run_cmd(*args: str, env: dict | None = None, timeout: float = 60):
    return subprocess.run(
        [*TMTUI, "run", *args],
        capture_output=True,
        text=True,
        env=env or _env(),
        timeout=timeout,
    )


def complete_counts(path: Path) -> Counter:
    c: Counter = Counter()
    for _, item in iter_jsonl(path):
        assert isinstance(item, Record), f"bad line in {path}: {item}"
        if item.status == "complete":
            c[(item.index, item.repeat)] += 1
    return c


def test_sigkill_midway_then_rerun_gives_one_complete_record_each(tmp_path, server):
    srv = server("--tokens-per-second", "2500", "--error-rate", "0.03")
    out = tmp_path / "out.jsonl"
    args = [
        "tmbench",
        "--model",
        "synthetic",
        "--base-url",
        srv.url,
        "-o",
        str(out),
        "--samples",
        "0-11",
        "--concurrency",
        "4",
        "--no-progress",
        "--no-score",
    ]
    proc = subprocess.Popen(
        [*TMTUI, "run", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env()
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if out.exists() and out.read_bytes().count(b"\n") >= 3:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    before = complete_counts(out)
    assert 3 <= sum(before.values()) < 12
    # what a kill during a write leaves behind: a torn last line
    with open(out, "ab") as f:
        f.write(b'{"schema_version":1,"kind":"model","instance_id":"abc","ans')
    fast = server("--tokens-per-second", "0", "--error-rate", "0.03")
    args[args.index(srv.url)] = fast.url
    done = run_cmd(*args)
    assert done.returncode == 0, done.stderr
    assert "resuming" in done.stderr and "repaired" in done.stderr
    after = complete_counts(out)
    assert sorted(after) == [(i, 0) for i in range(12)]
    assert set(after.values()) == {1}
    # and once more: nothing left to do
    again = run_cmd(*args)
    assert again.returncode == 0 and "nothing to do" in again.stderr
    assert complete_counts(out) == after


def test_ctrl_c_saves_partial_answers_and_resume_replaces_them(tmp_path, server):
    srv = server("--tokens-per-second", "600", "--error-rate", "0")
    out = tmp_path / "out.jsonl"
    args = [
        "tmbench",
        "--model",
        "synthetic",
        "--base-url",
        srv.url,
        "-o",
        str(out),
        "--samples",
        "0-3",
        "--concurrency",
        "4",
        "--no-progress",
        "--no-score",
    ]
    proc = subprocess.Popen(
        [*TMTUI, "run", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "#4 " not in srv.log.read_text():
        time.sleep(0.05)  # until all four streams are under way
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "re-run the same command to resume" in err
    recs = [r for _, r in iter_jsonl(out)]
    assert len(recs) == 4 and all(r.status == "interrupted" and r.answer for r in recs)
    fast = server("--tokens-per-second", "0", "--error-rate", "0")
    args[args.index(srv.url)] = fast.url  # the endpoint is not part of a sample's identity
    done = run_cmd(*args)
    assert done.returncode == 0, done.stderr
    assert set(complete_counts(out).values()) == {1} and len(complete_counts(out)) == 4
    assert len([r for _, r in iter_jsonl(out)]) == 4  # the interrupted ones were moved aside
    side = [r for _, r in iter_jsonl(tmp_path / "out.jsonl.superseded.jsonl")]
    assert len(side) == 4 and all(r.status == "interrupted" for r in side)


def test_the_api_key_is_never_written(tmp_path, server):
    srv_faults = server(
        "--tokens-per-second",
        "0",
        "--status",
        "429",
        "--retry-after",
        "0",
        "--fail-first",
        "2",
        "--drop-after-chars",
        "300",
        "--fail-rate",
        "0.3",
    )
    out = tmp_path / "keys.jsonl"
    env = _env(OPENAI_API_KEY=FAKE_KEY, OPENAI_BASE_URL=srv_faults.url)
    first = run_cmd(
        "tmbench",
        "--model",
        "synthetic",
        "-o",
        str(out),
        "--samples",
        "0-5",
        "--retry-backoff",
        "0",
        "--max-retries",
        "20",
        "--no-progress",
        env=env,
    )
    assert first.returncode == 0, first.stderr
    assert any(r.tries for _, r in iter_jsonl(out))  # the faults did happen
    # a server that wants another key: 401, one clear line, exit 2
    srv_auth = server("--tokens-per-second", "0")
    srv_auth.proc.kill()
    srv_auth.proc.wait()
    env_serve = _env(TMTUI_SERVE_API_KEY="the-only-right-key")
    auth = subprocess.Popen(
        [*TMTUI, "serve", "--port", "0", "--log"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_serve,
    )
    try:
        url = auth.stdout.readline().split("listening on ", 1)[1].split(" ", 1)[0]
        bad = run_cmd(
            "tmbench",
            "--model",
            "synthetic",
            "--base-url",
            url,
            "-o",
            str(tmp_path / "k401.jsonl"),
            "--samples",
            "0-3",
            "--no-progress",
            env=env,
        )
    finally:
        auth.kill()
        auth_out, auth_err = auth.communicate(timeout=10)
    assert bad.returncode == 2
    assert "401 Unauthorized" in bad.stderr and "Traceback" not in bad.stderr
    texts = (first.stdout + first.stderr + bad.stdout + bad.stderr + auth_out + auth_err).encode()
    files = list(tmp_path.iterdir())
    assert FAKE_KEY.encode() not in texts + read_all(files)
    assert FAKE_KEY[-10:].encode() not in texts + read_all(files)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["tmbench", "-o", "x.jsonl"], "no model"),
        (["tmbench", "-o", "x.jsonl", "--model", "m"], "no endpoint"),
        (["nope", "-o", "x.jsonl", "--model", "synthetic"], "not a preset"),
        (["tmbench", "-o", "x.jsonl", "--model", "synthetic", "--samples", "0-500"], "0..99"),
        (["tmbench", "-o", "x.jsonl", "--model", "synthetic", "--extra-body", "{"], "JSON"),
        (["tmbench", "-o", "x.jsonl", "--model", "synthetic", "--prompt", "odd"], "template"),
        (["tmbench", "-o", "x.jsonl", "--model", "m", "--base-url", "ftp://x"], "http"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, words):
    out = subprocess.run(
        [*TMTUI, "run", *args],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
        timeout=30,
    )
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in out.stderr


def test_unknown_model_stops_the_run(tmp_path, server):
    srv = server("--tokens-per-second", "0")
    out = run_cmd(
        "tmbench",
        "--model",
        "gpt-nope",
        "--base-url",
        srv.url,
        "-o",
        str(tmp_path / "o.jsonl"),
        "--samples",
        "0-9",
        "--no-progress",
    )
    assert out.returncode == 2
    assert "404 Not Found" in out.stderr and "'gpt-nope'" in out.stderr
    assert "Traceback" not in out.stderr


def test_embedded_synthetic_run_prints_the_score_table(tmp_path):
    out = run_cmd(
        "tmbench",
        "--model",
        "synthetic",
        "-o",
        str(tmp_path / "e.jsonl"),
        "--samples",
        "0-4",
        "--no-progress",
    )
    assert out.returncode == 0, out.stderr
    assert "pass rate %" in out.stdout and "5 record(s) written" in out.stderr
