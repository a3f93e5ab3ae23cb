"""The human sessions' costs: a submitted step's commit, opening a busy study, the session
screen's key-to-screen latency while typing, and ``tmtui human`` start to its first screen.

    python benchmarks/bench_human.py            # 300 steps; a study of 20 x 100 attempts
    python benchmarks/bench_human.py --json
    python benchmarks/bench_human.py --only keys,cli

Sections:

* ``commit``: :meth:`Session.submit` of a step, end to end (the entry read, one transaction
  with ``synchronous=FULL``: the step, the clocks, an fsync of the write-ahead log), timed per
  step on this machine's disk (``benchmarks/out/``, not a RAM disk). Goal: p95 <= 10 ms.
* ``open``: a database holding a whole study (participants x attempts x 30 steps each, plus
  their events), opened and a participant's unfinished session resumed: ``HumanDb(path)``
  (checks, ``quick_check``), :func:`open_session` and the first :meth:`Session.view`; and
  ``tmtui human status`` / ``export`` reads of it. Figures are medians of ``--repeat`` runs.
* ``keys``: the session screen (:class:`~tmtui.tui.human.app.HumanApp`, headless at 120x40)
  while a participant types whole instances (every symbol, space and Enter, one key at a
  time, as a terminal sends them): for each key, the time from the key event to the screen
  having handled it (the entry's preview, or the step submitted and stored) and to the next
  screen update after that (drawn). Baseline: the same keys into a bare Textual app holding
  one ``Input`` (Textual's own key-to-screen path). Goal: p95 drawn <= 30 ms.
* ``cli``: ``tmtui human --participant P --db PATH`` as its own process in a pseudo-terminal,
  from start until its first screen is on the terminal ("Press Enter to begin"). Baseline:
  the same command without a terminal, which stops right after opening the session.

Not a timed test: the figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
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


_CSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\\\)")


def _to_first_screen(cmd: list[str], env: dict, marker: bytes, timeout: float = 30.0) -> float:
    """Seconds from starting ``cmd`` in a 120x40 pseudo-terminal until ``marker`` is on it."""
    import fcntl
    import pty
    import select
    import signal
    import struct
    import termios

    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.chdir(ROOT)
        os.execvpe(cmd[0], cmd, {**env, "TERM": "xterm-256color"})
    out = b""
    try:
        while True:
            left = timeout - (time.perf_counter() - t0)
            if left <= 0:
                raise RuntimeError(f"no first screen: {out[-300:]!r}")
            r, _, _ = select.select([fd], [], [], min(left, 0.05))
            if r:
                try:
                    out += os.read(fd, 65536)
                except OSError:
                    raise RuntimeError(f"ended: {out[-300:]!r}") from None
                if marker in _CSI.sub(b"", out):
                    return time.perf_counter() - t0
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def bench_cli(repeat: int) -> dict:
    path = OUT / "cli.sqlite"
    for p in OUT.glob("cli.sqlite*"):
        p.unlink()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(HERE / "out" / "pycache")
    cmd = [sys.executable, "-m", "tmtui", "human", "--participant", "C01", "--db", str(path),
           "--samples", "0-9"]  # fmt: skip
    screens, opens = [], []
    for i in range(repeat + 1):
        # the first run makes the database and warms the caches
        t = _to_first_screen(cmd, env, b"Press Enter to")
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, check=False,
                           stdin=subprocess.DEVNULL)  # fmt: skip
        opened = time.perf_counter() - t0
        assert "needs a terminal" in p.stderr, p.stderr
        if i:
            screens.append(t)
            opens.append(opened)
    med = statistics.median(screens)
    return {"first_screen_median_s": round(med, 3), "first_screen_max_s": round(max(screens), 3),
            "session_opened_median_s": round(statistics.median(opens), 3),
            "goal_s": 1.0, "met": med <= 1.0}  # fmt: skip


def _pending(app) -> bool:
    """Whether the screen has an update to draw (else what it shows is already current)."""
    scr = app.screen
    return bool(scr._dirty_widgets or scr._layout_required or scr._repaint_required)


async def _typing(make_app, keys: list[str], handled_hook) -> tuple[list[float], list[float]]:
    """Send ``keys`` one at a time as a terminal would; per key, seconds to handled (the
    screen's own handler has run) and to drawn: the first update written to the terminal
    after it, or, when nothing was left to draw by then, the last one written since the key."""
    from textual import events
    from textual.screen import Screen

    frames: list[float] = []
    orig = Screen._compositor_refresh

    def frame(self) -> None:
        orig(self)
        frames.append(time.perf_counter())

    Screen._compositor_refresh = frame  # type: ignore[method-assign]
    handled: list[tuple[float, bool]] = []
    lat_handled, lat_drawn = [], []
    try:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await handled_hook(app, pilot, handled)
            for key in keys:
                await asyncio.sleep(0.02)  # a fast typist: 50 keys a second
                n = len(handled)
                char = {"space": " ", "enter": None}.get(key, key)
                ev = events.Key(key, char)
                ev.set_sender(app)
                sent = time.perf_counter()
                app._driver.send_message(ev)
                while len(handled) == n:
                    await asyncio.sleep(0.0005)
                done, pending = handled[n]
                lat_handled.append(done - sent)
                if not pending:
                    drawn = [f for f in frames if sent <= f <= done]
                    if drawn:
                        lat_drawn.append(drawn[-1] - sent)
                        continue
                while not frames or frames[-1] < done:
                    await asyncio.sleep(0.0005)
                lat_drawn.append(next(f for f in frames if f >= done) - sent)
    finally:
        Screen._compositor_refresh = orig  # type: ignore[method-assign]
    return lat_handled, lat_drawn


def bench_keys(instances: int) -> dict:
    """Key-to-screen latency while typing whole instances on the session screen, beside a
    bare app with one Input."""
    from textual.app import App
    from textual.widgets import Input

    from tmtui.tui.human.app import HumanApp
    from tmtui.tui.human.instance import InstanceScreen

    path = OUT / "keys.sqlite"
    for p in OUT.glob("keys.sqlite*"):
        p.unlink()
    ds = generate_preset("tmbench")
    samples = list(range(instances))
    keys: list[str] = []
    for i in samples:
        states = ds[i].run.states()
        for k in range(1, len(states)):
            keys += ["space" if ch == " " else ch.lower() for ch in " ".join(states[k])]
            keys.append("enter")
        if ds[i].run.halted:
            keys += [*"halt", "enter"]

    def human_app() -> App:
        s = open_session(HumanDb(path), "K01", SessionRequest(
            samples=",".join(map(str, samples)) if len(samples) > 1 else str(samples[0])))  # fmt: skip
        return HumanApp(s, timer=True)

    async def human_ready(app, pilot, handled) -> None:
        await pilot.press("enter")  # past the first screen
        await pilot.pause()
        orig_preview = InstanceScreen._preview
        orig_show = InstanceScreen.show

        def preview(self, text):
            orig_preview(self, text)
            handled.append((time.perf_counter(), _pending(self.app)))

        def show(self, view, update=None):
            orig_show(self, view, update)
            handled.append((time.perf_counter(), _pending(self.app)))

        InstanceScreen._preview = preview  # type: ignore[method-assign]
        InstanceScreen.show = show  # type: ignore[method-assign]

    class Bare(App):
        def compose(self):
            yield Input()

        def on_input_changed(self, event) -> None:
            self._handled.append((time.perf_counter(), _pending(self)))

        def on_input_submitted(self, event) -> None:
            event.input.value = ""
            self._handled.append((time.perf_counter(), _pending(self)))

    async def bare_ready(app, pilot, handled) -> None:
        app._handled = handled

    from tmtui.tui.human import instance as _inst

    saved = (_inst.InstanceScreen._preview, _inst.InstanceScreen.show)
    try:
        h_handled, h_drawn = asyncio.run(_typing(human_app, keys, human_ready))
    finally:
        _inst.InstanceScreen._preview, _inst.InstanceScreen.show = saved
    # the bare app: the same keys, Enter clears the entry (nothing is stored)
    _b_handled, b_drawn = asyncio.run(_typing(Bare, keys, bare_ready))
    enters = [i for i, k in enumerate(keys) if k == "enter"]
    return {
        "keys": len(keys),
        "steps": len(enters),
        "handled_p95_ms": round(1000 * _pct(h_handled, 95), 1),
        "drawn_p50_ms": round(1000 * statistics.median(h_drawn), 1),
        "drawn_p95_ms": round(1000 * _pct(h_drawn, 95), 1),
        "drawn_max_ms": round(1000 * max(h_drawn), 1),
        "enter_drawn_p95_ms": round(1000 * _pct([h_drawn[i] for i in enters], 95), 1),
        "bare_drawn_p50_ms": round(1000 * statistics.median(b_drawn), 1),
        "bare_drawn_p95_ms": round(1000 * _pct(b_drawn, 95), 1),
        "goal_p95_ms": 30,
        "met": _pct(h_drawn, 95) <= 0.030,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--participants", type=int, default=20)
    ap.add_argument("--attempts", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=11)
    ap.add_argument("--instances", type=int, default=3, help="instances typed (keys)")
    ap.add_argument("--only", default="commit,open,keys,cli")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    sections = {
        "commit": lambda: bench_commit(args.steps),
        "open": lambda: bench_open(args.participants, args.attempts, args.repeat),
        "keys": lambda: bench_keys(args.instances),
        "cli": lambda: bench_cli(args.repeat),
    }
    out = {name: fn() for name, fn in sections.items() if name in args.only.split(",")}
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        for section, figures in out.items():
            print(f"{section:7} " + "  ".join(f"{k}={v}" for k, v in figures.items()))
    shutil.rmtree(OUT / "pycache", ignore_errors=True)


if __name__ == "__main__":
    main()
