"""The sample list's columns: what each shows of an entry, and how wide each may be.

The list is laid out for the width it has. Columns that hold numbers (the position, SWA, the
first divergence, the instance index) and the verdicts are never cut; the text columns give way
by importance: the position in the file first (dropped), then the model name (shortened, then
dropped), then the status (dropped: the verdict column already says when there is nothing to
score), then the diagnosis (shortened, at a word boundary: a number in it is never cut in half).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text

from tmtui.core.parsed import ParserMode
from tmtui.live.catalog import Entry
from tmtui.tui.safe import clip_words, shown
from tmtui.tui.screens.columns import fit_columns, total_width

__all__ = ["Column", "layout_columns", "row_cells"]


@dataclass
class Column:
    key: str
    label: str
    width: int
    cell: Callable[[Entry, int], Text]
    numeric: bool = False  # never cut


def _mark(e: Entry, _w: int) -> Text:
    if not e.attempted:
        return Text(f"– {e.verdict}", style="yellow")
    if e.passed:
        return Text("✓ pass", style="green")
    return Text("✗ fail", style="red")


def _swa(e: Entry, _w: int) -> Text:
    return Text("—" if not e.attempted else f"{e.swa:5.1f}", justify="right")


def _fd(e: Entry, _w: int) -> Text:
    return Text("—" if e.first_divergence is None else str(e.first_divergence), justify="right")


def _other(e: Entry, _w: int) -> Text:
    """The other reading's verdict and SWA, only where the two readings differ."""
    o = e.other
    if o is None or not e.readings_differ:
        return Text("")
    mark, style = ("✓", "green") if o.passed else ("✗", "red")
    return Text(f"{mark} {o.swa():5.1f}", style=f"bold {style}")


def _text(get: Callable[[Entry], str]) -> Callable[[Entry, int], Text]:
    def cell(e: Entry, width: int) -> Text:
        return Text(clip_words(shown(get(e)), width))

    return cell


def _natural(values: Sequence[str], label: str, cap: int) -> int:
    return min(cap, max([cell_len(label), *(cell_len(shown(v)) for v in values)]))


def other_label(mode: ParserMode) -> str:
    """The header of the other reading's column."""
    return "official" if mode is ParserMode.STRICT else "strict"


def layout_columns(entries: Sequence[Entry], width: int, mode: ParserMode) -> list[Column]:
    """The columns for ``entries`` in ``width`` cells (see the module doc)."""
    last = max((e.pos for e in entries), default=0)
    inst = max((e.index for e in entries), default=0)
    verdicts = [f"– {e.verdict}" for e in entries] or ["✓ pass"]
    cols = [
        Column("#", "#", len(str(last)), lambda e, _w: Text(str(e.pos)), numeric=True),
        Column("verdict", "verdict", _natural(verdicts, "verdict", 12), _mark, numeric=True),
        Column("SWA", "SWA", 5, _swa, numeric=True),
        Column("first", "first ✗", 7, _fd, numeric=True),
        Column("other", other_label(mode), 8, _other, numeric=True),
        Column(
            "diagnosis",
            "diagnosis",
            _natural([e.diagnosis for e in entries], "diagnosis", 64),
            _text(lambda e: e.diagnosis),
        ),
        Column(
            "model",
            "model",
            _natural([e.model for e in entries], "model", 28),
            _text(lambda e: e.model),
        ),
        Column(
            "inst", "inst", max(4, len(str(inst))), lambda e, _w: Text(str(e.index)), numeric=True
        ),
        Column(
            "where",
            "where",
            _natural([e.where for e in entries], "where", 20),
            _text(lambda e: e.where),
        ),
        Column(
            "status",
            "status",
            _natural([e.status for e in entries], "status", 12),
            _text(lambda e: e.status),
        ),
    ]
    room = width - 2  # the vertical scrollbar
    ladder = [
        ("where", None),
        ("model", 12),
        ("diagnosis", 32),
        ("model", None),
        ("status", None),
        ("diagnosis", 16),
    ]
    fit_columns(cols, room, ladder, label_floor=True)
    diag = next((c for c in cols if c.key == "diagnosis"), None)
    if diag is not None and total_width(cols) > room:  # the last to give: the diagnosis, to the end
        diag.width = max(cell_len(diag.label), diag.width - (total_width(cols) - room))
    return cols


def row_cells(e: Entry, cols: Sequence[Column]) -> list[Text]:
    return [c.cell(e, c.width) for c in cols]
