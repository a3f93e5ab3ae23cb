"""The report screen: what it shows, Enter on a row (its samples, worst first, in the sample
list), the key from ``tmtui view``, the curves, hostile names, and ``--tui`` without a
terminal."""

from __future__ import annotations

import subprocess
import sys

from tests.tui.reportscreen import HOSTILE, fixture_report, report_app, write_fixture
from tests.tui.tuikit import screen_lines, view_app, wait_for
from tmtui.core.diagnose import Kind
from tmtui.core.text import has_controls
from tmtui.tui.screens.report import ReportScreen
from tmtui.tui.screens.report_samples import RowSamplesScreen, row_entries
from tmtui.tui.screens.view import SampleListScreen
from tmtui.tui.widgets.plot_curves import CURVES, CurvePlot, curve_caption


async def _report_shown(pilot) -> ReportScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
    await wait_for(pilot, lambda: app.screen.report is not None and app.screen.columns)
    return app.screen


async def test_the_table_has_every_row_and_its_figures(tmp_path) -> None:
    rep = fixture_report(tmp_path)
    app = report_app(rep)
    async with app.run_test(size=(120, 40)) as pilot:
        await _report_shown(pilot)
        text = "\n".join(screen_lines(app))
        for r in rep.rows:
            assert r.label in text
            s = r.score
            assert f"{s.swa_uniform:.1f}" in text and f"{s.pass_rate:.1f}" in text
            lo, hi = s.intervals["pass_rate"]
            assert f"{lo:.1f}–{hi:.1f}" in text
        assert "humans (all)" in text and "human:P01" in text
        assert "tok" in text and " s" in text  # tokens per step (models), seconds (people)
        assert "model-a vs model-b" in text and "McNemar p" in text


async def test_enter_opens_the_rows_samples_worst_first(tmp_path) -> None:
    rep = fixture_report(tmp_path)
    b = rep.row("model-b")
    app = report_app(rep)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _report_shown(pilot)
        await pilot.press("j")  # model-a -> model-b
        assert screen.selected_row is b
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RowSamplesScreen))
        await wait_for(pilot, lambda: not app.screen.is_loading_file)
        lst = app.screen
        got = [(e.item.source, e.where) for e in lst.entries]
        want = [(s.source, s.where) for s in rep.samples(b)]
        assert got == want and len(got) == b.n == 8
        assert {e.model for e in lst.entries} == {"model-b"}  # only the row's, from a mixed file
        swa = [e.swa for e in lst.entries]
        assert swa == sorted(swa) and swa[0] < 100 and swa[-1] == 100
        assert sum(not e.passed for e in lst.entries) == b.n - b.score.passed >= 3
        assert lst.shown == list(range(8))  # in that order on screen
        assert "sorted by rank (worst first)" in "\n".join(screen_lines(app))
        await pilot.press("enter")  # the worst one, in the debugger
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DebuggerScreen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RowSamplesScreen))
        await pilot.press("escape")  # back to the report, its row still selected
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        assert app.screen.selected_row is b


def test_row_entries_of_the_pooled_humans(tmp_path) -> None:
    rep = fixture_report(tmp_path)
    pooled = rep.row("humans (all)")
    entries = row_entries(rep, pooled)
    assert len(entries) == pooled.n == 8
    assert {e.model for e in entries} == {"human:P01", "human:P02"}
    assert entries[0].model == "human:P02" and not entries[0].passed  # the only failure first


async def test_curves_cycle_and_say_their_n(tmp_path) -> None:
    rep = fixture_report(tmp_path)
    app = report_app(rep)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _report_shown(pilot)
        plot = screen.query_one(CurvePlot)
        seen = []
        for _ in CURVES:
            seen.append(plot.curve.key)
            caption = str(screen.query_one("#report-caption").render())
            assert plot.curve.title in caption
            await pilot.press("c")
        assert seen == [c.key for c in CURVES] and plot.curve is CURVES[0]
        await pilot.press("3")
        assert plot.curve.key == "hazard"
        text = "\n".join(screen_lines(app))
        assert "first errors/at risk" in text and "at risk n" in text
    a = rep.row("model-a")
    cap = curve_caption(a, "hazard")
    # model-a first fails at step 3 (sample 4) and step 9 (sample 1): k/at-risk for each
    assert "t3 1/8" in cap and "t9 1/" in cap
    assert "never failed 6" in curve_caption(a, "first_failure")


