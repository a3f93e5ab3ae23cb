"""Pilot tests: every key of the debugger, the sample list and the compare screen does what it
says, every binding has an id, and the command palette offers them."""

from __future__ import annotations

import asyncio

import pytest
from textual.binding import Binding
from textual.widgets import Checkbox, Collapsible, DataTable, Input, Tabs

from tests.live.livekit import TMBENCH, flawed, record, write_records
from tests.tui.tuikit import view_app, wait_for, wait_stream, watch_app
from tmtui.core.diagnose import Kind
from tmtui.io.jsonl import iter_jsonl
from tmtui.tui.commands import screen_commands
from tmtui.tui.screens.compare import CompareScreen
from tmtui.tui.screens.help import HelpScreen
from tmtui.tui.screens.inspector import InspectorScreen
from tmtui.tui.screens.view import SampleListScreen
from tmtui.tui.screens.watch import DebuggerScreen

SIZE = (120, 40)
COPY9 = {9: Kind.COPY_ERROR}


@pytest.mark.parametrize("screen", [DebuggerScreen, SampleListScreen, CompareScreen, HelpScreen])
def test_every_binding_has_an_id(screen) -> None:
    for b in screen.BINDINGS:
        assert isinstance(b, Binding) and b.id, b
    ids = [b.id for b in screen.BINDINGS]
    assert len(ids) == len(set(ids))


def test_no_binding_uses_a_key_terminals_swallow() -> None:
    bad = {"ctrl+h", "ctrl+s", "ctrl+o", "ctrl+q", "ctrl+z", "ctrl+c", "ctrl+i", "ctrl+m"}
    from tmtui.tui.screens.report import ReportScreen
    from tmtui.tui.screens.report_samples import RowSamplesScreen

    for screen in (DebuggerScreen, SampleListScreen, CompareScreen, ReportScreen, RowSamplesScreen):
        for b in screen.BINDINGS:
            assert not set(b.key.split(",")) & bad, b


