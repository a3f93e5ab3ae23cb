"""What every tmtui app shares: messages and titles made visible, and messages shown in the
key bar (:class:`~tmtui.tui.widgets.keybar.KeyBar`) instead of as toasts.

:class:`~tmtui.tui.app.TmtuiApp` (``watch``, ``view``) and
:class:`~tmtui.tui.human.app.HumanApp` (``human``) are both made on it.
"""

from __future__ import annotations

from textual.app import App, ReturnType
from textual.notifications import SeverityLevel

from tmtui.tui.safe import install_terminal_guard, shown

__all__ = ["SafeApp"]


class SafeApp(App[ReturnType]):
    """An app whose messages and titles are visible text (see the module doc)."""

    def __init__(self) -> None:
        install_terminal_guard()  # the net under every widget (tmtui.tui.safe)
        super().__init__()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification, as visible text: messages often hold data (a diagnosis, a file
        name, a server's error), so none is markup and none reaches the terminal raw."""
        super().notify(
            shown(message, 300),
            title=shown(title, 80),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def _refresh_notifications(self) -> None:
        """A message came or went: the key bar shows it (textual 8.2.8, pinned, calls this
        after every notify, expiry and clear)."""
        super()._refresh_notifications()
        from tmtui.tui.widgets.keybar import KeyBar

        try:
            bars = list(self.screen.query(KeyBar))
        except Exception:  # no screen yet, or one being torn down
            return
        for bar in bars:
            bar.call_later(bar.messages_changed)

    def validate_title(self, title: object) -> str:
        return shown(title, 200)

    def validate_sub_title(self, sub_title: object) -> str:
        return shown(sub_title, 200)
