"""The debugger's actions (what its keys do), kept apart from its layout.

A mixin for the debugger screen (:mod:`tmtui.tui.screens.watch`, which this module never
imports): navigation between steps, the live stream (follow, pause, restart), the parser
switch and inspector, the replay timeline, and saving or copying the sample. What it needs of
the screen is declared on the mixin itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.widgets import Collapsible, Tabs

from tmtui.core.parsed import ParserMode
from tmtui.core.text import one_line
from tmtui.live.sample import Sample, safe_name

if TYPE_CHECKING:
    from textual.screen import Screen

    from tmtui.live.status import StreamStatus
    from tmtui.live.timing import RecordedTiming
    from tmtui.live.trace import Changes, Trace
    from tmtui.tui.controller import StreamController

    _Screen = Screen
else:
    _Screen = object

__all__ = ["SampleActions"]


class SampleActions(_Screen):
    """Mixed into the debugger screen, before ``Screen``. The screen sets the state below and
    provides ``select``, ``apply_changes`` and ``refresh_status``."""

    trace: Trace
    sample: Sample | None
    controller: StreamController | None
    timing: RecordedTiming | None
    status: StreamStatus
    save_path: Path
    live: bool
    can_go_back: bool
    follow: bool
    selected: int
    announced: bool
    _announced_fd: int | None
    _error_shown: bool

    if TYPE_CHECKING:

        def select(
            self, step: int, *, origin: str = "", keep_follow: bool = False, scroll: bool = True
        ) -> None: ...

        def apply_changes(self, ch: Changes) -> None: ...

        def refresh_status(self) -> None: ...

    # -- which keys apply -------------------------------------------------------------
    def key_unavailable(self, action: str) -> str | None:
        """Why the key of ``action`` does nothing here and now (None: it applies). The
        footer hides such keys; the help lists them apart, with this reason."""
        if action == "pause" and not (self.controller is not None and self.controller.running):
            return "while a stream is arriving"
        if action == "follow" and not self.live:
            return "while a stream is shown live"
        if action == "restart" and self.controller is None:
            return "when there is a stream to restart"
        if action == "scrub":
            if self.timing is None:
                return "on a saved sample (tmtui view)"
            if self.live:
                return "once the replay has stopped"
        if action == "back" and not self.can_go_back:
            return "on a sample opened from the list (tmtui view)"
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.key_unavailable(action) is None

    # -- navigation -------------------------------------------------------------------
    def action_step(self, delta: int) -> None:
        tr = self.trace
        row = tr.row_of_step(self.selected) + delta
        row = min(max(0, row), max(0, tr.row_count - 1))
        self.select(tr.step_of_row(row), origin="keys")

    def action_first_divergence(self) -> None:
        fd = self.trace.first_divergence
        if fd is None:
            why = self.trace.not_attempted_reason()
            self.notify(why or "no divergence (so far)", timeout=3)
            return
        self.select(fd, origin="keys")

    def action_next_wrong(self) -> None:
        k = self.trace.next_bad(self.selected)
        if k is None:
            self.notify("no wrong step after this one", timeout=3)
            return
        self.select(k, origin="keys")

    def action_prev_wrong(self) -> None:
        k = self.trace.prev_bad(self.selected)
        if k is None:
            self.notify("no wrong step before this one", timeout=3)
            return
        self.select(k, origin="keys")

    def action_top(self) -> None:
        self.select(0, origin="keys")

    def action_end(self) -> None:
        tr = self.trace
        self.select(tr.step_of_row(max(0, tr.row_count - 1)), origin="keys")

    def action_panel(self, name: str) -> None:
        if self.has_class("-narrow"):
            self.query_one("#tabs", Tabs).active = f"tab-{name}"
        target = {
            "align": "#alignment",
            "output": "#transcript",
            "truth": "#truth",
            "detail": "#detail",
        }[name]
        widget = self.query_one(target)
        if widget.focusable:
            widget.focus()

    # -- the live stream --------------------------------------------------------------
    def action_follow(self) -> None:
        from tmtui.tui.widgets.transcript import TranscriptView

        self.follow = not self.follow
        text = self.query_one("#transcript", TranscriptView)
        text.follow = self.follow
        if self.follow:
            tr = self.trace
            if tr.last_written >= 0:
                self.select(tr.last_written, keep_follow=True)
            text.scroll_end(animate=False)
        self.notify("following the stream" if self.follow else "follow off", timeout=2)
        self.refresh_status()

    def action_pause(self) -> None:
        c = self.controller
        if c is None:
            return
        c.set_paused(not c.paused)
        self.refresh_status()

    def action_restart(self) -> None:
        c = self.controller
        if c is None:
            return
        from tmtui.tui.widgets.transcript import TranscriptView

        self.live = True
        self.app.clear_notifications()  # they were about the stream being replaced
        self.announced = False
        self._announced_fd = None
        self._error_shown = False
        self.follow = True
        self.query_one("#transcript", TranscriptView).follow = True
        if c.paused:
            c.paused = False
        self.status.elapsed_override = None
        c.start()
        self.notify("restarted", timeout=2)

    # -- the parser -------------------------------------------------------------------
    def action_toggle_mode(self) -> None:
        tr = self.trace
        mode = tr.mode.other
        self.app.clear_notifications()  # what they said was about the other reading
        ch = tr.set_mode(mode)
        # the status line says the new first divergence; no toast for a switch asked for
        self.announced = tr.first_divergence is not None
        self._announced_fd = tr.first_divergence
        self.apply_changes(ch)
        name = "the strict parser" if mode is ParserMode.STRICT else f"the {mode.label}"
        self.notify(f"parsing with {name}", timeout=3)

    def action_inspector(self) -> None:
        from tmtui.tui.screens.inspector import InspectorScreen

        def chosen(step: int | None) -> None:
            if step is not None:
                self.select(step, origin="inspector")

        self.app.push_screen(InspectorScreen(self.trace), chosen)

    def action_toggle_reasoning(self) -> None:
        box = self.query_one("#reasoning-box", Collapsible)
        box.collapsed = not box.collapsed

    # -- the timeline -----------------------------------------------------------------
    def action_scrub(self, frac: float) -> None:
        if self.timing is None:
            return
        from tmtui.tui.widgets.timeline import Timeline

        tl = self.query_one("#timeline", Timeline)
        tl.set_time(tl.t + frac * self.timing.duration)
        self.show_time(tl.t)

    def show_time(self, t: float) -> None:
        """Show what the model had written at time ``t`` of the recording."""
        s, timing = self.sample, self.timing
        if s is None or timing is None:
            return
        if self.controller is not None and self.controller.running:
            self.controller.stop()
        self.live = False
        a, r = timing.at(t)
        tr = self.trace
        done = t >= timing.duration
        if a < tr.answer.length or r < tr.reasoning.length or tr.final:
            tr.reset()
            ch = tr.feed(s.answer[:a], s.reasoning[:r])
        else:
            ch = tr.feed(s.answer[tr.answer.length : a], s.reasoning[tr.reasoning.length : r])
        if done:
            tr.finish(s.status, s.finish_reason, s.error)
        ch.reset = True
        self.status.state = "replay" if not done else {"complete": "done"}.get(s.status, s.status)
        self.apply_changes(ch)
        last = tr.last_written
        if last >= 0:
            self.select(min(last, tr.row_count - 1), origin="timeline")

    # -- saving and copying -----------------------------------------------------------
    def _record(self) -> Any | None:
        c = self.controller
        if c is not None and c.recorder is not None and (self.live or self.sample is None):
            return c.record()
        if self.sample is not None:
            return self.sample.to_record()
        tr = self.trace
        if not tr.answer.length:
            return None
        running = c is not None and c.running
        return Sample(
            tr.instance,
            answer=tr.answer.text,
            reasoning=tr.reasoning.text,
            model=self.status.model,
            status="interrupted" if running else (tr.status or "interrupted"),
            finish_reason=tr.finish_reason,
        ).to_record()

    def action_save(self) -> None:
        rec = self._record()
        if rec is None:
            self.notify("nothing to save yet", severity="warning", timeout=3)
            return
        from tmtui.io.jsonl import RecordWriter
        from tmtui.io.records import encode_record

        try:
            encode_record(rec)  # before the file is touched
        except ValueError as exc:  # a lone surrogate from a stream: no JSON can hold it
            why = exc.reason if isinstance(exc, UnicodeError) else str(exc)
            msg = f"cannot save: the record holds text that is not valid UTF-8 ({why})"
            self.notify(one_line(msg, 300), severity="error")
            return
        try:
            with RecordWriter(self.save_path, follow=False) as w:  # a default name: no link
                w.write(rec)
        except OSError as exc:
            self.notify(
                one_line(f"cannot save to {self.save_path}: {exc.strerror or exc}", 300),
                severity="error",
                markup=False,
            )
            return
        self.notify(
            one_line(f"record appended to {self.save_path} (status {rec.status})", 300),
            title="Saved",
            timeout=4,
            markup=False,
        )

    def action_copy_transcript(self) -> None:
        text = self.trace.answer.text
        self.app.copy_to_clipboard(text)
        self.notify(f"copied the transcript ({len(text):,} characters)", timeout=3)

    def action_copy_record(self) -> None:
        rec = self._record()
        if rec is None:
            self.notify("nothing to copy yet", severity="warning", timeout=3)
            return
        from tmtui.io.records import encode_record

        line = encode_record(rec).decode("utf-8", "replace")
        self.app.copy_to_clipboard(line)
        self.notify(f"copied the record as one JSON line ({len(line):,} bytes)", timeout=3)

    def action_write_transcript(self) -> None:
        inst = self.trace.instance
        name = safe_name(self.status.model or "answer", inst.dataset, inst.index) + ".txt"
        path = self.save_path.parent / name
        from tmtui.io.jsonl import create_new

        try:  # a new file: what is at that name already is never overwritten nor followed
            fd, path = create_new(path)
            with open(fd, "w", encoding="utf-8", errors="replace") as f:
                f.write(self.trace.answer.text)
        except OSError as exc:
            self.notify(
                one_line(f"cannot write {path}: {exc.strerror or exc}", 300),
                severity="error",
                markup=False,
            )
            return
        self.notify(one_line(f"transcript written to {path}", 300), timeout=4, markup=False)

    # -- screens ----------------------------------------------------------------------
    def action_help(self) -> None:
        from tmtui.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def action_back(self) -> None:
        if self.can_go_back:
            self.app.pop_screen()

    async def action_quit(self) -> None:
        if self.controller is not None:
            self.controller.close()
        self.app.exit()
