"""Shared by the server tests: a study database with invited participants, the server in this
process (on a free loopback port), and a stand-in for the session app that speaks textual's
web-driver protocol (so the gate and the routing are tested without the screens)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from tests.cli.clihelp import invoke
from tmtui.io.humandb import HumanDb
from tmtui.io.humaninvites import invite, participant_for

# Prints who it runs for and its arguments, echoes what the browser types, quits when told
# (textual-serve's "quit" meta packet) or when it is sent "exit"; logs its start and end.
FAKE_APP = r"""
import json, os, sys
log = sys.argv[1]
name = sys.argv[sys.argv.index("--participant") + 1]
out = sys.stdout.buffer
def packet(kind, payload):
    out.write(kind + len(payload).to_bytes(4, "big") + payload)
    out.flush()
def note(what):
    with open(log, "a") as f:
        f.write(f"{what} {name} {os.getpid()}\n")
note("start")
out.write(b"__GANGLION__\n")
packet(b"D", ("session of " + name + " argv=" + json.dumps(sys.argv[2:]) + "\r\n").encode())
stdin = sys.stdin.buffer
while True:
    head = stdin.read(5)
    if len(head) < 5:
        break
    payload = stdin.read(int.from_bytes(head[1:], "big"))
    if head[:1] == b"D":
        if payload == b"exit":
            break
        packet(b"D", b"echo:" + payload)
    elif head[:1] == b"M" and json.loads(payload).get("type") == "quit":
        break
note("end")
"""


# A real Textual app, as small as can be: a line naming its participant and an entry line;
# each submitted entry is appended to a file. For the page, its focus and its keys.
MINI_APP = r"""
import sys
from textual.app import App
from textual.widgets import Input, Static

class Mini(App):
    ENABLE_COMMAND_PALETTE = False

    def compose(self):
        yield Static("mini session of " + sys.argv[2])
        yield Input(placeholder="type the queue", id="entry")

    def on_input_submitted(self, event):
        with open(sys.argv[1], "a") as f:
            f.write(sys.argv[2] + " " + event.value + "\n")
        event.input.value = ""

Mini().run()
"""


def mini_argv(tmp_path: Path) -> tuple[Callable[[str], list[str]], Path]:
    script = tmp_path / "mini_app.py"
    script.write_text(MINI_APP)
    typed = tmp_path / "typed.txt"
    return (lambda name: [sys.executable, str(script), str(typed), name]), typed


def plan_and_invite(db: Path, names: list[str]) -> dict[str, str]:
    """A study with these participants, each invited: {name: token}."""
    r = invoke("human", "plan", "--db", str(db), "--participants", ",".join(names),
               "--samples", f"0-{len(names) * 2 - 1}")  # fmt: skip
    assert r.code == 0, r.stderr
    with HumanDb(db) as store:
        return dict(invite(store, names))


def fake_argv(tmp_path: Path) -> tuple[Callable[[str], list[str]], Path]:
    script = tmp_path / "fake_app.py"
    script.write_text(FAKE_APP)
    log = tmp_path / "fake.log"
    log.touch()
    db = tmp_path / "s.sqlite"
    return (lambda name: [sys.executable, str(script), str(log), "--db", str(db),
                          "--participant", name]), log  # fmt: skip


@contextlib.asynccontextmanager
async def served(db: Path, argv: Callable[[str], list[str]]) -> AsyncIterator[str]:
    """The server on a free loopback port: its base URL."""
    from tmtui.tui.serve import SessionServer

    reader = HumanDb(db, write=False)
    server = SessionServer(lambda t: participant_for(reader, t), argv, port=0)
    runner = await server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        await runner.cleanup()
        reader.close()


LISTENING = re.compile(
    r"^tmtui: serving (.+) on http://([^ ]+):(\d+)/ \((.+)\); Ctrl\+C stops$", re.MULTILINE
)


def start_serve(db: Path, *args: str) -> tuple[subprocess.Popen, re.Match]:
    """The real ``tmtui human serve`` on a free port, once it says where it listens. Its
    output goes to files beside the database (``serve.out``, ``serve.err``): a pipe nobody
    reads would fill and stop the server."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    out, err = db.parent / "serve.out", db.parent / "serve.err"
    with open(out, "wb") as o, open(err, "wb") as e:
        p = subprocess.Popen(
            [sys.executable, "-m", "tmtui", "human", "serve", "--db", str(db), "--port", "0",
             *args],
            stdout=o,
            stderr=e,
            env=env,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    m = None
    while time.monotonic() < deadline and m is None and p.poll() is None:
        m = LISTENING.search(err.read_text(errors="replace"))
        time.sleep(0.05)
    if m is None:
        p.kill()
        raise AssertionError(f"no listening line: {err.read_text(errors='replace')!r}")
    return p, m


def stop_serve(p: subprocess.Popen) -> int:
    p.send_signal(signal.SIGTERM)
    return p.wait(timeout=60)


@contextlib.contextmanager
def serving(db: Path):
    """``tmtui human serve`` running: its base URL; stopped (SIGTERM, exit 0) after."""
    p, m = start_serve(db)
    try:
        yield f"http://127.0.0.1:{m.group(3)}", p
    finally:
        code = stop_serve(p)
    assert code == 0


def read_db(db: Path, sql: str, args: tuple = ()) -> list[tuple]:
    """A read of the study database as it is now (read-only, beside the writers)."""
    import sqlite3

    c = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        return c.execute(sql, args).fetchall()
    finally:
        c.close()


STEPS_OF = (
    "SELECT t.id, t.sample, st.step, st.typed, st.first_key_ms, st.submit_ms, st.at_ms,"
    " st.submitted_at FROM steps st JOIN attempts t ON st.attempt_id = t.id"
    " JOIN sessions s ON t.session_id = s.id JOIN participants p ON s.participant_id = p.id"
    " WHERE p.name = ? ORDER BY t.id, st.step"
)
OPEN_ATTEMPT = (
    "SELECT t.id, t.sample FROM attempts t JOIN sessions s ON t.session_id = s.id"
    " JOIN participants p ON s.participant_id = p.id"
    " WHERE p.name = ? AND t.status = 'in_progress' AND t.practice = 0"
)
