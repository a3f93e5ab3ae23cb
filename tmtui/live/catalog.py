"""Saved samples for ``tmtui view``: read a file, score every sample, filter, sort, search.

Every sample is scored with both readings — the list's parser (strict by default) and the other
one (the official evaluator's regex, against the truth an official file stores, as the official
evaluator scores it) — so the list can show where the two differ and the official figure beside
the strict one. A record of an attempt that did not happen (a failed request, an interrupted
stream: :data:`~tmtui.core.score.NOT_ATTEMPTED`) is listed apart from the failures, never as one.

Headless: the sample list screen runs :func:`load_entries` in a thread and shows the entries;
the tests use it directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tmtui.core.parsed import ParserMode
from tmtui.core.score import NOT_ATTEMPTED, SampleScore
from tmtui.io.sources import ItemError, ScoreItem, open_source
from tmtui.live.sample import Sample
from tmtui.scoring import score_item

__all__ = ["SORT_KEYS", "Entry", "Search", "entry_sample", "load_entries", "match_pairs"]


@dataclass
class Entry:
    """One sample of a file, scored with the list's parser (``score``) and the other one
    (``other``: None when not asked for)."""

    pos: int  # position among the file's good samples (0-based): --sample N
    item: ScoreItem
    score: SampleScore
    other: SampleScore | None = None

    @property
    def where(self) -> str:
        return self.item.where

    @property
    def model(self) -> str:
        return self.item.model or Path(self.item.source).stem

    @property
    def index(self) -> int:
        return self.item.instance.index

    @property
    def attempted(self) -> bool:
        """False for a record of an attempt that did not happen (status error: the request
        failed; interrupted: the stream stopped before its end): not scored, not a failure."""
        return self.item.status not in NOT_ATTEMPTED

    @property
    def passed(self) -> bool:
        return self.attempted and self.score.passed

    @property
    def failed(self) -> bool:
        return self.attempted and not self.score.passed

    @property
    def swa(self) -> float:
        return self.score.swa() if self.attempted else -1.0

    @property
    def first_divergence(self) -> int | None:
        return self.score.first_divergence if self.attempted else None

    @property
    def readings_differ(self) -> bool:
        """The two parsers give this sample different verdicts."""
        return (
            self.attempted and self.other is not None and self.other.verdicts != self.score.verdicts
        )

    @property
    def other_passed(self) -> bool:
        return self.attempted and self.other is not None and self.other.passed

    @property
    def verdict(self) -> str:
        """pass, fail, or why there is nothing to score."""
        if not self.attempted:
            return "no answer" if self.item.status == "error" else "interrupted"
        return "pass" if self.passed else "fail"

    @property
    def diagnosis(self) -> str:
        if not self.attempted:
            why = self.error
            what = (
                "no answer: the request failed"
                if self.item.status == "error"
                else "not scored: the stream was interrupted"
            )
            return f"{what} ({why})" if why else what
        d = self.score.diagnosis
        return d.message if d is not None else ""

    @property
    def error(self) -> str:
        rec = self.item.record
        return (rec.error or "") if rec is not None else ""

    @property
    def kind(self) -> str:
        if not self.attempted:
            return NOT_ATTEMPTED_KIND
        d = self.score.diagnosis
        return d.kind.label if d is not None else ""

    def row_fields(self) -> list[str]:
        """What the list's row shows, field by field (for the search)."""
        fields = [self.verdict, self.diagnosis, self.kind, self.model, self.where, self.status]
        return [f for f in fields if f]

    @property
    def status(self) -> str:
        return self.item.status

    @property
    def chars(self) -> int:
        return len(self.item.answer)


NOT_ATTEMPTED_KIND = "not attempted"


def load_entries(
    path: str | Path,
    *,
    on_error: Callable[[ItemError], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    mode: ParserMode | str = ParserMode.STRICT,
    both: bool = True,
) -> Iterator[Entry]:
    """Every good sample of a file (records, official results), scored with ``mode`` and,
    with ``both``, with the other parser too (verdicts only: no diagnosis is needed of it).
    Raises SourceError (one line) for a file that cannot be read at all."""
    mode = ParserMode.of(mode)
    src = open_source(path)
    pos = 0
    for item in src.items():
        if cancelled is not None and cancelled():
            return
        if isinstance(item, ItemError):
            if on_error is not None:
                on_error(item)
            continue
        other = score_item(item, mode.other, diagnose=False) if both else None
        yield Entry(pos, item, score_item(item, mode), other)
        pos += 1


def entry_sample(e: Entry) -> Sample:
    item = e.item
    if item.record is not None:
        return Sample.from_record(item.record, item.instance, source=item.source, where=item.where)
    return Sample(
        instance=item.instance,
        answer=item.answer,
        model=e.model,
        status=item.status,
        finish_reason=item.finish_reason,
        source=item.source,
        where=item.where,
        tokens=int(item.num_token) if isinstance(item.num_token, int | float) else None,
    )


SORT_KEYS: dict[str, Callable[[Entry], object]] = {
    "position": lambda e: e.pos,
    "SWA": lambda e: (e.swa, e.pos),  # not attempted (-1) first
    "first divergence": lambda e: (
        e.first_divergence if e.first_divergence is not None else 10**12,
        e.pos,
    ),
    "diagnosis": lambda e: (e.kind or "~", e.pos),
    "model": lambda e: (e.model, e.pos),
    "verdict": lambda e: ((e.attempted, e.passed), e.pos),
}


class Search:
    """A text (case-insensitive) or ``re:REGEX`` search over transcripts and over what the
    list shows of each sample (its diagnosis, model, position, status)."""

    def __init__(self, query: str) -> None:
        self.query = query.strip()
        self.error = ""
        self._rx: re.Pattern[str] | None = None
        q = self.query
        if q.startswith("re:"):
            try:
                self._rx = re.compile(q[3:], re.IGNORECASE | re.MULTILINE)
            except re.error as exc:
                self.error = f"bad regex: {exc}"
        self._needle = q.lower()

    @property
    def empty(self) -> bool:
        return not self.query

    def matches(self, text: str) -> bool:
        if self.empty or self.error:
            return True
        if self._rx is not None:
            return self._rx.search(text) is not None
        return self._needle in text.lower()

    def filter(self, entries: Iterable[Entry], cancelled: Callable[[], bool] | None = None):
        out = set()
        for e in entries:
            if cancelled is not None and cancelled():
                break
            rec = e.item.record
            reasoning = rec.reasoning if rec is not None else ""
            if (
                any(self.matches(f) for f in e.row_fields())
                or self.matches(e.item.answer)
                or (reasoning and self.matches(reasoning))
            ):
                out.add(e.pos)
        return out


def match_pairs(a: list[Entry], b: list[Entry]) -> list[tuple[Entry, Entry]]:
    """Samples of two files on the same instance (same id and rules), in file A's order; each
    instance's first sample in each file."""

    def key(e: Entry) -> tuple[str, str]:
        inst = e.item.instance
        return inst.id, inst.rules_sha256()

    first_b: dict[tuple[str, str], Entry] = {}
    for e in b:
        first_b.setdefault(key(e), e)
    out = []
    seen = set()
    for e in a:
        k = key(e)
        if k in seen or k not in first_b:
            continue
        seen.add(k)
        out.append((e, first_b[k]))
    return out
