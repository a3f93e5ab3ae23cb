"""The report screen (``tmtui report --tui``, and ``r`` in ``tmtui view``): every system side by
side, a curve of every row, and the paired comparisons.

Top to bottom: a line saying what was read; the table (:mod:`~tmtui.tui.screens.report_table`:
n, SWA uniform and linear, pass rate, each above its 95 % interval, tokens or seconds per
step, the diagnosis mix, the other parser's reading where it differs); everything about the
selected row in one wrapped line; the plot (:class:`~tmtui.tui.widgets.plot_curves.CurvePlot`,
``c`` for the next curve) with the n behind its points; the paired comparisons of the
selected row. Enter opens the row's samples in the sample list, worst first
(:mod:`~tmtui.tui.screens.report_samples`).

The report is made by :func:`tmtui.report.build_report` — by the CLI before the app starts, or
here in a thread (from ``tmtui view``: the file shown, and the compared one).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tmtui.io.sources import SourceError
from tmtui.report.build import BuildProgress, ReportError
from tmtui.report.markdown import diff_text, p_text
from tmtui.report.paired import Comparison
from tmtui.report.tables import Report, Row
from tmtui.tui.plans import ViewPlan
from tmtui.tui.safe import shown
from tmtui.tui.screens.keys import REPORT_KEYS
from tmtui.tui.screens.report_table import (
    ReportColumn,
    layout_report_columns,
    report_cells,
    row_detail,
)
from tmtui.tui.widgets.fitting import Part, fit_parts
from tmtui.tui.widgets.keybar import KeyBar
from tmtui.tui.widgets.plot_curves import CURVES, CurvePlot, curve_caption

__all__ = ["ReportScreen", "comparison_text", "pairs_text", "view_report"]

SHORT = 34  # lines: below, the plot and the details (the row's words, the n behind the plot's
# points, the comparisons) take turns; above, both are shown (``i``: the details in full)


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def comparison_text(c: Comparison) -> Text:
    """One paired comparison in words: who passed, McNemar, the SWA difference."""
    a, b = shown(c.a, 40), shown(c.b, 40)
    t = Text()
    t.append(f"{a} vs {b}", style="bold")
    t.append(
        f": {c.pairs} pairs · both {c.both} · neither {c.neither} · {a} only {c.only_a}"
        f" · {b} only {c.only_b} · McNemar p {p_text(c.mcnemar_p)}"
        f" · Δ SWA uniform {diff_text(c)}"
    )
    if c.note:
        t.append(f" · {shown(c.note)}", style="dim")
    return t


def pairs_text(rep: Report, row: Row) -> Text:
    """The paired comparisons of a row, or why there is none."""
    pairs = [c for c in rep.comparisons if row.label in (c.a, c.b)]
    if pairs:
        return Text("\n").join(comparison_text(c) for c in pairs)
    why = next((n for n in rep.notes if "--vs" in n), None)
    if why is not None:  # too many rows to compare every pair
        return Text(f"no paired comparison: {shown(why)}")
    if row.kind == "humans" and rep.vs is None:
        return Text("the pooled humans are compared only when named: --vs 'humans (all)'")
    if rep.comparisons:
        return Text(f"{len(rep.comparisons)} paired comparison(s), none of this row")
    return Text("no paired comparison (no two rows answered the same instances)")


class ReportTable(DataTable, inherit_bindings=False):
    """The table of rows; Enter is the screen's (open the row's samples), so the key bar
    shows it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        b for b in DataTable.BINDINGS if not (isinstance(b, Binding) and b.key == "enter")
    ]


def view_report(plan: ViewPlan) -> ReportScreen:
    """The report screen of what ``tmtui view`` shows (the file, and the compared one), made
    in a thread with the view's parser and the defaults of ``tmtui report``."""
    paths = [plan.path] + ([plan.compare] if plan.compare is not None else [])

    def build(on_progress: Callable[[BuildProgress], None]) -> Report:
        from tmtui.report import DigestCache, build_report

        return build_report(paths, parser=plan.mode, cache=DigestCache(), on_progress=on_progress)

    return ReportScreen(
        build=build,
        save_path=plan.save_path,
        can_go_back=True,
        source=" and ".join(str(p) for p in paths),
    )


