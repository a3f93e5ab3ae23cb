"""The entry line (Textual's one-line input, telling the session about every key typed on it
(the step's time to its first key, and the key log with ``--record-keys``)), and the
widget that shows text fitted to its width."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Input

__all__ = ["EntryLine", "Fitted", "Message"]


class EntryLine(Input, inherit_bindings=False):
    """An :class:`Input` that calls ``on_key(key)`` for each key pressed on it (the character
    for a printable key, else the key's name) and for a paste (``paste:<text>``).

    Enter, ↑ and the screen's other keys are not its own: they are the screen's priority
    bindings, and the screen acts on them once the entry has taken the keys typed before
    them (``InstanceScreen._in_order``), so a fast typist's (or a paste's) last character is
    never left out of what Enter submits, nor the next step's first one put in."""

    BINDINGS: ClassVar[list[BindingType]] = [
        b for b in Input.BINDINGS if isinstance(b, Binding) and b.key != "enter"
    ]

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
        # Input's own _on_paste then inserts the text: textual calls every class's handler
        # along the MRO (calling it here as well pasted everything twice)
        if event.text:
            self._report("paste:" + event.text.splitlines()[0])


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
        self._cache: tuple[int, Text, int] | None = None  # width, text, its height

    def set(self, make: Callable[[int], Text]) -> None:
        self._make = make
        self._cache = None
        self.refresh(layout=True)

    def _made(self, width: int) -> tuple[int, Text, int]:
        if self._cache is None or self._cache[0] != width:
            text = self._make(width)
            height = len(text.wrap(self.app.console, max(1, width)))
            self._cache = (width, text, height)
        return self._cache

    def render(self) -> Text:
        return self._made(self.content_size.width or 80)[1]

    def get_content_height(self, container, viewport, width: int) -> int:
        return self._made(width)[2]


class Message(Widget):
    """Text that changes often in a place of fixed height (the line under the entry, which
    changes with every key; the top line, with every tick of the clock): a new text repaints
    only itself, never the layout of the screen."""

    DEFAULT_CSS = """
    Message {
        height: 2;
    }
    """

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._text = Text()

    def say(self, text: Text) -> None:
        if text != self._text:
            self._text = text
            self.refresh()

    def render(self) -> Text:
        return self._text
