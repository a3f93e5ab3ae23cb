"""What a session screen shows and what it is told: plain, frozen values.

:meth:`tmtui.human.session.Session.view` gives a :class:`View` (everything on screen now);
every call that changes the session returns an :class:`Update` (what happened, as
:class:`Event` values, the inline error for a refused entry, and the new view). A screen (the
terminal's, or the browser's) renders these and sends the participant's keys back: nothing in
it decides anything about the session. Strings from datasets and entries are data: render them
with :mod:`tmtui.core.text`, never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

from tmtui.core.align import Verdict
from tmtui.core.datasets import Instance
from tmtui.core.explain import StepExplanation
from tmtui.core.score import SampleScore
from tmtui.human.entry import KeyMap
from tmtui.human.settings import Assist, Feedback

if TYPE_CHECKING:
    from tmtui.live.trace import Trace

__all__ = [
    "AttemptResult",
    "EntryView",
    "Event",
    "EventKind",
    "InstanceView",
    "Phase",
    "Resumed",
    "StepFeedback",
    "StepView",
    "Update",
    "View",
]


class Phase(StrEnum):
    INTRO = "intro"  # the first screen (the task, a worked example; or "welcome back")
    INSTANCE = "instance"  # an instance is being solved
    FEEDBACK = "feedback"  # a finished attempt is shown (after-instance feedback, practice)
    DONE = "done"  # every instance of the session is done
    CLOSED = "closed"  # close() was called


class EventKind(StrEnum):
    SESSION_STARTED = "session-started"
    SESSION_RESUMED = "session-resumed"
    INSTANCE_STARTED = "instance-started"
    STEP_SUBMITTED = "step-submitted"
    STEP_CORRECTED = "step-corrected"
    ENTRY_REFUSED = "entry-refused"
    INSTANCE_ENDED = "instance-ended"
    PAUSED = "paused"
    RESUMED = "resumed"
    FOCUS_LOST = "focus-lost"
    FOCUS_GAINED = "focus-gained"
    SESSION_FINISHED = "session-finished"


@dataclass(frozen=True, slots=True)
class StepFeedback:
    """A step marked as the debugger would mark it (after-step feedback, and practice)."""

    step: int
    verdict: Verdict
    message: str  # one line: "correct", or why not ("copy error: dropped 1 symbol at position 3")
    explanation: StepExplanation  # everything the debugger's step panel shows

    @property
    def correct(self) -> bool:
        return self.verdict is Verdict.CORRECT


@dataclass(frozen=True, slots=True)
class StepView:
    """A submitted step, as the participant sees it."""

    step: int
    queue: str  # the symbols
    typed: str
    assist: Assist
    corrections: int  # how many times it was corrected
    feedback: StepFeedback | None  # only when feedback is shown after each step


@dataclass(frozen=True, slots=True)
class EntryView:
    """The entry line for the next step."""

    step: int  # the step it submits
    mode: str  # "queue" (type the queue) or "production" (append assist: only what is appended)
    label: str  # what to type, in words
    prefill: str  # what the entry starts with (prefill assist), else ""
    fixed: str  # append assist: the retained symbols the tool writes before the production


@dataclass(frozen=True, slots=True)
class InstanceView:
    """The instance as a model is given it, and the participant's own steps so far."""

    practice: bool
    number: int  # 1-based among the session's practice instances, or among its scored ones
    count: int  # how many of that kind
    dataset: str
    index: int
    m: int
    alphabet: tuple[str, ...]
    productions: tuple[tuple[str, str], ...]  # (symbol, production) in alphabet order
    init: str
    max_step: int  # the step cap: the instance ends by itself after this step
    steps: tuple[StepView, ...]
    entry: EntryView | None  # None once the instance has ended
    correctable: int | None  # the step a correction would replace
    key_map: KeyMap | None
    feedback: Feedback  # in force for this instance
    remaining_s: float | None  # the countdown (time limit)
    active_s: float

    @property
    def last_queue(self) -> str:
        """The participant's last submitted queue (the initial queue before any)."""
        return self.steps[-1].queue if self.steps else self.init


@dataclass(frozen=True, slots=True)
class Resumed:
    """Said on screen when a session is taken up again."""

    position: int  # the item (0-based) it goes on with
    step: int | None  # the next step of the attempt in progress (None: none in progress)
    active_s: float  # the session's active time so far
    message: str


@dataclass(frozen=True)
class AttemptResult:
    """A finished attempt, scored (strict parser) and explained step by step."""

    attempt_id: int
    practice: bool
    instance: Instance
    answer: str  # in the official answer format, as exported
    end_reason: str  # halt | step-cap | time-limit
    halt_step: int | None
    active_s: float
    score: SampleScore  # kept: its parse and alignment too
    explanations: tuple[StepExplanation, ...]  # truth steps, then steps written past them

    @property
    def passed(self) -> bool:
        return self.score.passed

    @cached_property
    def _trace(self) -> Trace:
        from tmtui.live.trace import Trace

        trace = Trace(self.instance)
        trace.feed(self.answer)
        trace.finish("complete" if self.end_reason != "time-limit" else "cut")
        return trace

    def trace(self) -> Trace:
        """The attempt as the debugger's model of an answer (for the debugger view)."""
        return self._trace


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    step: int | None = None
    message: str | None = None  # refused entries, ends ("time is up"), resumes
    feedback: StepFeedback | None = None  # a step marked (after-step feedback)
    result: AttemptResult | None = None  # an ended attempt (when it is shown)
    reason: str | None = None  # why an instance ended: halt | step-cap | time-limit


@dataclass(frozen=True, slots=True)
class View:
    phase: Phase
    participant: str
    session: str  # the session's name
    instance: InstanceView | None  # the instance being solved
    result: AttemptResult | None  # the finished attempt shown (feedback phase)
    resumed: Resumed | None  # set until start() is called on a resumed session
    paused: bool
    focused: bool
    done: int  # items of the session done (practice included)
    total: int
    session_active_s: float
    next: str  # one line: what happens next


@dataclass(frozen=True, slots=True)
class Update:
    """What one call did."""

    events: tuple[Event, ...]
    view: View
    error: str | None = None  # why an entry was refused (show it inline)

    @property
    def ok(self) -> bool:
        return self.error is None

    def kinds(self) -> list[EventKind]:
        return [e.kind for e in self.events]
