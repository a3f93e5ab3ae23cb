"""The ``tmtui human`` click group, which the session's commands (:mod:`tmtui.cli.human`) and
the browser's (:mod:`tmtui.cli.humanserve`) both register on, and the one way they open the
study's database.

``tmtui human [DATASET] --participant ID ...`` is the session; ``tmtui human plan|status|
delete|export|invite|serve ...`` are the study's commands. One click group does both
(:class:`HumanGroup`): a first argument that names a command runs it, anything else is the
session's, and ``--help`` shows the session's options and the commands together.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from tmtui.cli.app import fail

if TYPE_CHECKING:
    from tmtui.io.humandb import HumanDb

__all__ = ["DB_HELP", "PANEL", "HumanGroup", "commands", "open_db"]

PANEL = "Human baselines"
DB_HELP = (
    "The study's database (SQLite). Default: the user data directory, "
    "$XDG_DATA_HOME/tmtui/human.sqlite (~/.local/share/tmtui/human.sqlite when XDG_DATA_HOME "
    "is unset)."
)

commands = typer.Typer(add_completion=False, rich_markup_mode="rich")


class HumanGroup(TyperGroup):
    """The session as the group's own command, the study commands as its subcommands."""

    def __init__(self, **kwargs: Any) -> None:
        # `tmtui human` alone shows the help; the parse below says so itself (click's own
        # check would also fire when a subcommand leaves the session's options empty)
        kwargs["no_args_is_help"] = False
        super().__init__(invoke_without_command=True, **kwargs)
        for name, command in typer.main.get_group(commands).commands.items():
            self.add_command(command, name)

    def add_command(self, command: Any, name: str | None = None) -> None:
        self.commands[name or command.name] = command

    def get_params(self, ctx: Any) -> list[Any]:
        from tmtui.cli.conventions import conventional

        params = conventional(super().get_params(ctx))
        if ctx.command is not self:
            # asked with a subcommand's context: its usage line names its parents' arguments,
            # and the session's are not among them
            return [p for p in params if getattr(p, "param_type_name", "") != "argument"]
        return params

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return ["[OPTIONS] [DATASET]", "|", "COMMAND [ARGS]..."]

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from typer._click.core import Command
        from typer._click.exceptions import NoArgsIsHelpError

        from tmtui.cli.coerce import plain_coercion

        plain_coercion(self.get_params(ctx))
        if not args and not ctx.resilient_parsing:
            raise NoArgsIsHelpError(ctx)
        if args and args[0] in self.commands:
            Command.parse_args(self, ctx, [])  # the session's options take their defaults
            ctx._protected_args, ctx.args = args[:1], args[1:]
            return ctx.args
        # the session: options anywhere, DATASET among them
        ctx.allow_interspersed_args = True
        Command.parse_args(self, ctx, args)
        ctx._protected_args, ctx.args = [], []
        return []


def open_db(db: Path | None, *, write: bool, create: bool = False) -> HumanDb:
    from tmtui.io.humandb import HumanDb, HumanDbError, default_db_path

    path = db if db is not None else default_db_path()
    if db is None and write and create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise fail(f"cannot make {path.parent}: {exc.strerror or exc}") from None
    try:
        return HumanDb(path, write=write, create=create)
    except HumanDbError as exc:
        raise fail(str(exc)) from None
