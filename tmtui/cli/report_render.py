"""``tmtui report``'s terminal table and JSON (rich, never textual).

Strings from files go into rich as ``Text`` objects after :func:`tmtui.core.text.one_line`,
never as markup; JSON is written with ASCII escapes.
"""

from __future__ import annotations

import json
import sys

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tmtui.core.score import SCORER_VERSION
from tmtui.core.text import one_line, visible
from tmtui.report import Report, Row
from tmtui.report.markdown import cost_text, mix_text, p_text

__all__ = ["print_report_json", "print_report_table", "sparkline"]

_BLOCKS = " ▁▂▃▄▅▆▇█"


def _t(s: object, style: str = "") -> Text:
    return Text(one_line(str(s), 300), style=style)


def sparkline(values: list[float | None]) -> str:
    """Percentages 0-100 as block characters (a space where there is no value)."""
    out = []
    for v in values:
        if v is None:
            out.append("·")
        else:
            out.append(_BLOCKS[max(1, min(8, round(v / 100 * 8)))] if v > 0 else "_")
    return "".join(out)


def _ci_cell(value: float | None, ci: tuple[float, float] | None) -> Text:
    """The figure, and its interval below it (dim)."""
    if value is None:
        return Text("—")
    t = Text(f"{value:.1f}")
    if ci:
        t.append(f"\n{ci[0]:.1f}–{ci[1]:.1f}", style="dim")
    return t


def _figures(row: Row) -> list[Text]:
    s = row.score
    if s is None or not s.n_samples:
        return [Text("0"), Text("—"), Text("—"), Text("—")]
    return [
        Text(str(s.n_samples)),
        _ci_cell(s.swa_uniform, s.intervals.get("swa_uniform")),
        _ci_cell(s.swa_linear, s.intervals.get("swa_linear")),
        _ci_cell(s.pass_rate, s.intervals.get("pass_rate")),
    ]


def _diff_cell(c) -> Text:
    f = c.swa_uniform
    if f is None:
        return Text("—" if not c.note else c.note)
    t = Text(f"{f.observed:+.1f}")
    if f.interval is not None:
        t.append(f"\n{f.interval[0]:+.1f} to {f.interval[1]:+.1f}", style="dim")
        t.append(f"\np {p_text(f.p, f.resamples)}")
    if c.note:
        t.append(f"\n{c.note}", style="dim")
    return t


def print_report_table(report: Report, console: Console | None = None) -> None:
    out = console or Console(highlight=False, soft_wrap=False)
    if not report.rows:
        return
    mode = report.mode
    title = f"tmtui report · parser {mode.value} ({mode.version}) · scorer {SCORER_VERSION}"
    table = Table(title=_t(title), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    # names unbroken where the terminal has room (the figures need about 76 columns)
    room = max(8, (out.width - 76) // max(1, len(report.by)))
    for dim in report.by:
        longest = max((len(one_line(r.group[dim], 300)) for r in report.rows), default=8)
        table.add_column(_t(dim), overflow="fold", min_width=min(longest, room, 30))
    table.add_column("n", justify="right")
    table.add_column("SWA\nuniform %", justify="right", overflow="fold")
    table.add_column("SWA\nlinear %", justify="right", overflow="fold")
    table.add_column("pass\nrate %", justify="right", overflow="fold")
    table.add_column("per\nstep", justify="right")
    table.add_column("first\ndivergence", overflow="fold", min_width=9)
    other = mode.other.value
    for r in report.rows:
        cells = [_t(r.group[d], "bold" if r.kind != "humans" else "italic") for d in report.by]
        cells += _figures(r)
        cells += [_t(cost_text(r)), _t(mix_text(r).replace(" · ", ", "))]
        table.add_row(*cells)
    out.print(table)
    if report.compared:
        differ = [r for r in report.rows if r.differs and r.other is not None and r.score]
        if not differ:
            out.print(_t(f"{other} reads every sample as {mode.value} does"), style="dim")
        for r in differ:
            o, s = r.other, r.score
            assert o is not None and s is not None
            out.print(
                _t(
                    f"{other} reads {r.label} differently: SWA uniform {o.swa_uniform:.1f} "
                    f"(vs {s.swa_uniform:.1f}), SWA linear {o.swa_linear:.1f} "
                    f"(vs {s.swa_linear:.1f}), pass rate {o.pass_rate:.1f} "
                    f"(vs {s.pass_rate:.1f}); {r.read_differently} sample(s) read differently"
                )
            )
    for r in report.rows:
        if r.note:
            out.print(_t(f"{r.label}: {r.note}"), style="yellow")
        for n in r.not_attempted[:5]:
            what = "request failed" if n["status"] == "error" else "stream interrupted"
            why = f": {n['error']}" if n["error"] else ""
            out.print(
                _t(f"not attempted: {n['source']}: {n['where']}: {what}{why} (not scored)"),
                style="yellow",
            )
        if len(r.not_attempted) > 5:
            out.print(
                _t(f"... {len(r.not_attempted) - 5} more not attempted ({r.label})"), style="yellow"
            )
        for msg in r.truth_mismatches[:5]:
            out.print(_t(f"warning: {r.label}: {msg}"), style="yellow")
    if report.comparisons:
        out.print()
        ct = Table(
            title=_t("paired comparisons (the same instances)"),
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        longest = max(len(one_line(x, 300)) for c in report.comparisons for x in (c.a, c.b))
        room = max(8, (out.width - 64) // 2)  # the other columns need about 64
        ct.add_column("A", overflow="fold", min_width=min(longest, room, 24))
        ct.add_column("B", overflow="fold", min_width=min(longest, room, 24))
        ct.add_column("pairs", justify="right")
        ct.add_column("passed by\nboth/neither/A/B", justify="right", no_wrap=True)
        ct.add_column("McNemar\np", justify="right")
        ct.add_column("Δ SWA\nuniform", justify="right")
        for c in report.comparisons:
            ct.add_row(
                _t(c.a),
                _t(c.b),
                _t(c.pairs),
                _t(f"{c.both}/{c.neither}/{c.only_a}/{c.only_b}"),
                _t(p_text(c.mcnemar_p)),
                _diff_cell(c),
            )
        out.print(ct)
    width = max((len(r.label) for r in report.rows if r.curves), default=0)
    steps = max((r.curves.steps for r in report.rows if r.curves), default=0)
    if steps:
        out.print(
            _t(
                f"by step 0..{steps - 1} (▁ 0 % … █ 100 %; every curve with its intervals: --html, --json)"
            ),
            style="dim",
        )
    for r in report.rows:
        if r.curves is None:
            continue
        acc = [p.value for p in r.curves.accuracy]
        surv = [p.value for p in r.curves.survival]
        out.print(_t(f"ACC(i)    {r.label:<{width}}  {sparkline(acc)}"), style="dim")
        out.print(_t(f"survival  {r.label:<{width}}  {sparkline(surv)}"), style="dim")


def print_report_json(report: Report) -> None:
    obj = report.to_dict()
    obj["unreadable_files"] = [visible(m) for m in report.fatal]
    sys.stdout.write(json.dumps(obj, ensure_ascii=True, indent=1, allow_nan=False) + "\n")
    sys.stdout.flush()
