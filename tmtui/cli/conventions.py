"""Help text in the conventions of click (which Typer builds on): a flag shows no value, an
option shows its kind of value in capitals (``--seed INTEGER``, ``--output PATH``, ``--parser
[strict|tmbench]``), an argument is named in capitals in the usage line (``FILES...``,
``[DATASET]``), never ``<bool>``, ``<str>`` or ``{dataset}``.

Typer 0.2x prints its own type labels; :func:`conventional` sets each parameter's metavar (and,
for flags, hides the value) before help is drawn. Parameters that name their own metavar keep
it.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

__all__ = ["conventional"]

_KINDS = {str: "TEXT", int: "INTEGER", float: "FLOAT", Path: "PATH", bool: "BOOLEAN"}
_DONE = "_tmtui_conventional"


def _no_value(ctx: Any) -> None:
    return None


def _kind(annotation: Any) -> str:
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation) or (str,)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "[" + "|".join(str(m.value) for m in annotation) + "]"
    return _KINDS.get(annotation, "VALUE")


def conventional(params: list[Any]) -> list[Any]:
    """Give each of a command's parameters the conventional help look (idempotent)."""
    for p in params:
        if getattr(p, _DONE, False):
            continue
        setattr(p, _DONE, True)
        desc = getattr(p, "type_descriptor", None)
        annotation = desc.annotation if desc is not None else str
        if getattr(p, "param_type_name", "") == "argument":
            name = p.metavar or (p.name or "value").upper()
            many = "..." if p.nargs != 1 else ""
            p.metavar = name + many  # the help's argument panel
            # the usage line: NAME, [NAME] when optional, NAME... for many
            usage = (name if p.required else f"[{name}]") + many
            p._usage_display_name = lambda usage=usage: usage
            p._rich_display_name = lambda shown=name + many: shown
            kind = _kind(annotation)
            p.display_type_rich = lambda ctx, kind=kind: kind
        elif getattr(p, "is_flag", False) or getattr(p, "count", False):
            p.display_type_rich = _no_value
        elif p.metavar is None:
            p.metavar = _kind(annotation)
    return params
