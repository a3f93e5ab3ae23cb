"""Trust what is on the screen (issue 8): both readings in the list, the score's denominator in
the status bar, one error's two positions told apart, and a failed request never shown as a
wrong answer."""

from __future__ import annotations

import re

from tests.live.livekit import TMBENCH, flawed, periodic_copy_error, record, write_records
from tests.tui.tuikit import (
    FailingFeed,
    FakeFeed,
    screen_lines,
    view_app,
    wait_for,
    wait_stream,
    watch_app,
    watch_plan_app,
)
from tmtui.core.align import Verdict
from tmtui.core.diagnose import Kind
from tmtui.core.parsed import ParserMode
from tmtui.live.catalog import Search, load_entries
from tmtui.live.trace import Trace
from tmtui.tui.screens.view import SampleListScreen
from tmtui.tui.screens.watch import DebuggerScreen
from tmtui.tui.widgets.alignment import missing_label
from tmtui.tui.widgets.detail import step_text
from tmtui.tui.widgets.status import StatusBar


def _status(app) -> str:
    return app.screen.query_one(StatusBar).render().plain


def _announced(app) -> list[str]:
    return [n.title for n in app._notifications if n.title.startswith("First divergence")]


# -- the list: both readings -------------------------------------------------------------


def _both_readings_file(tmp_path):
    """Sample 0 reads alike; sample 1 echoes the previous queue (strict: pass, the official
    regex: fail); sample 2 is a failed request."""
    recs = [
        record(TMBENCH[0], flawed(0), model="plain"),
        record(TMBENCH[0], flawed(0, style="echo"), model="echo"),
        record(TMBENCH[1], "", model="gpt-4.1", status="error", error="HTTP 404: no such model"),
    ]
    return write_records(tmp_path / "both.jsonl", recs)


async def _list(app, pilot) -> SampleListScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, SampleListScreen))
    await wait_for(pilot, lambda: not app.screen.is_loading_file)
    return app.screen


