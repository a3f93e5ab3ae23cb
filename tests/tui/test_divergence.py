"""The first divergence of every diagnosis kind is found, shown and announced (once)."""

from __future__ import annotations

import pytest

from tests.live.livekit import KINDS, TMBENCH, flawed, record, truncated, write_records
from tests.tui.tuikit import view_app, wait_for, wait_stream, watch_app
from tmtui.core.align import Verdict
from tmtui.core.diagnose import Kind
from tmtui.core.score import score_sample
from tmtui.tui.screens.watch import DebuggerScreen
from tmtui.tui.widgets.alignment import AlignmentTable
from tmtui.tui.widgets.status import StatusBar
from tmtui.tui.widgets.transcript import TranscriptView

CASES = [*[(i, {k: kind}, k, kind) for i, k, kind in KINDS]]


def _row_text(table: AlignmentTable, row: int) -> str:
    return "".join(seg.text for seg in table.render_row(row, 100))


def _announcements(app) -> list[str]:
    return [n.title for n in app._notifications if n.title.startswith("First divergence")]


async def _check(app, pilot, inst, text, step, kind, *, live: bool) -> None:
    scr = app.screen
    assert isinstance(scr, DebuggerScreen)
    tr = scr.trace
    sc = score_sample(inst, text)
    assert tr.first_divergence == step == sc.first_divergence
    diag = tr.diagnosis()
    assert diag is not None and diag.kind is kind and diag.message == sc.diagnosis.message
    status = scr.query_one(StatusBar).render().plain
    assert f"first divergence: step {step} — {diag.message}" in status
    table = scr.query_one(AlignmentTable)
    assert table.row_tint(step) == "divergence"
    assert all(table.row_tint(k) is None for k in range(tr.row_count) if k != step)
    v = tr.verdict(step)
    assert _row_text(table, step).startswith(v.mark)
    if v is Verdict.WRONG:
        # the first differing symbol is marked in the alignment and in the raw text
        got = tr.got(step).queue
        p = tr.diff_at(step)
        assert f"@{p + 1}" in _row_text(table, step)
        view = scr.query_one("#transcript", TranscriptView)
        pos = view._first_symbol(step, tr.positions.span_of(step))
        assert pos is not None and tr.answer.text[pos] == (got[p] if p < len(got) else "]")
    if live:
        assert _announcements(app) == [f"First divergence at step {step}"]
    await pilot.press("g", "d")
    assert scr.selected == step


@pytest.mark.parametrize(
    ("index", "errors", "step", "kind"), CASES, ids=[c[3].value for c in CASES]
)
async def test_live_divergence(index, errors, step, kind, tmp_path) -> None:
    text = flawed(index, errors)
    app = watch_app(text, index=index, tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        await _check(app, pilot, TMBENCH[index], text, step, kind, live=True)


async def test_truncated_answer(tmp_path) -> None:
    text = truncated(0, 20)
    app = watch_app(text, tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        await _check(app, pilot, TMBENCH[0], text, 20, Kind.TRUNCATED, live=True)


async def test_saved_samples_open_on_their_first_divergence(tmp_path) -> None:
    cases = [(i, e, k, kind) for i, e, k, kind in CASES[:4]]
    recs = [
        record(TMBENCH[i], flawed(i, e), model=f"m{n}") for n, (i, e, _k, _kind) in enumerate(cases)
    ]
    path = write_records(tmp_path / "r.jsonl", recs)
    for n, (i, e, k, kind) in enumerate(cases):
        app = view_app(path, sample=n)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda app=app: isinstance(app.screen, DebuggerScreen))
            await pilot.pause()
            scr = app.screen
            assert scr.selected == k
            assert scr.query_one(AlignmentTable).cursor == k
            await _check(app, pilot, TMBENCH[i], flawed(i, e), k, kind, live=False)


async def test_findings_on_a_passing_answer(tmp_path) -> None:
    text = flawed(6, {-1: Kind.STEPS_AFTER_HALT})
    app = watch_app(text, index=6, tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        scr = app.screen
        status = scr.query_one(StatusBar).render().plain
        assert "✓ every step correct — steps after halting" in status
        assert _announcements(app) == []
        table = scr.query_one(AlignmentTable)
        assert _row_text(table, table.row_count - 1).startswith("+")
