"""Every command that reads a file, on inputs that are not regular files (issue 9): a FIFO no
one writes to is one line (before: each of these hung), a pipe is read once (before:
`score <(cat f)` said "no answers"), a device is refused, a byte order mark is accepted."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.cli.clihelp import answer, invoke, record_line, results_obj
from tmtui.io import inputs
from tmtui.io.inputs import BOM


@pytest.fixture
def good(tmp_path):
    p = tmp_path / "good.jsonl"
    p.write_bytes(record_line(0, answer(0)) + record_line(1, answer(1)) + record_line(2, answer(2)))
    return p


@pytest.mark.parametrize(
    "command",
    [
        ["score", "{fifo}"],
        ["score", "--dataset", "{fifo}", "{good}"],
        ["view", "{fifo}"],
        ["watch", "--replay", "{fifo}"],
        ["serve", "--replay", "{fifo}", "--port", "0"],
        ["validate", "{fifo}"],
        ["prompt", "{fifo}"],
    ],
)
def test_a_fifo_without_a_writer_is_one_line(tmp_path, good, monkeypatch, command):
    monkeypatch.setattr(inputs, "WRITER_WAIT", 0.2)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    r = invoke(*(a.format(fifo=fifo, good=good) for a in command))
    assert r.code == 2
    assert (
        r.stderr
        == f"tmtui: error: {fifo}: nothing was written to it within 0.2 s (a FIFO with no writer?)\n"
    )


@pytest.mark.parametrize("dev", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("command", [["score"], ["validate"], ["view"], ["score", "--dataset"]])
def test_devices_are_refused(dev, command, good):
    args = [*command, dev] + ([str(good)] if command[-1] == "--dataset" else [])
    r = invoke(*args)
    assert r.code == 2 and "is a device, not a file" in r.stderr and r.stderr.count("\n") == 1


def _tmtui(
    *args: str, stdin: bytes = b"", fds: tuple[int, ...] = ()
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tmtui", *args],
        input=stdin,
        capture_output=True,
        pass_fds=fds,
        timeout=60,
        check=False,
    )


def test_score_reads_a_pipe_once(good):
    """`cat good.jsonl | tmtui score /dev/stdin` and `tmtui score <(cat good.jsonl)`."""
    p = _tmtui("score", "/dev/stdin", "--json", "--bootstrap", "0", stdin=good.read_bytes())
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["n_samples"] == 3
    r, w = os.pipe()
    try:
        os.write(w, good.read_bytes())
        os.close(w)
        p = _tmtui("score", f"/dev/fd/{r}", "--json", "--bootstrap", "0", fds=(r,))
    finally:
        os.close(r)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["n_samples"] == 3


def test_byte_order_marks_are_accepted(tmp_path, good):
    jsonl = tmp_path / "bom.jsonl"
    jsonl.write_bytes(BOM + good.read_bytes())
    r = invoke("score", jsonl, "--json", "--bootstrap", "0")
    assert r.code == 0 and r.json()["n_samples"] == 3 and r.stderr == ""
    official = tmp_path / "bom.json"
    official.write_bytes(BOM + json.dumps(results_obj({0: answer(0), 1: answer(1)})).encode())
    r = invoke("score", official, "--json", "--bootstrap", "0")
    assert r.code == 0 and r.json()["n_samples"] == 2 and r.stderr == ""
    r = invoke("validate", official)
    assert r.code == 0 and "2 samples checked, 0 disagree" in r.stdout


def _config(tmp_path, kind: str):
    p = tmp_path / f"config-{kind}.toml"
    if kind == "dir":
        p.mkdir()
    elif kind == "fifo":
        os.mkfifo(p)
    elif kind == "bad-toml":
        p.write_text("[keymap\n")
    return p  # "missing": nothing there


WORDS = {
    "dir": "is a directory",
    "fifo": "not a regular file",
    "missing": "no such file",
    "bad-toml": "config file",
}


@pytest.mark.parametrize("kind", sorted(WORDS))
@pytest.mark.parametrize(
    "command",
    [["view", "{good}"], ["report", "{good}", "--tui"], ["watch", "--replay", "{good}"]],
)
def test_the_screens_config_that_cannot_be_read_is_one_line(tmp_path, good, command, kind):
    """``--config`` naming a directory, a FIFO, nothing or bad TOML: one line before any
    screen starts (before: view and report --tui ignored it silently, or hung on a FIFO)."""
    cfg = _config(tmp_path, kind)
    p = _tmtui(*(a.format(good=good) for a in command), "--config", str(cfg))
    assert p.returncode == 2, p.stderr
    err = p.stderr.decode()
    assert err.startswith(f"tmtui: error: config file {cfg}") and err.count("\n") == 1, err
    assert WORDS[kind] in err


def test_a_default_config_that_is_a_fifo_never_hangs_a_screen(tmp_path, good, monkeypatch):
    """$TMTUI_CONFIG naming a FIFO: `view` and a `human` session say so in one line, in a
    real terminal (before: both waited for a writer forever, before drawing anything)."""
    from tests.tui.ptykit import Terminal, python

    cfg = _config(tmp_path, "fifo")
    monkeypatch.setenv("TMTUI_CONFIG", str(cfg))
    for argv in (
        ["view", str(good)],
        ["human", "tmbench", "--participant", "P01", "--db", str(tmp_path / "h.sqlite")],
    ):
        t = Terminal(python("-m", "tmtui", *argv))
        try:
            t.wait(f"config file {cfg}: not a regular file", timeout=20)
        finally:
            t.close()
