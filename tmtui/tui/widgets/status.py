"""The status bar: the stream and the alignment in two lines.

Line 1: model, stream state (connecting, streaming, retrying n, done, interrupted, cut, error),
tokens, tokens/s, elapsed, steps parsed, step accuracy so far, and the display flags (paused,
follow, parser). Line 2: the first divergence with its step and diagnosis, once there is one.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from tmtui.core.text import one_line
from tmtui.live.status import StreamStatus
from tmtui.live.trace import Trace
from tmtui.tui.widgets.paint import PAINT_CLASSES, PAINT_CSS, Painter

__all__ = ["StatusBar"]

_STATE_PAINT = {
    "connecting": "busy",
    "streaming": "correct",
    "retrying": "busy",
    "done": "bold",
    "interrupted": "busy",
    "cut": "busy",
    "error": "wrong",
    "loaded": "bold",
    "replay": "accent",
    "idle": "dim",
}


class StatusBar(Painter, Widget):
    """Two lines of status; ``clock`` None hides the times (deterministic screenshots)."""

    DEFAULT_CSS = (
        """
    StatusBar {
        height: 2;
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

    def __init__(
        self,
        trace: Trace,
        status: StreamStatus,
        *,
        clock: Callable[[], float] | None = time.monotonic,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.trace = trace
        self.status = status
        self.clock = clock
        self.flags: list[str] = []

    def update_status(self) -> None:
        self.refresh()

    def render(self) -> Text:
        st = self.status
        tr = self.trace
        now = self.clock() if self.clock is not None else 0.0
        p = self.paint
        bold = p("bold")
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(one_line(st.model or "model", 40), style=bold)
        t.append(" · ")
        state = st.state
        label = f"retrying {st.retries}" if state == "retrying" else state
        if state == "retrying" and st.error:
            label += f" ({one_line(st.error, 70)})"
        if state == "error" and st.error:
            label = f"error: {one_line(st.error, 80)}"
        t.append(label, style=p(_STATE_PAINT.get(state, "bold")))
        n, exact = st.token_count()
        if n or exact or not tr.answer.length:
            t.append(f" · {'' if exact else '≈'}{n:,} tok")
        else:
            t.append(f" · {tr.answer.length:,} chars")
        if self.clock is not None:
            rate = st.rate(now)
            if rate is not None:
                t.append(f" · {rate:,.0f} tok/s")
            el = st.elapsed(now)
            if el is not None:
                t.append(f" · {el:.1f} s")
        written = tr.written + len(tr.extra)
        t.append(f" · steps {written}/{tr.n_truth}")
        acc = tr.accuracy()
        if acc is not None:
            t.append(f" · acc {tr.correct}/{tr.written} ({acc:.0f}%)")
        for flag in self.flags:
            t.append("  ")
            t.append(f" {flag} ", style=p("accent") + Style(reverse=True, bold=True))
        if st.held:
            t.append(f" {st.held:,} chunks held", style=p("dim"))
        t.append("\n")
        fd = tr.first_divergence
        diag = tr.diagnosis()
        if fd is not None:
            msg = diag.message if diag is not None else tr.verdict(fd).value
            t.append("first divergence: ", style=bold)
            t.append(f"step {fd}", style=p("wrong") + bold)
            t.append(" — " + one_line(msg, 300))
        elif tr.final and tr.passed:
            t.append("✓ every step correct", style=p("correct") + bold)
            if diag is not None:
                t.append(" — " + one_line(diag.message, 300), style=p("dim"))
        elif tr.final:
            t.append("no step was written", style=p("dim"))
        else:
            t.append("no divergence so far", style=p("dim"))
        return t