async def test_list_shows_the_official_reading_where_it_differs(tmp_path) -> None:
    app = view_app(_both_readings_file(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        scr = await _list(app, pilot)
        from textual.widgets import DataTable, Static

        table = scr.query_one("#samples", DataTable)
        cols = [str(c.label) for c in table.columns.values()]
        assert "official" in cols
        official = [str(table.get_row_at(i)[cols.index("official")]) for i in range(3)]
        assert official[0] == "" and official[2] == ""  # alike; not attempted
        assert official[1].startswith("✗")  # the official regex fails the echo answer
        summary = str(scr.query_one("#list-status", Static).render())
        assert "pass 2/2 (official regex 1/2)" in summary
        assert "1 read differently" in summary
        assert "1 not attempted" in summary


def test_entries_score_both_readings_the_official_way(tmp_path) -> None:
    entries = list(load_entries(_both_readings_file(tmp_path)))
    assert [e.passed for e in entries] == [True, True, False]
    assert [e.other_passed for e in entries] == [True, False, False]
    assert [e.readings_differ for e in entries] == [False, True, False]
    assert entries[1].other is not None and entries[1].other.mode is ParserMode.TMBENCH


# -- the status bar: the score's denominator ---------------------------------------------


async def test_acc_counts_over_the_truth_steps_when_the_answer_stops_early(tmp_path) -> None:
    text = flawed(0, {10: Kind.PREMATURE_HALT})  # stops after step 9 of 30
    app = watch_app(text, tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        line = _status(app).splitlines()[0]
        assert "steps 10/31" in line
        assert "acc 10/31 (32%)" in line  # not 10/10 (100%)


async def test_an_extra_step_is_counted_apart(tmp_path) -> None:
    text = flawed(0) + "\n\n### step 31:\n   - Queue State: [A B]\n"
    app = watch_app(text, tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        line = _status(app).splitlines()[0]
        assert "steps 31/31 +1 extra" in line  # not 32/31
        assert "acc 31/31 (100%)" in line


# -- one error, two positions ------------------------------------------------------------


def test_the_step_panel_says_which_position_is_which() -> None:
    inst, text = periodic_copy_error()
    tr = Trace(inst)
    tr.feed(text)
    tr.finish()
    diag = tr.diagnosis()
    assert diag is not None and diag.message == "copy error: dropped 4 symbols at position 33"
    shown = step_text(tr, 19).plain
    assert "the queues first differ at symbol 37 (expected 40 symbols, got 36)" in shown
    assert "symbol 33 is where the copy went wrong" in shown
    assert "first differ later, at symbol 37" in shown
    assert "first difference at symbol" not in shown  # the old, unlabelled wording


# -- a failed request is not a wrong answer ----------------------------------------------


async def test_a_failed_request_is_no_answer_not_a_divergence(tmp_path) -> None:
    feed = FailingFeed("HTTP 404: the model `gpt-4.1` does not exist")
    app = watch_plan_app(TMBENCH[0], feed, tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        scr = app.screen
        assert isinstance(scr, DebuggerScreen)
        assert scr.trace.first_divergence is None and scr.trace.diagnosis() is None
        second = _status(app).splitlines()[1]
        assert second.startswith("no answer: the request failed (HTTP 404")
        assert "first divergence" not in _status(app) and "truncated" not in _status(app)
        assert _announced(app) == []
        assert "the request failed" in scr.query_one("#detail").plain
        await pilot.press("d")
        assert scr.selected == 0


async def test_a_saved_failed_request_opens_as_no_answer(tmp_path) -> None:
    path = _both_readings_file(tmp_path)
    app = view_app(path, sample=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DebuggerScreen))
        await pilot.pause()
        second = _status(app).splitlines()[1]
        assert second == "no answer: the request failed (HTTP 404: no such model)"
        # the rows and the step panel: no answer came, not steps the model left out
        lines = screen_lines(app)
        rows = [line for line in lines if re.search(r"· +[0-9]+ │", line)]
        assert rows and all("· no answer" in r and "not written" not in r for r in rows)
        detail = app.screen.query_one("#detail").plain
        assert "not written" not in detail and "no answer: the request failed" in detail


async def test_the_list_marks_failed_requests_apart_from_failures(tmp_path) -> None:
    app = view_app(_both_readings_file(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        scr = await _list(app, pilot)
        from textual.widgets import DataTable

        table = scr.query_one("#samples", DataTable)
        assert str(table.get_row_at(2)[1]) == "– no answer"
        assert "no answer: the request failed" in str(table.get_row_at(2)[5])
        await pilot.press("x")  # failures only: none (the failed request is not one)
        await pilot.pause()
        assert scr.shown == []


def test_search_finds_what_the_list_shows(tmp_path) -> None:
    entries = list(load_entries(_both_readings_file(tmp_path)))
    assert Search("request failed").filter(entries) == {2}  # the diagnosis column
    assert Search("echo").filter(entries) == {1}  # the model column
    assert Search("re:^no answer").filter(entries) == {2}


async def test_slash_search_matches_the_diagnosis_column(tmp_path) -> None:
    recs = [record(TMBENCH[0], flawed(0, {9: Kind.COPY_ERROR})), record(TMBENCH[0], flawed(0))]
    app = view_app(write_records(tmp_path / "r.jsonl", recs))
    async with app.run_test(size=(120, 40)) as pilot:
        scr = await _list(app, pilot)
        await pilot.press("slash", *"copy error", "enter")
        await wait_for(pilot, lambda: scr.hits is not None)
        assert scr.shown == [0]


async def test_a_divergence_toast_is_cleared_when_it_goes_stale(tmp_path) -> None:
    """Compat mode announces the echo answer's misreading; switching to the strict reading
    (every step correct) must not leave that toast beside '✓ every step correct'."""
    feed = FakeFeed(flawed(0, style="echo"))
    app = watch_plan_app(TMBENCH[0], feed, tmp_path=tmp_path, mode=ParserMode.TMBENCH)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        assert _announced(app) == ["First divergence at step 1"]
        assert "format: read differently (the parse inspector, i," in _status(app)
        await pilot.press("m")
        await pilot.pause()
        assert "✓ every step correct" in _status(app)
        assert _announced(app) == []


async def test_read_differently_is_explained_whole_in_the_step_panel(tmp_path) -> None:
    feed = FakeFeed(flawed(0, style="echo"))
    app = watch_plan_app(TMBENCH[0], feed, tmp_path=tmp_path, mode=ParserMode.TMBENCH)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_stream(app, pilot)
        await pilot.press("d", "4")
        await pilot.pause()
        diag = app.screen.trace.diagnosis()
        assert diag is not None and diag.kind is Kind.READ_DIFFERENTLY
        # on the screen, folded over several rows at word boundaries, whole
        rows = [line.strip(" │") for line in screen_lines(app)]
        shown = " ".join(" ".join(rows).split())
        assert " ".join(diag.message.split()) in shown
        assert "press i" in shown


def _predict_script_answer() -> str:
    """Steps 0-17 headed '### step N:' with a 'Queue State:' line, steps 18-30 written
    'Step 18: [...]' (the official predict script's answers do this): strict reads all 31
    steps, the official regex stops after step 17."""
    from tmtui.core.answer import format_answer
    from tmtui.core.mutate import flawed_steps

    steps = flawed_steps(TMBENCH[0])
    return format_answer(steps[:18]) + format_answer(steps[18:], style="compact")


def test_a_step_the_regex_does_not_read_is_not_said_unwritten() -> None:
    """Compat mode: the answer writes step 18, the official regex reads no step 18. The step
    panel must not say 'this step was not written' beside a diagnosis that says the answer
    writes it."""
    tr = Trace(TMBENCH[0], mode=ParserMode.TMBENCH)
    tr.feed(_predict_script_answer())
    tr.finish()
    assert tr.diagnosis().kind is Kind.READ_DIFFERENTLY
    assert missing_label(tr, 18) == missing_label(tr, 30) == "not read (regex)"
    assert tr.verdict(17) is not Verdict.MISSING
    shown = step_text(tr, 18).plain
    assert "not written" not in shown
    assert "the official regex reads no step 18; the answer writes one" in shown
    # strict reads it: nothing to say there
    tr.set_mode(ParserMode.STRICT)
    assert missing_label(tr, 18) != "not read (regex)"
    # a step no parser reads is still not written
    cut = Trace(TMBENCH[0], mode=ParserMode.TMBENCH)
    cut.feed(_predict_script_answer().split("Step 18:")[0])
    cut.finish()
    assert missing_label(cut, 18) == "not written"
    assert "this step was not written" in step_text(cut, 18).plain


async def test_the_alignment_says_not_read_where_the_regex_misses_a_written_step(
    tmp_path,
) -> None:
    feed = FakeFeed(_predict_script_answer())
    app = watch_plan_app(TMBENCH[0], feed, tmp_path=tmp_path, mode=ParserMode.TMBENCH)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        rows = [line for line in screen_lines(app) if re.search(r"[·✓✗…] +18 │", line)]
        assert rows, screen_lines(app)
        assert "not written" not in rows[0] and "not read" in rows[0]


async def test_compare_says_a_failed_request_gave_no_answer(tmp_path) -> None:
    """Two answers side by side, one a failed request: its side says 'no answer', not
    'missing' (which reads as the model leaving the step out)."""
    from textual.widgets import Static

    from tmtui.tui.screens.compare import CompareScreen

    a = write_records(tmp_path / "a.jsonl", [record(TMBENCH[0], flawed(0), model="alpha")])
    b = write_records(
        tmp_path / "b.jsonl",
        [record(TMBENCH[0], "", model="gpt-4.1", status="error", error="HTTP 404")],
    )
    app = view_app(a, compare=b)
    async with app.run_test(size=(120, 40)) as pilot:
        await _list(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen))
        await pilot.pause()
        text = str(app.screen.query_one("#compare-text", Static).render())
        assert "B ·    no answer" in text and "missing" not in text


def test_the_inspector_of_a_failed_request_reads_nothing_and_fails_nothing() -> None:
    """A failed request has no answer: the parse inspector says why, not '0/31 correct
    (fail)' for both parsers (nothing was read, so nothing failed)."""
    from tmtui.live.readings import disagreements

    tr = Trace(TMBENCH[0])
    tr.finish(status="error", error="HTTP 404: no such model")
    rows, summary, deviations = disagreements(tr)
    assert rows == [] and deviations == []
    assert summary.startswith("no answer: the request failed (HTTP 404")
    assert "fail)" not in summary and "correct" not in summary
    # an interrupted stream that brought text: read, but said not scored
    part = Trace(TMBENCH[0])
    part.feed(flawed(0)[:400])
    part.finish(status="interrupted")
    _rows, summary, _dev = disagreements(part)
    assert summary.startswith("not scored: the stream was interrupted") and "(fail)" not in summary


async def test_the_inspector_screen_of_a_failed_request_says_why(tmp_path) -> None:
    app = view_app(_both_readings_file(tmp_path), sample=2)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DebuggerScreen))
        await pilot.press("i")
        await pilot.pause()
        text = " ".join(" ".join(line.strip(" │") for line in screen_lines(app)).split())
        assert "no answer: the request failed" in text
        assert "(fail)" not in text and "read every step the same" not in text
