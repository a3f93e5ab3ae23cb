"""Snapshots of the session screens at 120x40 and 80x24 (pytest-textual-snapshot): the first
screen, an instance in progress (Greek key map, countdown, a refused entry, after-step marks)
and the finished attempt in the debugger. A hand-driven clock, no timer, no blinking cursor.
Update with ``--snapshot-update`` after a deliberate change, and look at the report first."""

from __future__ import annotations

import pytest

from tests.tui.tuikit import quiet

from .screenkit import human_app, type_entry

SIZES = [(120, 40), (80, 24)]


@pytest.mark.parametrize("size", SIZES)
def test_intro(snap_compare, tmp_path, size) -> None:
    app = human_app(tmp_path, samples="0,6", practice=1, time_limit=600)

    async def run_before(pilot) -> None:
        await quiet(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_instance(snap_compare, tmp_path, size) -> None:
    app = human_app(tmp_path, dataset="tmbench-greek", samples="0,6", practice=1, time_limit=600)

    async def run_before(pilot) -> None:
        await pilot.press("enter")
        await pilot.pause()
        states = pilot.app.session.attempt.instance.run.states()
        keys = {s: str(i + 1) for i, s in enumerate(pilot.app.session.attempt.instance.alphabet)}
        await type_entry(pilot, " ".join(keys[s] for s in states[1]))
        await type_entry(pilot, " ".join(keys[s] for s in states[2][1:]))
        await type_entry(pilot, "1 2 x")
        await quiet(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_feedback(snap_compare, tmp_path, size) -> None:
    app = human_app(tmp_path, samples="0", feedback="after-instance")

    async def run_before(pilot) -> None:
        await pilot.press("enter")
        await pilot.pause()
        states = pilot.app.session.attempt.instance.run.states()
        for k in range(1, 4):
            await type_entry(pilot, states[k])
        await type_entry(pilot, states[4][:-1])
        await type_entry(pilot, "halt")
        await pilot.pause()
        await quiet(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
