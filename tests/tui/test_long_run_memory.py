"""A loaded trace is kept out of the garbage collector's full collections (they stalled long
runs' screens), and nothing frozen is kept for good: a closed sample's objects are collected
at the next freeze, and the app gives everything back when it closes."""

from __future__ import annotations

import gc
import weakref

from tests.live.livekit import TMBENCH, flawed, record, write_records
from tests.tui.tuikit import view_app, wait_for, wait_stream, watch_app
from tmtui.tui.memory import freeze_long_lived, thaw
from tmtui.tui.screens.watch import DebuggerScreen


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def _frozen(obj: object) -> bool:
    """gc.get_objects() lists the collector's generations, never the frozen objects."""
    return gc.is_tracked(obj) and all(o is not obj for o in gc.get_objects())


def test_freezing_again_collects_what_died_since():
    try:
        node = _Node()
        ref = weakref.ref(node)
        freeze_long_lived()
        assert _frozen(node)
        del node
        freeze_long_lived()  # thawed first: the dead cycle is collected, not kept for good
        assert ref() is None
    finally:
        thaw()


async def test_a_saved_sample_is_frozen_once_loaded_and_thawed_at_exit(tmp_path):
    path = write_records(tmp_path / "r.jsonl", [record(TMBENCH[0], flawed(0))])
    app = view_app(path, sample=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DebuggerScreen))
        await pilot.pause()
        scr = app.screen
        assert scr.trace.final
        await wait_for(pilot, lambda: _frozen(scr.trace.steps))
        trace_steps = scr.trace.steps
    assert gc.get_freeze_count() == 0  # the app closed: nothing stays frozen
    assert not _frozen(trace_steps)


async def test_a_stream_is_frozen_when_it_has_been_read(tmp_path):
    app = watch_app(flawed(0), tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        scr = app.screen
        assert scr.trace.final
        await wait_for(pilot, lambda: _frozen(scr.trace.steps))
