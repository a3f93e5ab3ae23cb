"""The first screen (the task in plain words, a worked example, what the session holds; on a
resumed session, where it goes on) and the last one (the session is done)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tmtui.human.views import View
from tmtui.tui.human.driver import Driver
from tmtui.tui.human.keys import DONE_KEYS, INTRO_KEYS
from tmtui.tui.human.parts import clock_words
from tmtui.tui.safe import shown
from tmtui.tui.widgets.keybar import KeyBar

__all__ = ["DoneScreen", "IntroScreen"]


class IntroScreen(Screen):
    """The task, dismissed with Enter."""

    BINDINGS: ClassVar[list[BindingType]] = INTRO_KEYS

    def __init__(self, text: str, view: View) -> None:
        super().__init__()
        self.text = text
        self.view = view
        self._entered = False  # Enter was pressed: what is typed next is for the entry line

    def compose(self) -> ComposeResult:
        title = Text("tmtui human", style="bold")
        title.append(f" · participant {shown(self.view.participant, 24)}")
        yield Static(title, id="intro-title", markup=False)
        if self.view.resumed is not None:
            yield Static(
                Text(shown(self.view.resumed.message), style="bold"),
                id="intro-resumed",
                markup=False,
            )
        with VerticalScroll(id="intro-body"):
            yield Static(Text(shown_lines(self.text)), id="intro-text", markup=False)
        yield Static(self._prompt(more=False), id="intro-prompt", markup=False)
        yield KeyBar()

    def _prompt(self, *, more: bool) -> Text:
        begin = "go on" if self.view.resumed is not None else "begin"
        prompt = Text(f"Press Enter to {begin}", style="bold")
        prompt.append(f" (next: {shown(self.view.next)})")
        if more:
            prompt.append(" · ↓ more text below", style="bold")
        return prompt

    def on_mount(self) -> None:
        body = self.query_one("#intro-body", VerticalScroll)
        body.focus()
        self.watch(body, "scroll_y", lambda _old, _new: self._more(), init=False)
        self.call_after_refresh(self._more)

    def on_resize(self) -> None:
        self.call_after_refresh(self._more)

    def _more(self) -> None:
        body = self.query_one("#intro-body", VerticalScroll)
        more = body.max_scroll_y > 0 and body.scroll_y < body.max_scroll_y
        self.query_one("#intro-prompt", Static).update(self._prompt(more=more))

    def action_begin(self) -> None:
        app: Driver = self.app  # type: ignore[assignment]
        app.begin()

    def on_key(self, event: events.Key) -> None:
        """Keys typed after Enter reach this screen until the instance screen is drawn (they
        are dispatched before Enter's action has run): keep their characters for its entry
        line instead of losing them. This screen types nothing itself."""
        if event.key == "enter":
            self._entered = True
        elif self._entered and event.is_printable and event.character:
            app: Driver = self.app  # type: ignore[assignment]
            app.typed_ahead.append(event.character)
            event.stop()


def shown_lines(text: str) -> str:
    """Text of several lines, each made visible."""
    return "\n".join(shown(line) for line in text.split("\n"))


class DoneScreen(Screen):
    """The session is over."""

    BINDINGS: ClassVar[list[BindingType]] = DONE_KEYS

    def __init__(self, view: View) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        v = self.view
        t = Text("The session is finished. Thank you!\n\n", style="bold")
        t.append(f"You worked through {v.done} of {v.total} instances")
        t.append(f" in {clock_words(v.session_active_s)} of active time.\n")
        t.append("Everything you submitted is stored. You can close this window now.")
        yield Static(t, id="done-text", markup=False)
        yield KeyBar()

    def action_leave(self) -> None:
        self.app.exit()
