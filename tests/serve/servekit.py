"""Shared by the server tests: a study database with invited participants, the server in this
process (on a free loopback port), and a stand-in for the session app that speaks textual's
web-driver protocol (so the gate and the routing are tested without the screens)."""

from __future__ import annotations

import contextlib
import sys
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
