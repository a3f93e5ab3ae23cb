"""The Textual application behind ``tmtui watch`` and ``tmtui view``.

The app itself is thin: it holds the theme, the keymap and the command palette, and opens the
first screen of a *plan* (:mod:`tmtui.tui.plans`) — a :class:`WatchPlan` (one live stream
into the debugger) or a :class:`ViewPlan` (a sample list over saved records, or two files
compared). Screens do the work; the stream lives in :mod:`tmtui.tui.controller`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from tmtui.live.trace import Trace
from tmtui.tui.commands import BindingCommands
from tmtui.tui.memory import freeze_long_lived, thaw
from tmtui.tui.plans import ReportPlan, ViewPlan, WatchPlan
from tmtui.tui.safeapp import SafeApp

__all__ = ["TmtuiApp"]

THEMES = {"dark": "textual-dark", "light": "textual-light"}


class TmtuiApp(SafeApp[None]):
    """tmtui's terminal UI (``plan`` decides what it opens)."""

    TITLE = "tmtui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS: ClassVar = App.COMMANDS | {BindingCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "quit", show=False, id="app.quit"),
    ]

    def __init__(
        self,
        plan: WatchPlan | ViewPlan | ReportPlan,
        *,
        theme: str = "dark",
        keymap: dict[str, str] | None = None,
        clock: Callable[[], float] | None = time.monotonic,
    ) -> None:
        super().__init__()
        self.plan = plan
        self._theme_name = THEMES.get(theme, theme)
        self._keymap_in = keymap or {}
        self.clock = clock
        self.error: str | None = None

    def on_mount(self) -> None:
        # Everything built so far (modules, styles, widgets) lives as long as the app: keep it
        # out of the garbage collector's full collections, which otherwise stall a screen
        # receiving a fast stream for tens of milliseconds every second or so.
        self.call_after_refresh(freeze_long_lived)
        if self._theme_name in self.available_themes:
            self.theme = self._theme_name
        if self._keymap_in:
            self.set_keymap(self._keymap_in)
        plan = self.plan
        if isinstance(plan, WatchPlan):
            self.push_screen(self._watch_screen(plan))
        elif isinstance(plan, ReportPlan):
            from tmtui.tui.screens.report import ReportScreen

            self.push_screen(ReportScreen(plan.report, save_path=plan.save_path))
        else:
            from tmtui.tui.screens.view import open_view

            open_view(self, plan)

    def open_report_of(self, plan: ViewPlan) -> None:
        """The report screen of what a sample list shows (``r`` in ``tmtui view``)."""
        from tmtui.tui.screens.report import view_report

        self.push_screen(view_report(plan))

    def _watch_screen(self, plan: WatchPlan):
        from tmtui.tui.screens.watch import DebuggerScreen

        trace = Trace(plan.instance, mode=plan.mode)
        return DebuggerScreen(
            trace,
            source=plan.feed.events,
            make_recorder=plan.make_recorder,
            model=plan.feed.model,
            save_path=plan.save_path,
            live=True,
            title=plan.title,
            clock=self.clock,
        )

    async def on_unmount(self) -> None:
        thaw()
        plan = self.plan
        if isinstance(plan, WatchPlan):
            await plan.feed.close()

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        from textual.app import SystemCommand

        yield SystemCommand(
            "Light / dark theme",
            "Switch between the light and the dark theme",
            self.action_toggle_theme,
        )

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"
