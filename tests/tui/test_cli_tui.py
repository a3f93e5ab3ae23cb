"""`tmtui watch` and `tmtui view` fail with one clear line (exit 2) before any screen opens."""

from __future__ import annotations

import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tmtui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("watch", "--index", "1", "--id", "x"), "--index and --id exclude each other"),
        (("watch", "--index", "500"), "index 500 is outside 0..99"),
        (("watch", "nosuch.json"), "nosuch.json: no such file"),
        (("watch", "--tokens-per-second", "-1"), "--tokens-per-second must be >= 0"),
        (("watch", "--model", "gpt-x"), "no endpoint"),
        (("watch", "--replay", "nosuch.jsonl"), "nosuch.jsonl: no such file"),
        (("watch", "--prompt", "nope"), "unknown prompt template"),
        (("watch",), "needs a terminal"),
        (("view", "nosuch.jsonl"), "nosuch.jsonl: no such file"),
        (("view", "README.md"), "not a TMBench dataset"),
    ],
)
def test_one_clear_line(args, message, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text("# not json\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    r = run(*args)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tmtui: error: "), r.stderr
    assert message in lines[0]
    assert "Traceback" not in r.stderr


def test_help_lists_the_debugger() -> None:
    r = run("--help")
    assert "watch" in r.stdout and "view" in r.stdout
    r = run("watch", "--help")
    for flag in ("--index", "--id", "--model", "--base-url", "--replay", "--tokens-per-second"):
        assert flag in r.stdout
