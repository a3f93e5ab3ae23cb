"""docs/report.md's example says what the commands print today: the official Gemini results
file (``../shared/tmbench``, beside the project, never in it) and the synthetic model's run on
the same 20 instances, through ``tmtui report`` — the terminal table, the Markdown tables, the
survival figures, the numbers of the text under them, and the report screen (``--tui``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "report.md"
NAME = "gemini-2.5-pro.first20.json"
# the shared data: beside the project (a clone, CI), or beside its parent (a git worktree)
_WHERE = [Path(os.environ["TMTUI_SHARED"])] if os.environ.get("TMTUI_SHARED") else []
_WHERE += [ROOT.parent / "shared", ROOT.parent.parent / "shared"]
GEMINI = next((w / "tmbench" / NAME for w in _WHERE if (w / "tmbench" / NAME).is_file()),
              ROOT.parent / "shared" / "tmbench" / NAME)  # fmt: skip

pytestmark = pytest.mark.skipif(
    not GEMINI.is_file(),
    reason=f"the official Gemini results file is not at {GEMINI} (the shared data beside the project)",
)


def _tmtui(*args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tmtui", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docs-example")
    env = dict(os.environ, COLUMNS="100", TMTUI_CACHE_DIR=str(tmp / "cache"))
    run = _tmtui(
        "run", "tmbench", "--model", "synthetic", "--samples", "0-19", "-c", "1",
        "-o", "synthetic.jsonl",
        cwd=tmp, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    files = [str(GEMINI), "synthetic.jsonl"]
    table = _tmtui("report", *files, "--markdown", "report.md", cwd=tmp, env=env)
    assert table.returncode == 0, table.stderr
    js = _tmtui("report", *files, "--json", cwd=tmp, env=env)
    return tmp, table.stdout, (tmp / "report.md").read_text(), json.loads(js.stdout)


def _block_after(marker: str) -> list[str]:
    text = DOC.read_text()
    start = text.index(marker)
    a = text.index("```\n", start) + 4
    b = text.index("```\n", a)
    return [line.rstrip() for line in text[a:b].splitlines()]


def test_the_terminal_table_is_what_report_prints(example) -> None:
    _tmp, stdout, _md, _js = example
    printed = [line.rstrip() for line in stdout.splitlines()]
    assert _block_after("The terminal (`COLUMNS=100`") == printed


def test_the_markdown_tables_are_what_report_writes(example) -> None:
    _tmp, _out, md, _js = example
    text = DOC.read_text()
    part = text[text.index("`report.md` (`--markdown`):") : text.index("(The file ends")]
    doc_rows = [line for line in part.splitlines() if line.startswith("|")]
    written = md.splitlines()
    assert len(doc_rows) == 7
    for line in doc_rows:
        assert line in written


def _pct(k: int, n: int, value: float, ci) -> str:
    return f"{k}/{n} ({value:.1f} %, {ci[0]:.1f}–{ci[1]:.1f})"


def test_the_survival_figures_and_the_text(example) -> None:
    _tmp, _out, _md, js = example
    text = DOC.read_text()
    prose = " ".join(text.split())
    rows = {r["row"]: r for r in js["rows"]}
    for name, cells in (
        ("gemini-2.5-pro.first20", {19: True}),
        ("synthetic", {10: True, 19: True, 30: True}),
    ):
        surv = {p["x"]: p for p in rows[name]["curves"]["survival"]}
        shown = []
        for t in (0, 10, 19, 30):
            p = surv[t]
            shown.append(_pct(p["k"], p["n"], p["value"], p["ci"]) if t in cells
                         else f"{p['k']}/{p['n']}")  # fmt: skip
        assert f"| {name}, still fully correct | " + " | ".join(shown) + " |" in text
    c = js["comparisons"][0]
    d = c["swa_uniform_difference"]
    assert f"McNemar p = {c['mcnemar_p']:.3f}" in prose
    lo, hi = d["interval"]
    assert f"(+{d['difference']:.1f} points, 95 % interval +{lo:.1f} to +{hi:.1f})" in prose
    assert f"Gemini passes {c['only_a_passed']} the synthetic model fails" in prose
    haz = [p for p in rows["synthetic"]["curves"]["hazard"] if p["k"]]
    first, last = haz[0], haz[-1]
    assert f"{first['k']} of {first['n']} at step {first['x']}" in prose
    assert f"{last['k']} of {last['n']} at step {last['x']}" in prose
    low = min(p["value"] for p in haz)
    high = max(p["value"] for p in haz)
    assert f"the hazard is {low:g}–{high:g} %" in prose
    g = [p for p in rows["gemini-2.5-pro.first20"]["curves"]["hazard"] if p["k"]]
    assert f"1 of the {g[0]['n']} instances still running" in prose and g[0]["x"] == 19


async def test_the_report_screen_is_what_tui_shows(example) -> None:
    from tests.tui.tuikit import screen_lines, wait_for
    from tmtui.report import build_report
    from tmtui.tui.app import TmtuiApp
    from tmtui.tui.plans import ReportPlan
    from tmtui.tui.screens.report import ReportScreen

    tmp, _out, _md, _js = example
    rep = build_report([GEMINI, tmp / "synthetic.jsonl"], cache=None)
    app = TmtuiApp(ReportPlan(rep), clock=None)
    async with app.run_test(size=(100, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen) and app.screen.columns)
        await pilot.press("j", "2")
        await pilot.pause()
        lines = [re.sub(r"\s+$", "", line) for line in screen_lines(app)]
    assert _block_after("The report screen (`--tui`") == lines


def test_the_survival_chart_file_is_what_the_command_writes(example) -> None:
    from tmtui.report import build_report
    from tmtui.report.plots import standalone_svg, survival_chart

    tmp, _out, _md, _js = example
    rep = build_report([GEMINI, tmp / "synthetic.jsonl"], cache=None)
    svg = (ROOT / "docs" / "report-survival.svg").read_text()
    assert standalone_svg(survival_chart(rep.rows)) == svg
