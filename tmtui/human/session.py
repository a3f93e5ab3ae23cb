"""The session protocol: a participant solving instances, driven by plain calls.

A screen (the terminal's, later the browser's) shows :meth:`Session.view` and sends what the
participant does: :meth:`~Session.start` (dismiss the first screen), :meth:`~Session.type_key`
(every key on the entry line, for timing), :meth:`~Session.submit` (Enter),
:meth:`~Session.correct` (replace the last step), :meth:`~Session.halt`, :meth:`~Session.pause`
/ :meth:`~Session.resume`, :meth:`~Session.focus_lost` / :meth:`~Session.focus_gained`,
:meth:`~Session.tick` (a timer, about once a second: the countdown and the time limit),
:meth:`~Session.next` (leave a feedback screen) and :meth:`~Session.close`. Each call that
changes anything returns an :class:`~tmtui.human.views.Update`.

Every submitted step, correction and end is committed to the database before the call returns
(:mod:`tmtui.io.humanwrites`); a store failure raises :class:`~tmtui.io.humandb.HumanDbError`
(one line) and leaves the session as it was before the call. Time is active time on the
injected monotonic clock: pauses and focus loss stop it and are logged. A step's times count
from the previous submission (or the attempt's start): to its first key, and to its
submission. While an instance is scored nothing about the truth is shown unless the session's
feedback says so; practice instances always get feedback.
"""

from __future__ import annotations

import time

from tmtui.human import showing
from tmtui.human.attempt import Attempt, Step, instance_of_item, mark, result_of
from tmtui.human.clock import Clock, Stopwatch
from tmtui.human.entry import EntryError, read_entry, spaced
from tmtui.human.settings import Feedback, SessionSettings
from tmtui.human.views import AttemptResult, Event, EventKind, Phase, Resumed, Update, View
from tmtui.io import humanrows as rows
from tmtui.io import humanwrites as writes
from tmtui.io.humandb import HumanDb

__all__ = ["HEARTBEAT_S", "Session", "instance_of_item"]

HEARTBEAT_S = 5.0  # while running, the clocks are saved at least this often (tick)
TIME_UP = "time is up: the instance ended with what was submitted"