async def test_short_terminals_take_turns_plot_and_details(tmp_path) -> None:
    rep = fixture_report(tmp_path)
    app = report_app(rep)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _report_shown(pilot)
        assert screen.has_class("-short")
        text = "\n".join(screen_lines(app))
        assert "? help" in text and "i details / plot" in text
        # the plot, with its title; five rows leave no room for a legend at 24 lines: the
        # selected row alone, named in the title
        assert "accuracy by step ACC(i) · model-a" in text
        await pilot.press("i")
        text = "\n".join(screen_lines(app))
        assert "first divergences:" in text and "McNemar p" in text
        assert "model-a vs model-b" in text
    async with report_app(rep).run_test(size=(120, 40)) as pilot:
        screen = await _report_shown(pilot)
        assert not screen.has_class("-short")
        text = "\n".join(screen_lines(app := pilot.app))
        assert "accuracy by step" in text and "McNemar p" in text  # both, on a tall terminal
        await pilot.press("i")  # the details in full, in place of the plot
        assert not screen.query_one(CurvePlot).display
        assert "model-a vs model-b" in "\n".join(screen_lines(app))


async def test_r_in_view_opens_the_report_of_the_file(tmp_path) -> None:
    runs, _ = write_fixture(tmp_path)
    app = view_app(runs)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SampleListScreen))
        await wait_for(pilot, lambda: not app.screen.is_loading_file)
        text = "\n".join(screen_lines(app))
        assert "r report" in text
        await pilot.press("r")
        screen = await _report_shown(pilot)
        assert [r.label for r in screen.report.rows] == ["model-a", "model-b"]
        assert "esc back" in "\n".join(screen_lines(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen) is SampleListScreen)


async def test_hostile_names_are_shown_as_stand_ins(tmp_path) -> None:
    rep = fixture_report(tmp_path, model_b=HOSTILE, p02="P\x1b]0;pwned\x07\u202e02")
    assert rep.row("human:P\x1b]0;pwned\x07\u202e02") is not None
    app = report_app(rep)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _report_shown(pilot)
        await pilot.press("j")
        for key in ("1", "3", "5"):
            await pilot.press(key)
            lines = screen_lines(app)
            text = "\n".join(lines)
            assert not any(has_controls(line) for line in lines)
            assert "␛[31mRED" in text  # the escape made visible, the rest of the name kept
            assert "[bold]x[/bold]" in text  # not markup
            assert "human:P␛]0;pwned" in text  # a participant id from a file, too
        plot = screen.query_one(CurvePlot).render()
        assert "\x1b" not in plot.plain and "␛[31mRED" in plot.plain
        assert "human:P␛]0;pwned" in plot.plain  # a participant id, in the legend
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RowSamplesScreen))
        await wait_for(pilot, lambda: not app.screen.is_loading_file)
        assert len(app.screen.entries) == 8
        assert not any(has_controls(line) for line in screen_lines(app))


