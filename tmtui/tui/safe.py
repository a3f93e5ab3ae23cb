"""Untrusted text on the terminal: how every string from a file, a stream or an argument reaches
the screen.

Model output, dataset strings (alphabet symbols, initial queues, productions, dataset names),
record fields (model names, error texts, positions), file names and stream errors are *data*.
The screens never put them on the terminal as they are:

* **One helper.** Widgets show such a string through :func:`shown` (a visible one-line string,
  optionally cut) or :func:`shown_text` (the same as a :class:`rich.text.Text`, never markup);
  queues are cut first and each piece made visible (:func:`tmtui.core.text.visible` maps each
  character on its own, so cutting before or after gives the same text). Notifications go
  through the app's ``notify``, which does the same to every message and title.
* **One net.** Under the helpers, :func:`install_terminal_guard` makes Textual's last step —
  turning a line of the screen into terminal bytes (``Strip.render``) — replace any control,
  C1 or bidi character left in the text by its visible stand-in. A widget written tomorrow
  that forgets the helper still cannot send an escape sequence, a bell or a bidi override to
  the terminal; it only shows a stand-in (and its line may lose a cell at its end).

The net only touches the text of a line, never the styles Textual renders around it, so the
sequences Textual itself writes (colours, cursor moves, the clipboard on ``y``) are unchanged.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from tmtui.core.text import visible

__all__ = ["clip_words", "install_terminal_guard", "shown", "shown_text"]

# what must never reach the terminal inside the text of a line (newlines and tabs included:
# a line of the screen holds neither)
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb"
    "\ud800-\udfff\U000e0000-\U000e007f]"
)


def shown(text: object, limit: int | None = None) -> str:
    """``text`` as one visible line (controls, C1, bidi made visible), cut to ``limit``
    characters with an ellipsis."""
    s = visible(str(text), keep_newlines=False)
    if limit is not None and len(s) > limit:
        s = s[: max(0, limit - 1)] + "…"
    return s


def shown_text(text: object, style: str | Style = "", limit: int | None = None) -> Text:
    """:func:`shown` as a :class:`Text` (never parsed as markup)."""
    return Text(shown(text, limit), style=style)


def clip_words(text: str, width: int) -> str:
    """``text`` (already visible) cut to ``width`` cells at a word boundary, with an ellipsis,
    so that a number is never cut in the middle ("position 3…" for 33 would be a wrong number
    on screen). A single word longer than the width is cut where it must be."""
    from rich.cells import cell_len, set_cell_size

    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    if width == 1:
        return "…"
    head = set_cell_size(text, width - 1)
    cut = head.rstrip()
    space = cut.rfind(" ")
    if space <= 0:
        # one long word (a model name): cut where it must be, but not inside a number
        if cut[-1:].isdigit() and text[len(cut) : len(cut) + 1] in set("0123456789.,"):
            cut = cut.rstrip("0123456789.,")
        return cut + "…"
    if not (len(cut) < len(text) and text[len(cut)] == " "):
        # the cut fell inside a word: end at the last whole word
        cut = cut[:space]
    # a number followed by an ellipsis reads as a number cut short: end before it
    words = cut.split(" ")
    while len(words) > 1 and any(ch.isdigit() for ch in words[-1]):
        words.pop()
    return " ".join(words).rstrip(" ·,;:—-(") + "…"


# -- the net ------------------------------------------------------------------------------

_original_render = Strip.render
_installed = False


def _guarded_render(self: Strip, console: Console) -> str:
    if self._render_cache is None and _UNSAFE.search(self.text):
        segments = [
            Segment(visible(text, keep_newlines=False), style, control)
            for text, style, control in self._segments
        ]
        safe = Strip(segments).crop(0, self.cell_length)
        self._render_cache = _original_render(safe, console)
    return _original_render(self, console)


def install_terminal_guard() -> None:
    """Make every line Textual writes to the terminal show control characters as visible
    stand-ins (see the module doc). Idempotent; the app installs it when it starts."""
    global _installed
    if not _installed:
        Strip.render = _guarded_render  # type: ignore[method-assign]
        _installed = True
