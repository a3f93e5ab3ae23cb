"""What a source yields: :class:`ScoreItem` (an answer to an instance, ready to score) or
:class:`ItemError` (a bad record or sample, with where it is), and :class:`SourceError` for a
file no kind can read. The kinds themselves are :mod:`tmtui.io.sources`' (which re-exports
these); readers of one kind that live apart, such as :mod:`tmtui.io.humanrecords`, import
them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from tmtui.core.datasets import Instance
from tmtui.io.records import Record

__all__ = ["ItemError", "ScoreItem", "SourceError"]


class SourceError(Exception):
    """A file that cannot be read as any kind tmtui knows (one clear line)."""


@dataclass(slots=True)
class ScoreItem:
    source: str  # the file
    where: str  # "sample 3" or "line 7"
    instance: Instance
    answer: str
    truth: list[str] | None = None  # stored ground truth (official files)
    model: str = ""
    status: str = "complete"
    finish_reason: str | None = None
    kind: str = "model"
    record: Record | None = None  # the record, for items read from records
    num_token: int | float | None = None
    # the user prompt the answer was given, from items(with_prompts=True): kept by the file
    # (official 'prompts') or rendered again from what a record carries; None if unknown
    prompt: str | None = None

    @classmethod
    def of_record(
        cls, source: str, where: str, instance: Instance, rec: Record, prompt: str | None = None
    ) -> ScoreItem:
        """The item a tmtui record makes (a model run, a human attempt)."""
        return cls(
            source=source,
            where=where,
            instance=instance,
            answer=rec.answer,
            model=rec.model,
            status=rec.status,
            finish_reason=rec.finish_reason,
            kind=rec.kind,
            record=rec,
            prompt=prompt,
        )


@dataclass(slots=True)
class ItemError:
    source: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.where}: {self.message}"