def test_tui_needs_a_terminal(tmp_path) -> None:
    runs, _ = write_fixture(tmp_path)
    p = subprocess.run(
        [sys.executable, "-m", "tmtui", "report", str(runs), "--tui", "--no-cache"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "needs a terminal" in p.stderr
    assert p.stdout == ""


async def test_empty_and_single_sample_rows_say_so(tmp_path) -> None:
    from tests.report.reportkit import answer, record, write_records
    from tmtui.report import build_report

    f = write_records(
        tmp_path / "edge.jsonl",
        [
            record(0, answer(0), model="solo"),
            record(1, "", model="down", status="error", error="refused"),
            record(2, "", model="down", status="error", error="refused"),
        ],
    )
    rep = build_report([f], cache=None)
    assert [r.label for r in rep.rows] == ["solo", "down"]
    app = report_app(rep)
    async with app.run_test(size=(80, 24)) as pilot:
        await _report_shown(pilot)
        text = "\n".join(screen_lines(app))
        assert "one sample: no SWA interval" in text or "no CI" in text
        assert "+2 n/a" in text  # the two failed requests, counted apart
        for key in ("j", "1", "2", "3", "4", "5", "i"):
            await pilot.press(key)  # no point to plot: nothing breaks
        text = "\n".join(screen_lines(app))
        assert "no scored sample (2 request errors, not scored)" in text
        assert "nan" not in text.lower()
        await pilot.press("enter")  # its attempts that did not happen, listed as such
        await wait_for(pilot, lambda: isinstance(app.screen, RowSamplesScreen))
        await wait_for(pilot, lambda: not app.screen.is_loading_file)
        assert [e.verdict for e in app.screen.entries] == ["no answer", "no answer"]


def test_row_entries_keep_the_worst_when_there_are_many(tmp_path) -> None:
    rep = fixture_report(tmp_path)
    b = rep.row("model-b")
    every = row_entries(rep, b)
    worst = row_entries(rep, b, limit=3)
    assert [(e.item.source, e.where) for e in worst] == [
        (e.item.source, e.where) for e in every[:3]
    ]
    assert [e.pos for e in worst] == [0, 1, 2]


def test_x_ticks_are_round_whole_numbers() -> None:
    from tmtui.tui.widgets.plot_curves import x_ticks

    assert x_ticks(0, 30, 8) == [0, 5, 10, 15, 20, 25, 30]
    assert x_ticks(0, 30, 12) == [0, 5, 10, 15, 20, 25, 30]
    assert x_ticks(0, 30, 16) == list(range(0, 31, 2))
    assert x_ticks(0, 5, 10) == [0, 1, 2, 3, 4, 5]
    assert x_ticks(3, 41, 5) == [10, 20, 30, 40]
    assert x_ticks(0, 999, 4) == [0, 500]
    assert x_ticks(7, 7, 1) == [7]


async def test_a_report_that_cannot_be_made_is_one_line(tmp_path) -> None:
    from tmtui.report import ReportError

    runs, _ = write_fixture(tmp_path)

    def build(on_progress):
        raise ReportError("--by colour: no such dimension")

    app = view_app(runs)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SampleListScreen))
        app.push_screen(ReportScreen(build=build, can_go_back=True, source=str(runs)))
        await wait_for(pilot, lambda: "no such dimension" in "\n".join(screen_lines(app)))
        assert app.screen.report is None
        await pilot.press("j", "enter", "c", "i")  # nothing to act on: nothing breaks
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen) is SampleListScreen)


def test_row_entries_of_an_official_results_file(tmp_path) -> None:
    from tests.report.reportkit import answer, write_results
    from tmtui.report import build_report

    answers = {i: answer(i, (5, Kind.COPY_ERROR) if i in (2, 4) else None) for i in range(6)}
    answers[6] = None  # a sample without an answer: skipped, not listed
    f = write_results(tmp_path / "official.json", answers)
    rep = build_report([f], cache=None)
    (row,) = rep.rows
    entries = row_entries(rep, row)
    refs = rep.samples(row)
    assert [(e.item.source, e.where) for e in entries] == [(r.source, r.where) for r in refs]
    assert len(entries) == row.n == 6
    assert [e.passed for e in entries[:2]] == [False, False] and all(e.passed for e in entries[2:])


def test_a_row_without_comparisons_says_why(tmp_path) -> None:
    from tests.report.reportkit import answer, record, write_records
    from tmtui.report import build_report
    from tmtui.tui.screens.report import pairs_text

    rep = fixture_report(tmp_path)
    assert "compared only when named" in pairs_text(rep, rep.row("humans (all)")).plain
    assert "model-a vs model-b" in pairs_text(rep, rep.row("model-b")).plain
    many = [record(0, answer(0), model=f"m{k}") for k in range(9)]
    f = write_records(tmp_path / "many.jsonl", many)
    big = build_report([f], cache=None, bootstrap=0)
    assert "give --vs ROW" in pairs_text(big, big.rows[0]).plain
    apart = write_records(tmp_path / "apart.jsonl", [record(0, answer(0), model="x"),
                                                     record(1, answer(1), model="y")])  # fmt: skip
    none = build_report([apart], cache=None, bootstrap=0)
    assert "no two rows answered the same instances" in pairs_text(none, none.rows[0]).plain


async def test_the_head_line_says_when_the_other_parser_reads_rows_differently(tmp_path) -> None:
    from tests.report.reportkit import answer, record, write_records
    from tmtui.report import build_report

    # "echo" answers restate the previous queue: the official regex reads them differently
    recs = [record(i, answer(i, style="echo"), model="echoes") for i in range(3)]
    rep = build_report([write_records(tmp_path / "echo.jsonl", recs)], cache=None)
    assert rep.rows[0].differs
    for size, want in (((120, 40), "tmbench reads 1 row differently (see the details)"),
                       ((80, 24), "tmbench reads 1 row differently")):  # fmt: skip
        app = report_app(rep)
        async with app.run_test(size=size) as pilot:
            await _report_shown(pilot)
            head = screen_lines(app)[0]
            assert want in head and "3 scored samples" in head
