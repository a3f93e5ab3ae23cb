"""The headless core stays free of UI and network libraries (checked in fresh interpreters)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("textual", "openai", "tiktoken")
CORE_MODULES = [
    "tmtui.core.tagsystem",
    "tmtui.core.datasets",
    "tmtui.core.prompts",
    "tmtui.core.parse",
    "tmtui.core.parse_step",
    "tmtui.core.parse_tail",
    "tmtui.core.gold",
    "tmtui.core.fetch",
    "tmtui.core.compat",
    "tmtui.core.align",
    "tmtui.core.diagnose",
    "tmtui.core.score",
    "tmtui.core.mutate",
    "tmtui.core.answer",
    "tmtui.core.text",
    "tmtui.io.records",
    "tmtui.io.jsonl",
    "tmtui.io.gold",
    "tmtui.io.official",
    "tmtui.io.sources",
    "tmtui.scoring",
    "tmtui.io.events",
    "tmtui.live.trace",
    "tmtui.live.text_lines",
    "tmtui.live.sample",
    "tmtui.live.catalog",
    "tmtui.live.feeds",
    "tmtui.live.timing",
    "tmtui.live.status",
    "tmtui.live.readings",
]


def _loaded_after(code: str) -> set[str]:
    probe = (
        code
        + "\nimport sys, json\n"
        + "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_ui_or_network(module: str) -> None:
    loaded = _loaded_after(f"import {module}")
    assert not loaded & {"textual", "openai", "tiktoken", "rich", "typer"}, loaded & set(HEAVY)


def test_help_does_not_import_textual_or_openai() -> None:
    code = (
        "import sys\n"
        "from tmtui.cli import app\n"
        "try:\n"
        "    app(['--help'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    loaded = _loaded_after(code)
    assert "textual" not in loaded
    assert "openai" not in loaded


def test_score_does_not_import_textual_or_openai(tmp_path) -> None:
    from tmtui.core.datasets import generate_preset
    from tmtui.io.records import Record, encode_record, spec_of

    inst = generate_preset("tmbench")[0]
    path = tmp_path / "r.jsonl"
    rec = Record(
        instance_id=inst.id,
        dataset="tmbench",
        index=0,
        model="m",
        status="complete",
        answer="### step 0:\n- Queue State: [" + " ".join(inst.init) + "]\n",
        instance=spec_of(inst),
    )
    path.write_bytes(encode_record(rec))
    code = (
        "from tmtui.cli import app\n"
        "try:\n"
        f"    app(['score', {str(path)!r}, '--json', '--bootstrap', '0'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    loaded = _loaded_after(code)
    assert "textual" not in loaded
    assert "openai" not in loaded


COMMAND_MODULES = {
    "tmtui.cli.data",
    "tmtui.cli.gold",
    "tmtui.cli.model",
    "tmtui.cli.scorecmd",
    "tmtui.cli.tui",
}


def _modules_after(code: str) -> set[str]:
    """Every module (full names) loaded after running ``code`` in a fresh interpreter."""
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_help_lists_the_commands_without_importing_them_or_pydantic() -> None:
    code = (
        "from tmtui.cli import app\n"
        "try:\n"
        "    app(['--help'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    loaded = _modules_after(code)
    assert not loaded & COMMAND_MODULES
    assert not {m.split(".")[0] for m in loaded} & {"pydantic", "textual", "openai", "msgspec"}


def test_score_imports_its_command_alone_and_no_pydantic(tmp_path) -> None:
    from tmtui.core.datasets import generate_preset
    from tmtui.io.records import Record, encode_record, spec_of

    inst = generate_preset("tmbench")[0]
    path = tmp_path / "r.jsonl"
    path.write_bytes(
        encode_record(
            Record(
                instance_id=inst.id,
                dataset="tmbench",
                index=0,
                model="m",
                status="complete",
                answer="### step 0:\n- Queue State: [" + " ".join(inst.init) + "]\n",
                instance=spec_of(inst),
            )
        )
    )
    code = (
        "from tmtui.cli import app\n"
        "try:\n"
        f"    app(['score', {str(path)!r}, '--bootstrap', '10', '--seed', '3'],"
        " standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    loaded = _modules_after(code)
    assert loaded & COMMAND_MODULES == {"tmtui.cli.scorecmd"}
    assert "pydantic" not in {m.split(".")[0] for m in loaded}


def test_export_gold_imports_no_ui_or_model_library(tmp_path) -> None:
    code = (
        "from tmtui.cli import app\n"
        "try:\n"
        f"    app(['export-gold', 'tmbench', '--limit', '2', '-o', {str(tmp_path / 'g.jsonl')!r}],"
        " standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    loaded = _modules_after(code)
    assert "tmtui.cli.gold" in loaded
    assert not {m.split(".")[0] for m in loaded} & {"textual", "openai", "tiktoken", "pydantic"}
    assert (tmp_path / "g.jsonl").read_text().count("\n") == 2
