"""The report layer is headless: no UI library, and matplotlib only once a page is drawn
(and never pyplot). Checked in fresh interpreters."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.report.reportkit import answer, record, write_records

MODULES = [
    "tmtui.report",
    "tmtui.report.build",
    "tmtui.report.assemble",
    "tmtui.report.cache",
    "tmtui.report.digest",
    "tmtui.report.curves",
    "tmtui.report.paired",
    "tmtui.report.groups",
    "tmtui.report.samples",
    "tmtui.report.tables",
    "tmtui.report.markdown",
    "tmtui.report.html",
]


def _loaded_after(code: str) -> set[str]:
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", MODULES)
def test_report_modules_import_no_ui_library(module):
    top = {m.split(".")[0] for m in _loaded_after(f"import {module}")}
    assert not top & {"textual", "rich", "typer", "openai", "tiktoken", "matplotlib"}


def test_matplotlib_only_when_a_page_is_written(tmp_path):
    f = write_records(tmp_path / "r.jsonl", [record(0, answer(0)), record(1, answer(1))])
    code = (
        "from tmtui.report import build_report\n"
        "from tmtui.report.html import write_html\n"
        f"rep = build_report([{str(f)!r}], bootstrap=0, cache=None)\n"
        f"write_html(rep, {str(tmp_path / 'p.html')!r})\n"
    )
    loaded = _loaded_after(code)
    assert "matplotlib" in loaded and "matplotlib.pyplot" not in loaded
    assert not {m.split(".")[0] for m in loaded} & {"textual", "rich", "typer"}