async def test_navigation_keys(tmp_path) -> None:
    app = watch_app(flawed(0, COPY9), tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_stream(app, pilot)
        scr = app.screen
        assert isinstance(scr, DebuggerScreen)
        assert scr.selected == 30  # followed the stream to its end
        steps = [
            ("g", 0), ("j", 1), ("down", 2), ("k", 1), ("up", 0), ("pagedown", 10),
            ("pageup", 0), ("G", 30), ("home", 0), ("end", 30), ("d", 9), ("n", 10),
            ("p", 9), ("p", 9), ("g", 0), ("n", 9),
        ]  # fmt: skip
        for key, want in steps:
            await pilot.press(key)
            assert scr.selected == want, (key, scr.selected, want)
        # every panel follows the selection
        assert scr.query_one("#alignment").cursor == 9
        assert scr.query_one("#truth").cursor == 9
        assert scr.query_one("#transcript").selected == 9
        assert scr.query_one("#detail").step == 9


async def test_follow_pause_and_restart(tmp_path) -> None:
    text = flawed(0)
    n = len(text)
    # about 8 s of stream, in 160 timed chunks: long enough that it is still arriving when
    # the first step shows, even beside another test worker (4 s was seen to end first)
    chunks = [[i * 50.0, len(text[i * n // 160 : (i + 1) * n // 160]), 0] for i in range(160)]
    app = watch_app(text, tmp_path=tmp_path, chunks=chunks, speed=1.0)
    async with app.run_test(size=SIZE) as pilot:
        scr = app.screen
        c = scr.controller
        await wait_for(pilot, lambda: scr.trace.written >= 1)
        assert scr.follow and c.running
        await pilot.press("space")
        assert c.paused and "paused" in scr.query_one("#status").flags
        held = scr.trace.answer.length
        await asyncio.sleep(0.3)
        assert scr.trace.answer.length == held  # the display is frozen ...
        assert c._held or c._pending  # ... while the stream keeps arriving
        assert len(c.recorder.answer) > held  # ... and is recorded
        await pilot.press("space")
        assert not c.paused and scr.trace.answer.length > held
        await pilot.press("k")
        assert not scr.follow
        await pilot.press("f")
        assert scr.follow
        await wait_for(pilot, c.finished.is_set, timeout=30)  # wait_stream gives up at 4 s
        assert scr.selected == scr.trace.last_written == 30
        await pilot.press("r")
        assert app.plan.feed.opened == 2
        await wait_for(pilot, lambda: scr.controller.finished.is_set(), timeout=30)
        assert scr.trace.final and scr.trace.passed


async def test_save_copy_and_write(tmp_path) -> None:
    text = flawed(0, COPY9)
    app = watch_app(text, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_stream(app, pilot)
        await pilot.press("s")
        saved = [r for _n, r in iter_jsonl(tmp_path / "saved.jsonl")]
        assert len(saved) == 1
        assert saved[0].answer == text and saved[0].status == "complete"
        assert saved[0].chunks  # recorded arrival times
        await pilot.press("y")
        assert app.clipboard == text
        await pilot.press("Y")
        assert app.clipboard.startswith("{") and '"answer"' in app.clipboard
        await pilot.press("w")
        written = list(tmp_path.glob("*.txt"))
        assert len(written) == 1 and written[0].read_text() == text


async def test_save_never_follows_a_link_at_the_save_file(tmp_path) -> None:
    """``s`` appends to the save file (often the default name in the working directory, chosen
    by nobody): a link planted there, dangling or to a file, is refused and left alone; the
    target is neither created nor appended to (before: followed)."""
    text = flawed(0, COPY9)
    app = watch_app(text, tmp_path=tmp_path)
    victim = tmp_path / "victim.jsonl"
    (tmp_path / "saved.jsonl").symlink_to(victim)  # dangling: a save would create the target
    async with app.run_test(size=SIZE) as pilot:
        await wait_stream(app, pilot)
        await pilot.press("s")
        await pilot.pause(0.2)
        assert not victim.exists()
        victim.write_bytes(b"")  # now a link to an empty file, which a record file may be
        await pilot.press("s")
        await pilot.pause(0.2)
        assert victim.read_bytes() == b""
        assert (tmp_path / "saved.jsonl").is_symlink()


async def test_write_never_overwrites_follows_a_link_or_waits_on_a_fifo(tmp_path) -> None:
    """``w`` writes a new file beside the output: what is already at the transcript's name (a
    file of the user's, a link planted there, a FIFO) is left alone and the transcript goes
    to the next free name (before: the file was overwritten, the link followed to overwrite
    its target, and a FIFO froze the screen for good)."""
    import os

    text = flawed(0, COPY9)
    app = watch_app(text, tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_stream(app, pilot)
        await pilot.press("w")
        first = next(tmp_path.glob("*.txt"))
        name = first.name
        first.write_text("the user's own notes")
        victim = tmp_path / "victim"
        victim.write_text("not yours")
        stem = name.removesuffix(".txt")
        (tmp_path / f"{stem}-2.txt").symlink_to(victim)
        os.mkfifo(tmp_path / f"{stem}-3.txt")
        await pilot.press("w")  # returns: the FIFO is never opened
        assert first.read_text() == "the user's own notes"
        assert victim.read_text() == "not yours"
        assert (tmp_path / f"{stem}-4.txt").read_text() == text


async def test_parser_toggle_inspector_reasoning_help(tmp_path) -> None:
    text = flawed(0, style="echo")
    app = watch_app(text, tmp_path=tmp_path, reasoning="I think step by step.")
    async with app.run_test(size=SIZE) as pilot:
        await wait_stream(app, pilot)
        scr = app.screen
        assert scr.trace.passed
        await pilot.press("m")
        assert scr.trace.mode == "tmbench"
        assert scr.trace.first_divergence == 1  # the official regex takes the echo
        assert "compat: official regex" in scr.query_one("#status").flags
        await pilot.press("m")
        assert scr.trace.mode == "strict" and scr.trace.passed
        await pilot.press("i")
        assert isinstance(app.screen, InspectorScreen)
        assert app.screen.rows
        await pilot.press("enter")
        assert app.screen is scr and scr.selected == 1
        box = scr.query_one("#reasoning-box", Collapsible)
        assert not box.collapsed  # opened while the reasoning streamed
        await pilot.press("z")
        assert box.collapsed
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert app.screen is scr


async def test_panels_become_tabs_when_narrow(tmp_path) -> None:
    app = watch_app(flawed(0, COPY9), tmp_path=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_stream(app, pilot)
        scr = app.screen
        assert scr.has_class("-narrow")
        tabs = scr.query_one("#tabs", Tabs)
        for key, name in (("2", "output"), ("3", "truth"), ("4", "detail"), ("1", "align")):
            await pilot.press(key)
            assert tabs.active == f"tab-{name}"
            assert scr.query_one(f"#p-{name}").display
            others = [p for p in ("align", "output", "truth", "detail") if p != name]
            assert not any(scr.query_one(f"#p-{p}").display for p in others)
        # a click on a tab works too
        await pilot.click("#tab-truth")
        assert tabs.active == "tab-truth"


async def test_wide_panel_keys_focus(tmp_path) -> None:
    app = watch_app(flawed(0), tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_stream(app, pilot)
        for key, wid in (("2", "transcript"), ("3", "truth"), ("1", "alignment")):
            await pilot.press(key)
            assert app.focused is not None and app.focused.id == wid


async def test_quit_key(tmp_path) -> None:
    app = watch_app(flawed(0), tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_stream(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert app.plan.feed.closed


async def test_command_palette_lists_the_keys(tmp_path) -> None:
    app = watch_app(flawed(0, COPY9), tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_stream(app, pilot)
        names = {name for name, _help, _b in screen_commands(app.screen)}
        for want in ("Go to the first divergence", "Save", "Next wrong step", "Help", "Quit"):
            assert any(n.startswith(want) for n in names), (want, names)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"first div")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.selected == 9


# -- view: the sample list, the timeline, compare -------------------------------------------


@pytest.fixture
def two_files(tmp_path):
    a = write_records(
        tmp_path / "a.jsonl",
        [
            record(TMBENCH[0], flawed(0, COPY9), model="alpha"),
            record(TMBENCH[1], flawed(1), model="alpha"),
            record(TMBENCH[2], flawed(2, {4: Kind.WRONG_PRODUCTION}), model="alpha"),
        ],
    )
    b = write_records(
        tmp_path / "b.jsonl",
        [
            record(TMBENCH[0], flawed(0, {14: Kind.STALE_STATE}), model="beta"),
            record(TMBENCH[2], flawed(2), model="beta"),
        ],
    )
    return a, b


async def _loaded(app, pilot) -> SampleListScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, SampleListScreen))
    scr = app.screen
    await wait_for(pilot, lambda: not scr.is_loading_file)
    return scr


async def test_sample_list_keys(two_files) -> None:
    a, _b = two_files
    app = view_app(a)
    async with app.run_test(size=SIZE) as pilot:
        scr = await _loaded(app, pilot)
        table = scr.query_one("#samples", DataTable)
        assert table.row_count == 3
        await pilot.press("x")
        assert scr.query_one("#failures", Checkbox).value and table.row_count == 2
        await pilot.press("o")
        assert scr.sort_key == "SWA"
        await pilot.press("O")
        assert scr.reverse
        await pilot.press("escape")
        assert table.row_count == 3 and not scr.query_one("#failures", Checkbox).value
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"re:Append E A D D B", "enter")
        await wait_for(pilot, lambda: scr.hits is not None)
        assert table.row_count == len(scr.hits) >= 1
        await pilot.press("escape")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DebuggerScreen))
        await pilot.press("escape")
        assert app.screen is scr
        await pilot.press("q")
    assert app.return_code == 0


async def test_sort_by_clicking_a_header(two_files) -> None:
    a, _b = two_files
    app = view_app(a)
    async with app.run_test(size=SIZE) as pilot:
        scr = await _loaded(app, pilot)
        table = scr.query_one("#samples", DataTable)
        table.post_message(DataTable.HeaderSelected(table, table.ordered_columns[2].key, 2, "SWA"))
        await pilot.pause()
        assert scr.sort_key == "SWA" and scr.shown[0] == 2  # the lowest SWA first


async def test_sample_opened_directly_and_timeline_keys(tmp_path) -> None:
    text = flawed(0, COPY9)
    n = len(text)
    chunks = [
        [1000.0 + i * 10, len(text[i * n // 100 : (i + 1) * n // 100]), 0] for i in range(100)
    ]
    path = write_records(
        tmp_path / "r.jsonl", [record(TMBENCH[0], text, chunks=chunks, model="timed")]
    )
    app = view_app(path, sample=0)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DebuggerScreen))
        scr = app.screen
        await pilot.pause()
        assert scr.trace.final and scr.selected == 9  # opened on the first divergence
        tl = scr.query_one("#timeline")
        assert tl.t == scr.timing.duration
        await pilot.press("left_curly_bracket")
        assert not scr.trace.final and scr.trace.answer.length < n
        shown = scr.trace.answer.length
        await pilot.press("left_square_bracket")
        assert scr.trace.answer.length < shown
        await pilot.press("right_square_bracket", "right_curly_bracket")
        assert scr.trace.answer.length >= shown
        for _ in range(12):
            await pilot.press("right_curly_bracket")
        assert scr.trace.final and scr.trace.answer.length == n
        # the timeline is a scrubber: click three quarters along (the first chunk came at 1 s)
        await pilot.click("#timeline", offset=(1 + tl._label_width() + tl._bar_width() * 3 // 4, 0))
        assert 0 < scr.trace.answer.length < n
        # r replays the recording live through the same debugger
        await pilot.press("r")
        await wait_stream(app, pilot)
        assert scr.trace.final and scr.trace.answer.length == n
        await pilot.press("escape")
        assert isinstance(app.screen, SampleListScreen)


async def test_compare_keys(two_files) -> None:
    a, b = two_files
    app = view_app(a, compare=b)
    async with app.run_test(size=SIZE) as pilot:
        scr = await _loaded(app, pilot)
        assert len(scr.pairs) == 2
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen))
        cmp = app.screen
        assert cmp.selected == 9  # the earlier first divergence of the two
        await pilot.press("d")
        assert cmp.selected == 14  # again: the other answer's
        await pilot.press("d")
        assert cmp.selected == 9
        await pilot.press("j", "down")
        assert cmp.selected == 11
        await pilot.press("k", "up")
        assert cmp.selected == 9
        await pilot.press("n")
        assert cmp.selected == 10
        await pilot.press("p")
        assert cmp.selected == 9
        await pilot.press("a")
        assert isinstance(app.screen, DebuggerScreen) and app.screen.status.model == "alpha"
        await pilot.press("escape", "b")
        assert app.screen.status.model == "beta"
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, SampleListScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen))
        await pilot.press("q")
    assert app.return_code == 0


async def test_filters_by_diagnosis_and_model(two_files) -> None:
    from textual.widgets import Select

    a, _b = two_files
    app = view_app(a)
    async with app.run_test(size=SIZE) as pilot:
        scr = await _loaded(app, pilot)
        table = scr.query_one("#samples", DataTable)
        scr.query_one("#diag", Select).value = "copy error"
        await pilot.pause()
        assert table.row_count == 1 and scr.shown == [0]
        scr.query_one("#diag", Select).value = ""
        scr.query_one("#model", Select).value = "alpha"
        await pilot.pause()
        assert table.row_count == 3


async def test_keymap_moves_a_key(tmp_path) -> None:
    from tmtui.config import load_keymap
    from tmtui.tui.app import TmtuiApp

    cfg = tmp_path / "config.toml"
    cfg.write_text('[keymap]\n"debugger.first-divergence" = "v"\n')
    keymap = load_keymap(cfg)
    assert keymap == {"debugger.first-divergence": "v"}
    app = watch_app(flawed(0, COPY9), tmp_path=tmp_path)
    app = TmtuiApp(app.plan, clock=None, keymap=keymap)
    async with app.run_test(size=SIZE) as pilot:
        await wait_stream(app, pilot)
        await pilot.press("g", "v")
        assert app.screen.selected == 9
        await pilot.press("g", "d")
        assert app.screen.selected == 0  # d is no longer bound


def test_the_guide_lists_every_binding() -> None:
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "tui.md").read_text()
    from tmtui.tui.screens.report import ReportScreen
    from tmtui.tui.screens.report_samples import RowSamplesScreen

    for screen in (DebuggerScreen, SampleListScreen, CompareScreen, ReportScreen, RowSamplesScreen):
        for b in screen.BINDINGS:
            assert f"`{b.id}`" in guide, b.id


async def test_compare_page_keys_and_inspector_close(two_files, tmp_path) -> None:
    a, b = two_files
    app = view_app(a, compare=b)
    async with app.run_test(size=SIZE) as pilot:
        await _loaded(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen))
        cmp = app.screen
        await pilot.press("pagedown")
        assert cmp.selected == 19
        await pilot.press("pageup")
        assert cmp.selected == 9
    app = watch_app(flawed(0, style="echo"), tmp_path=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_stream(app, pilot)
        scr = app.screen
        await pilot.press("i")
        assert isinstance(app.screen, InspectorScreen)
        await pilot.press("escape")
        assert app.screen is scr
