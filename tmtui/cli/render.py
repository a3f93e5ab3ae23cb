"""Terminal and JSON output of score reports (rich, never textual).

Every string that comes from a file goes through :func:`tmtui.core.text.visible` and into rich
as a ``Text`` object, never as markup; JSON is written with ASCII escapes, so control
characters from the input never reach the terminal raw.
"""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tmtui.core.align import CODE_VERDICT
from tmtui.core.parsed import ParserMode
from tmtui.core.score import SCORER_VERSION, DatasetScore
from tmtui.core.text import one_line, visible
from tmtui.scoring.files import FileScore, ScoreReport

__all__ = ["console", "print_score_json", "print_score_table"]


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _t(s: object, style: str = "") -> Text:
    return Text(one_line(str(s), 300), style=style)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def _ci(v: float, ci: tuple[float, float] | None) -> str:
    if ci is None:
        return f"{v:.1f}"
    return f"{v:.1f}  [{ci[0]:.1f}–{ci[1]:.1f}]"


def _rows(r: DatasetScore, fs: FileScore | None) -> list[tuple[str, str]]:
    wrong = sum(c["wrong"] for c in r.step_counts)
    missing = sum(c["missing"] for c in r.step_counts)
    unparsable = sum(c["unparsable"] for c in r.step_counts)
    rows = [
        ("samples", f"{r.n_samples}"),
        ("passed", f"{r.passed}"),
        ("pass rate %", _ci(r.pass_rate, r.intervals.get("pass_rate"))),
        ("SWA uniform %", _ci(r.swa_uniform, r.intervals.get("swa_uniform"))),
        ("SWA linear %", _ci(r.swa_linear, r.intervals.get("swa_linear"))),
        ("wrong steps", f"{wrong}"),
        ("missing steps", f"{missing}"),
        ("unparsable steps", f"{unparsable}"),
    ]
    if fs is not None:
        rows.append(("skipped (no ans)", f"{fs.skipped}"))
        rows.append(("bad records", f"{len(fs.errors)}"))
    diag = ", ".join(f"{k} {v}" for k, v in r.diagnoses.items()) or "—"
    rows.append(("first divergences", diag))
    if r.findings:
        rows.append(("halting findings", ", ".join(f"{k} {v}" for k, v in r.findings.items())))
    return rows


def _parser_line(mode: str) -> str:
    version = ParserMode.of(mode).version
    return f"parser {mode} ({version}) · scorer {SCORER_VERSION}"


def print_score_table(report: ScoreReport, *, per_sample: bool = False) -> None:
    out = console()
    if not report.files:
        return
    columns: list[tuple[str, DatasetScore, FileScore | None]] = []
    for fs in report.files:
        name = fs.source.rsplit("/", 1)[-1]
        if fs.result is not None:
            label = name if fs.other is None else f"{name} · {fs.mode}"
            columns.append((label, fs.result, fs))
        if fs.other is not None:
            columns.append((f"{name} · {fs.other.mode}", fs.other, fs))
    if report.pooled is not None:
        columns.append(("all files", report.pooled, None))
        if report.pooled_other is not None:
            columns.append((f"all files · {report.pooled_other.mode}", report.pooled_other, None))
    if not columns:
        return
    table = Table(title=_t(f"tmtui score · {_parser_line(report.mode)}"), title_justify="left")
    table.add_column("")
    for label, _, _ in columns:
        table.add_column(_t(label), justify="right", overflow="fold")
    rows = [_rows(r, fs) for _, r, fs in columns]
    for i, (name, _) in enumerate(rows[0]):
        cells = []
        for col in rows:
            cells.append(_t(col[i][1]) if i < len(col) else _t(""))
        table.add_row(_t(name, "bold"), *cells)
    out.print(table)
    for label, r, _ in columns:
        acc = " ".join(_pct(a) for a in r.step_accuracy)
        out.print(_t(f"ACC(i) {label}, steps 0..{r.n_steps - 1}:"), style="dim")
        out.print(Text(acc), style="dim")
    for fs in report.files:
        for msg in fs.truth_mismatches[:5]:
            out.print(_t(f"warning: {fs.source}: {msg}"), style="yellow")
    if report.disagreements:
        out.print(_t(f"strict and tmbench read {len(report.disagreements)} sample(s) differently:"))
        t = Table(show_lines=False)
        for col in ("file", "sample", "strict", "tmbench", "first differing step"):
            t.add_column(col)
        for d in report.disagreements:
            first = d.steps[0] if d.steps else None
            detail = "—"
            if first is not None:
                detail = (
                    f"step {first['step']}: strict {first['strict']!s} ({first['strict_verdict']}) · "
                    f"tmbench {first['compat']!s} ({first['compat_verdict']})"
                )
            t.add_row(
                _t(d.source.rsplit("/", 1)[-1]),
                _t(d.where),
                _t(f"{d.strict.count('c')}/{len(d.strict)}"),
                _t(f"{d.compat.count('c')}/{len(d.compat)}"),
                _t(detail),
            )
        out.print(t)
    if per_sample:
        for fs in report.files:
            _print_samples(out, fs)


def _marks(verdicts: str) -> str:
    return "".join(CODE_VERDICT[v].mark for v in verdicts)


def _print_samples(out: Console, fs: FileScore) -> None:
    t = Table(title=_t(fs.source), title_justify="left")
    for col in ("#", "id", "steps", "SWA", "first div.", "diagnosis"):
        t.add_column(col)
    for s in fs.per_sample:
        t.add_row(
            _t(s.index),
            _t(s.instance_id[:10]),
            Text(_marks(s.verdicts)),
            _t(f"{s.swa():.1f}"),
            _t("—" if s.first_divergence is None else s.first_divergence),
            _t(s.diagnosis.message if s.diagnosis else "✓"),
        )
    out.print(t)


def _dump(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=True, indent=1, allow_nan=False)


def print_score_json(report: ScoreReport, *, per_sample: bool = False) -> None:
    files = [f for f in report.files if f.result is not None or f.errors]
    if len(files) == 1 and report.pooled is None:
        obj = files[0].to_dict(per_sample)
    else:
        obj = report.pooled.to_dict() if report.pooled is not None else {}
        obj["by_source"] = [f.to_dict(per_sample) for f in files]
        if report.pooled_other is not None:
            obj["other_parser"] = report.pooled_other.to_dict()
    obj.setdefault("parser", {"mode": report.mode})
    obj["scorer_version"] = SCORER_VERSION
    obj["disagreements"] = [d.to_dict() for d in report.disagreements]
    obj["unreadable_files"] = [visible(m) for m in report.fatal]
    sys.stdout.write(_dump(obj) + "\n")
    sys.stdout.flush()
