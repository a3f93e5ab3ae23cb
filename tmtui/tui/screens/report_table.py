"""The report screen's table: its columns, laid out for the width it has, and the line that says
everything about the selected row.

Every row is two lines high: a figure above its 95 % interval. Columns of numbers (n, the
three figures with their intervals, the cost per step) are never cut. The text columns give
way: the diagnosis mix first (shortened), then the other parser's reading (dropped), then the
mix (dropped), then the row's name (shortened) — what they lose is always in the detail line
of the selected row (:func:`row_detail`), which wraps rather than cuts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text

from tmtui.report.markdown import cost_text, mix_text
from tmtui.report.tables import Report, Row
from tmtui.tui.safe import clip_words, shown
from tmtui.tui.screens.columns import fit_columns

__all__ = ["ReportColumn", "layout_report_columns", "report_cells", "row_detail"]


@dataclass
class ReportColumn:
    key: str
    label: str
    width: int
    cell: Callable[[Row, int], Text]
    numeric: bool = False


def _figure(value: float | None, ci) -> Text:
    if value is None:
        return Text("—", justify="right")
    t = Text(f"{value:.1f}", justify="right")
    t.append("\n" + (f"{ci[0]:.1f}–{ci[1]:.1f}" if ci else "no CI"), style="dim")
    return t


def _fig(name: str) -> Callable[[Row, int], Text]:
    def cell(r: Row, _w: int) -> Text:
        s = r.score
        if s is None or not s.n_samples:
            return Text("—", justify="right")
        return _figure(getattr(s, name), s.intervals.get(name))

    return cell


def _name(r: Row, width: int) -> Text:
    style = "italic" if r.kind == "humans" else "bold"
    t = Text()
    t.append(clip_words(shown(r.label), width), style=style)
    note = shown(r.note)
    if note and cell_len(note) <= width:  # else it is in the detail line only
        t.append("\n" + note, style="yellow")
    return t


def _n(r: Row, _w: int) -> Text:
    t = Text(str(r.n), justify="right")
    missing = len(r.not_attempted)
    if missing:
        t.append(f"\n+{missing} n/a", style="yellow")
    return t


def _cost(r: Row, _w: int) -> Text:
    return Text(cost_text(r), justify="right")


def _mix(r: Row, width: int) -> Text:
    return Text(clip_words(shown(mix_text(r)), width))


def _other(r: Row, _w: int) -> Text:
    o = r.other
    if o is None or not o.n_samples:
        return Text("—")
    if not r.differs:
        return Text("same", style="dim")
    t = Text()
    t.append(f"{o.swa_uniform:.1f} · {o.pass_rate:.1f}", style="bold")
    t.append(f"\n{r.read_differently} read diff.", style="dim")
    return t


def _natural(texts: Sequence[str], label: str, cap: int) -> int:
    return min(cap, max([cell_len(label), *(cell_len(t) for t in texts)]))


def _ci_width(rows: Sequence[Row], name: str) -> int:
    """The widest interval of a figure (``100.0–100.0``: 11 cells), at least 10."""
    widths = [10]
    for r in rows:
        ci = r.score.intervals.get(name) if r.score is not None else None
        if ci:
            widths.append(len(f"{ci[0]:.1f}–{ci[1]:.1f}"))
    return max(widths)


def layout_report_columns(report: Report, width: int) -> list[ReportColumn]:
    """The columns for the report's rows in ``width`` cells (see the module doc)."""
    rows = report.rows
    other = report.mode.other.value
    cols = [
        ReportColumn(
            "row",
            " · ".join(report.by),
            _natural([shown(r.label) for r in rows], " · ".join(report.by), 32),
            _name,
        ),
        ReportColumn(
            "n",
            "n",
            _natural(
                [str(r.n) for r in rows]
                + [f"+{len(r.not_attempted)} n/a" for r in rows if r.not_attempted],
                "n",
                12,
            ),
            _n,
            numeric=True,
        ),
        ReportColumn(
            "swa_uniform",
            "SWA unif %",
            _ci_width(rows, "swa_uniform"),
            _fig("swa_uniform"),
            numeric=True,
        ),
        ReportColumn(
            "swa_linear",
            "SWA lin %",
            _ci_width(rows, "swa_linear"),
            _fig("swa_linear"),
            numeric=True,
        ),
        ReportColumn(
            "pass_rate", "pass %", _ci_width(rows, "pass_rate"), _fig("pass_rate"), numeric=True
        ),
        ReportColumn(
            "cost",
            "per step",
            _natural([cost_text(r) for r in rows], "per step", 24),
            _cost,
            numeric=True,
        ),
        ReportColumn(
            "mix", "divergences", _natural([mix_text(r) for r in rows], "divergences", 48), _mix
        ),
    ]
    if report.compared:
        cols.append(ReportColumn("other", f"{other} SWA·pass", 16, _other))
    room = width - 2  # the vertical scrollbar
    ladder = [("mix", 20), ("other", None), ("mix", 12), ("mix", None), ("row", 16), ("row", 8)]
    fit_columns(cols, room, ladder, label_floor=False)
    return cols


def report_cells(r: Row, cols: Sequence[ReportColumn]) -> list[Text]:
    return [c.cell(r, c.width) for c in cols]


def row_detail(report: Report, r: Row) -> Text:
    """Everything about one row in a few words (wrapped, never cut): its name, its figures'
    sample counts, the diagnosis mix, the other parser's reading, what was not scored."""
    t = Text()
    t.append(shown(r.label, 200), style="bold")
    s = r.score
    if s is None or not s.n_samples:
        t.append(f" · {shown(r.note)}", style="yellow")
        return t
    t.append(f" · n {s.n_samples} · first divergences: {mix_text(r)}")
    if r.tokens_per_step is not None:
        t.append(f" · {r.tokens_per_step:,.0f} tokens/step ({r.token_samples} samples)")
    if r.seconds_per_step is not None:
        t.append(f" · {r.seconds_per_step:,.1f} s/step ({r.timed_samples} timed)")
    if report.compared and r.other is not None and r.other.n_samples:
        other = report.mode.other.value
        if r.differs:
            o = r.other
            t.append(
                f" · {other} reads {r.read_differently} sample(s) differently: SWA uniform "
                f"{o.swa_uniform:.1f}, linear {o.swa_linear:.1f}, pass {o.pass_rate:.1f}",
                style="bold",
            )
        else:
            t.append(f" · {other} reads it the same")
    if r.not_attempted:
        t.append(f" · {len(r.not_attempted)} not attempted (not scored)", style="yellow")
    if r.note:
        t.append(f" · {shown(r.note)}", style="yellow")
    return t
