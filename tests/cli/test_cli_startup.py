"""What makes `tmtui` start fast changes nothing it prints: the lazy command registry agrees
with the commands, and the plain option coercion gives what Typer's gives."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from tmtui.cli.app import COMMANDS, app
from tmtui.cli.lazy import LazyGroup, PlainCommand, load_command
from tmtui.core.parsed import ParserMode


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_registry_agrees_with_each_command(name):
    command = load_command(name)
    assert command is not None and command.name == name
    entry = COMMANDS[name]
    assert command.rich_help_panel == entry.panel
    assert inspect.cleandoc(command.help or "").split("\n\n")[0].strip() == entry.summary


def test_every_command_is_in_the_registry_in_definition_order():
    modules = dict.fromkeys(e.module for e in COMMANDS.values())
    for module in modules:
        importlib.import_module(module)
    defined = [
        info.name or typer.main.get_command_name(info.callback.__name__)
        for info in app.registered_commands
    ]
    assert sorted(defined) == sorted(COMMANDS)
    # `tmtui --help` lists them in the order the modules define them
    by_module = [n for m in modules for n, e in COMMANDS.items() if e.module == m]
    assert list(COMMANDS) == by_module


@pytest.mark.parametrize("width", ["60", "100", "200"])
def test_the_listing_from_the_registry_is_the_listing_of_the_commands(monkeypatch, width):
    def help_text() -> str:
        result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": width})
        assert result.exit_code == 0
        return result.stdout

    lazy = help_text()
    # the same help with every command built for real
    monkeypatch.setattr(LazyGroup, "get_command", lambda self, ctx, name: self.commands.get(name))
    assert help_text() == lazy
    assert all(f"│ {name} " in lazy for name in COMMANDS)


def test_an_unknown_command_is_an_error_with_a_suggestion():
    result = CliRunner().invoke(app, ["scor"], env={"COLUMNS": "100"})
    assert result.exit_code == 2
    assert "No such command 'scor'. Did you mean 'score'?" in result.output


# -- the plain coercion ---------------------------------------------------------------------


def _app(cls: type | None) -> typer.Typer:
    """One command with an option of every kind tmtui uses; it prints what it was given."""
    one = typer.Typer(add_completion=False)

    @one.command(cls=cls)
    def show(
        i: Annotated[int | None, typer.Option("--i")] = None,
        n: Annotated[int, typer.Option("--n")] = 5,
        f: Annotated[float | None, typer.Option("--f")] = None,
        g: Annotated[float, typer.Option("--g")] = 1.0,
        s: Annotated[str | None, typer.Option("--s")] = None,
        p: Annotated[Path | None, typer.Option("--p")] = None,
        q: Annotated[Path, typer.Option("--q")] = Path("default.jsonl"),
        e: Annotated[ParserMode, typer.Option("--e")] = ParserMode.STRICT,
        many: Annotated[list[str] | None, typer.Option("--many")] = None,
        b: Annotated[bool, typer.Option("--b/--no-b")] = False,
        maybe: Annotated[bool | None, typer.Option("--maybe/--no-maybe")] = None,
        files: Annotated[list[Path] | None, typer.Argument()] = None,
    ) -> None:
        values = (i, n, f, g, s, p, q, e, many, b, maybe, files)
        print(repr([(type(v).__name__, v) for v in values]))

    return one


_CASES = [
    [],
    *(["--i", v] for v in ("0", "12", "-3", "007", "+3", " 3", "1_0", "abc", "1.5", "", "-0")),
    ["--i", "99999999999999999999"],
    ["--i", "１２"],
    *(["--f", v] for v in ("1", "1.5", "-0.25", "1e3", "nan", "inf", " 2", ".5", "5.", "x")),
    ["--g", "2"],
    *(["--s", v] for v in ("x", "", "ünï", "-")),
    *(["--p", v] for v in ("a/b", "-", "/nonexistent/x", ".", "")),
    ["--q", "out.jsonl"],
    *(["--e", v] for v in ("strict", "tmbench", "STRICT", "bad", "")),
    ["--many", "a", "--many", "b"],
    ["--b"],
    ["--no-maybe"],
    ["x.json", "y.jsonl"],
    ["--n", "2", "--e", "tmbench", "--p", "p", "f1"],
]


@pytest.mark.parametrize("args", _CASES, ids=lambda a: " ".join(a) or "defaults")
def test_plain_coercion_gives_what_typer_gives(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"COLUMNS": "100", "NO_COLOR": "1"}
    plain = CliRunner().invoke(_app(PlainCommand), args, env=env)
    typers = CliRunner().invoke(_app(None), args, env=env)

    # the usage line differs by design (tmtui.cli.conventions: ``[FILES]...``, not ``[files]``)
    def body(out: str) -> str:
        return "\n".join(ln for ln in out.splitlines() if not ln.startswith("Usage:"))

    assert (plain.exit_code, body(plain.output)) == (typers.exit_code, body(typers.output))
