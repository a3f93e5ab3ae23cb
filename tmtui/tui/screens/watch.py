"""The trace debugger: one answer beside the true simulation, live or saved.

``tmtui watch`` opens it on a live stream; ``tmtui view`` opens it on a saved sample (and can
replay that sample live, or scrub its timeline). Panels: the alignment, the model's raw text
(with its reasoning in a collapsible panel), the ground truth and the selected step in full;
the instance header above, the status bar and the keys below. At 80x24 (or anything narrower
than 100 columns or shorter than 28 rows) the panels become tabs.

Selection is one step for every panel: moving in the alignment scrolls the raw text to that
step's queue and the truth to its row; clicking the raw text selects the step written there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container, Vertical
from textual.screen import Screen
from textual.widgets import Collapsible, Static, Tab, Tabs

from tmtui.core.parsed import ParserMode
from tmtui.live.feeds import replay_events
from tmtui.live.sample import Sample
from tmtui.live.status import StreamStatus
from tmtui.live.timing import RecordedTiming
from tmtui.live.trace import Changes, Trace
from tmtui.tui.controller import EventSource, StreamController
from tmtui.tui.memory import freeze_long_lived
from tmtui.tui.safe import clip_words, shown
from tmtui.tui.screens.actions import SampleActions
from tmtui.tui.screens.keys import DEBUGGER_KEYS
from tmtui.tui.widgets.alignment import AlignmentTable
from tmtui.tui.widgets.detail import StepDetail
from tmtui.tui.widgets.header import InstanceHeader
from tmtui.tui.widgets.keybar import KeyBar
from tmtui.tui.widgets.rows import RowTable
from tmtui.tui.widgets.status import StatusBar
from tmtui.tui.widgets.timeline import Timeline
from tmtui.tui.widgets.trace_table import TruthTable
from tmtui.tui.widgets.transcript import TranscriptView

__all__ = ["DebuggerScreen"]

PANELS = ("align", "output", "truth", "detail")
PANEL_TITLES = {
    "align": "Alignment",
    "output": "Model output",
    "truth": "Ground truth",
    "detail": "Step",
}
TRUTH_LEGEND = "cell←step: the tape cell read ← the step that wrote it"
NARROW_WIDTH = 100
NARROW_HEIGHT = 28


class DebuggerScreen(SampleActions, Screen):
    """The debugger on one trace (see the module doc)."""

    BINDINGS: ClassVar[list[BindingType]] = DEBUGGER_KEYS

    def __init__(
        self,
        trace: Trace,
        *,
        sample: Sample | None = None,
        source: EventSource | None = None,
        make_recorder: Callable[[], Any] | None = None,
        model: str = "",
        save_path: Path | None = None,
        live: bool = False,
        can_go_back: bool = False,
        title: str = "",
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        self.trace = trace
        self.sample = sample
        self.save_path = save_path or Path("tmtui-saved.jsonl")
        self.live = live
        self.can_go_back = can_go_back
        self.title_text = title
        self.selected = 0
        self.follow = live
        self.announced = False
        self._announced_fd: int | None = None
        self._reasoning_shown = False
        self._error_shown = False
        self._detail_timer = None
        self._last_fd: int | None = None
        self._binding_state: tuple | None = None
        self._frozen_final = False
        self.clock = clock
        self.status = StreamStatus(model=model or (sample.model if sample else ""))
        if sample is not None and source is None:
            source = self._replay_source(sample)
        self.controller: StreamController | None = None
        if source is not None:
            kw = {} if clock is None else {"clock": clock}
            self.controller = StreamController(
                self,
                trace,
                self.status,
                source,
                on_changes=self.apply_changes,
                make_recorder=make_recorder,
                **kw,
            )
        self.timing: RecordedTiming | None = None
        if sample is not None:
            self.timing = RecordedTiming(
                len(sample.answer), len(sample.reasoning), sample.chunks, start_ms=sample.start_ms
            )

    @staticmethod
    def _replay_source(sample: Sample) -> EventSource:
        def source(cancel):
            return replay_events(
                sample.answer,
                sample.reasoning,
                sample.chunks or None,
                start_ms=sample.start_ms,
                finish_reason=sample.finish_reason,
                status=sample.status,
                cancel=cancel,
                speed=1.0 if sample.chunks else 0.0,
            )

        return source

    # -- layout -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        tr = self.trace
        yield InstanceHeader(tr.instance, source=self.title_text, id="header")
        yield Tabs(*(Tab(PANEL_TITLES[p], id=f"tab-{p}") for p in PANELS), id="tabs")
        with Container(id="panels"):
            with Vertical(id="p-align", classes="panel -active"):
                yield AlignmentTable(tr, id="alignment")
            with Vertical(id="p-output", classes="panel"):
                with Collapsible(title="Reasoning", collapsed=True, id="reasoning-box"):
                    yield TranscriptView(tr.reasoning, None, gutter=False, id="reasoning")
                yield TranscriptView(tr.answer, tr, id="transcript")
            with Vertical(id="p-truth", classes="panel"):
                yield Static(TRUTH_LEGEND, id="truth-legend", markup=False)
                yield TruthTable(tr.run, id="truth")
            with Vertical(id="p-detail", classes="panel"):
                yield StepDetail(tr, id="detail")
        if self.timing is not None:
            yield Timeline(self.timing, id="timeline")
        yield StatusBar(tr, self.status, clock=self.clock, id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        for p in PANELS:
            self.query_one(f"#p-{p}").border_title = PANEL_TITLES[p]
        self.query_one("#transcript", TranscriptView).follow = self.follow
        self.query_one("#reasoning", TranscriptView).follow = True
        if self.sample is not None and not self.live:
            self._load_complete()
        self.query_one("#alignment", AlignmentTable).focus()
        self._layout_for(self.size.width, self.size.height)
        if self.live and self.controller is not None:
            self.controller.start()
        self.apply_changes(Changes(reset=True))
        self.call_after_refresh(self._reasoning_title)
        if not self.live:
            self.call_after_refresh(self.select, self.trace.first_divergence or 0)
        self._freeze_when_final()

    def _load_complete(self) -> None:
        s = self.sample
        assert s is not None
        tr = self.trace
        if tr.answer.length == 0 and not tr.final:
            tr.feed(s.answer, s.reasoning)
        if not tr.final:
            tr.finish(s.status, s.finish_reason, s.error)
        st = self.status
        st.state = {"complete": "done"}.get(s.status, s.status)
        if s.finish_reason == "length":
            st.state = "cut"
        st.tokens = s.tokens
        st.chunks = len(s.chunks)
        if s.elapsed_ms is not None:
            st.elapsed_override = s.elapsed_ms / 1e3

    def on_resize(self, event) -> None:
        self._layout_for(event.size.width, event.size.height)

    def _layout_for(self, width: int, height: int) -> None:
        narrow = width < NARROW_WIDTH or height < NARROW_HEIGHT
        self.set_class(narrow, "-narrow")

    def on_unmount(self) -> None:
        if self.controller is not None:
            self.controller.close()

    # -- updates ----------------------------------------------------------------------
    def refresh_status(self) -> None:
        bar = self.query_one("#status", StatusBar)
        flags = []
        if self.controller is not None and self.controller.paused:
            flags.append("paused")
        if self.follow and self.live:
            flags.append("follow")
        if self.trace.mode is ParserMode.TMBENCH:
            flags.append("compat: official regex")
        bar.flags = flags
        bar.fit_height(self.size.width or self.app.size.width)
        bar.refresh()

    def apply_changes(self, ch: Changes) -> None:
        """The trace changed (a flush, a finish, a mode switch, a scrub): refresh the views
        (in one screen update)."""
        if not self.is_mounted:
            return
        with self.app.batch_update():
            self._apply(ch)

    def _apply(self, ch: Changes) -> None:
        tr = self.trace
        align = self.query_one("#alignment", AlignmentTable)
        text = self.query_one("#transcript", TranscriptView)
        reasoning = self.query_one("#reasoning", TranscriptView)
        if text.lines is not tr.answer:
            text.set_source(tr.answer, tr)
        elif ch.first_line is not None:
            text.text_changed(ch.first_line)
        elif ch.reset:
            text.sync()
        if reasoning.lines is not tr.reasoning:
            reasoning.set_source(tr.reasoning)
        elif ch.reasoning_line is not None:
            reasoning.text_changed(ch.reasoning_line)
            self._reasoning_title()
        elif ch.reset:
            reasoning.sync()
        if self.live and tr.reasoning.length and not self._reasoning_shown:
            # show the reasoning as it streams (once: z folds it away for good)
            self._reasoning_shown = True
            self._reasoning_title()
            self.query_one("#reasoning-box", Collapsible).collapsed = False
        align.update_rows()
        if ch.reset:
            align.invalidate()
            text.marks_changed(None)
            if tr.final:
                text.set_reasoning_spans(tr.parse_result().reasoning_spans)
            self._reasoning_title()
        elif ch.steps:
            align.invalidate(tr.row_of_step(k) for k in ch.steps)
            text.marks_changed(ch.steps)
        fd = tr.first_divergence
        if fd != self._last_fd:  # the tinted row moves
            align.invalidate(tr.row_of_step(k) for k in (self._last_fd, fd) if k is not None)
            self._last_fd = fd
        if self.follow and self.live and tr.last_written >= 0:
            self.select(min(tr.last_written, max(0, tr.row_count - 1)), keep_follow=True)
        elif ch.reset or self.selected in ch.steps:
            self._show_detail(self.selected, soon=bool(self.controller and self.controller.running))
        self._titles()
        self.refresh_status()
        self._announce()
        if self.status.state == "error" and not self._error_shown:
            self._error_shown = True
            self.notify(
                clip_words(shown(self.status.error or "the stream failed"), 100),
                title="Stream error: no answer",
                severity="error",
                timeout=6,
            )
        self._freeze_when_final()
        # which keys apply changed (the footer rebuilds itself: only when needed)
        state = (self.controller is not None and self.controller.running, self.live)
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    def _freeze_when_final(self) -> None:
        """Once the whole trace is read (a saved sample loaded, a stream finished), it lives
        as long as this screen: out of the collector's full collections
        (:mod:`tmtui.tui.memory`). A restart reads a new stream: frozen again at its end."""
        if not self.trace.final:
            self._frozen_final = False
        elif not self._frozen_final:
            self._frozen_final = True
            self.call_after_refresh(freeze_long_lived)

    def _reasoning_title(self) -> None:
        box = self.query_one("#reasoning-box", Collapsible)
        n = self.trace.reasoning.length
        box.title = f"Reasoning ({n:,} chars)" if n else "Reasoning (none)"
        box.set_class(n == 0, "-empty")

    def _titles(self) -> None:
        tr = self.trace
        wrong = tr.written - tr.correct
        self.query_one("#p-align").border_subtitle = (
            f"✓ {tr.correct}  ✗ {wrong}  of {tr.n_truth}"
            + (f"  + {len(tr.extra)}" if tr.extra else "")
        )
        # count what streams: the reasoning arrives first, the answer after it
        a, r = tr.answer.length, tr.reasoning.length
        self.query_one("#p-output").border_subtitle = (
            f"answer {a:,} · reasoning {r:,} chars" if r else f"{a:,} chars"
        )

    def _announce(self) -> None:
        """Announce the first divergence once (a short toast: the status line and the Step
        panel have the whole diagnosis); a toast whose divergence is gone or moved — a mode
        switch, a new try, an echo that settled — is cleared, never left stale."""
        tr = self.trace
        fd = tr.first_divergence
        if self.announced and fd != self._announced_fd:
            self.app.clear_notifications()
            self.announced = False
        if fd is None or self.announced:
            return
        self.announced = True
        self._announced_fd = fd
        diag = tr.diagnosis()
        what = diag.kind.label if diag is not None else tr.verdict(fd).value
        self.notify(what, title=f"First divergence at step {fd}", severity="warning", timeout=5)

    # -- selection --------------------------------------------------------------------
    def select(
        self, step: int, *, origin: str = "", keep_follow: bool = False, scroll: bool = True
    ) -> None:
        tr = self.trace
        if tr.row_count == 0:
            return
        row = min(max(0, tr.row_of_step(step)), tr.row_count - 1)
        step = tr.step_of_row(row)
        if not keep_follow and self.follow:
            self.follow = False
            self.query_one("#transcript", TranscriptView).follow = False
        self.selected = step
        self.query_one("#alignment", AlignmentTable).cursor = row
        truth = self.query_one("#truth", TruthTable)
        truth.cursor = min(step, truth.row_count - 1)
        text = self.query_one("#transcript", TranscriptView)
        text.select(step, scroll=scroll and origin != "transcript" and not keep_follow)
        self._show_detail(step, soon=keep_follow)
        self.refresh_status()

    def _show_detail(self, step: int, *, soon: bool = False) -> None:
        """Show a step in the detail panel; while following a stream, at most 4 times a
        second (the panel's text changes height, and that costs a layout)."""
        detail = self.query_one("#detail", StepDetail)
        if not soon:
            detail.show(step)
            return
        if self._detail_timer is None:
            self._detail_timer = self.set_timer(0.25, self._detail_due)

    def _detail_due(self) -> None:
        self._detail_timer = None
        self.query_one("#detail", StepDetail).show(self.selected)

    @on(RowTable.RowClicked)
    def _row_clicked(self, event: RowTable.RowClicked) -> None:
        if isinstance(event.table, AlignmentTable):
            self.select(self.trace.step_of_row(event.row), origin="alignment")
        else:
            self.select(event.row, origin="truth")

    @on(TranscriptView.Clicked, "#transcript")
    def _text_clicked(self, event: TranscriptView.Clicked) -> None:
        step = self.trace.positions.step_at(event.offset)
        if step is not None:
            self.select(step, origin="transcript")

    @on(Tabs.TabActivated, "#tabs")
    def _tab(self, event: Tabs.TabActivated) -> None:
        name = (event.tab.id or "tab-align").removeprefix("tab-")
        for p in PANELS:
            self.query_one(f"#p-{p}").set_class(p == name, "-active")
        if name == "output" and not self.follow:
            # a hidden panel cannot scroll: bring the selected step into view once shown
            text = self.query_one("#transcript", TranscriptView)
            self.call_after_refresh(text.scroll_to_step, self.selected)

    @on(Timeline.Scrubbed)
    def _scrubbed(self, event: Timeline.Scrubbed) -> None:
        self.show_time(event.t)
