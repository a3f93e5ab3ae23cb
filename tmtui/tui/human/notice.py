"""A served session that cannot go on says why in the participant's own tab.

Served to a browser (``tmtui human serve``), a session process that stops at once — the
participant has done their whole assignment, or the store cannot be opened — would leave the
tab with textual-serve's bare "session has stopped". :class:`NoticeApp` shows one plain message
instead, until the tab is closed; the details (paths, the store's error) stay in the server's
output, never in a participant's page.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Middle
from textual.widgets import Static

from tmtui.tui.safe import shown_text
from tmtui.tui.safeapp import SafeApp

__all__ = ["NoticeApp"]

STORE_PROBLEM = (
    "This session cannot be opened just now. Nothing you submitted is lost: "
    "please tell the person running the study."
)


class NoticeApp(SafeApp[None]):
    """One message for the participant, and nothing else to do (ctrl+q ends it)."""

    TITLE = "tmtui human"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "quit", "leave", show=False)]
    CSS = """
    Screen { align: center middle; }
    #notice { width: auto; max-width: 70; padding: 1 2; border: round $primary; }
    #hint { color: $text-muted; width: auto; max-width: 70; padding: 1 2 0 2; }
    """

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Middle():
            with Center():
                yield Static(shown_text(self.message, limit=400), id="notice")
            with Center():
                yield Static("You can close this tab.", id="hint")
