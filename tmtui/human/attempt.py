"""An attempt in progress, in memory (the database holds every part of it), and what the
debugger would say about it: each submitted step marked (after-step feedback) and the whole
attempt scored and explained (after-instance feedback), on the one scoring path."""

from __future__ import annotations

from dataclasses import dataclass

from tmtui.core.align import Verdict
from tmtui.core.datasets import Instance
from tmtui.core.explain import StepExplanation, explain_step
from tmtui.core.score import SampleScore
from tmtui.human.clock import Clock, Stopwatch
from tmtui.human.entry import Entry, KeyMap, key_map_for, spaced
from tmtui.human.settings import Assist, Feedback
from tmtui.human.views import AttemptResult, StepFeedback
from tmtui.io import humanrows as rows
from tmtui.io.humanrecords import answer_blocks
from tmtui.io.records import InstanceSpec, instance_of_spec
from tmtui.io.sources import ScoreItem
from tmtui.scoring import score_item

__all__ = ["Attempt", "Step", "instance_of_item", "mark", "result_of", "score_attempt"]


def instance_of_item(item: dict) -> Instance:
    """The instance of a stored session item (``{"practice", "dataset", "index",
    "instance"}``)."""
    spec = InstanceSpec(**item["instance"])
    return instance_of_spec(spec, index=item["index"], dataset=item["dataset"])


@dataclass(slots=True)
class Step:
    id: int
    step: int
    queue: str
    typed: str
    assist: Assist
    corrections: int = 0
    feedback: StepFeedback | None = None


class Attempt:
    """The attempt in progress, in memory (the database has every part of it)."""

    def __init__(self, row: rows.AttemptRow, instance: Instance, clock: Clock) -> None:
        self.id = row.id
        self.position = row.position
        self.practice = row.practice
        self.instance = instance
        self.key_map: KeyMap | None = key_map_for(instance.alphabet)
        self.steps = [
            Step(s.id, s.step, s.queue, s.typed, Assist(s.assist), len(s.corrections))
            for s in sorted(row.steps, key=lambda s: s.step)
        ]
        self.active = Stopwatch(clock, row.active_ms)
        self.held = Stopwatch(clock, row.paused_ms)
        # the current step started at the last submission (after a restart, its keys are lost)
        self.step_start = max((s.at_ms for s in row.steps), default=0.0)
        self.first_key: float | None = None
        self.ended = False
        self.halt_step: int | None = None
        self.end_reason = ""

    @property
    def next_step(self) -> int:
        return self.steps[-1].step + 1 if self.steps else 1

    @property
    def last_queue(self) -> str:
        return self.steps[-1].queue if self.steps else self.instance.init

    def queue_before(self, step: int) -> str:
        """The participant's queue at ``step - 1`` (the initial queue for step 1)."""
        for s in self.steps:
            if s.step == step - 1:
                return s.queue
        return self.instance.init

    def feedback(self, chosen: Feedback) -> Feedback:
        """The feedback this attempt gets: the session's, and always after each step in
        practice."""
        return Feedback.AFTER_STEP if self.practice else chosen

    def compose(self, step: int, entry: Entry, assist: Assist) -> tuple[str, str | None]:
        """The queue an entry stands for at ``step``, and what the assist gave."""
        before = self.queue_before(step)
        kept = before[self.instance.m :]
        if assist is Assist.APPEND:
            return kept + entry.symbols, kept
        if assist is Assist.PREFILL:
            return entry.symbols, spaced(kept)
        return entry.symbols, None


def score_attempt(a: Attempt) -> tuple[str, SampleScore]:
    queues = [s.queue for s in a.steps]
    answer = "".join(answer_blocks(a.instance.init, queues, a.halt_step))
    status = "cut" if a.end_reason == "time-limit" else "complete"
    item = ScoreItem("", "", a.instance, answer, kind="human", status=status)
    return answer, score_item(item, keep=True)


def _explain(a: Attempt, sc: SampleScore, step: int) -> StepExplanation:
    assert sc.parse is not None
    return explain_step(
        step,
        truth=a.instance.run.states(),
        run=a.instance.run,
        steps=sc.parse.steps,
        first_divergence=sc.first_divergence,
        diagnosis=sc.diagnosis,
    )


def mark(a: Attempt, step: int) -> StepFeedback:
    """A submitted step as the debugger would mark it, given the steps so far."""
    _answer, sc = score_attempt(a)
    ex = _explain(a, sc, step)
    if ex.verdict is Verdict.CORRECT:
        message = "correct"
    elif ex.reason is not None:
        message = ex.reason.message
    elif ex.verdict is Verdict.EXTRA:
        message = "the machine has halted before this step: it is one too many"
    elif ex.difference is not None:
        message = f"wrong: differs from position {ex.difference.position}"
    else:
        message = ex.verdict.value
    # the explanations speak of a model's answer: this one is the participant's
    message = message.replace("the model's own", "your own")
    return StepFeedback(step, ex.verdict, message, ex)


def result_of(a: Attempt) -> AttemptResult:
    answer, sc = score_attempt(a)
    assert sc.parse is not None
    steps = list(range(sc.n_truth)) + sorted(k for k in sc.parse.steps if k >= sc.n_truth)
    return AttemptResult(
        attempt_id=a.id,
        practice=a.practice,
        instance=a.instance,
        answer=answer,
        end_reason=a.end_reason,
        halt_step=a.halt_step,
        active_s=a.active.ms() / 1000.0,
        score=sc,
        explanations=tuple(_explain(a, sc, k) for k in steps),
    )
