"""The human-attempt store's costs: a submitted step's commit, and opening a busy study.

    python benchmarks/bench_human.py            # 300 steps; a study of 20 x 100 attempts
    python benchmarks/bench_human.py --json

Sections:

* ``commit``: :meth:`Session.submit` of a step, end to end (the entry read, one transaction
  with ``synchronous=FULL``: the step, the clocks, an fsync of the write-ahead log), timed per
  step on this machine's disk (``benchmarks/out/``, not a RAM disk). Goal: p95 <= 10 ms.
* ``open``: a database holding a whole study (participants x attempts x 30 steps each, plus
  their events), opened and a participant's unfinished session resumed: ``HumanDb(path)``
  (checks, ``quick_check``), :func:`open_session` and the first :meth:`Session.view`; and
  ``tmtui human status`` / ``export`` reads of it. Figures are medians of ``--repeat`` runs.
* ``cli``: ``tmtui human --participant P --db PATH`` as its own process, from start until it
  has opened the session (today it then stops: the session screen is not built yet).

Not a timed test: the figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out" / "human"
sys.path.insert(0, str(ROOT))

from tmtui.core.datasets import generate_preset  # noqa: E402
from tmtui.human import SessionRequest, open_session  # noqa: E402
from tmtui.human.export import export_records  # noqa: E402
from tmtui.io import humanrows as rows  # noqa: E402
from tmtui.io import humanwrites as writes  # noqa: E402
from tmtui.io.humandb import HumanDb  # noqa: E402
from tmtui.io.humanstudy import progress  # noqa: E402


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def bench_fsync(n: int) -> list[float]:
    """The baseline: the disk's own append of 100 bytes and fsync, in ms."""
    path = OUT / "fsync.bin"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    times = []
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            os.write(fd, b"x" * 100)
            os.fsync(fd)
            times.append((time.perf_counter() - t0) * 1000)
    finally:
        os.close(fd)
        path.unlink()
    return times


def bench_commit(steps: int) -> dict:
    """Time Session.submit for ``steps`` steps (instances typed right, one after another),
    beside the disk's own fsync."""
    path = OUT / "commit.sqlite"
    for p in OUT.glob("commit.sqlite*"):
        p.unlink()
    samples = ",".join(str(i) for i in range(100))
    s = open_session(HumanDb(path), "B01", SessionRequest(samples=samples))
    s.start()
    times: list[float] = []
    while len(times) < steps:
        a = s.attempt
        assert a is not None
        states = a.instance.run.states()
        k = a.next_step
        if k >= len(states):
            s.halt()
            continue
        text = " ".join(states[k])
        t0 = time.perf_counter()
        u = s.submit(text)
        times.append((time.perf_counter() - t0) * 1000)
        assert u.ok, u.error
    s.close()
    disk = bench_fsync(steps)
    return {
        "steps": len(times),
        "fsync_median_ms": round(statistics.median(disk), 2),
        "fsync_p95_ms": round(_pct(disk, 95), 2),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(_pct(times, 95), 2),
        "max_ms": round(max(times), 2),
        "goal_p95_ms": 10,
        "met": _pct(times, 95) <= 10,
    }


