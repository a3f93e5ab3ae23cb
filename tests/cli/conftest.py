"""Fixtures for the CLI tests (helpers live in tests/cli/clihelp.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.clihelp import answer, record_line, results_obj
from tmtui.core.diagnose import Kind


@pytest.fixture
def mini_results(tmp_path) -> Path:
    """Seven samples: five right (one written in the echo format, one compact), one copy
    error, one without an answer."""
    obj = results_obj(
        {
            0: answer(0),
            1: answer(1),
            2: answer(2, {3: Kind.COPY_ERROR}, seed=1),
            3: answer(3, style="echo"),
            4: None,
            5: answer(5),
            6: answer(6, style="compact"),
        }
    )
    p = tmp_path / "mini.results.json"
    p.write_text(json.dumps(obj, indent=1))
    return p


@pytest.fixture
def mini_records(tmp_path) -> Path:
    p = tmp_path / "mini.jsonl"
    p.write_bytes(
        record_line(0, answer(0))
        + record_line(1, answer(1, {2: Kind.WRONG_HEAD}, seed=3))
        + record_line(2, answer(2, style="chinese"))
    )
    return p
