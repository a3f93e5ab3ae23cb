"""A fresh machine installs what the suite passed with (issue 7).

The README's Quick start lines install with ``-c constraints.txt`` (and ``.ci/run`` runs the
second one); every dependency is bounded above in ``pyproject.toml``; ``constraints.txt`` pins
every dependency exactly, at a version ``pyproject.toml`` allows. ``.ci/relock`` re-resolves
and rewrites the constraints (docs/development.md)."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def quick_start(readme: str) -> list[str]:
    """The command lines of the README's Quick start block (what ``.ci/run`` reads)."""
    text = readme.split("\n## Quick start", 1)[1]
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    return [ln for ln in block.splitlines() if ln.strip()]


def unbounded(requirements: list[str]) -> list[str]:
    """The requirements with no upper bound (no ``<``, ``<=``, ``==`` or ``~=``)."""
    out = []
    for text in requirements:
        spec = Requirement(text).specifier
        if not any(s.operator in ("<", "<=", "==", "~=", "===") for s in spec):
            out.append(text)
    return out


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _requirements(project: dict) -> list[str]:
    extras = project["project"].get("optional-dependencies", {})
    return [
        *project["build-system"]["requires"],
        *project["project"]["dependencies"],
        *(r for reqs in extras.values() for r in reqs),
    ]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep and version and re.fullmatch(r"[\w.!+-]+", version), f"not an exact pin: {line}"
        pins[canonicalize_name(name)] = version
    return pins


def test_both_quick_start_lines_install_with_the_constraints():
    lines = quick_start((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(lines) == 2
    for line in lines:
        assert line.startswith("pip install -c constraints.txt "), line
    assert lines[1].endswith("&& python -m pytest -q -n 2")


def test_ci_runs_the_readmes_test_line_from_nothing(tmp_path):
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "rm -rf .venv" in script and "PIP_NO_CACHE_DIR=1" in script
    # the line it runs is the one this test checks above: its own extraction, run here
    awk = re.search(r"test_line=\$\((awk .*)\)\n", script)
    assert awk is not None
    ran = subprocess.run(
        ["bash", "-c", awk.group(1)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    line = ran.stdout.strip()
    assert line == quick_start((ROOT / "README.md").read_text(encoding="utf-8"))[1]
    assert "-c constraints.txt" in line


def test_the_bound_finder_finds_an_unbounded_requirement():
    assert unbounded(["msgspec>=0.19", "a>=1,<2", "b==1.0", "c~=1.2", "d"]) == [
        "msgspec>=0.19",
        "d",
    ]


def test_every_dependency_is_bounded_above():
    assert unbounded(_requirements(_pyproject())) == []


def test_the_constraints_pin_every_dependency_at_an_allowed_version():
    pins = _pins()
    for text in _requirements(_pyproject())[len(_pyproject()["build-system"]["requires"]) :]:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {req.name}=={pins[name]}, outside {req.specifier}"
        )


def test_relock_is_there_and_writes_only_after_the_suite_passes():
    relock = ROOT / ".ci" / "relock"
    assert os.access(relock, os.X_OK)
    text = relock.read_text(encoding="utf-8")
    suite, write = text.index("python -m pytest"), text.index('> "$work/constraints.txt"')
    assert suite < write and "set -euo pipefail" in text
    assert ".ci/relock" in (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
