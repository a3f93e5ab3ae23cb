"""No escape from a dataset reaches the terminal from the session screens: the hostile
instance of :mod:`tests.tui.hostile` (control characters, C1, bidi marks as its very symbols)
solved in a real pseudo-terminal with the net under the widgets switched off, so the screens'
helpers alone must make every string visible; every byte written is scanned."""

from __future__ import annotations

import sys

import pytest

from tests.tui.hostile import ALPHABET, INIT, MARKERS, RULES
from tests.tui.ptykit import Terminal, python, unsafe_bytes

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_a_session_on_a_hostile_instance(tmp_path, size) -> None:
    keys = {s: str(i + 1) for i, s in enumerate(ALPHABET)}
    step1 = INIT[2:] + RULES[INIT[0]]
    t = Terminal(python("-m", "tests.tui.hostile", "human", str(tmp_path), "--no-guard"),
                 cols=size[0], rows=size[1])  # fmt: skip
    try:
        t.wait("begin  ^q leave")
        t.keys("\r")
        t.wait("step 1 of")
        # a wrong step 1 (the first symbol dropped), typed with the key map
        t.keys(" ".join(keys[s] for s in step1[1:]), pause=0.2)
        t.keys("\r")
        t.wait("step 2 of")
        t.keys("\x1b[A")  # correct it: the entry holds the step, hostile symbols as keys
        t.wait("Correct step 1")
        t.keys("\x15", " ".join(keys[s] for s in step1), "\r", pause=0.3)
        t.keys("x", "\r", pause=0.3)  # refused: not a symbol
        t.wait("not submitted")
        t.keys("\x15", "halt", "\r", pause=0.3)
        t.wait("is over")  # the debugger, on the finished attempt
        t.keys("d", "j", "2", "3", "4", "1", "\r", pause=0.2)
        t.wait("The session is finished")
        t.keys("\r")
    finally:
        out = t.close()
    problems = unsafe_bytes(out, MARKERS)
    assert not problems, "\n".join(problems)
    assert "␛" in out.decode("utf-8", "replace")  # the symbols are shown, as stand-ins
