"""Keys arriving in a burst (a browser's websocket delivers a fast typist's keys, or a paste,
back to back): the step submitted by Enter holds every key typed before it and none typed
after it. As a priority binding Enter read the entry before it had taken the last keys; as
an ordinary one it reached the screen after the next step's keys had gone into the entry."""

from __future__ import annotations

from textual import events

from tests.human.humankit import truth
from tests.human.screenkit import human_app

from .servekit import STEPS_OF, read_db


async def test_enter_right_after_a_burst_of_keys_submits_them_all(tmp_path):
    app = human_app(tmp_path, samples="0,1")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")  # the first screen
        await pilot.pause()
        states = truth(app.session)
        for step in (1, 2, 3):  # as the web driver posts them: no wait between keys, nor steps
            for ch in " ".join(states[step]):
                app.post_message(events.Key("space" if ch == " " else ch, ch))
            app.post_message(events.Key("enter", "\r"))
        for _ in range(5):
            await pilot.pause()
    rows = read_db(tmp_path / "study.sqlite", STEPS_OF, ("P01",))
    assert [(r[2], r[3]) for r in rows] == [(s, " ".join(states[s])) for s in (1, 2, 3)]


def test_a_clock_tick_before_the_instance_screen_is_composed_is_harmless(tmp_path):
    """Under load the session's timer can tick between the instance screen's push and its
    compose: that tick used to raise NoMatches and end the participant's session app (seen
    with ten browser tabs at once)."""
    from tmtui.tui.human.instance import InstanceScreen

    app = human_app(tmp_path, samples="0")
    view = app.session.start().view
    screen = InstanceScreen(view)
    screen.show_clock(view)  # not composed: nothing to show yet, nothing raised
    assert screen.view is view


def test_the_served_app_offers_nothing_beyond_the_session():
    """No command palette (its commands include opening files and changing the app), no
    binding of textual's own beyond the session's keys."""
    from tmtui.tui.human.app import HumanApp

    assert HumanApp.ENABLE_COMMAND_PALETTE is False
    actions = {b.action for b in HumanApp.BINDINGS if hasattr(b, "action")}
    assert actions <= {"pause", "leave"}, actions
