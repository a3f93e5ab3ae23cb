"""The parse inspector: where the official evaluator's regex and the strict parser read one
answer differently, step by step, so a reasoning error can be told from a format artefact.

The readings take the room they need (at most a quarter of the width each, a third while the
why keeps 48 cells) and the why takes the rest, folded over as many lines as it needs; with no
disagreement the inspector says so in one line."""

from __future__ import annotations

import itertools
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from tmtui.live.readings import disagreements
from tmtui.live.trace import Trace
from tmtui.tui.safe import shown
from tmtui.tui.widgets.wrap import word_breaks

__all__ = ["InspectorScreen"]


class InspectorScreen(ModalScreen[int | None]):
    """Enter jumps the debugger to the step; escape closes."""

    DEFAULT_CSS = """
    InspectorScreen { align: center middle; }
    InspectorScreen > Vertical {
        width: 95%;
        height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    InspectorScreen > Vertical.-same { height: auto; }
    InspectorScreen Static { height: auto; }
    InspectorScreen DataTable { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,i", "close", "close", id="inspector.close"),
        Binding("enter", "pick", "go to step", id="inspector.pick"),
    ]

    def __init__(self, trace: Trace) -> None:
        super().__init__()
        self.trace = trace
        self.rows, self.summary, self.deviations = disagreements(trace)

    def compose(self) -> ComposeResult:
        with Vertical(classes="" if self.rows else "-same") as box:
            box.border_title = "Parse inspector: strict vs the official regex"
            head = Text(shown(self.summary) + "\n", style="bold")
            if self.deviations:
                head.append("format deviations: ", style="dim")
                head.append(shown("; ".join(self.deviations), 600) + "\n")
            if not self.rows:
                if self.trace.answer.text.strip():
                    head.append(SAME, style="dim")
                else:  # the summary says why there is nothing to read
                    head.rstrip()
                yield Static(head, markup=False)
                return
            head.append(
                f"{len(self.rows)} step(s) read differently (enter: show the step)", style="dim"
            )
            yield Static(head, markup=False)
            yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        if not self.rows:
            return
        table = self.query_one(DataTable)
        self._fill(table, table.size.width or int(self.app.size.width * 0.9))
        table.focus()

    def on_resize(self, event) -> None:
        if self.rows:
            table = self.query_one(DataTable)
            self.call_after_refresh(lambda: self._fill(table, table.size.width))

    def _fill(self, table: DataTable, width: int) -> None:
        """The readings as wide as they need (at most a quarter of the width each, or a third
        while the why keeps WHY_ROOM cells), and the why in all the rest, folded over as many
        lines as it takes (never cut)."""
        step_w = max(4, max(len(str(k)) for k, *_ in self.rows))
        need_s = max(cell_len("strict"), *(cell_len(r[1]) for r in self.rows))
        need_o = max(cell_len("official regex"), *(cell_len(r[2]) for r in self.rows))
        cap = max(12, (width - 8) // 4)
        wide = max(cap, (width - 8) // 3)  # a third when the why keeps room for its words
        if width - 10 - step_w - min(wide, need_s) - min(wide, need_o) >= WHY_ROOM:
            cap = wide
        strict_w, official_w = min(cap, need_s), min(cap, need_o)
        why_w = max(20, width - 2 - 8 - step_w - strict_w - official_w)
        keep = table.cursor_row
        table.clear(columns=True)
        table.add_column("step", width=step_w)
        table.add_column("strict", width=strict_w)
        table.add_column("official regex", width=official_w)
        table.add_column("why", width=why_w)
        for k, s, c, why in self.rows:
            cells = [_fold(str(k), step_w), _fold(s, strict_w), _fold(c, official_w)]
            cells.append(_fold(why, why_w))
            table.add_row(*cells, key=str(k), height=max(len(x.plain.split("\n")) for x in cells))
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))

    def action_pick(self) -> None:
        if not self.rows:
            self.dismiss(None)
            return
        table = self.query_one(DataTable)
        row = table.cursor_row
        self.dismiss(self.rows[min(row, len(self.rows) - 1)][0])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(int(event.row_key.value or 0))

    def action_close(self) -> None:
        self.dismiss(None)


WHY_ROOM = 48  # cells the why keeps before the readings may take a third of the width each
SAME = "Both parsers read every step the same: no step is read differently."


def _fold(text: str, width: int) -> Text:
    """``text`` made visible and folded to ``width`` cells at word boundaries (one Text with
    a line per row)."""
    plain = shown(text)
    breaks = [*word_breaks(plain, width), len(plain)]
    rows = [plain[a:b].rstrip() for a, b in itertools.pairwise(breaks)]
    return Text("\n".join(rows))
