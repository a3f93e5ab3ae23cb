"""The entry line (Textual's one-line input, telling the session about every key typed on it
(the step's time to its first key, and the key log with ``--record-keys``)), and the
widget that shows text fitted to its width."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events
from textual.widget import Widget
from textual.widgets import Input

__all__ = ["EntryLine", "Fitted"]


class EntryLine(Input):
    """An :class:`Input` that calls ``on_key(key)`` for each key pressed on it (the character
    for a printable key, else the key's name) and for a paste (``paste:<text>``)."""

    DEFAULT_CSS = """
    EntryLine {
        width: 1fr;
    }
    """

    def __init__(self, on_key: Callable[[str], None], **kw) -> None:
        # focus never selects the entry: a prefilled queue is typed on, not typed over
        super().__init__(select_on_focus=False, **kw)
        self._report = on_key

    async def _on_key(self, event: events.Key) -> None:
        if event.key != "enter":
            self._report(event.character if event.is_printable and event.character else event.key)
        await super()._on_key(event)

    def _on_paste(self, event: events.Paste) -> None:
        if event.text:
            self._report("paste:" + event.text.splitlines()[0])
        super()._on_paste(event)


class Fitted(Widget):
    """Text made for the width it is shown at (``make(width)``), as tall as it needs: the
    session screens wrap queues and rules themselves, under their labels."""

    DEFAULT_CSS = """
    Fitted {
        height: auto;
    }
    """

    def __init__(self, make: Callable[[int], Text] | None = None, **kw) -> None:
        super().__init__(**kw)
        self._make = make or (lambda _width: Text())
        self._cache: tuple[int, Text] | None = None

    def set(self, make: Callable[[int], Text]) -> None:
        self._make = make
        self._cache = None
        self.refresh(layout=True)

    def _text(self, width: int) -> Text:
        if self._cache is None or self._cache[0] != width:
            self._cache = (width, self._make(width))
        return self._cache[1]

    def render(self) -> Text:
        return self._text(self.content_size.width or 80)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._text(width).wrap(self.app.console, max(1, width)))
