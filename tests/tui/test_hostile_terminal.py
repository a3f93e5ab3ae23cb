"""No escape from the data reaches the terminal (issue 9, class 1).

Every screen is shown in a real pseudo-terminal with hostile data in every field of a record and
of an instance (see :mod:`tests.tui.hostile`) and driven through its panels, modals and keys;
every byte the app writes is kept and scanned (:func:`tests.tui.ptykit.unsafe_bytes`). The
screens run without the net under the widgets (``--no-guard``): the helpers alone must make
every string visible; one more test shows the net catching a widget that forgets them.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from tests.tui.hostile import MARKERS, SAVE_NAME, write_hostile_file, write_hostile_official
from tests.tui.ptykit import Terminal, python, unsafe_bytes

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")

HOSTILE_APP = ("-m", "tests.tui.hostile")


def _check(out: bytes) -> None:
    problems = unsafe_bytes(out, MARKERS)
    assert not problems, "\n".join(problems)
    text = out.decode("utf-8", "replace")
    assert "␛" in text  # the data is shown, as stand-ins


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_watch_live_with_hostile_data(tmp_path, size) -> None:
    t = Terminal(
        python(*HOSTILE_APP, "watch", str(tmp_path), "--no-guard"), cols=size[0], rows=size[1]
    )
    try:
        t.wait("first divergence")
        # every panel and modal: steps, the inspector, help, the other parser, the tabs
        t.keys("g", "d", "n", "p", "j", "G", "z", "4", "3", "2", "1", pause=0.15)
        t.keys("i")
        t.wait("Parse inspector")
        t.keys("\x1b", "?")
        t.wait("binding id")
        t.keys("\x1b", "m", "d", "m")
        t.wait("parsing with")
        # save: the stream's lone surrogates cannot be written as JSON: said, nothing made
        t.keys("s")
        t.wait("cannot save")
        t.keys("q")
    finally:
        out = t.close()
    _check(out)
    assert not (tmp_path / "saved.jsonl").exists()


def test_watch_failed_request_with_hostile_error(tmp_path) -> None:
    t = Terminal(python(*HOSTILE_APP, "watch-error", str(tmp_path), "--no-guard"))
    try:
        t.wait("no answer")
        t.keys("d", "4", "?")
        t.wait("not here")
        t.keys("\x1b", "q")
    finally:
        out = t.close()
    _check(out)
    assert "the request failed" in t.text()


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_view_list_debugger_timeline_with_hostile_file(tmp_path, size) -> None:
    path = write_hostile_file(tmp_path)
    t = Terminal(python(*HOSTILE_APP, "view", str(path), "--no-guard"), cols=size[0], rows=size[1])
    try:
        t.wait("shown of 2")
        t.keys("o", "O", "x", "x", "?")
        t.wait("binding id")
        t.keys("\x1b", "/", "PWNED", "\r", "\x1b")
        t.keys("\r")  # the debugger on the first sample, with its timeline
        t.wait("replay")
        t.keys("[", "{", "]", "}", "d", "i", pause=0.2)
        t.wait("Parse inspector")
        # help over the debugger, back to the list (each step drawn before the next key)
        n = t.mark()
        t.keys("\x1b", "?")
        t.wait("binding id", since=n)
        n = t.mark()
        t.keys("\x1b")
        t.wait("replay", since=n)
        n = t.mark()
        t.keys("\x1b")
        t.wait("not attempted", since=n)
        n = t.mark()
        t.keys("\x1b[B", "\r")  # down to the failed request, and open it
        t.wait("· no answer", since=n)  # its rows (the list only says "no answer: …")
        t.keys("\x1b", "q")
    finally:
        out = t.close()
    _check(out)


def test_view_report_save_and_write_with_hostile_fields(tmp_path, monkeypatch, request) -> None:
    """The report screen (r) on a file whose every record field is hostile (a person's
    attempt among them), then the debugger's save and write: their notifications name files
    with escapes in their names; the save is refused (the target is no record file) and
    leaves it as it was."""
    monkeypatch.setenv("TMTUI_CACHE_DIR", str(tmp_path / "cache"))
    # a short directory: the refused save's message names the whole path, in one line
    short = Path(tempfile.mkdtemp(prefix="tmh", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(short, ignore_errors=True))
    tmp_path = short
    path = write_hostile_file(tmp_path, human=True)
    target = tmp_path / SAVE_NAME
    target.write_bytes(b'{"samples": []}')
    t = Terminal(python(*HOSTILE_APP, "view", str(path), "--no-guard"))
    try:
        t.wait("shown of 3")
        t.keys("r")
        t.wait("McNemar")
        t.keys("j", "c", "i", "c", "i", "j", "\r", pause=0.3)
        t.wait("sorted by rank")
        t.keys("\x1b", "\x1b", "\x1b", pause=0.3)
        t.wait("shown of 3")
        t.keys("\r")
        t.wait("first divergence")
        t.keys("s")
        t.wait("cannot save to")
        t.keys("w")
        t.wait("transcript written")
        t.keys("\x1b", "q")
    finally:
        out = t.close()
    _check(out)
    assert target.read_bytes() == b'{"samples": []}'
    text = t.text()
    assert "human:P␛" in text  # the person's row, made visible
    assert "saved␛]2;PWNED␇.json" in text  # the refused save names its file, visibly


def test_view_an_official_results_file_with_hostile_data(tmp_path) -> None:
    """An official results file: its stored step_results (which the official regex scores
    against), answer, prompts and file name hostile; both parsers, the inspector."""
    path = write_hostile_official(tmp_path)
    t = Terminal(python(*HOSTILE_APP, "view", str(path), "--no-guard"))
    try:
        t.wait("shown of 1")
        t.keys("\r")
        t.wait("first divergence")
        t.keys("m", "d", "n", "j", "j", "4", pause=0.2)
        t.wait("official regex")
        t.keys("i")
        t.wait("Parse inspector")
        t.keys("\x1b", "\x1b", "q")
    finally:
        out = t.close()
    _check(out)


def test_compare_with_hostile_files(tmp_path) -> None:
    a = write_hostile_file(tmp_path)
    b = write_hostile_file(tmp_path, "b" + "\x1b#8.jsonl")
    t = Terminal(python(*HOSTILE_APP, "view", str(a), str(b), "--no-guard"))
    try:
        t.wait("shown of 1")
        t.keys("\r")
        t.wait("diverge")
        t.keys("d", "n", "p", "?")
        t.wait("binding id")
        t.keys("\x1b", "a")
        t.wait("Alignment")
        t.keys("\x1b", "\x1b", "q")
    finally:
        out = t.close()
    _check(out)


def test_the_net_catches_a_widget_that_forgets_the_helpers() -> None:
    t = Terminal(python(*HOSTILE_APP, "careless"))
    try:
        t.wait("raw:")
        t.keys("q")
    finally:
        out = t.close()
    _check(out)
