"""Commands loaded when used: ``tmtui score`` imports the score command's module and builds
that command alone, and ``tmtui --help`` imports none.

Typer builds every registered command (its parameters, from the function's signature) each
time the app runs, so every command module must have been imported first. Here the app's
group is a :class:`LazyGroup`: the registry (``tmtui.cli.app.COMMANDS``) names each command's
module, help panel and one-line help. Running a command imports its module (whose
``@app.command`` registers it) and builds that command only; listing the commands in
``--help`` uses the registry's summaries. ``tests/cli/test_cli_startup.py`` checks that the
registry agrees with the commands and that the help it gives is the eager one, byte for byte.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any, ClassVar, NamedTuple

import typer
from typer._click.exceptions import ClickException  # Typer vendors its click
from typer.core import TyperCommand, TyperGroup

__all__ = ["CommandEntry", "LazyGroup", "PlainCommand", "bind", "load_command"]


class CommandEntry(NamedTuple):
    module: str  # the module whose @app.command defines it
    panel: str  # its rich_help_panel
    summary: str  # the first paragraph of its docstring (what --help lists)


class _Bound:
    """The Typer app and its command registry, given by :func:`bind` (tmtui.cli.app)."""

    app: ClassVar[typer.Typer | None] = None
    commands: ClassVar[dict[str, CommandEntry]] = {}


def bind(app: typer.Typer, commands: dict[str, CommandEntry]) -> None:
    """Tell the lazy group which app defines the commands and where each one lives."""
    _Bound.app = app
    _Bound.commands = commands


def _registry() -> dict[str, CommandEntry]:
    return _Bound.commands


def load_command(name: str) -> TyperCommand | None:
    """Import the module of command ``name`` and build the command (None: no such command)."""
    entry = _registry().get(name)
    if entry is None:
        return None
    importlib.import_module(entry.module)
    app = _Bound.app
    assert app is not None, "tmtui.cli.lazy.bind() was not called"

    for info in app.registered_commands:
        callback = info.callback
        if callback is None:
            continue
        if (info.name or typer.main.get_command_name(callback.__name__)) == name:
            if info.cls in (None, TyperCommand):
                info.cls = PlainCommand
            command: TyperCommand = typer.main.get_command_from_info(  # type: ignore[assignment]
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
            return command
    raise LookupError(f"{entry.module} does not define the command {name!r}")


class PlainCommand(TyperCommand):
    """A command that coerces its plain options without pydantic (:mod:`tmtui.cli.coerce`)
    and shows them in click's conventions (:mod:`tmtui.cli.conventions`)."""

    def get_params(self, ctx: Any) -> list[Any]:
        from tmtui.cli.conventions import conventional

        return conventional(super().get_params(ctx))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from tmtui.cli.coerce import plain_coercion

        plain_coercion(self.get_params(ctx))
        return super().parse_args(ctx, args)


class _Commands(MutableMapping[str, Any]):
    """A group's commands by name: every registered name, each built on first use."""

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        command = self._built.get(name)
        if command is None:
            command = load_command(name)
            if command is None:
                raise KeyError(name)
            self._built[name] = command
        return command

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        names = list(_registry())
        yield from names
        yield from (n for n in self._built if n not in names)

    def __len__(self) -> int:
        return len(set(_registry()) | set(self._built))


class LazyGroup(TyperGroup):
    """A Typer group whose commands are imported and built when used (see the module doc)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Typer built the commands whose modules were imported already: they are built again,
        # when used, as PlainCommands like the others
        self.commands = _Commands()
        self._listing = False

    def get_params(self, ctx: Any) -> list[Any]:
        from tmtui.cli.conventions import conventional

        return conventional(super().get_params(ctx))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from tmtui.cli.coerce import plain_coercion

        # all its options are there now (Typer adds the completion ones after building it)
        plain_coercion(self.get_params(ctx))
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self._listing:
            entry = _registry().get(cmd_name)
            if entry is not None:
                return _listed(cmd_name, entry)
        return self.commands.get(cmd_name)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except ClickException as exc:
            raise _shown_as_text(exc) from exc.__cause__

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ClickException as exc:
            raise _shown_as_text(exc) from exc.__cause__

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            return super().format_help(ctx, formatter)
        finally:
            self._listing = False


def _shown_as_text(exc: ClickException) -> ClickException:
    """A usage error whose message quotes an argument ("No such option: --X", "Got unexpected
    extra argument (X)"): its control and bidi characters made visible, as every error line's
    are (click and rich show some of them as they are)."""
    from tmtui.core.text import visible

    exc.message = visible(exc.message)
    return exc


def _listed(name: str, entry: CommandEntry) -> TyperCommand:
    """What the group's help shows of a command: name, panel and one-line help."""
    return TyperCommand(name=name, help=entry.summary, rich_help_panel=entry.panel)
