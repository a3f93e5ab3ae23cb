"""The layer rules of the design notes, as import-linter contracts (pyproject.toml), checked.

Higher layers may import lower ones, never the other way round; the headless layers import no
UI library; only the TUI imports textual, only the model layer openai and tiktoken."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
    env = {**os.environ, "PYTHONPATH": str(cwd), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(ROOT / "tmtui", dest / "tmtui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def test_every_contract_is_kept(tmp_path):
    ran = _lint(_copy(tmp_path))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "0 broken" in ran.stdout


def test_every_package_of_tmtui_is_in_the_layers():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in contracts["contracts"] if c["id"] == "layers")["layers"]
    named = {
        part.strip().strip("()").removeprefix("tmtui.")
        for layer in layers
        for part in layer.split("|")
    }
    packages = {p.name for p in (ROOT / "tmtui").iterdir() if (p / "__init__.py").exists()}
    modules = {
        p.stem for p in (ROOT / "tmtui").glob("*.py") if p.stem not in ("__init__", "__main__")
    }
    assert packages | modules <= named, f"not in any layer: {(packages | modules) - named}"


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("core/text.py", "from tmtui.io import records as _x", "Layers"),
        ("scoring/stream.py", "import rich as _x", "headless"),
        ("model/client.py", "import textual as _x", "Only tmtui.tui imports textual"),
        ("live/trace.py", "from tmtui.model import client as _x", "Layers"),
        ("cli/humanserve.py", "import aiohttp as _x", "imports the web server"),
        ("human/attempt.py", "from tmtui.model import runner as _x", "import no model layer"),
        ("report/tables.py", "from tmtui.live import trace as _x", "import no live trace"),
    ],
)
def test_a_broken_rule_is_caught(tmp_path, module, line, contract):
    dest = _copy(tmp_path)
    target = dest / "tmtui" / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    ran = _lint(dest)
    assert ran.returncode != 0
    assert "0 broken" not in ran.stdout
    broken = [ln for ln in ran.stdout.splitlines() if ln.rstrip().endswith("BROKEN")]
    assert any(contract in ln for ln in broken), ran.stdout


def test_every_report_module_but_plots_is_kept_from_matplotlib():
    """The matplotlib contract names the report's modules one by one (a forbidden contract
    cannot leave one out of a package): a new module must be added to it."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    listed = set(
        next(
            c for c in contracts["contracts"] if c["id"] == "only-report-plots-imports-matplotlib"
        )["source_modules"]
    )
    modules = {
        f"tmtui.report.{p.stem}"
        for p in (ROOT / "tmtui" / "report").glob("*.py")
        if p.stem not in ("__init__", "plots")
    }
    assert modules - listed == set(), "add them to the matplotlib contract in pyproject.toml"
