"""Reports for the report screen's tests: two models in one file (so a row is a part of a
file), two people in another, built in the tests themselves."""

from __future__ import annotations

from pathlib import Path

from tests.report.reportkit import answer, human, record, with_tokens, write_records
from tmtui.core.diagnose import Kind
from tmtui.report import build_report
from tmtui.tui.app import TmtuiApp
from tmtui.tui.plans import ReportPlan

HOSTILE = "evil\x1b[31mRED\x07[bold]x[/bold]\u202eabc\x9b2J"

# model-a: right but for two samples; model-b: wrong on four
A_ERRORS = {1: (9, Kind.COPY_ERROR), 4: (3, Kind.WRONG_PRODUCTION)}
B_ERRORS = {0: (5, Kind.WRONG_HEAD), 2: (2, Kind.COPY_ERROR), 5: (12, Kind.WRONG_DELETION),
            6: (7, Kind.COPY_ERROR)}  # fmt: skip


def write_fixture(tmp: Path, *, model_b: str = "model-b", p02: str = "P02") -> list[Path]:
    runs = []
    for i in range(8):
        runs.append(with_tokens(record(i, answer(i, A_ERRORS.get(i)), model="model-a"), 900 + i))
        runs.append(with_tokens(record(i, answer(i, B_ERRORS.get(i)), model=model_b), 400 + i))
    people = [
        human(i, p, answer(i, (4, Kind.COPY_ERROR) if (p, i) == (p02, 1) else None),
              meta={"human": {"active_ms": 31_000.0 + 1000 * i}})
        for p in ("P01", p02)
        for i in range(4)
    ]  # fmt: skip
    return [
        write_records(tmp / "runs.jsonl", runs),
        write_records(tmp / "people.jsonl", people),
    ]


def fixture_report(tmp: Path, **kw):
    return build_report(write_fixture(tmp, **kw), cache=None)


def report_app(report, theme: str = "dark") -> TmtuiApp:
    return TmtuiApp(ReportPlan(report), clock=None, theme=theme)
