"""The driver a served session runs with (``TEXTUAL_DRIVER``, set by :mod:`tmtui.tui.serve`).

Textual's web driver (textual 8.2.8, pinned) starts every app as if its page had no focus: it
posts an ``AppBlur`` as it starts, and the page's own "focus" (sent when the websocket opens)
can arrive before that ``AppBlur`` is handled. The session would then begin hidden behind
"the window lost focus", with a focus loss logged that never happened. This driver starts as
the terminal's drivers do, focused until told otherwise; the page says at once when it is not
focused (``tmtui-serve.js``), and every later blur and focus from the page passes as before.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.drivers.web_driver import WebDriver

__all__ = ["SessionWebDriver"]


class SessionWebDriver(WebDriver):
    def start_application_mode(self) -> None:
        app = self._app
        schedule = app.call_later

        def call_later(callback: Any, *args: Any, **kwargs: Any) -> bool:
            if callback == app.post_message and args and isinstance(args[0], events.AppBlur):
                return True  # the start's blur, not the page's
            return schedule(callback, *args, **kwargs)

        app.call_later = call_later  # type: ignore[method-assign]
        try:
            super().start_application_mode()
        finally:
            del app.call_later
