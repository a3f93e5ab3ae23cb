"""The status bar: the stream and the alignment in two lines.

Line 1: model, stream state (connecting, streaming, retrying n, done, interrupted, cut, error),
tokens, tokens/s, elapsed, the steps written of the truth's (and any extra), the step accuracy
(correct over the truth's steps: the score's denominator), and the display flags (paused,
follow, parser). At narrow widths the less important parts give way first (see
:mod:`~tmtui.tui.widgets.fitting`); the numbers never do. Line 2: the first divergence with its
step and diagnosis, once there is one — or, for a request that failed or a stream that was
interrupted, that there is no answer to score (never a diagnosis of the model).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from tmtui.core.diagnose import Kind
from tmtui.live.status import StreamStatus
from tmtui.live.trace import Trace
from tmtui.tui.safe import clip_words, shown, shown_text
from tmtui.tui.widgets.fitting import Part, fit_parts
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
        self._rows = 2

    def update_status(self) -> None:
        self.refresh()

    def render(self) -> Text:
        width = max(1, self.content_size.width)
        t = self.stream_line(width)
        t.no_wrap = False
        t.append("\n")
        t.append_text(self.divergence_line(width))
        return t

    def fit_height(self, width: int) -> None:
        """Two lines, or three when the second folds (a long diagnosis). Called by the screen
        before it lays out, so the first layout already has the right height."""
        inner = max(1, width - 2)  # the bar's padding
        rows = 2 if self.divergence_line(inner).cell_len <= inner else 3
        if rows != self._rows:
            self._rows = rows
            self.styles.height = rows

    def stream_line(self, width: int) -> Text:
        """Line 1: what the stream did and how the answer scores so far. At narrow widths
        the model name, the rate, the time and the flags give way first; the step counts and
        the accuracy (the numbers) never do."""
        st = self.status
        tr = self.trace
        now = self.clock() if self.clock is not None else 0.0
        p = self.paint
        bold = p("bold")
        parts: list[Part] = []
        model = st.model or "model"
        parts.append(
            Part.of(
                shown_text(model, bold, 40) + " · ",
                shown_text(model, bold, 16) + " · ",
                Text(""),
                importance=5,
            )
        )
        state = st.state
        label = f"retrying {st.retries}" if state == "retrying" else state
        style = p(_STATE_PAINT.get(state, "bold"))
        forms = [Text(label, style=style)]
        if st.error and state in ("retrying", "error"):
            why = f" ({shown(st.error, 70)})" if state == "retrying" else f": {shown(st.error, 80)}"
            forms.insert(0, Text(label + why, style=style))
        parts.append(Part.of(*forms, importance=0))
        n, exact = st.token_count()
        if n or exact or not tr.answer.length:
            tokens = f" · {'' if exact else '≈'}{n:,} tok"
        else:
            tokens = f" · {tr.answer.length:,} chars"
        parts.append(Part.of(tokens, "", importance=3))
        if self.clock is not None:
            rate = st.rate(now)
            if rate is not None:
                parts.append(Part.of(f" · {rate:,.0f} tok/s", "", importance=6))
            el = st.elapsed(now)
            if el is not None:
                parts.append(Part.of(f" · {el:.1f} s", "", importance=4))
        parts.append(Part.of(f" · steps {tr.written}/{tr.n_truth}", importance=0))
        if tr.extra:
            n_extra = len(tr.extra)
            parts.append(Part.of(f" +{n_extra} extra", f" +{n_extra}", importance=1))
        acc = tr.accuracy()
        if acc is not None:
            parts.append(
                Part.of(
                    f" · acc {tr.correct}/{tr.n_truth} ({acc:.0f}%)",
                    f" · acc {tr.correct}/{tr.n_truth}",
                    importance=0,
                )
            )
        flag_style = p("accent") + Style(reverse=True, bold=True)
        for flag in self.flags:
            short = _SHORT_FLAGS.get(flag, flag)
            parts.append(
                Part.of(
                    Text("  ") + Text(f" {flag} ", style=flag_style),
                    Text(" ") + Text(f" {short} ", style=flag_style),
                    Text(""),
                    importance=2 if flag == "paused" else 4,
                )
            )
        if st.held:
            parts.append(
                Part.of(
                    Text(f" {st.held:,} chunks held", style=p("dim")),
                    Text(f" {st.held:,} held", style=p("dim")),
                    importance=2,
                )
            )
        return fit_parts(parts, width)

    def divergence_line(self, width: int) -> Text:
        """Line 2: the first divergence (its step always whole), why there is nothing to
        score, or that every step is right. A long diagnosis wraps onto one more line at a
        word boundary and, longer still, ends in an ellipsis after a whole word (the Step
        panel has it all)."""
        tr = self.trace
        p = self.paint
        bold = p("bold")
        row = width
        width = 2 * width - _WRAP_SLACK  # two rows, less what word wrapping may leave empty
        t = Text()
        reason = tr.not_attempted_reason()
        if reason is not None:
            t.append(clip_words(shown(reason), width), style=p("busy") + bold)
            return t
        fd = tr.first_divergence
        diag = tr.diagnosis()
        if fd is not None:
            head = "first divergence: " if row >= 50 else "first ✗ "
            t.append(head, style=bold)
            t.append(f"step {fd}", style=p("wrong") + bold)
            msg = shown(diag.message if diag is not None else tr.verdict(fd).value)
            hint = ""
            if diag is not None and diag.kind is Kind.READ_DIFFERENTLY:
                msg = diag.kind.label
                hint = " (the parse inspector, i, shows both readings)"
            room = width - t.cell_len - 3
            if room > 4:
                t.append(" — " + clip_words(msg + hint, room))
        elif tr.final and tr.passed:
            t.append("✓ every step correct", style=p("correct") + bold)
            if diag is not None:
                room = width - t.cell_len - 3
                if room > 4:
                    t.append(" — " + clip_words(shown(diag.message), room), style=p("dim"))
        elif tr.final:
            t.append("no step was written", style=p("dim"))
        else:
            t.append("no divergence so far", style=p("dim"))
        return t


_WRAP_SLACK = 16
_SHORT_FLAGS = {"compat: official regex": "compat", "follow": "follow", "paused": "paused"}
