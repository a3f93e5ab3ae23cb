"""The replay timeline: scrub through a recorded answer's chunk times.

One line: the time (or, for answers saved without chunk times, the character position), a bar
with the position, and how much of the answer had arrived. Click the bar to jump; the screen
binds the keys (``[`` ``]`` small steps, ``{`` ``}`` large steps).
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

from tmtui.live.timing import RecordedTiming
from tmtui.tui.widgets.paint import PAINT_CLASSES, PAINT_CSS, Painter

__all__ = ["Timeline"]

_LABEL = 24


class Timeline(Painter, Widget):
    """A scrubber over a :class:`RecordedTiming`."""

    DEFAULT_CSS = (
        """
    Timeline {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        background: $panel;
        color: $foreground;
        padding: 0 1;
"""
        + PAINT_CSS
        + """
    }
    """
    )
    COMPONENT_CLASSES = PAINT_CLASSES

    class Scrubbed(Message):
        def __init__(self, timeline: Timeline, t: float) -> None:
            super().__init__()
            self.timeline = timeline
            self.t = t

        @property
        def control(self) -> Timeline:
            return self.timeline

    def __init__(self, timing: RecordedTiming, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timing = timing
        self.t = timing.duration

    def set_time(self, t: float) -> None:
        self.t = min(max(0.0, t), self.timing.duration)
        self.refresh()

    def _label_width(self) -> int:
        tm = self.timing
        head = "replay " if tm.timed else "by position "
        return max(_LABEL, len(head + tm.label(tm.duration)) + 2)

    def _bar_width(self) -> int:
        return max(4, self.content_region.width - self._label_width() - len(self._suffix()))

    def _suffix(self) -> str:
        tm = self.timing
        if not tm.timed:
            return "  (no chunk times recorded)"
        a, _r = tm.at(self.t)
        return f"  {a:,}/{tm.answer_len:,} chars"

    def render(self) -> Text:
        tm = self.timing
        frac = self.t / tm.duration if tm.duration > 0 else 1.0
        width = self._bar_width()
        filled = round(frac * width)
        t = Text(no_wrap=True, overflow="ellipsis")
        head = "replay " if tm.timed else "by position "
        p = self.paint
        t.append(f"{head}{tm.label(self.t)}".ljust(self._label_width()), style=p("bold"))
        t.append("━" * filled, style=p("accent") + p("bold"))
        t.append("╸" if filled < width else "", style=p("accent"))
        t.append("─" * max(0, width - filled - 1), style=p("dim"))
        t.append(self._suffix(), style=p("dim"))
        return t

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        x = offset.x - self._label_width()
        width = self._bar_width()
        if 0 <= x <= width:
            t = self.timing.duration * x / width
            self.set_time(t)
            self.post_message(self.Scrubbed(self, self.t))
