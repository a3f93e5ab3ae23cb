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
from tmtui.core.score import NOT_ATTEMPTED, SCORER_VERSION, DatasetScore
from tmtui.core.text import one_line, visible
from tmtui.scoring.files import FileScore, ScoreReport

__all__ = ["console", "print_score_json", "print_score_table", "score_json"]


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


# every row of the score table, in order; a row shows when some column has it
_ROW_ORDER = (
    "samples",
    "passed",
    "pass rate %",
    "SWA uniform %",
    "SWA linear %",
    "wrong steps",
    "missing steps",
    "unparsable steps",
    "request errors (not scored)",
    "incomplete (not scored)",
    "skipped (no ans)",
    "bad records",
    "first divergences",
    "halting findings",
)


ACC_SHOWN = 61  # up to this many steps, every ACC(i) is printed (TMBench's cap is 30)


def _step_accuracy_line(acc: list[float]) -> tuple[str, str]:
    """('steps 0..n', values) for a short run; for a long one (``--max-steps`` 2000), every
    k-th step as step:value, the last step included, so the line stays readable."""
    n = len(acc)
    if n <= ACC_SHOWN:
        return f"steps 0..{n - 1}", " ".join(_pct(a) for a in acc)
    stride = -(-(n - 1) // (ACC_SHOWN - 1))
    picked = [*range(0, n - 1, stride), n - 1]
    head = f"steps 0..{n - 1}, one in {stride} (--json has every step)"
    return head, " ".join(f"{i}:{_pct(acc[i])}" for i in picked)


def _rows(r: DatasetScore | None, files: list[FileScore]) -> dict[str, str]:
    """One column of the score table, by row name: a file's figures (``files`` = [it]) or
    the pooled figures of several (``files`` = all of them)."""
    rows: dict[str, str] = {}
    if r is not None:
        rows["samples"] = f"{r.n_samples}"
        rows["passed"] = f"{r.passed}"
        rows["pass rate %"] = _ci(r.pass_rate, r.intervals.get("pass_rate"))
        rows["SWA uniform %"] = _ci(r.swa_uniform, r.intervals.get("swa_uniform"))
        rows["SWA linear %"] = _ci(r.swa_linear, r.intervals.get("swa_linear"))
        rows["wrong steps"] = f"{sum(c['wrong'] for c in r.step_counts)}"
        rows["missing steps"] = f"{sum(c['missing'] for c in r.step_counts)}"
        rows["unparsable steps"] = f"{sum(c['unparsable'] for c in r.step_counts)}"
    else:
        rows["samples"] = "0"
    errors = sum(f.count("error") for f in files)
    incomplete = sum(f.count("interrupted") for f in files)
    if errors:
        rows["request errors (not scored)"] = f"{errors}"
    if incomplete:
        rows["incomplete (not scored)"] = f"{incomplete}"
    rows["skipped (no ans)"] = f"{sum(f.skipped for f in files)}"
    rows["bad records"] = f"{sum(len(f.errors) for f in files)}"
    if r is not None:
        diag = ", ".join(f"{k} {v}" for k, v in r.diagnoses.items()) or "—"
        rows["first divergences"] = diag
        if r.findings:
            rows["halting findings"] = ", ".join(f"{k} {v}" for k, v in r.findings.items())
    return rows


def _parser_line(mode: str) -> str:
    version = ParserMode.of(mode).version
    return f"parser {mode} ({version}) · scorer {SCORER_VERSION}"


def print_score_table(report: ScoreReport, *, per_sample: bool = False) -> None:
    out = console()
    if not report.files:
        return
    columns: list[tuple[str, DatasetScore | None, list[FileScore]]] = []
    for fs in report.files:
        name = fs.source.rsplit("/", 1)[-1]
        if fs.result is not None or fs.not_attempted:
            label = name if fs.other is None else f"{name} · {fs.mode}"
            columns.append((label, fs.result, [fs]))
        if fs.other is not None:
            columns.append((f"{name} · {fs.other.mode}", fs.other, [fs]))
    if report.pooled is not None:
        columns.append(("all files", report.pooled, report.files))
        if report.pooled_other is not None:
            label = f"all files · {report.pooled_other.mode}"
            columns.append((label, report.pooled_other, report.files))
    if not columns:
        return
    table = Table(title=_t(f"tmtui score · {_parser_line(report.mode)}"), title_justify="left")
    table.add_column("")
    for label, _, _ in columns:
        table.add_column(_t(label), justify="right", overflow="fold")
    cols = [_rows(r, files) for _, r, files in columns]
    for name in _ROW_ORDER:
        if any(name in col for col in cols):
            table.add_row(_t(name, "bold"), *(_t(col.get(name, "—")) for col in cols))
    out.print(table)
    for fs in report.files:
        for n in fs.not_attempted[:20]:
            what = "request failed" if n.status == "error" else "stream interrupted"
            why = f": {n.error}" if n.error else ""
            out.print(
                _t(f"not attempted: {fs.source}: {n.where}: {what}{why} (not scored)"),
                style="yellow",
            )
        if len(fs.not_attempted) > 20:
            out.print(_t(f"... {len(fs.not_attempted) - 20} more not attempted"), style="yellow")
    for label, r, _ in columns:
        if r is None:
            continue
        head, acc = _step_accuracy_line(r.step_accuracy)
        out.print(_t(f"ACC(i) {label}, {head}:"), style="dim")
        out.print(Text(acc), style="dim")
    for fs in report.files:
        for msg in fs.truth_mismatches[:5]:
            out.print(_t(f"warning: {fs.source}: {msg}"), style="yellow")
    if report.disagreements:
        n = len(report.disagreements)
        differ = sum(1 for d in report.disagreements if d.verdicts_differ)
        out.print(
            _t(
                f"strict and tmbench read {n} sample(s) differently "
                f"({differ} with different verdicts, {n - differ} with the same verdicts "
                "from different queues):"
            )
        )
        t = Table(show_lines=False)
        for col in ("file", "sample", "strict", "tmbench", "first differing step"):
            t.add_column(col)
        for d in report.disagreements:
            first = d.steps[0] if d.steps else None
            detail = "—"
            if first is not None:
                detail = (
                    f"step {first['step']}: strict {_queue(first['strict'])} "
                    f"({first['strict_verdict']}) · "
                    f"tmbench {_queue(first['compat'])} ({first['compat_verdict']})"
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


def _queue(q: str | None) -> str:
    """A queue read by a parser, as shown in a table ("not read" where there is none)."""
    return "(not read)" if q is None else q


def _marks(verdicts: str) -> str:
    return "".join(CODE_VERDICT[v].mark for v in verdicts)


def _print_samples(out: Console, fs: FileScore) -> None:
    t = Table(title=_t(fs.source), title_justify="left")
    for col in ("#", "id", "steps", "SWA", "first div.", "diagnosis"):
        t.add_column(col)
    for s in fs.per_sample:
        if s.status in NOT_ATTEMPTED:  # an attempt that did not happen: nothing scored
            what = "request failed" if s.status == "error" else "stream interrupted"
            t.add_row(
                _t(s.index),
                _t(s.instance_id[:10]),
                _t("no answer" if s.status == "error" else "not scored"),
                _t("—"),
                _t("—"),
                _t(f"{what} (not scored)"),
            )
            continue
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


def score_json(report: ScoreReport, *, per_sample: bool = False) -> dict:
    """What ``tmtui score --json`` prints, as an object."""
    files = [f for f in report.files if f.result is not None or f.errors or f.not_attempted]
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
    return obj


def print_score_json(report: ScoreReport, *, per_sample: bool = False) -> None:
    sys.stdout.write(_dump(score_json(report, per_sample=per_sample)) + "\n")
    sys.stdout.flush()
