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
from tmtui.core.prompts import render
from tmtui.io.jsonl import BadLine, iter_jsonl
from tmtui.io.official import BadSample, OfficialFile
from tmtui.io.records import Record, instance_of
from tmtui.io.sources import SourceError, sniff
from tmtui.model.synthetic import PROBLEM_MARK, parse_problem

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
            kind = sniff(p)
        except SourceError as exc:
            raise ReplayError(str(exc)) from None
        store = cls(p)
        if kind == "jsonl":
            store._load_jsonl(p)
        else:
            store._load_official(p)
        if not len(store):
            why = f" ({store.skipped[0]})" if store.skipped else ""
            raise ReplayError(f"{p}: no answers to replay{why}")
        return store

    def _load_jsonl(self, p: Path) -> None:
        for n, item in iter_jsonl(p):
            if isinstance(item, BadLine):
                self.skipped.append(f"line {n}: {item.message}")
                continue
            rec: Record = item
            try:
                inst = instance_of(rec)
            except Exception as exc:
                self.skipped.append(f"line {n}: bad instance ({exc})")
                continue
            if inst is None:
                self.skipped.append(f"line {n}: the record carries no instance")
                continue
            try:
                prompt = render(inst, rec.prompt_template, max_step=rec.max_steps)
            except (KeyError, ValueError):
                prompt = None
            start = 0.0
            if rec.timing is not None and rec.timing.answer_start_ms is not None:
                start = rec.timing.answer_start_ms
            chunks = rec.chunks or None
            if chunks is not None and (
                sum(int(c[1]) for c in chunks) != len(rec.answer)
                or sum(int(c[2]) for c in chunks) != len(rec.reasoning)
            ):
                chunks = None  # timing that does not add up is not used
            self._add(
                prompt,
                inst,
                ReplayEntry(
                    rec.answer,
                    rec.reasoning,
                    chunks,
                    start,
                    rec.finish_reason,
                    f"line {n}",
                ),
            )

    def _load_official(self, p: Path) -> None:
        import msgspec

        try:
            off = OfficialFile(p)
        except Exception as exc:
            raise ReplayError(f"{p}: {exc}") from None
        prompts: dict[int, str] = {}
        # the official 'prompts' field (the user prompt as it was sent), when present
        dec = msgspec.json.Decoder(dict[str, msgspec.Raw])
        for i in range(len(off)):
            raw = off._raw(i)
            if raw is None:
                continue
            try:
                obj = dec.decode(raw)
                if "prompts" in obj:
                    val = msgspec.json.decode(obj["prompts"])
                    if isinstance(val, str):
                        prompts[i] = val
                    elif isinstance(val, list) and val and isinstance(val[-1], str):
                        prompts[i] = val[-1]
            except (msgspec.DecodeError, msgspec.ValidationError):
                continue
        for item in off:
            if isinstance(item, BadSample):
                self.skipped.append(str(item))
                continue
            if item.answer is None:
                continue
            self._add(
                prompts.get(item.index),
                item.instance,
                ReplayEntry(item.answer, "", None, 0.0, "stop", f"sample {item.index}"),
            )

    def lookup(self, messages: Sequence[Mapping[str, object]]) -> ReplayEntry | None:
        prompt = None
        for msg in messages:
            c = msg.get("content")
            if msg.get("role") == "user" and isinstance(c, str) and PROBLEM_MARK in c:
                prompt = c
        entries = None
        if prompt is not None:
            entries = self.by_prompt.get(_sha(_problem_text(prompt)))
        if not entries:
            problem = parse_problem(messages)
            if problem is not None:
                entries = self.by_problem.get(problem_key(problem.instance))
        if not entries:
            return None
        k = id(entries)
        i = self._turn.get(k, 0)
        self._turn[k] = i + 1
        return entries[i % len(entries)]


def _problem_text(prompt: str) -> str:
    return prompt.replace("\r\n", "\n").strip()
