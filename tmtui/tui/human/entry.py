"""The entry line: Textual's one-line input, telling the session about every key typed on it
(the step's time to its first key, and the key log with ``--record-keys``)."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.widgets import Input

__all__ = ["EntryLine"]


class EntryLine(Input):
    """An :class:`Input` that calls ``on_key(key)`` for each key pressed on it (the character
    for a printable key, else the key's name) and for a paste (``paste:<text>``)."""

    DEFAULT_CSS = """
    EntryLine {
        width: 1fr;
    }
    """

    def __init__(self, on_key: Callable[[str], None], **kw) -> None:
        super().__init__(**kw)
        self._report = on_key

    async def _on_key(self, event: events.Key) -> None:
        if event.key != "enter":
            self._report(event.character if event.is_printable and event.character else event.key)
        await super()._on_key(event)

    def _on_paste(self, event: events.Paste) -> None:
        if event.text:
            self._report("paste:" + event.text.splitlines()[0])
        super()._on_paste(event)
