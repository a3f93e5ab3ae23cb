"""Sessions in real processes: one killed with SIGKILL and started again loses no submitted
step and keeps its time; two participants in two processes on one database at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tmtui.io import humanrows as rows
from tmtui.io.humandb import HumanDb
from tmtui.io.humanrecords import scored_records

ROOT = Path(__file__).resolve().parents[2]


def _driver(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.human.driver", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_session_killed_after_step_5_loses_no_step_and_keeps_its_time(tmp_path):
    db = str(tmp_path / "h.sqlite")
    p = _driver(db, "P01", "0", "--steps", "5", "--pause", "0.15", "--hang")
    assert p.stdout is not None
    lines = []
    for line in p.stdout:
        lines.append(line.strip())
        if line.strip() == "hanging":
            break
    os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=30)
    assert p.returncode == -signal.SIGKILL
    assert lines == ["step 1", "step 2", "step 3", "step 4", "step 5", "hanging"]
    with HumanDb(db, write=False) as store:
        (a,) = rows.attempt_rows(store)
        assert [st.step for st in a.steps] == [1, 2, 3, 4, 5]
        assert a.status == "in_progress"
        at5 = a.steps[-1].at_ms
        assert at5 >= 5 * 150  # five pauses of 0.15 s, at least
        assert a.active_ms >= at5  # the time up to the last stored step is kept
        before = a.active_ms
    # the same command again: resumes at step 6 and finishes the instance
    q = _driver(db, "P01", "0")
    out, err = q.communicate(timeout=120)
    assert q.returncode == 0, err
    got = out.split("\n")
    assert got[0] == "resumed 6" and got[1] == "step 6" and "done" in got
    with HumanDb(db, write=False) as store:
        (a,) = rows.attempt_rows(store)
        assert [st.step for st in a.steps] == list(range(1, 31))
        assert a.status == "finished" and a.active_ms >= before
        (rec,) = [r for _a, r in scored_records(store)]
        assert rec.meta["human"]["steps"][4]["at_ms"] == round(at5, 3)


def test_two_participants_in_two_processes_on_one_database(tmp_path):
    db = str(tmp_path / "h.sqlite")
    HumanDb(db).close()
    procs = [_driver(db, name, "0,6,13") for name in ("P01", "P02")]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e for _o, e in outs]
    with HumanDb(db, write=False) as store:
        recs = [r for _a, r in scored_records(store)]
        assert sorted((r.participant, r.index) for r in recs) == [
            ("P01", 0), ("P01", 6), ("P01", 13), ("P02", 0), ("P02", 6), ("P02", 13),
        ]  # fmt: skip
        for r in recs:
            n = {0: 30, 6: 4, 13: 18}[r.index]
            assert [s["step"] for s in r.meta["human"]["steps"]] == list(range(1, n + 1))
        assert store.one("PRAGMA integrity_check") == ("ok",)


def _screen(db: str, samples: str):
    """``tmtui human`` itself, in a pseudo-terminal (its real screens)."""
    from tests.tui.ptykit import Terminal, python

    argv = python("-m", "tmtui", "human", "--participant", "P01", "--db", db, "--samples", samples)
    return Terminal(argv, cols=100, rows=30)


def test_the_real_screen_killed_after_step_5_loses_no_step_and_keeps_its_time(tmp_path):
    """The same, through the screens: steps typed as keys, the process killed with SIGKILL
    while the participant types step 6, and the same command taking the session up again."""
    from tmtui.core.datasets import generate_preset

    db = str(tmp_path / "h.sqlite")
    states = generate_preset("tmbench")[0].run.states()
    term = _screen(db, "0")
    try:
        term.wait("Press Enter to begin")
        term.wait("begin  ^q leave")  # the key bar: the screen takes keys
        term.keys("\r")
        term.wait("step 1 of 30")
        for k in range(1, 6):
            term.keys(" ".join(states[k]).lower(), pause=0.05)
            term.wait(f"reads as [{' '.join(states[k])}]")
            term.keys("\r", pause=0.3)  # a little time for each step
            term.wait(f"step {k + 1} of 30")
        term.keys("a b", pause=0.2)  # step 6 being typed: this is what a kill may lose
        os.kill(term.pid, signal.SIGKILL)
    finally:
        term.close()
    with HumanDb(db, write=False) as store:
        (a,) = rows.attempt_rows(store)
        assert [st.queue for st in a.steps] == states[1:6]
        assert a.status == "in_progress"
        at5 = a.steps[-1].at_ms
        assert at5 >= 5 * 300  # at least the pauses after each step's keys
        assert a.active_ms >= at5
        before = a.active_ms
    term = _screen(db, "0")
    try:
        term.wait("Welcome back")
        term.wait("instance 1 of 1, step 6")
        term.wait("begin  ^q leave")
        term.keys("\r")
        term.wait("step 6 of 30")
        for k in range(6, 31):
            term.keys(" ".join(states[k]), pause=0.02)
            term.wait(f"reads as [{' '.join(states[k])}]")
            term.keys("\r", pause=0.02)
            term.wait(f"step {k + 1} of 30" if k < 30 else "The session is finished")
        term.keys("\r")
    finally:
        term.close()
    with HumanDb(db, write=False) as store:
        (a,) = rows.attempt_rows(store)
        assert [st.queue for st in a.steps] == states[1:]
        assert a.status == "finished" and a.active_ms >= before
        (rec,) = [r for _a, r in scored_records(store)]
        assert rec.meta["human"]["steps"][4]["at_ms"] == round(at5, 3)


def test_the_screens_run_under_textuals_web_driver(tmp_path):
    """Served to a browser (textual-serve runs the same command with Textual's web driver,
    no terminal): the first screen is drawn, nothing refuses for want of a terminal."""
    import re
    import time

    db = str(tmp_path / "h.sqlite")
    env = {**os.environ, "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver",
           "COLUMNS": "100", "ROWS": "30"}  # fmt: skip
    p = subprocess.Popen(
        [sys.executable, "-m", "tmtui", "human", "--participant", "W01", "--db", db,
         "--samples", "0"],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    assert p.stdout is not None
    out = b""
    try:
        end = time.monotonic() + 30
        os.set_blocking(p.stdout.fileno(), False)
        while b"Press Enter to begin" not in re.sub(rb"\x1b\[[0-?]*[ -/]*[@-~]", b"", out):
            assert time.monotonic() < end and p.poll() is None, out[-500:]
            time.sleep(0.05)
            out += p.stdout.read() or b""
    finally:
        p.kill()
        p.wait(timeout=10)
    with HumanDb(db, write=False) as store:
        assert rows.attempt_rows(store) == []  # the session waits on its first screen
