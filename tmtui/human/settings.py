"""A session's settings: what the participant gets (feedback, assists, a time limit) and which
instances, in which order. Stored with the session, so a resumed session keeps them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

__all__ = ["Assist", "Feedback", "SessionSettings"]


class Feedback(StrEnum):
    """What the participant is told about their steps."""

    NONE = "none"  # blind (the default, for baselines)
    AFTER_INSTANCE = "after-instance"  # the finished attempt, first divergence marked
    AFTER_STEP = "after-step"  # each step marked as it is submitted (training)


class Assist(StrEnum):
    """Help that changes the task (logged with every step, carried into the records)."""

    NONE = "none"
    PREFILL = "prefill"  # the entry starts with the previous queue minus its first m symbols
    APPEND = "append"  # only the appended production is typed; the tool writes the rest


@dataclass(frozen=True, slots=True)
class SessionSettings:
    dataset: str = "tmbench"  # a preset name or a file, as given
    samples: tuple[int, ...] | None = None  # dataset indices in the order given (None: all)
    shuffle_seed: int | None = None
    practice: int = 0
    practice_seed: int | None = None
    time_limit: float | None = None  # seconds of active time per instance
    feedback: Feedback = Feedback.NONE
    assist: Assist = Assist.NONE
    record_keys: bool = False

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["samples"] = None if self.samples is None else list(self.samples)
        d["feedback"] = self.feedback.value
        d["assist"] = self.assist.value
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SessionSettings:
        samples = d.get("samples")
        return cls(
            dataset=d.get("dataset", "tmbench"),
            samples=None if samples is None else tuple(samples),
            shuffle_seed=d.get("shuffle_seed"),
            practice=int(d.get("practice", 0)),
            practice_seed=d.get("practice_seed"),
            time_limit=d.get("time_limit"),
            feedback=Feedback(d.get("feedback", "none")),
            assist=Assist(d.get("assist", "none")),
            record_keys=bool(d.get("record_keys", False)),
        )
