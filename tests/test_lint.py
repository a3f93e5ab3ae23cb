"""The code stays ruff clean (the rules in pyproject.toml), formatted as ruff formats it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREES = ["tmtui", "tests", "benchmarks", "examples"]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *TREES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_ruff_check_is_clean():
    ran = _ruff("check", "--no-cache")
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_ruff_format_is_clean():
    ran = _ruff("format", "--check", "--no-cache")
    assert ran.returncode == 0, ran.stdout + ran.stderr
