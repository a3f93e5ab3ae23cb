"""A sample to debug: an instance and an answer (saved, or about to stream), with what is needed
to save it again. Headless."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tmtui.core.datasets import Instance
from tmtui.io.records import Record, spec_of

__all__ = ["Sample", "safe_name"]


@dataclass
class Sample:
    instance: Instance
    answer: str = ""
    reasoning: str = ""
    model: str = ""
    status: str = "complete"
    finish_reason: str | None = None
    chunks: list[list[float]] = field(default_factory=list)
    start_ms: float = 0.0
    elapsed_ms: float | None = None
    record: Record | None = None
    source: str = ""  # the file it came from
    where: str = ""  # "line 7" / "sample 3"
    tokens: int | None = None
    error: str = ""  # why the request failed or the stream stopped (status error/interrupted)

    @classmethod
    def from_record(cls, rec: Record, inst: Instance, *, source: str = "", where: str = ""):
        timing = rec.timing
        start = 0.0
        if timing is not None and timing.answer_start_ms is not None:
            start = timing.answer_start_ms
        return cls(
            instance=inst,
            answer=rec.answer,
            reasoning=rec.reasoning,
            model=rec.model,
            status=rec.status,
            finish_reason=rec.finish_reason,
            chunks=[list(c) for c in rec.chunks],
            start_ms=start,
            elapsed_ms=timing.elapsed_ms if timing is not None else None,
            record=rec,
            source=source,
            where=where,
            tokens=rec.usage.completion_tokens if rec.usage is not None else None,
            error=rec.error or "",
        )

    def to_record(self) -> Record:
        """The record to save (the original one when there is one)."""
        if self.record is not None:
            return self.record
        inst = self.instance
        return Record(
            instance_id=inst.id,
            dataset=inst.dataset,
            index=inst.index,
            model=self.model,
            status=self.status,
            answer=self.answer,
            reasoning=self.reasoning,
            finish_reason=self.finish_reason,
            instance=spec_of(inst),
            meta={"source": self.source, "where": self.where} if self.source else {},
        )

    def label(self) -> str:
        where = f"{Path(self.source).name}:{self.where}" if self.source else ""
        return " ".join(x for x in (self.model, where) if x)


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(*parts: object) -> str:
    """A file name from parts (model names can hold slashes and worse)."""
    name = "-".join(str(p) for p in parts if str(p))
    return _UNSAFE_NAME.sub("_", name).strip("._-")[:120] or "sample"
