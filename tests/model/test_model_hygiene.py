"""The model layer never imports textual; `tmtui run --help` / `serve --help` stay light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

MODULES = [
    "tmtui.config",
    "tmtui.model.endpoint",
    "tmtui.model.wire",
    "tmtui.model.failures",
    "tmtui.model.client",
    "tmtui.model.tokens",
    "tmtui.model.recorder",
    "tmtui.model.synthetic",
    "tmtui.model.replay",
    "tmtui.model.serve",
    "tmtui.model.http1",
    "tmtui.model.chat",
    "tmtui.model.answer",
    "tmtui.model.limits",
    "tmtui.model.resume",
    "tmtui.model.turns",
    "tmtui.model.runner",
    "tmtui.cli.model",
    "tmtui.cli.batch",
    "tmtui.cli.serving",
    "tmtui.cli.watching",
]


def _loaded(code: str) -> set[str]:
    probe = (
        code
        + "\nimport sys, json\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", MODULES)
def test_no_textual(module):
    assert "textual" not in _loaded(f"import {module}")


def test_core_pieces_used_by_the_server_do_not_pull_openai():
    loaded = _loaded("import tmtui.model.synthetic, tmtui.model.recorder, tmtui.model.limits")
    assert not loaded & {"openai", "textual", "rich", "typer"}


def test_the_server_and_the_endpoint_need_no_sdk():
    """`tmtui serve` runs without the openai SDK; the CLI resolves an endpoint before it."""
    loaded = _loaded("import tmtui.model.serve, tmtui.model.endpoint")
    assert not loaded & {"openai", "textual", "rich", "typer"}


@pytest.mark.parametrize("command", ["run", "serve"])
def test_command_help_is_light(command):
    code = (
        "from tmtui.cli import app\n"
        "try:\n"
        f"    app([{command!r}, '--help'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    loaded = _loaded(code)
    assert "openai" not in loaded and "textual" not in loaded
