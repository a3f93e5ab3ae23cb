"""The parse inspector: where the official evaluator's regex and the strict parser read one
answer differently, step by step, so a reasoning error can be told from a format artefact."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from tmtui.core.text import one_line
from tmtui.live.readings import disagreements
from tmtui.live.trace import Trace

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
        with Vertical() as box:
            box.border_title = "Parse inspector: strict vs the official regex"
            head = Text(self.summary + "\n", style="bold")
            if self.deviations:
                head.append("format deviations: ", style="dim")
                head.append(one_line("; ".join(self.deviations), 600) + "\n")
            if not self.rows:
                head.append("The two parsers read every step alike.", style="dim")
            else:
                head.append(
                    f"{len(self.rows)} step(s) read differently (enter: show the step)",
                    style="dim",
                )
            yield Static(head, markup=False)
            table: DataTable = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns("step", "strict", "official regex", "why")
            for k, s, c, why in self.rows:
                table.add_row(str(k), Text(s), Text(c), Text(why), key=str(k))
            yield table

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def action_pick(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows:
            self.dismiss(None)
            return
        row = table.cursor_row
        self.dismiss(self.rows[min(row, len(self.rows) - 1)][0])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(int(event.row_key.value or 0))

    def action_close(self) -> None:
        self.dismiss(None)
