"""Typer's parameter coercion without pydantic, for the plain types tmtui's options have.

Typer (0.2x) converts every non-boolean option through a pydantic ``TypeAdapter`` that it
builds on first use: each command line imports pydantic and builds one adapter per option,
about 70 ms of a ``tmtui score`` that otherwise takes 200. For the types tmtui's commands
use (str, int, float, bool, Path, an Enum, lists of them, optional ones), a well-formed value is
converted here to what pydantic makes of it; anything else (a malformed value, a range, a
custom parser, another type) goes to Typer's own coercion, so every error is Typer's, word
for word. A Typer without this layer (no ``_runtime_param`` on its parameters) is left as
it is. ``tests/cli/test_cli_startup.py`` checks both paths give the same on a table of
values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

__all__ = ["plain_coercion"]

# values whose conversion by int() / float() is certainly pydantic's (no sign "+", no
# leading zero, no "_", no exponent, no whitespace, no nan or inf, not huge)
_INT = re.compile(r"0|-?[1-9][0-9]{0,17}")
_FLOAT = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")

Convert = Callable[[Any, Any, Any], Any]  # (value, param, ctx) -> value; raises to decline


class _Declined(Exception):
    """Not a plain value: Typer's coercion decides."""


def _int(value: Any, param: Any, ctx: Any) -> int:
    if type(value) is int:
        return value
    if type(value) is str and _INT.fullmatch(value):
        return int(value)
    raise _Declined


def _float(value: Any, param: Any, ctx: Any) -> float:
    if type(value) is float:
        return value
    if type(value) is str and _FLOAT.fullmatch(value):
        return float(value)
    raise _Declined


def _bool(value: Any, param: Any, ctx: Any) -> bool:
    if type(value) is bool:
        return value
    raise _Declined


def _str(value: Any, param: Any, ctx: Any) -> str:
    if type(value) is str:
        return value
    raise _Declined


def _choice(enum: type[Enum], info: Any) -> Convert:
    from typer._param_types import coerce_cli_choice

    choices = list(enum)

    def convert(value: Any, param: Any, ctx: Any) -> Any:
        return coerce_cli_choice(
            value, choices=choices, case_sensitive=info.case_sensitive, ctx=ctx
        )

    return convert


def _path(path_type: type[Path], info: Any) -> Convert:
    from typer._param_types import coerce_cli_path

    def convert(value: Any, param: Any, ctx: Any) -> Any:
        if type(value) is str:
            value = path_type(value)
        elif not isinstance(value, path_type):
            raise _Declined
        # what Typer's own path adapter calls, once pydantic has made the Path
        return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)

    return convert


def _leaf(annotation: Any, info: Any) -> Convert | None:
    """The converter of one value of ``annotation``; None: Typer's coercion does it."""
    if info.parser is not None or not isinstance(annotation, type):
        return None
    if issubclass(annotation, Enum):
        return _choice(annotation, info)
    if annotation is int or annotation is float:
        if info.min is not None or info.max is not None or info.clamp:
            return None
        return _int if annotation is int else _float
    if annotation is str:
        return _str
    if annotation is bool:
        return _bool
    if issubclass(annotation, Path) and info.path_type is None:
        return _path(annotation, info)
    return None


def _converter(annotation: Any, info: Any) -> Convert | None:
    if get_origin(annotation) is list:
        args = get_args(annotation)
        item = _leaf(args[0], info) if len(args) == 1 else None
        if item is None:
            return None

        def convert(value: Any, param: Any, ctx: Any) -> list[Any]:
            if not isinstance(value, list | tuple):
                raise _Declined
            return [item(v, param, ctx) for v in value]

        return convert
    return _leaf(annotation, info)


class _Plain:
    """A parameter's coercion: the plain conversion, else Typer's (built when needed)."""

    __slots__ = ("_typer", "convert", "descriptor")

    def __init__(self, convert: Convert, descriptor: Any) -> None:
        self.convert = convert
        self.descriptor = descriptor
        self._typer: Any = None

    def typer_coercion(self) -> Any:
        if self._typer is None:
            from typer._coercion import build_runtime_param

            self._typer = build_runtime_param(self.descriptor)
        return self._typer

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        multi = param.multiple or param.nargs == -1
        if value is None:
            return () if multi else None
        if not (multi and isinstance(value, str)):
            try:
                return self.convert(value, param, ctx)
            except Exception:
                pass
        return self.typer_coercion().coerce(value, param=param, ctx=ctx)


def plain_coercion(params: Iterable[Any]) -> None:
    """Give these parameters (a command's ``get_params(ctx)``: its options and its help
    option) the plain coercion wherever it applies."""
    for param in params:
        if getattr(param, "_runtime_param", False) is not None:
            continue  # not Typer's pydantic layer, or already in use
        desc = getattr(param, "type_descriptor", None)
        if desc is None or desc.file_annotation is not None:
            continue
        convert = _converter(desc.annotation, desc.parameter_info)
        if convert is not None:
            param._runtime_param = _Plain(convert, desc)
