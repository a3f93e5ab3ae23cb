"""Snapshots of the main screens (pytest-textual-snapshot, pinned with textual).

Fixed terminal sizes, no clocks (the apps run with ``clock=None``), cursor blink off, content
from fixtures. Update with ``pytest tests/tui/test_snapshots.py --snapshot-update`` after a
deliberate change, and look at the report before committing the new SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live.livekit import TMBENCH, flawed, record, write_records
from tests.tui.tuikit import quiet, view_app, wait_for, wait_stream, watch_app
from tmtui.core.diagnose import Kind
from tmtui.tui.screens.view import SampleListScreen
from tmtui.tui.screens.watch import DebuggerScreen

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
COPY9 = {9: Kind.COPY_ERROR}
REASONING = "The deletion number is 2. Step 1: head D, append A E C D.\nStep 2: head E, append D."


def _watch(keys: tuple[str, ...] = ("d",), **kw):
    async def run_before(pilot) -> None:
        await wait_stream(pilot.app, pilot)
        await pilot.press(*keys)
        await pilot.pause()
        await quiet(pilot)

    return run_before


@pytest.mark.parametrize(
    ("size", "theme"), [((120, 40), "dark"), ((80, 24), "dark"), ((120, 40), "light")]
)
def test_debugger_live(snap_compare, tmp_path, size, theme) -> None:
    app = watch_app(flawed(0, COPY9), tmp_path=tmp_path, reasoning=REASONING, theme=theme)
    assert snap_compare(app, terminal_size=size, run_before=_watch())


def test_debugger_output_tab_narrow(snap_compare, tmp_path) -> None:
    app = watch_app(flawed(0, COPY9), tmp_path=tmp_path, reasoning=REASONING)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_watch(("d", "2")))


@pytest.mark.parametrize(("size", "keys"), [((120, 40), ("d",)), ((80, 24), ("d", "4"))])
def test_debugger_tail_answer_with_a_wrong_fetch(snap_compare, tmp_path, size, keys) -> None:
    """A tail answer: the step panel shows the model's stated fetch beside the true one."""
    app = watch_app(flawed(23, {9: Kind.WRONG_READ}, style="tail"), index=23, tmp_path=tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_watch(keys))


def test_help(snap_compare, tmp_path) -> None:
    app = watch_app(flawed(0), tmp_path=tmp_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_watch(("question_mark",)))


def test_parse_inspector(snap_compare, tmp_path) -> None:
    app = watch_app(flawed(0, style="echo"), tmp_path=tmp_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_watch(("i",)))


async def _list_loaded(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, SampleListScreen))
    await wait_for(pilot, lambda: not app.screen.is_loading_file)
    await quiet(pilot)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_sample_list(snap_compare, size) -> None:
    app = view_app(EXAMPLES / "tmbench-mini.results.json")
    assert snap_compare(app, terminal_size=size, run_before=_list_loaded)


def test_saved_sample_with_timeline(snap_compare) -> None:
    app = view_app(EXAMPLES / "tmbench-mini.results.json", sample=1)

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DebuggerScreen))
        await pilot.pause()
        await pilot.press("left_curly_bracket", "left_curly_bracket")
        await pilot.pause()
        await quiet(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_compare(snap_compare, tmp_path) -> None:
    a = write_records(
        tmp_path / "alpha.jsonl", [record(TMBENCH[0], flawed(0, COPY9), model="alpha")]
    )
    b = write_records(
        tmp_path / "beta.jsonl",
        [record(TMBENCH[0], flawed(0, {14: Kind.STALE_STATE}), model="beta")],
    )
    app = view_app(a, compare=b)

    async def run_before(pilot) -> None:
        await _list_loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await quiet(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_untrusted_text_is_shown_not_obeyed(snap_compare, tmp_path) -> None:
    evil = "\x1b[31mRED\x1b[0m \x1b]0;title\x07 [bold]not bold[/bold] \u202eevil\u202c \x9b2J"
    text = evil + "\n" + flawed(0, COPY9)
    path = write_records(
        tmp_path / "evil.jsonl",
        [record(TMBENCH[0], text, model="[bold]m\x1b[31m", reasoning="[i]x[/i] \x1b[5m")],
    )
    app = view_app(path, sample=0)

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DebuggerScreen))
        await pilot.press("g", "z")
        await pilot.pause()
        await quiet(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def _both_readings(tmp_path: Path) -> Path:
    """Alike, read differently (an echo: strict passes, the official regex fails), and a
    request that failed (not attempted)."""
    recs = [
        record(TMBENCH[0], flawed(0, COPY9), model="plain"),
        record(TMBENCH[0], flawed(0, style="echo"), model="echo"),
        record(TMBENCH[1], "", model="gpt-4.1", status="error", error="HTTP 404: no such model"),
    ]
    return write_records(tmp_path / "both.jsonl", recs)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_sample_list_both_readings(snap_compare, tmp_path, size) -> None:
    app = view_app(_both_readings(tmp_path))
    assert snap_compare(app, terminal_size=size, run_before=_list_loaded)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_failed_request(snap_compare, tmp_path, size) -> None:
    app = view_app(_both_readings(tmp_path), sample=2)

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DebuggerScreen))
        await pilot.pause()
        await quiet(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_help_narrow(snap_compare, tmp_path) -> None:
    app = watch_app(flawed(0), tmp_path=tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_watch(("question_mark",)))


def test_parse_inspector_when_both_agree(snap_compare, tmp_path) -> None:
    app = watch_app(flawed(0), tmp_path=tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_watch(("i",)))
