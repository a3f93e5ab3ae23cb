"""Screens that fit (issue 8): at 80x24 the help key and the numbers stay whole; text wraps at
word boundaries; the list's columns give way by importance; the inspector's why is never cut;
toasts cover no status line and never go stale; help marks the keys that do nothing here; the
output panel counts what streams; the truth table explains itself; tokens a second measure the
stream; the narrow output tab follows ``d``."""

from __future__ import annotations

import asyncio
import itertools
import re

import pytest
from textual.widgets import DataTable
from textual.widgets._toast import Toast

from tests.live.livekit import TMBENCH, flawed, record, write_records
from tests.tui.tuikit import screen_lines, view_app, wait_for, wait_stream, watch_app
from tmtui.core.diagnose import Kind
from tmtui.tui.screens.help import HelpScreen, binding_rows
from tmtui.tui.screens.inspector import InspectorScreen
from tmtui.tui.screens.view import SampleListScreen
from tmtui.tui.screens.watch import DebuggerScreen
from tmtui.tui.widgets.trace_table import TruthTable
from tmtui.tui.widgets.transcript import TranscriptView

REASONING = "The deletion number is 2. Step 1: head D, append A E C D.\nStep 2: head E.\n" * 8


def _key_bar(app):
    from tmtui.tui.widgets.keybar import KeyBar

    return app.screen.query_one(KeyBar)


def _help_visible(app) -> bool:
    bar = _key_bar(app)
    keys = [k for k in bar.query("FooterKey") if k.action == "help"]
    return bool(keys) and keys[0].region.right <= app.size.width and keys[0].region.width > 0


def _numbers_whole(line: str) -> None:
    """No number on the line ends in an ellipsis (a cut number reads as a wrong one)."""
    assert not re.search(r"\d…", line), line


async def _open_inspector(app, pilot):
    """Press i in the debugger: the parse inspector and its table."""
    await pilot.press("i")
    await pilot.pause(0.3)
    scr = app.screen
    assert isinstance(scr, InspectorScreen)
    return scr, scr.query_one(DataTable)


async def test_inspector_readings_are_not_broken_where_the_why_has_room(tmp_path) -> None:
    """At 120 columns a 27-cell strict reading was folded at 25 ('[…AECD' then ']' alone)
    while the why column had room to spare: a reading takes up to a third of the width while
    the why keeps its room."""
    from tmtui.core.answer import format_answer
    from tmtui.core.mutate import flawed_steps

    steps = flawed_steps(TMBENCH[0])
    text = format_answer(steps[:18]) + format_answer(steps[18:], style="compact")
    app = watch_app(text, tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        scr, table = await _open_inspector(app, pilot)
        longest = max(len(r[1]) for r in scr.rows)
        assert longest > (table.size.width - 8) // 4  # longer than a quarter
        for i in range(len(scr.rows)):
            assert "\n" not in str(table.get_row_at(i)[1])  # each reading on one line
        widths = [c.get_render_width(table) for c in table.columns.values()]
        assert sum(widths) <= table.size.width


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_debugger_keeps_help_and_numbers_at_every_size(tmp_path, size) -> None:
    app = watch_app(flawed(0, {9: Kind.COPY_ERROR}), tmp_path=tmp_path, reasoning=REASONING)
    async with app.run_test(size=size) as pilot:
        await wait_stream(app, pilot)
        await pilot.pause(0.2)
        assert _help_visible(app)
        lines = screen_lines(app)
        tr = app.screen.trace
        status = [ln for ln in lines if "steps " in ln and "acc " in ln]
        assert status, lines
        assert f"steps {tr.written}/{tr.n_truth}" in status[0]
        assert f"acc {tr.correct}/{tr.n_truth}" in status[0]
        for line in lines[:3] + status:  # the header and the status line
            _numbers_whole(line)
        assert "cap 30" in lines[0]
        assert lines[-1].rstrip().endswith("? help")


async def test_list_and_compare_keep_the_help_key_at_80x24(tmp_path) -> None:
    a = write_records(tmp_path / "a.jsonl", [record(TMBENCH[0], flawed(0, {9: Kind.COPY_ERROR}))])
    b = write_records(tmp_path / "b.jsonl", [record(TMBENCH[0], flawed(0))])
    app = view_app(a, compare=b)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SampleListScreen))
        await wait_for(pilot, lambda: not app.screen.is_loading_file)
        assert _help_visible(app)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert _help_visible(app)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, DebuggerScreen))
        await pilot.pause(0.3)
        assert _help_visible(app)  # "esc back" too: the keys that do not fit give way


