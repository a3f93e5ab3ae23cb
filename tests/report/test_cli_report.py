"""CLI: tmtui report (table, JSON, Markdown golden, HTML, exit codes, bad input, progress)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.cli.clihelp import invoke, run
from tests.report.reportkit import answer, human, record, with_tokens, write_records, write_results
from tmtui.core.diagnose import Kind

GOLDEN = Path(__file__).parent / "golden" / "report.md"


@pytest.fixture
def study(tmp_path) -> list[Path]:
    """Two models on instances 0-7 (one official results file), two people on 0-3."""
    a = write_results(
        tmp_path / "model-a.results.json",
        {i: answer(i, (6, Kind.COPY_ERROR) if i in (2, 5) else None, seed=i) for i in range(8)},
        num_token=2480,
    )
    b = write_records(
        tmp_path / "model-b.jsonl",
        [
            with_tokens(
                record(
                    i,
                    answer(i, (3 + i, Kind.WRONG_HEAD) if i % 2 else None, seed=i),
                    model="model-b",
                ),
                900,
            )
            for i in range(8)
        ]
        + [record(8, "", model="model-b", status="error", error="HTTP 503")],
    )
    people = write_records(
        tmp_path / "humans.jsonl",
        [
            human(i, "P01", answer(i, (2, Kind.WRONG_DELETION) if i == 3 else None, seed=1),
                  meta={"active_seconds": 93.0})
            for i in range(4)
        ]
        + [human(i, "P02", meta={"active_seconds": 124.0}) for i in range(4)],
    )  # fmt: skip
    return [a, b, people]


def test_table_output(study):
    r = invoke("report", *study, "--bootstrap", "100")
    assert r.code == 0, r.stderr
    out = r.stdout
    assert "tmtui report · parser strict" in out
    for label in ("model-a.results", "model-b", "human:P01", "human:P02", "humans (all)"):
        assert label in out
    assert "paired comparisons" in out and "McNemar" in out
    assert "not attempted:" in out and "request failed: HTTP 503 (not scored)" in out
    assert "ACC(i)" in out and "survival" in out
    assert "tok" in out and " s" in out  # tokens per step, seconds per step


def test_json_rows_carry_the_score_keys(study):
    r = invoke("report", *study, "--json", "--bootstrap", "50")
    assert r.code == 0
    d = r.json()
    score = invoke("score", study[1], "--json", "--bootstrap", "50").json()
    row = next(x for x in d["rows"] if x["row"] == "model-b")
    missing = set(score) - set(row) - {"disagreements", "unreadable_files"}
    assert not missing, missing
    for k in ("n_samples", "pass_rate", "swa_uniform", "swa_linear", "intervals", "step_counts"):
        assert row[k] == score[k], k
    assert row["request_errors"] == score["request_errors"] == 1
    assert row["group"] == {"model": "model-b"}
    assert set(d) >= {"rows", "comparisons", "files", "errors", "parser", "by", "notes"}
    assert {c["a"] for c in d["comparisons"]} >= {"model-a.results"}
    assert d["rows"][0]["curves"]["hazard"][0]["n"] == 8


def test_markdown_is_golden(study, tmp_path):
    out = tmp_path / "t.md"
    r = invoke("report", *study, "--markdown", out, "--bootstrap", "200", "--seed", "1")
    assert r.code == 0, r.stderr
    assert f"wrote {out}" in r.stderr
    text = out.read_text(encoding="utf-8")
    if os.environ.get("TMTUI_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_html_and_markdown_written(study, tmp_path):
    page = tmp_path / "r.html"
    r = invoke("report", *study, "--html", page, "--bootstrap", "0", "--json")
    assert r.code == 0
    assert page.read_text().count('<svg class="chart"') == 4
    json.loads(r.out)  # stdout stays JSON


def test_by_and_vs(study):
    r = invoke("report", *study, "--by", "model", "--by", "variant", "--json", "--bootstrap", "0")
    assert [x["row"] for x in r.json()["rows"]][:2] == [
        "model-a.results · letters",
        "model-b · letters",
    ]
    r = invoke("report", *study, "--vs", "P02", "--json", "--bootstrap", "0")
    assert r.code == 0
    assert {c["a"] for c in r.json()["comparisons"]} == {"human:P02"}


def test_bad_arguments_are_one_line(study, tmp_path):
    for args, msg in (
        (["--by", "colour"], "unknown --by 'colour'"),
        (["--vs", "nobody"], "--vs 'nobody': no such row"),
        (["--vs", "model"], "names several rows"),
        (["--bootstrap", "-1"], "--bootstrap must be >= 0"),
    ):
        r = invoke("report", *study, *args)
        assert r.code == 2, args
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and msg in lines[0], r.stderr
    blocked = tmp_path / "no-such-dir" / "x.md"
    r = invoke("report", *study, "--markdown", blocked, "--bootstrap", "0")
    assert r.code == 2 and "cannot write" in r.stderr and "Traceback" not in r.stderr


def test_exit_codes_and_bad_records(study, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(study[1].read_bytes().splitlines(keepends=True)[0] + b"{broken\n")
    r = invoke("report", bad, "--bootstrap", "0")
    assert r.code == 1 and "bad.jsonl: line 2:" in r.stderr and "model-b" in r.stdout
    r = invoke("report", tmp_path / "nothing.jsonl")
    assert r.code == 2 and "no such file" in r.stderr and "no answers to score" in r.stderr
    r = invoke("report", study[1], tmp_path / "nothing.jsonl", "--bootstrap", "0")
    assert r.code == 1 and "model-b" in r.stdout
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    r = invoke("report", empty_dir)
    assert r.code == 2 and "no answers to score" in r.stderr


def test_as_a_process_no_traceback_and_no_ui_libraries(study, tmp_path):
    r = run("report", *study, "--bootstrap", "0", "--no-cache")
    assert r.code == 0 and "Traceback" not in r.stderr and "\x1b[" not in r.stdout
    code = (
        "import sys\n"
        "from tmtui.cli import app\n"
        f"args = ['report', *{[str(p) for p in study]!r}, '--bootstrap', '0', '--json']\n"
        "try:\n"
        "    app(args, standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "import json\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    env = {**os.environ, "TMTUI_CACHE_DIR": str(tmp_path / "c")}
    p = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=True,
    )
    loaded = set(json.loads(p.stdout.strip().splitlines()[-1]))
    assert not loaded & {"textual", "openai", "tiktoken", "matplotlib"}


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_progress_bar_after_a_second_on_a_terminal_and_no_thread():
    from rich.console import Console

    from tmtui.cli.report import ReportProgress
    from tmtui.report import BuildProgress

    clock = FakeClock()
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=100)
    bar = ReportProgress(clock=clock, console=console)
    prog = BuildProgress(files_total=4, bytes_total=400)
    bar.update(prog)
    clock.t += 0.5
    bar.update(prog)
    assert not bar.shown and buf.getvalue() == ""  # under a second: nothing
    threads = threading.active_count()
    clock.t += 0.7
    prog.files_done, prog.bytes_done, prog.samples = 2, 200, 20000
    bar.update(prog)
    assert bar.shown and "2/4 files · 20,000 samples" in buf.getvalue()
    assert threading.active_count() == threads  # scoring may still fork its workers
    bar.close()
    quiet = ReportProgress(enabled=False, clock=clock, console=console)
    clock.t += 5
    quiet.update(prog)
    assert not quiet.shown
    off_terminal = ReportProgress(clock=clock, console=Console(file=io.StringIO()))
    clock.t += 5
    off_terminal.update(prog)
    assert not off_terminal.shown


def test_an_official_results_file_is_reported_under_its_model_name(tmp_path):
    """An official results file is named {bench}_{model}_{mode}.json: its row is the model
    (as in score's JSON 'models'), not the whole file name."""
    path = write_results(
        tmp_path / "TMBench_gemini-2.5-pro-exp-03-25_chat.json", {i: answer(i) for i in range(3)}
    )
    r = invoke("report", path, "--bootstrap", "0", "--json")
    assert r.code == 0, r.stderr
    assert [x["row"] for x in r.json()["rows"]] == ["gemini-2.5-pro-exp-03-25"]
    table = invoke("report", path, "--bootstrap", "0")
    assert "gemini-2.5-pro-exp-03-25" in table.stdout and "TMBench_gemini" not in table.stdout
    # a file named otherwise keeps its name as the system's
    other = write_results(tmp_path / "my_results.json", {0: answer(0)})
    rows = invoke("report", other, "--bootstrap", "0", "--json").json()["rows"]
    assert [x["row"] for x in rows] == ["my_results"]
