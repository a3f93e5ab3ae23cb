"""Recorded answers, looked up by prompt: the ``replay`` model of ``tmtui serve``.

A store is built from a tmtui JSONL record file or an official TMBench results file. A request
is matched by its problem prompt: first the exact user message (records render theirs from the
instance, template and step cap they carry; official files keep theirs in ``prompts``), then
the problem itself (m, alphabet, initial queue, rules and step cap), whatever the wording.
Several answers to one prompt (repeats) are served in turn.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tmtui.core.datasets import Instance
from tmtui.core.prompts import parse_prompt, problem_prompt
from tmtui.io.records import Record
from tmtui.io.sources import ItemError, SourceError, open_source

__all__ = ["ReplayEntry", "ReplayError", "ReplayStore", "problem_key"]


class ReplayError(Exception):
    """The file cannot be replayed (one clear line)."""


@dataclass
class ReplayEntry:
    answer: str
    reasoning: str = ""
    # [ms, content chars, reasoning chars] per chunk, and when the answering try started
    chunks: list[list[float]] | None = None
    start_ms: float = 0.0
    finish_reason: str | None = None
    where: str = ""
    # the token counts that were recorded (a record's usage, an official file's num_token):
    # prompt_tokens, completion_tokens, reasoning_tokens; replayed instead of recounted
    usage: dict[str, int] | None = None


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def problem_key(inst: Instance) -> str:
    """What defines a TMBench problem, whatever the prompt's wording."""
    rules = "\x01".join(f"{k}\x02{v}" for k, v in sorted(inst.rules.items()))
    blob = f"{inst.m}\x00{''.join(inst.alphabet)}\x00{inst.init}\x00{rules}\x00{inst.max_states}"
    return _sha(blob)


@dataclass
class ReplayStore:
    path: Path
    by_prompt: dict[str, list[ReplayEntry]] = field(default_factory=dict)
    by_problem: dict[str, list[ReplayEntry]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    _turn: dict[int, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_problem.values())

    def _add(self, prompt: str | None, inst: Instance, entry: ReplayEntry) -> None:
        if prompt:
            self.by_prompt.setdefault(_sha(_problem_text(prompt)), []).append(entry)
        self.by_problem.setdefault(problem_key(inst), []).append(entry)

    @classmethod
    def load(cls, path: str | Path) -> ReplayStore:
        p = Path(path)
        try:
            src = open_source(p)
        except SourceError as exc:
            raise ReplayError(str(exc)) from None
        store = cls(p)
        for item in src.items(with_prompts=True):
            if isinstance(item, ItemError):
                store.skipped.append(f"{item.where}: {item.message}")
                continue
            rec = item.record
            if rec is None:  # an official sample
                entry = ReplayEntry(item.answer, "", None, 0.0, "stop", item.where)
                tokens = _count(item.num_token)
                if tokens is not None:
                    entry.usage = {"completion_tokens": tokens}
            else:
                entry = _record_entry(rec, item.where)
            store._add(item.prompt, item.instance, entry)
        if not len(store):
            why = f" ({store.skipped[0]})" if store.skipped else ""
            raise ReplayError(f"{p}: no answers to replay{why}")
        return store

    def lookup(self, messages: Sequence[Mapping[str, object]]) -> ReplayEntry | None:
        prompt = problem_prompt(messages)
        if prompt is None:
            return None
        entries = self.by_prompt.get(_sha(_problem_text(prompt)))
        if not entries:
            inst = parse_prompt(prompt)
            if inst is not None:
                entries = self.by_problem.get(problem_key(inst))
        if not entries:
            return None
        k = id(entries)
        i = self._turn.get(k, 0)
        self._turn[k] = i + 1
        return entries[i % len(entries)]


def _problem_text(prompt: str) -> str:
    return prompt.replace("\r\n", "\n").strip()


def _record_entry(rec: Record, where: str) -> ReplayEntry:
    start = 0.0
    if rec.timing is not None and rec.timing.answer_start_ms is not None:
        start = rec.timing.answer_start_ms
    chunks = rec.chunks or None
    if chunks is not None and (
        sum(int(c[1]) for c in chunks) != len(rec.answer)
        or sum(int(c[2]) for c in chunks) != len(rec.reasoning)
    ):
        chunks = None  # timing that does not add up is not used
    entry = ReplayEntry(rec.answer, rec.reasoning, chunks, start, rec.finish_reason, where)
    u = rec.usage
    if u is not None and _count(u.completion_tokens) is not None:
        entry.usage = {
            k: v
            for k, v in (
                ("prompt_tokens", _count(u.prompt_tokens)),
                ("completion_tokens", _count(u.completion_tokens)),
                ("reasoning_tokens", _count(u.reasoning_tokens)),
            )
            if v is not None
        }
    return entry


def _count(v: object) -> int | None:
    """A recorded token count, if it is one (a whole, finite, non-negative number)."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    if v != v or v in (float("inf"), float("-inf")) or v < 0 or v != int(v):
        return None
    return int(v)