def build_study(path: Path, participants: int, attempts: int) -> None:
    """A study database: every participant with ``attempts`` finished attempts of 30 steps,
    and one unfinished session each (the last attempt in progress at step 12)."""
    for p in path.parent.glob(path.name + "*"):
        p.unlink()
    ds = generate_preset("tmbench")
    db = HumanDb(path)
    rng = random.Random(0)
    for n in range(participants):
        name = f"P{n:03d}"
        items = [
            {"practice": False, "dataset": "tmbench", "index": i % 100,
             "instance": {"id": ds[i % 100].id, "m": 2, "alphabet": list(ds[0].alphabet),
                          "rules": ds[i % 100].rules, "init": ds[i % 100].init, "max_states": 31}}
            for i in range(attempts + 1)
        ]  # fmt: skip
        owner = rows.Owner(999_999_999, "", "x")  # a process long gone
        s = writes.create_session(db, name, uid=f"s{n:08x}", plan_id=None, dataset="tmbench",
                                  dataset_name="tmbench", items=items,
                                  settings={"samples": list(range(attempts + 1))}, owner=owner)  # fmt: skip
        at = 0.0
        for pos, item in enumerate(items):
            clocks = rows.Clocks(s.id, at)
            a = writes.start_attempt(db, clocks, position=pos, item=item)
            states = ds[pos % 100].run.states()
            last = 12 if pos == attempts else len(states) - 1
            # one transaction per attempt (building, not measuring)
            with db.transaction() as c:
                for k in range(1, last + 1):
                    at += rng.uniform(2000, 9000)
                    c.execute(
                        "INSERT INTO steps (attempt_id, step, queue, typed, assist, prefill,"
                        " first_key_ms, submit_ms, at_ms, submitted_at, feedback) VALUES"
                        " (?, ?, ?, ?, 'none', NULL, 900, 4000, ?, '2026-01-01', 0)",
                        (a.id, k, states[k], " ".join(states[k]), at),
                    )
                    c.execute(
                        "INSERT INTO events (session_id, attempt_id, kind, at_ms, at)"
                        " VALUES (?, ?, 'pause', ?, '2026-01-01')",
                        (s.id, a.id, at),
                    )
            if pos < attempts:
                writes.end_attempt(db, rows.Clocks(s.id, at, a.id, at, 0.0), status="finished",
                                   end_reason="halt", halt_step=last, next_position=pos + 1)  # fmt: skip
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def bench_open(participants: int, attempts: int, repeat: int) -> dict:
    path = OUT / "study.sqlite"
    t0 = time.perf_counter()
    build_study(path, participants, attempts)
    built = time.perf_counter() - t0
    size = path.stat().st_size
    opened, resumed, statuses, exports = [], [], [], []
    for r in range(repeat):
        t0 = time.perf_counter()
        db = HumanDb(path)
        t1 = time.perf_counter()
        s = open_session(db, f"P{r % participants:03d}")
        s.view()
        t2 = time.perf_counter()
        s.close()
        opened.append((t1 - t0) * 1000)
        resumed.append((t2 - t0) * 1000)
        t0 = time.perf_counter()
        with HumanDb(path, write=False) as ro:
            progress(ro)
        statuses.append((time.perf_counter() - t0) * 1000)
    for _ in range(max(1, repeat // 5)):
        t0 = time.perf_counter()
        with HumanDb(path, write=False) as ro:
            n = export_records(ro, OUT / "export.jsonl")
        exports.append(time.perf_counter() - t0)
    return {
        "participants": participants,
        "attempts": participants * (attempts + 1),
        "steps": participants * (attempts * 30 + 12),
        "db_mb": round(size / 1e6, 1),
        "build_s": round(built, 1),
        "open_ms": round(statistics.median(opened), 1),
        "open_and_resume_ms": round(statistics.median(resumed), 1),
        "status_ms": round(statistics.median(statuses), 1),
        "export_s": round(statistics.median(exports), 2),
        "exported": n,
    }


def bench_cli(repeat: int) -> dict:
    path = OUT / "cli.sqlite"
    for p in OUT.glob("cli.sqlite*"):
        p.unlink()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(HERE / "out" / "pycache")
    cmd = [sys.executable, "-m", "tmtui", "human", "--participant", "C01", "--db", str(path),
           "--samples", "0-9"]  # fmt: skip
    walls = []
    for i in range(repeat + 1):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
        if i:  # the first run makes the database and warms the caches
            walls.append(time.perf_counter() - t0)
        assert "not built yet" in p.stderr, p.stderr
    return {"median_s": round(statistics.median(walls), 3), "max_s": round(max(walls), 3),
            "goal_s": 1.0, "met": statistics.median(walls) <= 1.0}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--participants", type=int, default=20)
    ap.add_argument("--attempts", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=11)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    out = {
        "commit": bench_commit(args.steps),
        "open": bench_open(args.participants, args.attempts, args.repeat),
        "cli": bench_cli(args.repeat),
    }
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        for section, figures in out.items():
            print(f"{section:7} " + "  ".join(f"{k}={v}" for k, v in figures.items()))
    shutil.rmtree(OUT / "pycache", ignore_errors=True)


if __name__ == "__main__":
    main()