class Session:
    """One participant's session (see the module docstring). Made by
    :func:`tmtui.human.opening.open_session`, which creates or resumes it in the database."""

    def __init__(
        self,
        db: HumanDb,
        row: rows.SessionRow,
        owner: rows.Owner,
        *,
        clock: Clock = time.monotonic,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        self.db = db
        self.id = row.id
        self.uid = row.uid
        self.participant = row.participant
        self.owner = owner
        self.settings = SessionSettings.from_json(row.settings)
        self.items = row.items
        self.instances = [instance_of_item(it) for it in row.items]
        self.clock = clock
        self.heartbeat_s = heartbeat_s
        self.position = row.position
        self.phase = Phase.INTRO
        self.paused = False
        self.focused = True
        self._held_since: float | None = None  # raw time the pause (or focus loss) began
        self._focus_since: float | None = None
        self.session_clock = Stopwatch(clock, row.active_ms)
        self.attempt: Attempt | None = None
        self.result: AttemptResult | None = None
        self._keys: list[tuple[int, float, str]] = []
        self._saved_at = clock()
        for a in rows.attempt_rows(db, row.id):
            if a.status == "in_progress" and a.position == row.position:
                self.attempt = Attempt(a, self.instances[a.position], clock)
        if self.attempt is not None and self._marks(self.attempt):
            for s in self.attempt.steps:
                s.feedback = mark(self.attempt, s.step)
        self.resumed: Resumed | None = None
        if row.active_ms > 0 or row.position > 0 or self.attempt is not None:
            self.resumed = showing.resumed_notice(self, row.active_ms)
        self._sync()

    # -- the calls ---------------------------------------------------------------------------
    def view(self) -> View:
        return showing.view(self)

    def intro(self) -> str:
        """The first screen's text: the task in plain words, a worked example, and what
        this session holds (practice, scored instances, feedback, assists, time limit)."""
        return showing.intro(self)

    def start(self) -> Update:
        """Leave the first screen: begin (or go on with) the current instance."""
        if self.phase is not Phase.INTRO:
            return self._update([])
        events = [
            Event(
                EventKind.SESSION_RESUMED if self.resumed else EventKind.SESSION_STARTED,
                message=self.resumed.message if self.resumed else None,
            )
        ]
        self.resumed = None
        if self.attempt is not None:
            self.phase = Phase.INSTANCE
            self._sync()
            writes.save(self.db, self._clocks(), event="session-resume")
            events.append(Event(EventKind.INSTANCE_STARTED, step=self.attempt.next_step))
        else:
            events.extend(self._begin_next())
        return self._update(events)

    def preview(self, text: str) -> tuple[str | None, str | None]:
        """What the entry would submit now, as the participant types: ``(queue, None)``,
        ``(None, why not)``, or ``(None, None)`` for ``halt``. Stores nothing; under the
        append assist the queue includes the symbols the tool writes."""
        return showing.preview(self, text)

    def type_key(self, key: str) -> None:
        """A key typed on the entry line (timing; the key log with ``--record-keys``)."""
        a = self.attempt
        if self.phase is not Phase.INSTANCE or a is None or a.ended or self.paused:
            return
        if not self.focused:  # a key means the terminal has focus, whatever it reported
            self.focus_gained()
        at = a.active.ms()
        if a.first_key is None:
            a.first_key = at
        if self.settings.record_keys:
            self._keys.append((a.next_step, at, key))

    def submit(self, text: str) -> Update:
        """Submit the entry as the queue after the next step (``halt``: declare the last
        submitted queue final). A bad entry is refused, never stored."""
        a = self._working()
        if isinstance(a, Update):
            return a
        entry = read_entry(text, a.instance.alphabet, a.key_map)
        if isinstance(entry, EntryError):
            return self._refuse(entry.message)
        if entry.halt:
            return self.halt()
        k = a.next_step
        queue, prefill = a.compose(k, entry, self.settings.assist)
        at = a.active.ms()
        fb = self._marks(a)
        new = rows.NewStep(
            step=k,
            queue=queue,
            typed=text,
            assist=self.settings.assist.value,
            prefill=prefill,
            first_key_ms=None if a.first_key is None else a.first_key - a.step_start,
            submit_ms=at - a.step_start,
            at_ms=at,
            feedback=fb,
        )
        step_id = writes.add_step(self.db, self._clocks(), new, self._keys)
        self._keys = []
        a.steps.append(Step(step_id, k, queue, text, self.settings.assist))
        a.step_start, a.first_key = at, None
        marked = mark(a, k) if fb else None
        a.steps[-1].feedback = marked
        events = [Event(EventKind.STEP_SUBMITTED, step=k, feedback=marked)]
        if k >= a.instance.max_step:
            events.extend(self._end("finished", "step-cap"))
        return self._update(events)

    def correct(self, text: str) -> Update:
        """Replace the last submitted step's queue (the old value is kept as a correction)."""
        a = self._working()
        if isinstance(a, Update):
            return a
        if not a.steps:
            return self._refuse("nothing to correct yet: no step has been submitted")
        entry = read_entry(text, a.instance.alphabet, a.key_map)
        if isinstance(entry, EntryError):
            return self._refuse(entry.message)
        if entry.halt:
            return self._refuse("halt is not a queue: a correction replaces the last queue")
        last = a.steps[-1]
        queue, _prefill = a.compose(last.step, entry, self.settings.assist)
        if queue == last.queue:
            return self._refuse(
                f"step {last.step} is already [{spaced(queue)}]: nothing to correct"
            )
        fb = self._marks(a)
        writes.correct_step(
            self.db,
            self._clocks(),
            last.id,
            queue=queue,
            typed=text,
            at_ms=a.active.ms(),
            feedback=fb,
            keys=self._keys,
        )
        self._keys = []
        last.queue, last.typed, last.corrections = queue, text, last.corrections + 1
        last.feedback = mark(a, last.step) if fb else None
        return self._update(
            [Event(EventKind.STEP_CORRECTED, step=last.step, feedback=last.feedback)]
        )

    def halt(self) -> Update:
        """Declare the last submitted queue final (the initial queue if none): the instance
        ends."""
        a = self._working()
        if isinstance(a, Update):
            return a
        return self._update(self._end("finished", "halt", a.steps[-1].step if a.steps else 0))

    def pause(self) -> Update:
        if self.paused or self.phase in (Phase.DONE, Phase.CLOSED):
            return self._update([])
        self._held_since = self.clock()
        self.paused = True
        self._sync()
        writes.save(self.db, self._clocks(), event="pause", keys=self._take_keys())
        return self._update([Event(EventKind.PAUSED)])

    def resume(self) -> Update:
        if not self.paused:
            return self._update([])
        self.paused = False
        held = self._ms_since(self._held_since)
        self._held_since = None
        self._sync()
        writes.save(self.db, self._clocks(), event="resume", duration_ms=held)
        return self._update([Event(EventKind.RESUMED)])

    def focus_lost(self) -> Update:
        if not self.focused or self.phase in (Phase.DONE, Phase.CLOSED):
            return self._update([])
        self._focus_since = self.clock()
        self.focused = False
        self._sync()
        writes.save(self.db, self._clocks(), event="focus-lost", keys=self._take_keys())
        return self._update([Event(EventKind.FOCUS_LOST)])

    def focus_gained(self) -> Update:
        if self.focused:
            return self._update([])
        self.focused = True
        away = self._ms_since(self._focus_since)
        self._focus_since = None
        self._sync()
        writes.save(self.db, self._clocks(), event="focus-gained", duration_ms=away)
        return self._update([Event(EventKind.FOCUS_GAINED)])

    def tick(self) -> Update:
        """The timer: ends the instance when its time is up, and saves the clocks every
        few seconds (so a crash loses at most that much of the time accounting)."""
        events = self._time_up()
        if not events and self.clock() - self._saved_at >= self.heartbeat_s:
            if self.session_clock.running:
                writes.save(self.db, self._clocks(), keys=self._take_keys())
            self._saved_at = self.clock()
        return self._update(events)

    def next(self) -> Update:
        """Leave the feedback screen: on to the next instance (or the end)."""
        if self.phase is not Phase.FEEDBACK:
            return self._update([])
        self.result = None
        return self._update(self._begin_next())

    def close(self) -> None:
        """Save the clocks, let the session go (another process may take it up) and close
        the database. The session stays open in the database unless it is done."""
        if self.phase is Phase.CLOSED:
            return
        try:
            if self.phase is not Phase.DONE:
                self.paused = True  # stop the clocks where they are
                self._sync()
                writes.save(self.db, self._clocks(), event="session-close", keys=self._take_keys())
            writes.release(self.db, self.id, self.owner)
        finally:
            self.phase = Phase.CLOSED
            self.db.close()

    # -- inside --------------------------------------------------------------------------------
    def _working(self) -> Attempt | Update:
        """The attempt a step may be submitted to, or the refusal to return."""
        a = self.attempt
        if self.phase is not Phase.INSTANCE or a is None or a.ended:
            return self._refuse("no instance is in progress")
        if self.paused:
            return self._refuse("the session is paused")
        ended = self._time_up()
        if ended:
            return self._update(ended, TIME_UP)
        return a

    def _marks(self, a: Attempt) -> bool:
        """Whether each step of ``a`` is marked as it is submitted (after-step feedback)."""
        return a.feedback(self.settings.feedback) is Feedback.AFTER_STEP

    def _end(self, status: str, reason: str, halt_step: int | None = None) -> list[Event]:
        """The attempt in progress ends; the next one begins unless feedback is shown. The
        end is stored first: if that fails, nothing here has changed."""
        a = self.attempt
        assert a is not None
        active = a.active.ms()
        if reason == "time-limit" and self.settings.time_limit is not None:
            active = min(active, self.settings.time_limit * 1000.0)  # the limit, not the tick
        clocks = rows.Clocks(self.id, self.session_clock.ms(), a.id, active, a.held.ms())
        writes.end_attempt(
            self.db,
            clocks,
            status=status,
            end_reason=reason,
            halt_step=halt_step,
            next_position=a.position + 1,
            keys=self._keys,
        )
        self._keys = []
        self._saved_at = self.clock()
        a.ended, a.end_reason, a.halt_step = True, reason, halt_step
        a.active.set_ms(active)
        self._sync()
        self.position = a.position + 1
        shown = a.feedback(self.settings.feedback) is not Feedback.NONE
        self.result = result_of(a) if shown else None
        message = TIME_UP if reason == "time-limit" else None
        events = [
            Event(EventKind.INSTANCE_ENDED, reason=reason, result=self.result, message=message)
        ]
        if shown:
            self.phase = Phase.FEEDBACK
            self._sync()
            return events
        return events + self._begin_next()

    def _begin_next(self) -> list[Event]:
        """Start the attempt at the current position, or finish the session (stored first)."""
        if self.position >= len(self.items):
            writes.finish_session(self.db, self._clocks(), self.position)
            self.attempt = None
            self.phase = Phase.DONE
            self._sync()
            return [Event(EventKind.SESSION_FINISHED)]
        row = writes.start_attempt(
            self.db, self._clocks(), position=self.position, item=self.items[self.position]
        )
        self.attempt = Attempt(row, self.instances[self.position], self.clock)
        self.phase = Phase.INSTANCE
        self._sync()
        return [Event(EventKind.INSTANCE_STARTED, step=1)]

    def _time_up(self) -> list[Event]:
        a, limit = self.attempt, self.settings.time_limit
        if self.phase is not Phase.INSTANCE or a is None or a.ended or limit is None:
            return []
        if a.active.ms() < limit * 1000.0:
            return []
        return self._end("timed_out", "time-limit")

    def _sync(self) -> None:
        """Run exactly the clocks that should run now."""
        held = self.paused or not self.focused
        live = self.phase in (Phase.INTRO, Phase.INSTANCE, Phase.FEEDBACK)
        self.session_clock.set_running(live and not held)
        a = self.attempt
        if a is not None:
            working = self.phase is Phase.INSTANCE and not a.ended
            a.active.set_running(working and not held)
            a.held.set_running(working and held)

    def _ms_since(self, since: float | None) -> float | None:
        """Raw milliseconds since ``since`` (a pause's or a focus loss's start)."""
        return None if since is None else (self.clock() - since) * 1000.0

    def _clocks(self) -> rows.Clocks:
        self._saved_at = self.clock()
        a = self.attempt
        if a is None:
            return rows.Clocks(self.id, self.session_clock.ms())
        return rows.Clocks(self.id, self.session_clock.ms(), a.id, a.active.ms(), a.held.ms())

    def _take_keys(self) -> list[tuple[int, float, str]]:
        keys, self._keys = self._keys, []
        return keys

    def _refuse(self, message: str) -> Update:
        return self._update([Event(EventKind.ENTRY_REFUSED, message=message)], message)

    def _update(self, events: list[Event], error: str | None = None) -> Update:
        return Update(tuple(events), self.view(), error)
