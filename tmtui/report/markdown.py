"""The report as Markdown: the table (ready for a paper or a README), the paired
comparisons, and how the figures were made. Cells are plain text; every string from a file
is made visible (:func:`tmtui.core.text.one_line`) and its Markdown characters escaped.
"""

from __future__ import annotations

import re
from pathlib import Path

from tmtui.core.score import SCORER_VERSION
from tmtui.core.text import one_line
from tmtui.report.groups import CATEGORIES
from tmtui.report.paired import Comparison
from tmtui.report.tables import Report, Row

__all__ = [
    "ci_text",
    "cost_text",
    "diff_text",
    "markdown_report",
    "mix_text",
    "p_text",
    "write_markdown",
]

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md(text: object, limit: int = 120) -> str:
    """Untrusted text as one Markdown table cell."""
    return _SPECIAL.sub(r"\\\1", one_line(str(text), limit))


def ci_text(value: float | None, ci: tuple[float, float] | list[float] | None) -> str:
    """``97.7 (93.5–100.0)``; ``—`` for no value."""
    if value is None:
        return "—"
    if not ci:
        return f"{value:.1f}"
    return f"{value:.1f} ({ci[0]:.1f}–{ci[1]:.1f})"


def cost_text(row: Row) -> str:
    """Tokens per step for models, seconds per step for people (both when mixed)."""
    parts = []
    if row.tokens_per_step is not None:
        parts.append(f"{row.tokens_per_step:,.0f} tok")
    if row.seconds_per_step is not None:
        parts.append(f"{row.seconds_per_step:,.1f} s")
    return " · ".join(parts) or "—"


def mix_text(row: Row) -> str:
    """The first divergences by category, most first: ``copy 4 · rule 2``."""
    items = sorted(
        ((c, n) for c, n in row.mix.items() if n), key=lambda x: (-x[1], CATEGORIES.index(x[0]))
    )
    return " · ".join(f"{c} {n}" for c, n in items) or "—"


def p_text(p: float | None, resamples: int = 0) -> str:
    """A p-value; a bootstrap's 0 is "below 2 / resamples" (what it can resolve)."""
    if p is None:
        return "—"
    if resamples and p == 0:
        return f"< {2 / resamples:.2g}"
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}"


def _figures(row: Row) -> list[str]:
    s = row.score
    if s is None or not s.n_samples:
        return ["0", "—", "—", "—"]
    return [
        str(s.n_samples),
        ci_text(s.swa_uniform, s.intervals.get("swa_uniform")),
        ci_text(s.swa_linear, s.intervals.get("swa_linear")),
        ci_text(s.pass_rate, s.intervals.get("pass_rate")),
    ]


def _table(header: list[str], align: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |"]
    out.append("|" + "|".join("---:" if a == "r" else ":---" for a in align) + "|")
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def diff_text(c: Comparison, linear: bool = False) -> str:
    f = c.swa_linear if linear else c.swa_uniform
    if f is None:
        return "—"
    text = f"{f.observed:+.1f}"
    if f.interval is not None:
        text += f" ({f.interval[0]:+.1f} to {f.interval[1]:+.1f}), p {p_text(f.p, f.resamples)}"
    return text


def markdown_report(report: Report) -> str:
    """The whole report as Markdown text."""
    other = report.mode.other.value
    differ = report.compared and any(r.differs for r in report.rows)
    header = [md(d) for d in report.by] + [
        "n",
        "SWA uniform % (95 % CI)",
        "SWA linear % (95 % CI)",
        "pass rate % (95 % CI)",
        "per step",
        "first divergences",
    ]
    align = ["l"] * len(report.by) + ["r", "r", "r", "r", "r", "l"]
    if differ:
        header += [f"{other}: SWA uniform %", f"{other}: pass rate %", "read differently"]
        align += ["r", "r", "r"]
    rows = []
    for r in report.rows:
        cells = [md(r.group[d]) for d in report.by] + _figures(r) + [cost_text(r), mix_text(r)]
        if differ:
            o = r.other
            if r.differs and o is not None:
                cells += [f"{o.swa_uniform:.1f}", f"{o.pass_rate:.1f}", str(r.read_differently)]
            else:
                cells += ["same", "same", "0" if r.read_differently == 0 else "—"]
        rows.append(cells)
    out = _table(header, align, rows)
    notes = [f"{md(r.label)}: {r.note}" for r in report.rows if r.note]
    if notes:
        out += [""] + [f"- {n}" for n in notes]
    if report.comparisons:
        out += ["", "Paired comparisons (the same instances):", ""]
        crows = [
            [
                md(c.a),
                md(c.b),
                str(c.pairs),
                str(c.both),
                str(c.neither),
                str(c.only_a),
                str(c.only_b),
                p_text(c.mcnemar_p),
                diff_text(c),
            ]
            for c in report.comparisons
        ]
        out += _table(
            [
                "A",
                "B",
                "pairs",
                "both",
                "neither",
                "A only",
                "B only",
                "McNemar p",
                "Δ SWA uniform (95 % CI), p",
            ],
            ["l", "l", "r", "r", "r", "r", "r", "r", "l"],
            crows,
        )
    out += ["", _method(report, differ)]
    return "\n".join(out) + "\n"


def _method(report: Report, differ: bool) -> str:
    m = report.mode
    text = (
        f"Parser {m.value} ({m.version}), scorer {SCORER_VERSION}. "
        "n: scored samples (failed requests and interrupted streams are not scored). "
        "Intervals: Wilson 95 % for the pass rate; Poisson bootstrap over samples "
        f"({report.bootstrap} resamples, seed {report.seed}) for both SWAs. "
        "Per step: completion tokens (models) or active seconds (people) per step written. "
        "First divergences: read = wrong head, rule = wrong production, delete = wrong "
        "deletion count, copy = copy error or previous queue repeated, halt = halting "
        "errors, format = unreadable, missing or truncated steps."
    )
    if differ:
        text += (
            f" The {m.other.value} columns are the other parser's figures for the systems it "
            "reads differently (same: it reads every sample of the system alike)."
        )
    elif report.compared:
        text += f" The {m.other.value} parser reads every sample alike."
    if report.comparisons:
        text += (
            " Paired: exact McNemar test on pass/fail; SWA difference with a paired "
            "Poisson bootstrap over instances."
        )
    return text


def write_markdown(report: Report, out: Path | str) -> None:
    from tmtui.io.jsonl import open_output

    text = markdown_report(report)
    with open_output(out) as f:  # a FIFO nobody reads: an OSError, never a wait
        f.write(text.encode("utf-8"))
