"""A finished attempt in the debugger (after-instance feedback, and every practice instance):
the participant's answer beside the true run, the first divergence selected and marked.

The debugger's own screen and widgets, with the keys of a participant: moving between steps and
panels, and Enter to go on. Its other keys (saving, writing and copying files, the parser
switch, the help and inspector screens) are not bound here, and the app has no command
palette, so nothing on this screen opens a file or shows anyone else's data.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Static, Tab

from tmtui.human.views import AttemptResult, View
from tmtui.tui.human.driver import Driver
from tmtui.tui.human.keys import FEEDBACK_KEYS
from tmtui.tui.human.parts import clock_words
from tmtui.tui.safe import shown
from tmtui.tui.screens.watch import DebuggerScreen

__all__ = ["FeedbackScreen", "result_words"]

ENDS = {
    "halt": "you declared step {halt} final",
    "step-cap": "it reached the step cap",
    "time-limit": "the time ran out",
}


def result_words(result: AttemptResult, view: View) -> Text:
    """One or two lines: how the attempt went, and what comes next."""
    sc = result.score
    kind = "Practice" if result.practice else "Instance"
    iv = view.instance
    t = Text(f"{kind} {iv.number} of {iv.count}" if iv is not None else kind, style="bold")
    end = ENDS.get(result.end_reason, shown(result.end_reason)).format(halt=result.halt_step)
    t.append(f" is over ({end}, {clock_words(result.active_s)}): ")
    t.append(f"{sc.n_correct} of {sc.n_truth} steps right", style="bold")
    if sc.passed:
        t.append(" — all correct", style="bold green")
    elif sc.first_divergence is not None:  # (the status line below says why)
        t.append(f"; first divergence at step {sc.first_divergence}", style="bold red")
    t.append("\nEnter: go on to ", style="dim")
    t.append(shown(view.next), style="dim")
    return t


class FeedbackScreen(DebuggerScreen, inherit_bindings=False):
    """The finished attempt (see the module doc)."""

    BINDINGS: ClassVar[list[BindingType]] = FEEDBACK_KEYS

    def __init__(self, result: AttemptResult, view: View) -> None:
        super().__init__(result.trace(), model="you", title="your attempt")
        self.result = result
        self.view = view
        self.status.state = "done"

    def compose(self) -> ComposeResult:
        yield Static(result_words(self.result, self.view), id="result", markup=False)
        yield from super().compose()

    def on_mount(self) -> None:
        # (the debugger's own on_mount runs after this one: Textual calls each class's)
        self.call_after_refresh(self._titles_for_a_person)

    def _titles_for_a_person(self) -> None:
        self.query_one("#p-output").border_title = "Your answer"
        self.query_one("#tab-output", Tab).label = "Your answer"

    def key_unavailable(self, action: str) -> str | None:
        return None

    def action_go_on(self) -> None:
        app: Driver = self.app  # type: ignore[assignment]
        app.go_on()
