"""TMBench instances and datasets: validation and exact generation (the official JSON format
is read and written by :mod:`tmtui.io.official`).

The official release (``TMBench.json`` and its Greek, Number and Special variants) is reproduced
byte for byte by :func:`generate_preset`: Python's ``random`` seeded once with ``random.seed(1)``,
alphabet A..E, m = 2, 100 samples, 31 states; see :func:`generate` for the drawing order.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from tmtui.core.limits import MAX_RUN_STATES, MAX_TAPE, MAX_TRUTH, bounds
from tmtui.core.tagsystem import Run, TagSystem

__all__ = [
    "ALPHABETS",
    "PRESETS",
    "Dataset",
    "DatasetError",
    "GenerationSpec",
    "Instance",
    "generate",
    "generate_preset",
    "instance_id",
    "parse_range",
]

LETTERS = ("A", "B", "C", "D", "E")
ALPHABETS: dict[str, tuple[str, ...]] = {
    "letters": LETTERS,
    "numbers": ("1", "2", "3", "4", "5"),
    "greek": ("α", "β", "γ", "δ", "ε"),
    "special": ("@", "#", "$", "%", "&"),
}

# preset name -> alphabet the letters A..E are mapped to
PRESETS: dict[str, str] = {
    "tmbench": "letters",
    "tmbench-greek": "greek",
    "tmbench-number": "numbers",
    "tmbench-special": "special",
}


class DatasetError(ValueError):
    """A file, object or generation spec that is not a valid TMBench dataset."""


def instance_id(init: str, rules: dict[str, str]) -> str:
    """The TMBench sample id: sha256 hex of ``init + json.dumps(rule, sort_keys=True)``."""
    return hashlib.sha256((init + json.dumps(rules, sort_keys=True)).encode()).hexdigest()


@dataclass(eq=False)
class Instance:
    """One TMBench problem: an m-tag system, an initial queue and a step cap."""

    id: str
    init: str
    rules: dict[str, str]
    m: int = 2
    alphabet: tuple[str, ...] = LETTERS
    max_states: int = 31
    index: int = 0
    step_results: list[str] | None = None  # as stored in a file, if any
    dataset: str = ""

    @cached_property
    def system(self) -> TagSystem:
        return TagSystem(self.m, self.rules, self.alphabet)

    @cached_property
    def run(self) -> Run:
        """The ground truth, simulated (never read from the file)."""
        return self.system.run(self.init, self.max_states)

    def replace(self, **changes: Any) -> Instance:
        """A copy with some fields changed (as ``dataclasses.replace``). The tag system and
        the simulated ground truth already built are shared when they stay valid: the system
        while m, rules and alphabet are unchanged, the run while init and max_states are too.
        (Cheap: official files make one per sample.)"""
        unknown = changes.keys() - _INSTANCE_FIELDS
        if unknown:
            raise TypeError(f"Instance has no field {sorted(unknown)[0]!r}")
        new = object.__new__(Instance)
        state = new.__dict__
        state.update(self.__dict__)
        state.update(changes)
        if any(k in changes and changes[k] != getattr(self, k) for k in ("m", "rules", "alphabet")):
            state.pop("system", None)
            state.pop("run", None)
        elif any(k in changes and changes[k] != getattr(self, k) for k in ("init", "max_states")):
            state.pop("run", None)
        return new

    @property
    def max_step(self) -> int:
        """The last step number the prompt asks for (30 in TMBench)."""
        return self.max_states - 1

    def rules_sha256(self) -> str:
        """A hash of everything that defines the ground truth."""
        blob = json.dumps(
            {
                "m": self.m,
                "alphabet": list(self.alphabet),
                "rules": self.rules,
                "init": self.init,
                "max_states": self.max_states,
            },
            sort_keys=True,
            ensure_ascii=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()

    def to_official(self, *, states: bool = True) -> dict:
        """The sample as the official format has it (``states=False``: without its
        ``step_results``, every state of the trace)."""
        out: dict = {
            "id": self.id,
            "init_str": self.init,
            "rule": dict(self.rules),
            "delete_count": self.m,
        }
        if states:
            out["step_results"] = self.run.states()
        return out

    def check(self) -> str | None:
        """Compare stored ``step_results`` with a fresh simulation; a message on mismatch."""
        if self.step_results is None:
            return None
        truth = self.run
        stored = self.step_results
        for i, want in enumerate(stored):
            if i >= len(truth):
                return (
                    f"step_results has {len(stored)} states but the system halts after "
                    f"{len(truth)} ({truth.halt_description()})"
                )
            if truth.state(i) != want:
                return f"step {i}: stored {want!r} but the rules give {truth.state(i)!r}"
        if len(stored) < len(truth):
            return f"step_results stops at {len(stored)} states but the system runs to {len(truth)}"
        return None


_INSTANCE_FIELDS = frozenset(f.name for f in dataclasses.fields(Instance))


@dataclass
class Dataset:
    """A TMBench dataset as in the official JSON file."""

    samples: list[Instance]
    symbol_set: tuple[str, ...] = LETTERS
    rule_min_length: int = 1
    rule_max_length: int = 5
    str_min_length: int = 2
    str_max_length: int = 9
    max_step: int = 31  # the official key: number of states, 31 = steps 0..30
    delete_count: int = 2
    name: str = ""
    extra: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int) -> Instance:
        return self.samples[i]

    def by_id(self, sid: str) -> Instance | None:
        """The sample whose id is ``sid`` or starts with it, when exactly one does."""
        found = self.find_id(sid)
        return found[0] if len(found) == 1 else None

    def find_id(self, sid: str) -> list[Instance]:
        """The samples whose id is ``sid`` (one, exactly), else those whose id starts with it
        (any prefix: unique is usable, several are ambiguous)."""
        sid = sid.strip().lower()
        if not sid:
            return []
        exact = [inst for inst in self.samples if inst.id == sid]
        if exact:
            return exact[:1]
        return [inst for inst in self.samples if inst.id.startswith(sid)]

    def validate(self) -> list[tuple[int, str]]:
        """(index, message) for every sample whose stored step_results disagree with the rules."""
        problems = []
        for inst in self.samples:
            msg = inst.check()
            if msg:
                problems.append((inst.index, msg))
        return problems

    def to_official(self, *, samples: bool = True) -> dict:
        """The dataset as the official format has it (``samples=False``: its metadata)."""
        out: dict = {
            "symbol_set": list(self.symbol_set),
            "rule_min_length": self.rule_min_length,
            "rule_max_length": self.rule_max_length,
            "str_min_length": self.str_min_length,
            "str_max_length": self.str_max_length,
            "max_step": self.max_step,
            "delete_count": self.delete_count,
        }
        if samples:
            out["samples"] = [inst.to_official() for inst in self.samples]
        return out


# -- generation ------------------------------------------------------------------------


def parse_range(text: str) -> tuple[int, int]:
    """'2-9' -> (2, 9); '5' -> (5, 5)."""
    parts = text.replace("..", "-").split("-")
    try:
        if len(parts) == 1:
            lo = hi = int(parts[0])
        elif len(parts) == 2:
            lo, hi = int(parts[0]), int(parts[1])
        else:
            raise ValueError
    except ValueError:
        raise DatasetError(f"not a range: {text!r} (expected MIN-MAX)") from None
    if lo < 0 or hi < lo:
        raise DatasetError(f"bad range {text!r}: need 0 <= MIN <= MAX")
    return lo, hi


@dataclass(frozen=True)
class GenerationSpec:
    """How to draw a dataset; the defaults are the official TMBench recipe."""

    n: int = 100
    seed: int = 1
    m: int = 2
    alphabet: tuple[str, ...] = LETTERS
    rule_len: tuple[int, int] = (1, 5)
    init_len: tuple[int, int] = (2, 9)
    max_states: int = 31
    min_states: int = 0  # filter: reject samples whose trace has fewer states (halts earlier)
    max_attempts: int = 1_000_000

    def check(self) -> None:
        if self.n < 0:
            raise DatasetError("n must be >= 0")
        if self.m < 1:
            raise DatasetError("m must be >= 1")
        if len(self.alphabet) < 1 or len(set(self.alphabet)) != len(self.alphabet):
            raise DatasetError("the alphabet needs distinct symbols")
        if any(len(s) != 1 for s in self.alphabet):
            raise DatasetError("every symbol must be a single character")
        if self.rule_len[0] < 0 or self.init_len[0] < 0:
            raise DatasetError("lengths must be >= 0")
        if self.max_states < 1:
            raise DatasetError("max states must be >= 1")
        if self.min_states > self.max_states:
            raise DatasetError("the must-not-halt filter asks for more states than the cap")
        if self.max_states > MAX_RUN_STATES:
            raise DatasetError(
                f"at most {MAX_RUN_STATES - 1:,} steps a trace ({self.max_states - 1:,} asked)"
            )
        worst = bounds(self.m, self.init_len[1], self.rule_len[1], self.max_states)
        if worst.tape > MAX_TAPE:
            raise DatasetError(
                f"a trace could need {worst.tape:,} symbols of tape ({self.max_states - 1:,} "
                f"steps, productions up to {self.rule_len[1]:,}); the limit is {MAX_TAPE:,}"
            )
        # every initial queue at least m long and every production longer than m: the queue
        # grows each step and never halts, so even the shortest trace holds at least this
        # many symbols (the official format writes every state of it)
        least = bounds(self.m, self.init_len[0], self.rule_len[0], self.max_states)
        grows = self.init_len[0] >= self.m and self.rule_len[0] > self.m
        if grows and least.truth > MAX_TRUTH:
            raise DatasetError(
                f"every trace would hold at least {least.truth:,} symbols in its "
                f"{self.max_states:,} states (the official format writes each one); "
                f"the limit is {MAX_TRUTH:,}: ask for fewer steps"
            )


def _has_repeat(run: Run) -> bool:
    return run.repeats()


def _too_large(inst: Instance, run: Run) -> str | None:
    """Why an accepted sample cannot be written (its states, all of them, are too many
    symbols for the official format), or None."""
    total = run.total_length()
    if total <= MAX_TRUTH:
        return None
    return (
        f"sample {inst.index} ({len(run):,} states) would hold {total:,} symbols in its "
        f"step_results (the official format writes every state); the limit is "
        f"{MAX_TRUTH:,}: ask for fewer steps"
    )


# an accepted sample keeps its simulated run when its tape is no longer than this
_KEEP_TAPE = 1 << 16


def generate(
    spec: GenerationSpec = GenerationSpec(),
    *,
    accept: Callable[[Instance], bool] | None = None,
    name: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> Dataset:
    """Draw a dataset exactly as the TMBench generator does.

    Repeat until ``n`` samples are accepted: for each symbol in alphabet order draw
    ``k = randint(*rule_len)`` then ``choices(alphabet, k=k)`` as its production; then
    ``k = randint(*init_len)`` and ``choices(alphabet, k=k)`` as the initial queue. The id is
    the sha256 of ``init + json.dumps(rule, sort_keys=True)``; a drawn id seen before is skipped
    (every drawn id is remembered, rejected ones too). A sample whose trace has two equal
    consecutive states is rejected, as is one failing the optional filters.

    Bounded: a spec whose traces could not be simulated (or could never be written) is
    refused by :meth:`GenerationSpec.check` before anything is drawn, and an accepted sample
    whose states would hold more than ``MAX_TRUTH`` symbols in the official format stops the
    generation with one line (DatasetError). Long runs are not kept in memory: they are
    simulated again when written.
    """
    spec.check()
    rng = random.Random(spec.seed)
    alpha = list(spec.alphabet)
    seen: set[str] = set()
    out: list[Instance] = []
    attempts = 0
    while len(out) < spec.n:
        attempts += 1
        if attempts > spec.max_attempts:
            raise DatasetError(
                f"gave up after {spec.max_attempts} draws with {len(out)} of {spec.n} samples "
                "accepted; loosen the filters"
            )
        rules = {}
        for sym in alpha:
            k = rng.randint(*spec.rule_len)
            rules[sym] = "".join(rng.choices(alpha, k=k))
        k = rng.randint(*spec.init_len)
        init = "".join(rng.choices(alpha, k=k))
        sid = instance_id(init, rules)
        if sid in seen:
            continue
        seen.add(sid)
        inst = Instance(
            id=sid,
            init=init,
            rules=rules,
            m=spec.m,
            alphabet=tuple(alpha),
            max_states=spec.max_states,
            index=len(out),
            dataset=name,
        )
        run = inst.run
        if _has_repeat(run):
            continue
        if spec.min_states and len(run) < spec.min_states:
            continue
        if accept is not None and not accept(inst):
            continue
        problem = _too_large(inst, run)
        if problem is not None:
            raise DatasetError(problem)
        if len(run.tape) > _KEEP_TAPE:
            del inst.__dict__["run"]  # simulated again when written: one long run at a time
        out.append(inst)
        if progress is not None:
            progress(len(out), spec.n)
    return Dataset(
        samples=out,
        symbol_set=tuple(alpha),
        rule_min_length=spec.rule_len[0],
        rule_max_length=spec.rule_len[1],
        str_min_length=spec.init_len[0],
        str_max_length=spec.init_len[1],
        max_step=spec.max_states,
        delete_count=spec.m,
        name=name,
    )


def remap(ds: Dataset, symbols: Sequence[str], name: str = "") -> Dataset:
    """The same samples with the symbols mapped position by position (ids unchanged)."""
    if len(symbols) != len(ds.symbol_set):
        raise DatasetError("the new alphabet must have as many symbols as the old")
    table = str.maketrans("".join(ds.symbol_set), "".join(symbols))
    samples = [
        inst.replace(
            init=inst.init.translate(table),
            rules={k.translate(table): v.translate(table) for k, v in inst.rules.items()},
            alphabet=tuple(symbols),
            step_results=None,
            dataset=name,
        )
        for inst in ds.samples
    ]
    return Dataset(
        samples=samples,
        symbol_set=tuple(symbols),
        rule_min_length=ds.rule_min_length,
        rule_max_length=ds.rule_max_length,
        str_min_length=ds.str_min_length,
        str_max_length=ds.str_max_length,
        max_step=ds.max_step,
        delete_count=ds.delete_count,
        name=name,
    )


_PRESET_CACHE: dict[str, Dataset] = {}


def generate_preset(name: str) -> Dataset:
    """One of the four official datasets, regenerated (cached per process)."""
    if name not in PRESETS:
        raise DatasetError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}")
    if name not in _PRESET_CACHE:
        base = _PRESET_CACHE.get("tmbench")
        if base is None:
            base = generate(GenerationSpec(), name="tmbench")
            _PRESET_CACHE["tmbench"] = base
        if name != "tmbench":
            _PRESET_CACHE[name] = remap(base, ALPHABETS[PRESETS[name]], name=name)
    return _PRESET_CACHE[name]


def resolve_alphabet(spec: str) -> tuple[str, ...]:
    """'letters' | 'numbers' | 'greek' | 'special' or the explicit symbols ('ABC', 'a,b,c')."""
    if spec in ALPHABETS:
        return ALPHABETS[spec]
    syms: Iterable[str]
    if "," in spec or " " in spec:
        syms = [s for s in spec.replace(",", " ").split() if s]
    else:
        syms = list(spec)
    out = tuple(syms)
    if not out:
        raise DatasetError("empty alphabet")
    if any(len(s) != 1 for s in out):
        raise DatasetError("every symbol of an explicit alphabet must be one character")
    if len(set(out)) != len(out):
        raise DatasetError("the alphabet lists a symbol twice")
    return out