def _breaks_at_words(text: str, breaks: list[int]) -> int:
    """Each row of a folded line starts after a space, unless the row before holds none (a
    queue written without spaces, one long word). Returns the number of folds."""
    for prev, at in itertools.pairwise(breaks):
        row = text[prev:at]
        assert row.endswith(" ") or " " not in row.strip(), f"cut mid-word: {row!r}"
    return len(breaks) - 1


async def test_output_and_step_panels_wrap_at_word_boundaries(tmp_path) -> None:
    app = watch_app(flawed(0, {9: Kind.COPY_ERROR}), tmp_path=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_stream(app, pilot)
        await pilot.press("d", "2")
        await pilot.pause(0.3)
        view = app.screen.query_one("#transcript", TranscriptView)
        lines = view.lines.lines
        folds = sum(_breaks_at_words(lines[i], view._line(i).breaks) for i in range(len(lines)))
        assert folds > 0  # "Action: Append ... Remove ... from the head." is folded
        await pilot.press("4")
        await pilot.pause(0.3)
        detail = app.screen.query_one("#detail")
        lines = [t.plain for t in detail._lines]
        folds = sum(_breaks_at_words(t, cuts) for t, cuts in zip(lines, detail._cuts, strict=True))
        assert folds > 0
        # the rows on screen: a folded row starts under the text, not under the label
        rows = [detail.render_line(y).text for y in range(detail.size.height)]
        assert any(r.startswith(" " * 10) and r.strip() for r in rows)


async def test_list_columns_give_way_and_never_cut_a_number(tmp_path) -> None:
    long_model = "TMBench_gemini-2.5-pro-exp-03-25_chat"
    recs = [record(TMBENCH[0], flawed(0, {9: Kind.COPY_ERROR}), model=long_model)]
    recs += [record(TMBENCH[i], flawed(i), model=long_model) for i in range(8, 24)]
    path = write_records(tmp_path / "long.jsonl", recs)
    for size in ((120, 40), (80, 24)):
        app = view_app(path)
        async with app.run_test(size=size) as pilot:
            await wait_for(pilot, lambda app=app: isinstance(app.screen, SampleListScreen))
            await wait_for(pilot, lambda app=app: not app.screen.is_loading_file)
            await pilot.pause(0.2)
            lines = screen_lines(app)
            header = next(ln for ln in lines if ln.lstrip().startswith("#"))
            assert "inst" in header and "SWA" in header and "first ✗" in header
            table = app.screen.query_one("#samples", DataTable)
            assert sum(c.get_render_width(table) for c in table.columns.values()) <= size[0]
            col = header.index("inst")
            shown = [ln[col : col + 4].strip() for ln in lines[lines.index(header) + 1 :]]
            for i in range(8, 24):  # sample positions 1..16 hold instances 8..23
                assert str(i) in shown, (size, shown)
            for ln in lines:
                _numbers_whole(ln)


async def test_inspector_shows_its_why_whole_and_says_when_both_agree(tmp_path) -> None:
    app = watch_app(flawed(0, style="echo"), tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        scr, table = await _open_inspector(app, pilot)
        why = scr.rows[0][3]
        first = table.get_row_at(0)[3]
        assert " ".join(str(first).split()) == " ".join(why.split())  # folded, whole
        widths = [c.get_render_width(table) for c in table.columns.values()]
        assert sum(widths) <= table.size.width
        await pilot.press("escape")
    app = watch_app(flawed(0), tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        await pilot.press("i")
        await pilot.pause(0.3)
        scr = app.screen
        assert not scr.query(DataTable)  # no empty table, no blank lines
        assert "Both parsers read every step the same" in str(scr.query("Static").first().render())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_messages_cover_nothing_the_user_reads(tmp_path, size) -> None:
    """Messages are shown in the key bar, in place of the key hints (the help key stays), not
    as toasts over the panels or the status lines; they go when they expire."""
    app = watch_app(flawed(0, {9: Kind.COPY_ERROR}), tmp_path=tmp_path)
    async with app.run_test(size=size, notifications=True) as pilot:
        await wait_stream(app, pilot)
        before = screen_lines(app)[-3:-1]  # the status lines
        await pilot.press("s")
        await pilot.pause(0.3)
        assert all(not t.visible for t in app.screen.query(Toast))
        lines = screen_lines(app)
        assert "Saved: record appended to" in lines[-1]
        assert lines[-1].rstrip().endswith("? help")
        assert lines[-3:-1] == before  # the status lines are not covered
        app.clear_notifications()
        await pilot.pause(0.3)
        assert "Saved" not in screen_lines(app)[-1]
        assert "divergence" in screen_lines(app)[-1]  # the keys are back


async def test_help_lists_the_screens_own_keys_and_marks_the_others(tmp_path) -> None:
    app = watch_app(flawed(0), tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        scr = app.screen
        here = {bid for _k, _d, bid in binding_rows(scr, applicable=True)}
        elsewhere = {bid: d for _k, d, bid in binding_rows(scr, applicable=False)}
        for bid in ("debugger.timeline-back", "debugger.timeline-forward-more", "debugger.back"):
            assert bid not in here and bid in elsewhere
        assert "saved sample" in elsewhere["debugger.timeline-back"]
        assert "debugger.first-divergence" in here
        await pilot.press("question_mark")
        await pilot.pause(0.3)
        assert isinstance(app.screen, HelpScreen)
        assert "not here" in str(app.screen.query("Static")[1].render())


async def test_output_border_counts_the_reasoning_while_it_streams(tmp_path) -> None:
    app = watch_app(flawed(0), tmp_path=tmp_path, reasoning=REASONING)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        sub = str(app.screen.query_one("#p-output").border_subtitle)
        assert f"reasoning {len(REASONING):,}" in sub


async def test_truth_table_explains_cell_step_and_keeps_its_headers(tmp_path) -> None:
    app = watch_app(flawed(0), tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        truth = app.screen.query_one("#truth", TruthTable)
        header = "".join(s.text for s in truth.render_header(truth.body_width))
        assert "…" not in header
        assert "cell←step" in str(app.screen.query_one("#truth-legend").render())
        assert "the step that wrote it" in str(truth.tooltip)


async def test_tokens_are_counted_while_the_display_is_paused(tmp_path) -> None:
    text = flawed(0)
    chunks = [[i * 25.0, 48, 0] for i in range(0, len(text) // 48 + 1)]  # about 2.5 s
    app = watch_app(text, tmp_path=tmp_path, chunks=chunks, speed=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.status.chunks > 0)
        await pilot.press("space")
        before = scr.status.chunks
        shown = scr.trace.answer.length
        await asyncio.sleep(0.6)
        await pilot.pause()
        assert scr.controller.paused
        assert scr.trace.answer.length == shown  # the display waits
        assert scr.status.chunks > before  # the stream is measured all the same


@pytest.mark.parametrize("keys", [("d", "2"), ("2", "d")])
async def test_narrow_output_tab_shows_the_step_chosen_with_d(tmp_path, keys) -> None:
    app = watch_app(flawed(0, {20: Kind.COPY_ERROR}), tmp_path=tmp_path, reasoning=REASONING)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_stream(app, pilot)
        await pilot.press(*keys)
        await pilot.pause(0.3)
        tr = app.screen.trace
        view = app.screen.query_one("#transcript", TranscriptView)
        span = tr.positions.span_of(tr.first_divergence)
        top, rows = int(view.scroll_y), view.scrollable_content_region.height
        first, last = view.row_of_offset(span[0]), view.row_of_offset(span[1])
        assert top <= first and last < top + rows
