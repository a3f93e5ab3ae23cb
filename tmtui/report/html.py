"""The report as one self-contained HTML page: the table, the paired comparisons and every
curve with its intervals, for a screen and for paper.

Nothing is fetched: no script, no font, no stylesheet, no image from anywhere; the charts
are inline SVG (:mod:`tmtui.report.plots`, matplotlib imported only here) and the styles are
in the page, with a print stylesheet (no backgrounds, charts kept whole on a page, tables
repeated headers). Every string from a file is escaped (and made visible) before it is
written.
"""

from __future__ import annotations

import html
from pathlib import Path

from tmtui.core.score import SCORER_VERSION
from tmtui.core.text import one_line
from tmtui.report.groups import CATEGORIES
from tmtui.report.markdown import cost_text, diff_text, mix_text, p_text
from tmtui.report.tables import Report, Row

__all__ = ["html_report", "write_html"]

_CSS = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: #1b1f24; background: #fff; margin: 2rem auto; max-width: 1100px; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
p.meta, p.note, figcaption, .small { color: #57606a; font-size: .85rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
td .ci { display: block; color: #57606a; font-size: .8rem; }
tr.humans td { font-style: italic; }
figure { margin: 1rem 0 1.6rem; }
svg.chart { width: 100%; height: auto; max-width: 900px; display: block; }
svg.chart text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif !important; }
td.label { min-width: 12ch; overflow-wrap: anywhere; }
div.wide { overflow-x: auto; }
table.points { font-size: .68rem; width: auto; }
table.points td, table.points th { padding: .1rem .2rem; text-align: right; }
table.points th[scope=row] { max-width: 10ch; overflow-wrap: anywhere; }
ul.notes { color: #9a6700; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, table.points, .keep { break-inside: avoid; page-break-inside: avoid; }
  th { background: none; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  div.wide { overflow: visible; }
  table { font-size: 8pt; }
  th, td { padding: .12rem .25rem; }
  td.label { min-width: 0; }
  td .ci { font-size: 7pt; }
  table.points { font-size: 6pt; }
  table.points td, table.points th { padding: 0 .1rem; }
}
"""


def _e(text: object, limit: int = 200) -> str:
    return html.escape(one_line(str(text), limit))


def _ci_cell(value: float | None, ci) -> str:
    if value is None:
        return '<td class="num">—</td>'
    inner = f"{value:.1f}"
    if ci:
        inner += f'<span class="ci">{ci[0]:.1f}–{ci[1]:.1f}</span>'
    return f'<td class="num">{inner}</td>'


def _table(report: Report) -> str:
    other = report.mode.other.value
    differ = report.compared and any(r.differs for r in report.rows)
    head = "".join(f"<th>{_e(d)}</th>" for d in report.by)
    head += (
        '<th class="num">n</th><th class="num">SWA uniform %</th><th class="num">SWA linear %</th>'
        '<th class="num">pass rate %</th><th class="num">per step</th><th>first divergences</th>'
    )
    if differ:
        head += (
            f'<th class="num">{_e(other)}: SWA uniform %</th><th class="num">{_e(other)}: '
            'pass rate %</th><th class="num">read differ&shy;ently</th>'
        )
    body = []
    for r in report.rows:
        cls = ' class="humans"' if r.kind == "humans" else ""
        cells = "".join(f'<td class="label">{_e(r.group[d])}</td>' for d in report.by)
        s = r.score
        if s is None or not s.n_samples:
            cells += '<td class="num">0</td>' + '<td class="num">—</td>' * 3
        else:
            cells += f'<td class="num">{s.n_samples}</td>'
            cells += _ci_cell(s.swa_uniform, s.intervals.get("swa_uniform"))
            cells += _ci_cell(s.swa_linear, s.intervals.get("swa_linear"))
            cells += _ci_cell(s.pass_rate, s.intervals.get("pass_rate"))
        cells += f'<td class="num">{_e(cost_text(r))}</td><td>{_e(mix_text(r))}</td>'
        if differ:
            o = r.other
            if r.differs and o is not None:
                cells += (
                    f'<td class="num">{o.swa_uniform:.1f}</td><td class="num">{o.pass_rate:.1f}</td>'
                    f'<td class="num">{r.read_differently}</td>'
                )
            else:
                cells += '<td class="num" colspan="2">(the same)</td><td class="num">0</td>'
        body.append(f"<tr{cls}>{cells}</tr>")
    table = (
        f'<table class="rows"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )
    return f'<div class="wide">{table}</div>'


def _comparisons(report: Report) -> str:
    if not report.comparisons:
        return '<p class="note">No two rows answered the same instances.</p>'
    head = (
        "<th>A</th><th>B</th><th class='num'>pairs</th><th class='num'>both passed</th>"
        "<th class='num'>neither</th><th class='num'>A only</th><th class='num'>B only</th>"
        "<th class='num'>McNemar p</th><th>Δ SWA uniform (95 % CI), p</th>"
        "<th>Δ SWA linear (95 % CI), p</th>"
    )
    rows = []
    for c in report.comparisons:
        rows.append(
            f"<tr><td>{_e(c.a)}</td><td>{_e(c.b)}</td><td class='num'>{c.pairs}</td>"
            f"<td class='num'>{c.both}</td><td class='num'>{c.neither}</td>"
            f"<td class='num'>{c.only_a}</td><td class='num'>{c.only_b}</td>"
            f"<td class='num'>{_e(p_text(c.mcnemar_p))}</td>"
            f"<td>{_e(diff_text(c))}{' · ' + _e(c.note) if c.note else ''}</td>"
            f"<td>{_e(diff_text(c, linear=True))}</td></tr>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _points_table(rows: list[Row], attr: str, title: str) -> str:
    """n per point of a curve (and the count it is of), by row and step."""
    first = getattr(rows[0].curves, attr)
    steps = [p.x for p in first]
    head = "<th></th>" + "".join(f"<th>{s}</th>" for s in steps)
    body = []
    for r in rows:
        assert r.curves is not None
        pts = {p.x: p for p in getattr(r.curves, attr)}
        cells = "".join(
            f"<td>{pts[s].k}/{pts[s].n}</td>" if s in pts else "<td></td>" for s in steps
        )
        body.append(f'<tr><th scope="row">{_e(r.label, 40)}</th>{cells}</tr>')
    return (
        f'<div class="wide"><table class="points keep"><caption class="small">{_e(title)}'
        f"</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _curves(report: Report) -> str:
    from tmtui.report import plots

    rows = [r for r in report.rows if r.curves is not None and r.score and r.score.n_samples]
    if not rows:
        return '<p class="note">No scored sample: no curve.</p>'
    shown = rows[: plots.MAX_CURVES]
    parts = []
    if len(rows) > len(shown):
        parts.append(
            f'<p class="note">The charts show the first {len(shown)} of {len(rows)} rows; '
            "every curve is in <code>--json</code>.</p>"
        )
    charts = [
        (
            "Accuracy by step",
            plots.accuracy_chart(shown),
            "ACC(i): correct steps over the samples whose truth has step i, with Wilson 95 % "
            "bands.",
        ),
        (
            "Survival",
            plots.survival_chart(shown),
            "Share of samples still fully correct after step t (a sample that halted earlier "
            "with every step right counts as correct), Wilson 95 % bands. Dashed: people.",
        ),
        (
            "Hazard",
            plots.hazard_chart(shown),
            "P(first error at step t | right before t): first errors at t over the samples at "
            "risk, Wilson 95 % intervals; n per point below. Squares: people.",
        ),
        (
            "Accuracy by queue length",
            plots.queue_chart(shown),
            "Steps correct by the length of the true queue at that step, Wilson 95 % bands.",
        ),
    ]
    long_runs = any(r.curves is not None and r.curves.steps > 31 for r in shown)
    if long_runs:
        charts.append(
            (
                "First failing step",
                plots.first_failure_chart(shown),
                "Samples whose first error is at each step (long runs), as a share of the row.",
            )
        )
    for title, svg, caption in charts:
        parts.append(
            f'<figure class="keep"><h3>{_e(title)}</h3>{svg}'
            f"<figcaption>{_e(caption, 400)}</figcaption></figure>"
        )
        if title == "Hazard":
            parts.append(_points_table(shown, "hazard", "first errors / samples at risk, by step"))
    return "".join(parts)


def _files(report: Report) -> str:
    rows = "".join(
        f"<tr><td>{_e(f.path, 300)}</td><td>{_e(f.kind)}</td><td class='num'>{f.samples}</td>"
        f"<td class='num'>{f.errors}</td><td class='num'>{f.skipped}</td></tr>"
        for f in report.files
    )
    return (
        "<table class='keep'><thead><tr><th>file</th><th>kind</th><th class='num'>samples</th>"
        "<th class='num'>bad records</th><th class='num'>without an answer</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def html_report(report: Report, title: str = "tmtui report") -> str:
    """The whole page as text."""
    m = report.mode
    notes = [f"{r.label}: {r.note}" for r in report.rows if r.note] + list(report.notes)
    notes += [f"unreadable: {f}" for f in report.fatal]
    notes_html = (
        '<ul class="notes">' + "".join(f"<li>{_e(n, 300)}</li>" for n in notes) + "</ul>"
        if notes
        else ""
    )
    meta = (
        f"parser {m.value} ({m.version}) · scorer {SCORER_VERSION} · {len(report.files)} file(s) · "
        f"{report.n_samples:,} scored samples · intervals: Wilson 95 % (pass rate), Poisson "
        f"bootstrap over samples, {report.bootstrap} resamples, seed {report.seed} (SWA)"
    )
    cats = ", ".join(CATEGORIES)
    method = (
        "n: scored samples; failed requests and interrupted streams are counted apart and "
        "never scored. Per step: completion tokens (models) or active seconds (people) per "
        f"step written. First divergences by category ({cats}): read = wrong head symbol, "
        "rule = wrong production, delete = wrong deletion count, copy = copy error or the "
        "previous queue repeated, halt = halting errors, format = unreadable, missing or "
        "truncated steps. Paired comparisons pair the k-th attempts of two rows at the same "
        "instance: exact McNemar test on pass/fail; SWA difference with a paired Poisson "
        "bootstrap over instances."
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1><p class='meta'>{_e(meta, 600)}</p>"
        f"<h2>Systems</h2>{_table(report)}{notes_html}"
        f"<h2>Paired comparisons</h2>{_comparisons(report)}"
        f"<h2>Curves</h2>{_curves(report)}"
        f"<h2>Files</h2>{_files(report)}"
        f"<h2>Method</h2><p class='small'>{_e(method, 2000)}</p>"
        "</body></html>\n"
    )


def write_html(report: Report, out: Path | str, title: str = "tmtui report") -> None:
    from tmtui.io.jsonl import open_output

    text = html_report(report, title)
    with open_output(out) as f:  # a FIFO nobody reads: an OSError, never a wait
        f.write(text.encode("utf-8"))
