"""The human layer is headless (no UI library, no model client), and scoring a database of
attempts needs neither it nor a UI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .humankit import FakeClock, db_at, session, truth, type_queue

HUMAN_MODULES = [
    "tmtui.human",
    "tmtui.human.session",
    "tmtui.human.showing",
    "tmtui.human.attempt",
    "tmtui.human.opening",
    "tmtui.human.views",
    "tmtui.human.entry",
    "tmtui.human.plan",
    "tmtui.human.export",
    "tmtui.human.intro",
    "tmtui.human.practice",
    "tmtui.io.humandb",
    "tmtui.io.humanrows",
    "tmtui.io.humanwrites",
    "tmtui.io.humanstudy",
    "tmtui.io.humanrecords",
]
UI = {"textual", "rich", "typer", "openai", "tiktoken"}


def _loaded_after(code: str) -> set[str]:
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", HUMAN_MODULES)
def test_human_modules_import_no_ui_and_no_model_client(module):
    loaded = {m.split(".")[0] for m in _loaded_after(f"import {module}")}
    assert not loaded & UI


def test_scoring_a_database_imports_neither_the_human_layer_nor_a_ui(tmp_path):
    clock = FakeClock()
    s = session(db_at(tmp_path), clock, samples="0")
    type_queue(s, clock, truth(s)[1])
    s.halt()
    s.close()
    path = tmp_path / "study.sqlite"
    code = (
        "from tmtui.cli import app\n"
        "try:\n"
        f"    app(['score', {str(path)!r}, '--json'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    loaded = _loaded_after(code)
    assert "tmtui.io.humanrecords" in loaded  # it did read the attempts
    assert not {m for m in loaded if m.startswith("tmtui.human")}
    assert not {m.split(".")[0] for m in loaded} & {"textual", "openai", "tiktoken"}


def test_human_help_imports_no_textual_or_openai_and_no_session():
    code = (
        "from tmtui.cli import app\n"
        "try:\n"
        "    app(['human', '--help'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    modules = _loaded_after(code)
    assert not {m.split(".")[0] for m in modules} & {"textual", "openai", "tiktoken"}
    # the help needs the settings' enums, not the session and the scorer behind it
    assert "tmtui.human.settings" in modules
    assert not {"tmtui.human.session", "tmtui.scoring", "sqlite3"} & modules
