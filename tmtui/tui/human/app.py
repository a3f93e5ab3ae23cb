"""The app behind ``tmtui human``: one participant's session, screen by screen.

It calls the session (:class:`tmtui.human.Session`) for everything the participant does and
shows the view each call returns: the first screen, the instance screen, the finished attempt
(feedback), the end. A timer calls :meth:`~tmtui.human.Session.tick` a few times a second (the
countdown, the time limit, the clocks saved); the terminal's (or browser's) focus events stop
and start the clock.

It has no command palette and no key that opens a file or shows another participant's data:
the same app is served to a browser (``textual-serve``), where the participant must reach
nothing but their own session. A store failure (a full disk) ends the app with its one line in
:attr:`HumanApp.error` (the command prints it and exits 2); what was submitted before it is in
the database, and the same command resumes there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.binding import BindingType

from tmtui.human.session import Session
from tmtui.human.views import EventKind, Phase, Update
from tmtui.io.humandb import HumanDbError
from tmtui.tui.human.feedback import FeedbackScreen
from tmtui.tui.human.instance import InstanceScreen
from tmtui.tui.human.intro import DoneScreen, IntroScreen
from tmtui.tui.human.keys import APP_KEYS
from tmtui.tui.safeapp import SafeApp

__all__ = ["HumanApp"]

THEMES = {"dark": "textual-dark", "light": "textual-light"}
HERE = Path(__file__).resolve().parent


class HumanApp(SafeApp[None]):
    """A participant's session on screen (see the module doc)."""

    TITLE = "tmtui human"
    CSS_PATH: ClassVar = [HERE.parent / "app.tcss", HERE / "human.tcss"]
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = APP_KEYS
    TICK_S = 0.25  # how often the timer calls the session

    def __init__(
        self,
        session: Session,
        *,
        theme: str = "dark",
        keymap: dict[str, str] | None = None,
        timer: bool = True,
    ) -> None:
        super().__init__()
        self.session = session
        self.typed_ahead: list[str] = []  # see Driver.typed_ahead
        self._theme_name = THEMES.get(theme, theme)
        self._keymap_in = keymap or {}
        self._timer = timer
        self.error: str | None = None
        self.on_update: Callable[[Update], None] | None = None  # for tests and benchmarks

    def on_mount(self) -> None:
        if self._theme_name in self.available_themes:
            self.theme = self._theme_name
        if self._keymap_in:
            self.set_keymap(self._keymap_in)
        s = self.session
        self.push_screen(IntroScreen(s.intro(), s.view()))
        if self._timer:
            self.set_interval(self.TICK_S, self.tick)

    # -- the session's calls ------------------------------------------------------------
    def _call(self, fn: Callable[..., Update], *args: object) -> Update | None:
        """Call the session; a store failure ends the app with its line."""
        if self.error is not None:
            return None
        try:
            update = fn(*args)
        except HumanDbError as exc:
            self.error = str(exc)
            self.exit()
            return None
        if self.on_update is not None:
            self.on_update(update)
        return update

    def _act(self, fn: Callable[..., Update], *args: object) -> Update | None:
        """Call the session and show what the call did."""
        update = self._call(fn, *args)
        if update is not None:
            self.show(update)
        return update

    def begin(self) -> None:
        self._act(self.session.start)

    def submit(self, text: str) -> Update | None:
        return self._act(self.session.submit, text)

    def correct(self, text: str) -> Update | None:
        return self._act(self.session.correct, text)

    def go_on(self) -> None:
        self._act(self.session.next)

    def toggle_pause(self) -> None:
        s = self.session
        self._act(s.resume if s.paused else s.pause)

    def key_typed(self, key: str) -> None:
        self.session.type_key(key)

    def tick(self) -> None:
        if self.error is not None or self.session.phase is Phase.CLOSED:
            return
        update = self._call(self.session.tick)
        if update is None:
            return
        if update.events:
            self.show(update)
        elif isinstance(self.screen, InstanceScreen) and update.view.instance is not None:
            self.screen.show_clock(update.view)

    # -- focus: the terminal (or the browser tab) ------------------------------------------
    def on_app_blur(self, event: events.AppBlur) -> None:
        update = self._call(self.session.focus_lost)
        if update is not None and update.events:
            self.show(update)

    def on_app_focus(self, event: events.AppFocus) -> None:
        update = self._call(self.session.focus_gained)
        if update is not None and update.events:
            self.show(update)

    # -- keys -----------------------------------------------------------------------------
    def action_pause(self) -> None:
        if self.session.phase in (Phase.INTRO, Phase.INSTANCE, Phase.FEEDBACK):
            self.toggle_pause()

    def action_leave(self) -> None:
        self.exit()

    # -- screens --------------------------------------------------------------------------
    def show(self, update: Update) -> None:
        """Show what a call did: the screen of the session's phase, and its messages."""
        view = update.view
        for ev in update.events:
            if ev.kind is EventKind.INSTANCE_ENDED and ev.message:
                self.notify(ev.message, severity="warning", timeout=6)
            elif ev.kind is EventKind.INSTANCE_ENDED and ev.reason == "step-cap":
                self.notify("the step cap was reached: the instance ended", timeout=5)
        screen = self.screen
        if view.phase is Phase.INSTANCE:
            if isinstance(screen, InstanceScreen):
                with self.batch_update():  # one screen update for all it changes
                    screen.show(view, update)
            else:
                self.switch_screen(InstanceScreen(view))
        elif view.phase is Phase.FEEDBACK and view.result is not None:
            if not isinstance(screen, FeedbackScreen):
                self.switch_screen(FeedbackScreen(view.result, view))
        elif view.phase is Phase.DONE:
            if not isinstance(screen, DoneScreen):
                self.switch_screen(DoneScreen(view))
        elif isinstance(screen, InstanceScreen):
            screen.show(view, update)
