"""Fitting a table's columns to the room on screen: a ladder of steps, each narrowing or
dropping one column, taken in order only while the columns are still too wide (the listing
of samples and the report's table)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from rich.cells import cell_len

__all__ = ["CELL_PADDING", "fit_columns", "total_width"]

CELL_PADDING = 2  # a DataTable cell's padding, left and right together


class _Column(Protocol):
    key: str
    label: str
    width: int


C = TypeVar("C", bound=_Column)


def total_width(cols: Sequence[_Column]) -> int:
    return sum(c.width + CELL_PADDING for c in cols)


def fit_columns(
    cols: list[C], room: int, ladder: Sequence[tuple[str, int | None]], *, label_floor: bool
) -> None:
    """Take the steps of ``ladder`` while ``cols`` are wider than ``room``: ``(key, None)``
    drops a column, ``(key, to)`` narrows it by what is missing, down to ``to`` at most (and
    never below its label with ``label_floor``)."""
    for key, to in ladder:
        if total_width(cols) <= room:
            break
        if to is None:
            cols[:] = [c for c in cols if c.key != key]
            continue
        for c in cols:
            if c.key == key:
                floor = max(to, cell_len(c.label)) if label_floor else to
                c.width = max(min(c.width, floor), c.width - (total_width(cols) - room))
