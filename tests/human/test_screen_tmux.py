"""``tmtui human`` in a real terminal (tmux), typed key by key and read back with
capture-pane: a whole instance at 80x24, then the end. Skipped only where tmux is absent."""

from __future__ import annotations

import shutil

import pytest

from tests.tui.test_tmux import tmux_factory  # noqa: F401  (the fixture)
from tmtui.core.datasets import generate_preset
from tmtui.io import humanrows as rows
from tmtui.io.humandb import HumanDb
from tmtui.io.humanrecords import scored_records

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def test_a_whole_instance_typed_in_a_real_terminal(tmux_factory, tmp_path) -> None:  # noqa: F811
    db = tmp_path / "h.sqlite"
    states = generate_preset("tmbench-greek")[6].run.states()
    alphabet = generate_preset("tmbench-greek")[6].alphabet
    keys = {s: str(i + 1) for i, s in enumerate(alphabet)}
    t = tmux_factory(tmp_path, 80, 24, "human", "tmbench-greek", "--participant", "P01",
                     "--db", str(db), "--samples", "6", "--time-limit", "900")  # fmt: skip
    screen = t.wait("Press Enter to begin")
    t.wait("⏎ begin")  # the key bar: the screen takes keys
    assert "Keys stand for symbols" in screen or "↓ more text below" in screen
    t.keys("Enter")
    screen = t.wait("step 1 of 30")
    assert "Instance 1 of 1" in screen and ("15:00 left" in screen or "14:59 left" in screen)
    assert "1 = α" in screen and "rules" in screen
    for k in range(1, len(states)):
        # the key map for most steps, the symbols themselves for one
        typed = " ".join(states[k]) if k == 2 else " ".join(keys[s] for s in states[k])
        t.keys(typed)
        t.wait(f"reads as [{' '.join(states[k])}]")
        t.keys("Enter")
        t.wait(f"step {k + 1} of 30" if k + 1 < len(states) else f"step {k}   [")
    # typed and Enter in one burst (a fast typist, a paste): Enter submits all of it
    t._tmux("send-keys", "-t", "t", "halt", "Enter")
    screen = t.wait("The session is finished")
    t.keys("Enter")
    assert t.dead()
    with HumanDb(db, write=False) as store:
        (a,) = rows.attempt_rows(store)
        assert [st.queue for st in a.steps] == states[1:]
        assert a.status == "finished" and a.halt_step == len(states) - 1
        ((_a, rec),) = list(scored_records(store))
    assert rec.participant == "P01"
