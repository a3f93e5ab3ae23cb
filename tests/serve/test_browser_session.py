"""A participant's session in a real browser (headless chromium, selenium) served by the real
`tmtui human serve`: open the link, pass the first screen, type two steps, find both in the
database with their times; reload the page and go on at step 3 of the same attempt."""

from __future__ import annotations

import time

import pytest

from tests.cli.clihelp import DS

from .browserkit import chrome, connected, console_errors, focused_class, type_keys, wait_for
from .browserkit import needs_browser as _needs
from .servekit import OPEN_ATTEMPT, STEPS_OF, plan_and_invite, read_db, serving

pytestmark = [*_needs, pytest.mark.slow]


def test_a_participant_types_two_steps_reloads_and_goes_on_at_step_3(tmp_path):
    db = tmp_path / "s.sqlite"
    tokens = plan_and_invite(db, ["P01", "P02"])
    with serving(db) as (base, _), chrome(tmp_path / "profile") as driver:
        driver.get(f"{base}/s/{tokens['P01']}")
        wait_for(lambda: connected(driver), 60)
        assert "xterm-helper-textarea" in focused_class(driver)
        type_keys(driver, "\n")  # the first screen: Enter begins
        [(attempt, sample)] = wait_for(lambda: read_db(db, OPEN_ATTEMPT, ("P01",)), 30)
        states = DS[sample].run.states()
        # the attempt is stored before the instance screen is drawn, and a person reads the
        # instance before typing (under load, two keys typed at once were lost here; keys
        # typed right after Enter now reach the entry: test_screens' typed-ahead test)
        time.sleep(2)
        for step in (1, 2):
            type_keys(driver, " ".join(states[step]) + "\n")
            wait_for(lambda step=step: len(read_db(db, STEPS_OF, ("P01",))) == step, 30)
        rows = read_db(db, STEPS_OF, ("P01",))
        assert [(r[0], r[2], r[3]) for r in rows] == [
            (attempt, 1, " ".join(states[1])),
            (attempt, 2, " ".join(states[2])),
        ]
        for _, _, _, _, first_key, submit, at, submitted_at in rows:
            assert 0 < first_key <= submit and at > 0 and submitted_at
        assert rows[1][6] > rows[0][6]  # the attempt's clock went on
        assert console_errors(driver) == []

        driver.refresh()
        wait_for(lambda: connected(driver), 60)
        assert "xterm-helper-textarea" in focused_class(driver)
        type_keys(driver, "\n")  # "Welcome back: ... step 3": Enter goes on
        wait_for(
            lambda: (
                read_db(
                    db,
                    "SELECT count(*) FROM events e JOIN sessions s ON e.session_id = s.id"
                    " WHERE e.kind = 'session-resume'",
                )
                == [(1,)]
            ),
            60,
        )
        time.sleep(2)  # as above: the resume is stored before its screen is drawn
        type_keys(driver, " ".join(states[3]) + "\n")
        wait_for(lambda: len(read_db(db, STEPS_OF, ("P01",))) == 3, 30)
        rows = read_db(db, STEPS_OF, ("P01",))
        assert [(r[0], r[2], r[3]) for r in rows][2] == (attempt, 3, " ".join(states[3]))
    # one session, P01's; nothing of it reached anyone else
    assert read_db(db, "SELECT p.name, count(*) FROM sessions s JOIN participants p"
                   " ON s.participant_id = p.id GROUP BY p.name") == [("P01", 1)]  # fmt: skip
    assert read_db(db, "SELECT count(*) FROM sessions WHERE status = 'open' AND owner != ''") in (
        [(0,)],
    )
    assert "Traceback" not in (tmp_path / "serve.out").read_text()
