"""The real thing: ``tmtui watch`` and ``tmtui view`` in a real terminal (tmux), driven by keys
and read back with capture-pane. Skipped only where tmux is absent."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tmtui.io.jsonl import iter_jsonl

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class Tmux:
    def __init__(self, cwd: Path, width: int, height: int, command: list[str]) -> None:
        self.socket = f"tmtui-test-{os.getpid()}-{time.monotonic_ns()}"
        self.cwd = cwd
        cmd = " ".join(shlex.quote(c) for c in command)
        env = {"TERM": "xterm-256color", "COLORTERM": "truecolor"}
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        self._tmux(
            "new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height),
            "-c", str(cwd), f"sleep 0.3; exec env {exports} {cmd}",
        )  # fmt: skip
        # the pane stays when the app exits, so the test can see that it did
        self._tmux("set-option", "-t", "t", "remain-on-exit", "on")

    def _tmux(self, *args: str) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20
        )
        return out.stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "t")

    def keys(self, *keys: str) -> None:
        for k in keys:
            self._tmux("send-keys", "-t", "t", k)
            time.sleep(0.15)

    def wait(self, text: str, timeout: float = 20.0, *, gone: str | None = None) -> str:
        """Until ``text`` is on the screen (and ``gone``, if given, is not)."""
        end = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < end:
            screen = self.screen()
            if text in screen and (gone is None or gone not in screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def dead(self, timeout: float = 10.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self._tmux("display-message", "-p", "-t", "t", "#{pane_dead}").strip() == "1":
                return True
            time.sleep(0.1)
        return False

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def tmux_factory():
    made: list[Tmux] = []

    def make(cwd: Path, width: int, height: int, *args: str) -> Tmux:
        t = Tmux(cwd, width, height, [sys.executable, "-m", "tmtui", *args])
        made.append(t)
        return t

    yield make
    for t in made:
        t.close()


def test_watch_in_a_real_terminal(tmux_factory, tmp_path) -> None:
    t = tmux_factory(tmp_path, 120, 40, "watch", "--tokens-per-second", "0")
    t.wait("first divergence: step", timeout=30)
    screen = t.wait(" done ")
    assert "Alignment" in screen and "Ground truth" in screen and "Model output" in screen
    assert "rules A → C E" in screen  # the instance header
    assert "first divergence: step" in screen
    line = next(ln for ln in screen.splitlines() if "first divergence: step" in ln)
    step = int(line.split("step", 1)[1].split()[0])
    t.keys("g", "d")
    t.wait(f"step {step}  ✗")  # the step panel shows it
    t.keys("s")
    t.wait("Saved")
    recs = [r for _n, r in iter_jsonl(tmp_path / "tmtui-watch.jsonl")]
    assert len(recs) == 1 and recs[0].model == "synthetic"
    t.keys("?")
    t.wait("binding id")
    t.keys("Escape", "q")
    assert t.dead()


def test_view_narrow_in_a_real_terminal(tmux_factory, tmp_path) -> None:
    t = tmux_factory(tmp_path, 80, 24, "view", str(EXAMPLES / "tmbench-mini.results.json"))
    screen = t.wait("12 shown of 12", gone="loading…")  # the list is final, columns too
    assert "copy error" in screen
    t.keys("x")
    t.wait("6 shown of 12")
    t.keys("Enter")
    screen = t.wait("Model output")  # the panels became tabs
    assert "first divergence: step 19" in screen
    t.keys("2")
    t.wait("Queue State")
    t.keys("Escape")
    t.wait("6 shown of 12")
    t.keys("q")
    assert t.dead()


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_report_in_a_real_terminal(tmux_factory, tmp_path, size) -> None:
    """``tmtui report --tui`` (the CLI, a real terminal): the table, the plot, a row's samples
    worst first, back, help, quit."""
    mini = EXAMPLES / "tmbench-mini.results.json"
    t = tmux_factory(
        tmp_path, *size, "report", str(mini), str(EXAMPLES / "tmbench-mini.jsonl"), "--tui",
        "--no-cache",
    )  # fmt: skip
    screen = t.wait("accuracy by step")
    assert "SWA unif %" in screen and "pass %" in screen and "? help" in screen
    assert "tmbench-mini.results" in screen or "tmbench-mini.…" in screen
    t.keys("3")
    t.wait("hazard")
    t.keys("Enter")
    screen = t.wait("shown of", gone="loading…")  # the row's samples, in the sample list
    assert "✗ fail" in screen
    t.keys("Escape")
    t.wait("SWA unif %")
    t.keys("?")
    t.wait("report.next-curve")
    t.keys("Escape", "q")
    assert t.dead()


@pytest.mark.parametrize(("width", "height"), [(120, 40), (80, 24)])
def test_watch_tail_in_a_real_terminal(tmux_factory, tmp_path, width, height) -> None:
    """`tmtui watch --template tail` on the embedded model (no key, no network): its first
    mistake on #23 is a wrong fetch, and the step panel shows the model's fetch beside the
    rules'."""
    t = tmux_factory(
        tmp_path, width, height, "watch", "--template", "tail", "--index", "23",
        "--tokens-per-second", "0",
    )  # fmt: skip
    t.wait(" done ", timeout=30)
    screen = t.wait("read the wrong cell: took position 17")
    t.keys("d")
    if width < 100:
        t.keys("4")  # the step tab
    screen = t.wait("the model read A at cell 17 (written by step 4) ✗")
    assert "the rules read E at cell 16 (written by step 3)" in screen
    t.keys("q")
    assert t.dead()
