"""The live stream behind a debugger screen: consume events, buffer them, refresh the screen
at most ``FLUSH_HZ`` times a second.

The stream is read by an async worker that does nothing per event but append it to a pending
list (so a fast stream never waits for the screen). A timer drains the list: the events go to
the recorder (runs of text that arrived together coalesced: the record is the same) and, unless
the display is paused, to the trace — consecutive text joined and fed in one batch (the parser
is incremental) — and the screen refreshes what changed.

The refresh rate adapts to the stream: 30 a second for anything a person can read, fewer when
a stream delivers tens of thousands of chunks a second (a replay at unlimited rate), so that
drawing never slows the stream down. While the display is paused the events keep arriving and
are recorded; resuming shows them at once.

The status (tokens, tokens a second, state, elapsed time) measures the stream, not the screen:
it is kept as the events arrive, paused or not; only the trace waits for the display.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker

from tmtui.core.parsed import ParserMode
from tmtui.io.events import (
    Content,
    Failed,
    Finish,
    Reasoning,
    Retry,
    Started,
    StreamEvent,
    UsageReport,
)
from tmtui.live.status import StreamStatus
from tmtui.live.trace import Changes, Trace

__all__ = ["FLUSH_HZ", "StreamController"]

FLUSH_HZ = 30
COMPAT_EVERY = 0.5  # seconds between full re-reads in compat mode while streaming
# chunks a second -> seconds between screen refreshes (the first rate not exceeded wins)
REFRESH_STEPS = ((6_000, 1 / 30), (25_000, 1 / 15), (100_000, 1 / 8), (float("inf"), 1 / 2))

# a source gives the stream of one request: an async iterator, or an awaitable of one
EventSource = Callable[
    [asyncio.Event], AsyncIterator[StreamEvent] | Awaitable[AsyncIterator[StreamEvent]]
]


class StreamController:
    """Runs one stream into one trace for one screen."""

    def __init__(
        self,
        screen: Screen,
        trace: Trace,
        status: StreamStatus,
        source: EventSource,
        *,
        on_changes: Callable[[Changes], None],
        make_recorder: Callable[[], Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.screen = screen
        self.trace = trace
        self.status = status
        self.source = source
        self.on_changes = on_changes
        self.make_recorder = make_recorder
        self.clock = clock
        self.recorder: Any | None = None
        self.paused = False
        self.running = False
        self._pending: list[StreamEvent] = []
        self._held: list[StreamEvent] = []  # recorded, not shown yet (display paused)
        self._last_show = 0.0
        self._rate = 0.0  # chunks a second, smoothed
        self._cancel = asyncio.Event()
        self._worker: Worker | None = None
        self._timer: Timer | None = None
        self._last_compat = 0.0
        self.finished = asyncio.Event()  # set when a Finish has been flushed

    # -- life -------------------------------------------------------------------------
    def start(self) -> None:
        """Start (or restart) the stream from scratch."""
        self.stop()
        self._cancel = asyncio.Event()
        self._pending = []
        self._held = []
        self._rate = 0.0
        self.finished = asyncio.Event()
        st = self.status
        st.state = "connecting"
        st.attempt, st.retries, st.chunks, st.tokens = 1, 0, 0, None
        st.started, st.first_token, st.ended, st.error, st.held = self.clock(), None, None, "", 0
        self.recorder = self.make_recorder() if self.make_recorder is not None else None
        self.on_changes(self.trace.reset())
        self.running = True
        self._worker = self.screen.run_worker(
            self._consume(self._cancel, self._pending),
            name="stream",
            group="stream",
            exclusive=True,
        )
        if self._timer is None:
            self._timer = self.screen.set_interval(1 / FLUSH_HZ, self.flush, name="flush")

    def stop(self, *, flush: bool = True) -> None:
        """Interrupt the stream (what arrived stays)."""
        self._cancel.set()
        if self._worker is not None and self._worker.is_running:
            self._worker.cancel()
        self._worker = None
        if self.running and flush:
            self._pending.append(Finish("interrupted", t_ms=None))
            self.flush(force=True)
        self.running = False

    def close(self) -> None:
        """The screen is going away: stop without touching it."""
        self.stop(flush=False)
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    async def _consume(self, cancel: asyncio.Event, pending: list) -> None:
        """Read the stream. Text is kept as runs — [kind, t_ms, [texts]] for the pieces that
        arrived together — so the event objects die at once instead of piling up for the
        garbage collector (a million held events cost more in collections than in reading)."""
        append = pending.append
        run: list | None = None
        parts: list[str] = []
        try:
            events = self.source(cancel)
            if inspect.isawaitable(events):
                events = await events
            async with contextlib.aclosing(events) as evs:  # type: ignore[type-var]
                async for ev in evs:
                    kind = type(ev)
                    if kind is Content or kind is Reasoning:
                        t = ev.t_ms  # type: ignore[union-attr]
                        if (
                            run is not None
                            and run[1] == t
                            and run[0] is kind
                            and (pending and pending[-1] is run)
                        ):
                            parts.append(ev.text)  # type: ignore[union-attr]
                            continue
                        parts = [ev.text]  # type: ignore[union-attr]
                        run = [kind, t, parts]
                        append(run)
                    else:
                        run = None
                        append(ev)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug or an unexpected failure: one clear line
            append(Failed(f"the stream failed: {type(exc).__name__}: {exc}"))
            append(Finish("error", error=str(exc)))

    # -- display ----------------------------------------------------------------------
    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if not paused:
            self.flush(force=True)

    def _interval(self) -> float:
        for rate, interval in REFRESH_STEPS:
            if self._rate <= rate:
                return interval
        return REFRESH_STEPS[-1][1]

    def flush(self, force: bool = False) -> None:
        """Record the pending events and, when a refresh is due, show them."""
        pending = self._pending
        st = self.status
        now = self.clock()
        if pending:
            events = pending[:]
            del pending[:]
            self._record(events)
            self._account(events, now)
            self._held.extend(events)
            # the stream's rate in chunks a second, smoothed over about a second
            n = sum(len(e[2]) if type(e) is list else 1 for e in events)
            self._rate = 0.8 * self._rate + 0.2 * n * FLUSH_HZ
        else:
            self._rate *= 0.8
        held = self._held
        if self.paused and not force:
            st.held = sum(len(e[2]) for e in held if type(e) is list)
            self.screen.refresh_status()
            return
        due = now - self._last_show >= self._interval() - 1e-3
        ending = any(isinstance(e, Finish | Failed | Retry) for e in held[-3:])
        if not (force or due or ending):
            return
        self._last_show = now
        st.held = 0
        trace = self.trace
        if not held:
            if trace.mode is ParserMode.TMBENCH and trace.compat_stale and self._compat_due():
                self.on_changes(trace.refresh_compat())
            elif self.running:
                self.screen.refresh_status()  # the clock moves on
            return
        events = held[:]
        del held[:]
        self._show(events, now)

    def _record(self, events: list) -> None:
        """Feed the recorder: a run of text that arrived at one moment as one chunk (the
        recorder merges such chunks anyway: the record is the same)."""
        rec = self.recorder
        if rec is None:
            return
        feed = rec.feed
        for e in events:
            if type(e) is list:
                kind, t, parts = e
                feed(kind("".join(parts), t))
            else:
                feed(e)

    def _account(self, events: list, now: float) -> None:
        """What the stream did, as it arrives (the display may be paused): chunks, the first
        token's time, tries, usage, errors and the end."""
        st = self.status
        for e in events:
            if type(e) is list:
                st.chunks += len(e[2])
                if st.first_token is None:
                    st.first_token = now
                    if st.state == "connecting":
                        st.state = "streaming"
            elif isinstance(e, Started):
                st.attempt = e.attempt
                st.state = "connecting" if st.retries == 0 else "retrying"
            elif isinstance(e, Retry):
                st.retries += 1
                st.state = "retrying"
                st.error = e.error
                st.first_token = None
                st.chunks = 0
            elif isinstance(e, UsageReport):
                if e.completion_tokens is not None:
                    st.tokens = e.completion_tokens
            elif isinstance(e, Failed):
                st.error = e.message
            elif isinstance(e, Finish):
                if e.status == "complete" and e.finish_reason == "length":
                    st.state = "cut"
                else:
                    st.state = {"complete": "done"}.get(e.status, e.status)
                st.ended = now
                if e.error and not st.error:
                    st.error = e.error

    def _show(self, events: list, now: float) -> None:
        """Feed the events to the trace and tell the screen what changed."""
        trace = self.trace
        ch = Changes()
        text: list[str] = []
        reasoning: list[str] = []

        def feed() -> None:
            if text or reasoning:
                if not trace.final:
                    _merge(ch, trace.feed("".join(text), "".join(reasoning)))
                text.clear()
                reasoning.clear()

        for e in events:
            if type(e) is list:
                kind, _t, parts = e
                (text if kind is Content else reasoning).extend(parts)
                continue
            feed()
            self._event(e, ch)
        feed()
        if (
            trace.mode is ParserMode.TMBENCH
            and trace.compat_stale
            and (trace.final or self._compat_due())
        ):
            _merge(ch, trace.refresh_compat())
        self.on_changes(ch)

    def _compat_due(self) -> bool:
        now = self.clock()
        if now - self._last_compat >= COMPAT_EVERY:
            self._last_compat = now
            return True
        return False

    def _event(self, ev: StreamEvent, ch: Changes) -> None:
        """The trace's side of an event shown (the status took it as it arrived)."""
        if isinstance(ev, Retry):
            _merge(ch, self.trace.reset())  # the next try starts from scratch
        elif isinstance(ev, Finish):
            if not self.trace.final:
                error = ev.error or self.status.error or None
                _merge(ch, self.trace.finish(ev.status, ev.finish_reason, error))
            self.running = False
            self.finished.set()

    def record(self) -> Any | None:
        """The record of the stream so far (status ``interrupted`` while it runs)."""
        if self.recorder is None:
            return None
        if self.running:
            return self.recorder.record("interrupted")
        return self.recorder.record()


def _merge(into: Changes, ch: Changes) -> None:
    into.steps |= ch.steps
    into.reset = into.reset or ch.reset
    if ch.first_line is not None:
        into.first_line = (
            ch.first_line if into.first_line is None else min(into.first_line, ch.first_line)
        )
    if ch.reasoning_line is not None:
        into.reasoning_line = (
            ch.reasoning_line
            if into.reasoning_line is None
            else min(into.reasoning_line, ch.reasoning_line)
        )