class ReportScreen(Screen):
    """A report: its table, a curve of every row, its paired comparisons."""

    BINDINGS: ClassVar[list[BindingType]] = REPORT_KEYS
    DEFAULT_CSS = """
    ReportScreen { layout: vertical; }
    ReportScreen #report-head { height: 1; padding: 0 1; background: $panel; }
    ReportScreen #report-rows { height: auto; max-height: 40%; }
    ReportScreen #report-detail {
        height: auto; max-height: 7; padding: 0 1; background: $surface;
        border-top: hkey $foreground 20%;
    }
    ReportScreen #report-plot { height: 1fr; min-height: 8; }
    ReportScreen #report-caption { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    ReportScreen #report-pairs-box {
        height: auto; max-height: 5; padding: 0 1; border-top: hkey $foreground 20%;
    }
    ReportScreen #report-pairs { height: auto; }
    ReportScreen.-details #report-plot { display: none; }
    ReportScreen.-details #report-detail, ReportScreen.-details #report-caption {
        max-height: 100%;
    }
    ReportScreen.-details #report-pairs-box { height: 1fr; max-height: 100%; }
    ReportScreen.-short #report-rows { max-height: 50%; }
    ReportScreen.-short.-details #report-rows { max-height: 7; }
    ReportScreen.-short.-plot #report-detail, ReportScreen.-short.-plot #report-pairs-box,
    ReportScreen.-short.-plot #report-caption {
        display: none;
    }
    """

    def __init__(
        self,
        report: Report | None = None,
        *,
        build: Callable[[Callable[[BuildProgress], None]], Report] | None = None,
        save_path: Path = Path("tmtui-saved.jsonl"),
        can_go_back: bool = False,
        source: str = "",
    ) -> None:
        super().__init__()
        self.report = report
        self.build = build
        self.save_path = save_path
        self.can_go_back = can_go_back
        self.source = source
        self.curve_index = 0
        self.columns: list[ReportColumn] = []
        self._layout: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="report-head", markup=False)
        yield ReportTable(cursor_type="row", zebra_stripes=True, id="report-rows")
        yield Static("", id="report-detail", markup=False)
        yield CurvePlot(id="report-plot")
        yield Static("", id="report-caption", markup=False)
        with VerticalScroll(id="report-pairs-box", can_focus=False):
            yield Static("", id="report-pairs", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#report-rows", DataTable).focus()
        self.set_class(self.app.size.height < SHORT, "-short")
        self.add_class("-plot")
        if self.report is not None:
            self._show()
        elif self.build is not None:
            self._head(Text(f"making the report of {shown(self.source, 200)}…"))
            self._build()

    # -- making it (from tmtui view) ---------------------------------------------------
    @work(thread=True, exclusive=True, group="report")
    def _build(self) -> None:
        assert self.build is not None
        last = [0.0]

        def progress(p: BuildProgress) -> None:
            now = time.monotonic()
            if now - last[0] > 0.2:
                last[0] = now
                text = f"making the report: {p.files_done}/{p.files_total} files · {p.samples:,} samples"
                self.app.call_from_thread(self._head, Text(text))

        try:
            rep = self.build(progress)
        except (ReportError, SourceError, OSError) as exc:  # one line, shown as it is
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._built, rep)

    def _failed(self, msg: str) -> None:
        self._head(Text(shown(msg, 300), style="red"))
        self.notify(msg, severity="error")

    def _built(self, rep: Report) -> None:
        self.report = rep
        self._show()

    # -- showing it -------------------------------------------------------------------
    def _head(self, text: Text) -> None:
        self.query_one("#report-head", Static).update(text)

    def _head_line(self) -> Text:
        """What was read, fitted to the width: the counts stay, the words give way."""
        rep = self.report
        assert rep is not None
        mode = rep.mode
        parts = [
            Part.of(f"parser {mode.value} ({mode.version})", f"{mode.value}", importance=2),
            Part.of(f" · {_count(len(rep.files), 'file')}", importance=1),
            Part.of(f" · {_count(rep.n_samples, 'scored sample')}", f" · n {rep.n_samples}"),
            Part.of(f" · {_count(len(rep.rows), 'row')}", importance=1),
        ]
        differ = sum(1 for r in rep.rows if r.differs and r.kind != "humans")
        if rep.compared and differ:
            other = mode.other.value
            parts.append(Part.of(
                f" · {other} reads {_count(differ, 'row')} differently (see the details)",
                f" · {other} reads {_count(differ, 'row')} differently", style="bold",
                importance=3,
            ))  # fmt: skip
        bad = len(rep.errors) + len(rep.fatal)
        if bad:
            parts.append(Part.of(f" · {bad} bad record(s) or file(s)", f" · {bad} bad",
                                 style="yellow"))  # fmt: skip
        width = max(1, self.query_one("#report-head").size.width or self.app.size.width - 2)
        return fit_parts(parts, width)

    def _show(self) -> None:
        rep = self.report
        assert rep is not None
        self._head(self._head_line())
        self._rebuild()
        for msg in rep.fatal[:1] + [f"{e['source']}: {e['where']}: {e['message']}"
                                    for e in rep.errors[:1]]:  # fmt: skip
            self.notify(msg, severity="warning")
        if not rep.rows:
            self.query_one("#report-detail", Static).update(Text("no answers to score"))

    def on_resize(self, event) -> None:
        self.set_class(event.size.height < SHORT, "-short")
        self.refresh_bindings()
        if self.report is not None:
            self.call_after_refresh(lambda: self._head(self._head_line()))
            self.call_after_refresh(self._rebuild)

    def _rebuild(self) -> None:
        rep = self.report
        if rep is None:
            return
        table = self.query_one("#report-rows", DataTable)
        width = table.size.width or self.app.size.width
        cols = layout_report_columns(rep, width)
        layout = tuple((c.key, c.width) for c in cols)
        if layout == self._layout:
            return
        self._layout = layout
        self.columns = cols
        keep = table.cursor_row
        table.clear(columns=True)
        for c in cols:
            table.add_column(c.label, width=c.width, key=c.key)
        for i, r in enumerate(rep.rows):
            table.add_row(*report_cells(r, cols), height=2, key=str(i))
        if rep.rows:
            table.move_cursor(row=min(max(0, keep), len(rep.rows) - 1))
        self._selected_changed()

    @property
    def selected(self) -> int | None:
        rep = self.report
        if rep is None or not rep.rows:
            return None
        row = self.query_one("#report-rows", DataTable).cursor_row
        return min(max(0, row), len(rep.rows) - 1)

    @property
    def selected_row(self) -> Row | None:
        i = self.selected
        return None if i is None or self.report is None else self.report.rows[i]

    @on(DataTable.RowHighlighted, "#report-rows")
    def _highlighted(self) -> None:
        self._selected_changed()

    def _selected_changed(self) -> None:
        rep, i = self.report, self.selected
        if rep is None or i is None:
            return
        row = rep.rows[i]
        curve = CURVES[self.curve_index]
        self.query_one("#report-detail", Static).update(row_detail(rep, row))
        self.query_one(CurvePlot).show(rep.rows, curve, i)
        self.query_one("#report-caption", Static).update(
            Text(f"{curve.title} (x: {curve.xlabel}) · " + curve_caption(row, curve.key))
        )
        self.query_one("#report-pairs", Static).update(pairs_text(rep, row))

    # -- actions ----------------------------------------------------------------------
    def key_unavailable(self, action: str) -> str | None:
        if action == "back" and not self.can_go_back:
            return "on a report opened from the sample list (tmtui view)"
        if action in ("open", "row", "curve", "show_curve", "details") and self.selected is None:
            return "once the report has rows"
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.key_unavailable(action) is None

    def action_row(self, delta: int) -> None:
        table = self.query_one("#report-rows", DataTable)
        table.move_cursor(row=max(0, table.cursor_row + delta))

    def action_details(self) -> None:
        plot = self.has_class("-plot")
        self.set_class(not plot, "-plot")
        self.set_class(plot, "-details")

    def action_curve(self, delta: int) -> None:
        self.action_show_curve((self.curve_index + delta) % len(CURVES))

    def action_show_curve(self, index: int) -> None:
        self.curve_index = index % len(CURVES)
        if self.has_class("-details"):
            self.action_details()
        self._selected_changed()

    @on(DataTable.RowSelected, "#report-rows")
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        row, rep = self.selected_row, self.report
        if row is None or rep is None:
            return
        from tmtui.tui.screens.report_samples import RowSamplesScreen

        self.app.push_screen(RowSamplesScreen(rep, row, save_path=self.save_path))

    def action_back(self) -> None:
        self.dismiss()

    def action_help(self) -> None:
        from tmtui.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def action_quit(self) -> None:
        self.app.exit()
