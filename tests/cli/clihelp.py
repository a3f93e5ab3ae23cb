"""Shared by the CLI tests: run tmtui in-process (fast) or as a real process (bytes, exit
codes, timeouts), and build answer files in the tests themselves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

from typer.testing import CliRunner

from tmtui.core.answer import format_answer
from tmtui.core.datasets import generate_preset
from tmtui.core.mutate import flawed_steps
from tmtui.core.prompts import render
from tmtui.io.records import Record, encode_record, spec_of


@dataclass
class Ran:
    code: int
    out: bytes
    err: bytes

    @property
    def stdout(self) -> str:
        return self.out.decode("utf-8")

    @property
    def stderr(self) -> str:
        return self.err.decode("utf-8")

    def json(self) -> dict:
        return json.loads(self.out)


def invoke(*args: str) -> Ran:
    """tmtui in this process (Typer's test runner)."""
    from tmtui.cli import app

    result = CliRunner().invoke(
        app, [str(a) for a in args], catch_exceptions=False, env={"COLUMNS": "200"}
    )
    return Ran(result.exit_code, result.stdout_bytes, result.stderr_bytes or b"")


def run(*args: str, timeout: float = 60) -> Ran:
    """tmtui as a real process, as a user runs it (``python -m tmtui``)."""
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    env.pop("FORCE_COLOR", None)
    p = subprocess.run(
        [sys.executable, "-m", "tmtui", *map(str, args)],
        capture_output=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    return Ran(p.returncode, p.stdout, p.stderr)


DS = generate_preset("tmbench")


def answer(i: int, errors: dict | None = None, style: str = "official", seed: int = 0) -> str:
    import random

    steps = flawed_steps(DS[i], errors or {}, rng=random.Random(seed))
    assert steps is not None
    return format_answer(steps, style=style)


def results_obj(answers: dict[int, str | None]) -> dict:
    """An official results file with the given answers (None: a sample without 'ans')."""
    obj = DS.to_official()
    obj["samples"] = [obj["samples"][i] for i in answers]
    for s, (i, ans) in zip(obj["samples"], answers.items(), strict=True):
        s["prompts"] = render(DS[i])
        if ans is not None:
            s["ans"] = ans
        s["num_token"] = 100
    return obj


def record_line(i: int, ans: str, **over) -> bytes:
    fields = {
        "instance_id": DS[i].id,
        "dataset": "tmbench",
        "index": i,
        "model": "test-model",
        "status": "complete",
        "answer": ans,
        "instance": spec_of(DS[i]),
    }
    fields.update(over)
    return encode_record(Record(**fields))
