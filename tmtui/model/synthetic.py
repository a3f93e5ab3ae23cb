"""The synthetic model: reads a TMBench prompt in any alphabet, simulates it with the core and
answers in the official answer format, with seeded, realistic mistakes.

Mistakes, per step, at ``error_rate`` (the rate for a queue of 20 symbols; copy errors grow with
the queue and are likelier still in periodic queues, as with real models):

* copy errors: symbols dropped, duplicated or substituted while copying the kept part of the
  queue (in a periodic queue a whole period is dropped or repeated);
* wrong production, wrong deletion count, wrong head symbol read;
* the previous queue written again unchanged (a stale echo);
* a premature halt; at the end, a missing halt (it keeps stepping) - a finding, not an error;
* format drift: a step written with no readable queue, a step left out, and (harmless to the
  strict parser, not to the official regex) a switch of style midway (commas, an echo of the
  previous queue, compact lines);
* in the tail format (``fmt="tail"``, docs/tail.md), a wrong fetch as well: a cell after the
  head read instead of the head, written as the position it says it read.

The answer is in the format the prompt asks for (``tmbench``, ``tail`` or ``indexed``; the
last two never drift in style), positions kept as the model itself counts them.

After a mistake the model goes on from its own wrong queue, as models do. ``error_rate=0``
answers perfectly. Everything is decided by a ``random.Random`` seeded from the server seed and
the prompt, so the same request gets the same answer.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from types import SimpleNamespace

from tmtui.core.answer import ModelStep, format_step
from tmtui.core.datasets import Instance
from tmtui.core.diagnose import Kind, explain_transition
from tmtui.core.mutate import positioned, step_past_halt, wrong_fetch, wrong_transition
from tmtui.core.parse import StrictParser
from tmtui.core.tagsystem import TagSystem

__all__ = [
    "DEFAULT_ERROR_RATE",
    "SyntheticAnswer",
    "SyntheticModel",
    "split_tokens",
]

# gives a TMBench pass rate of about 45 % (see docs/model.md for the measurement)
DEFAULT_ERROR_RATE = 0.03
MAX_ANSWER_SYMBOLS = 20_000_000  # the longest answer written (symbols over all queues)
PREAMBLE = "Here is the step-by-step simulation:\n\n"

# relative weights of the mistake kinds at a queue of 20 symbols (they sum to 1)
_WEIGHTS: dict[str, float] = {
    "copy": 0.50,
    "production": 0.14,
    "deletion": 0.10,
    "head": 0.07,
    "stale": 0.06,
    "premature": 0.05,
    "unparsable": 0.05,
    "missing": 0.03,
}
# the tail format's own mistake (its weight is added to the others)
_FETCH_WEIGHT = 0.10
_STYLE = {"tmbench": "official", "tail": "tail", "indexed": "indexed"}
_REF_LEN = 20.0

_TOKEN = re.compile(
    r"\n+|[^\S\n]*[A-Za-z]+|[^\S\n]*[0-9]{1,3}|[^\S\n]*[^\sA-Za-z0-9]|[^\S\n]+", re.ASCII
)


def split_tokens(text: str) -> list[str]:
    """Token-sized pieces of text (about one BPE token each for TMBench answers)."""
    out = _TOKEN.findall(text)
    if sum(map(len, out)) != len(text):  # never lose a character
        return [text[i : i + 3] for i in range(0, len(text), 3)]
    return out


@dataclass
class SyntheticAnswer:
    text: str  # the content (with <think> reasoning when asked for)
    reasoning: str = ""  # reasoning for the reasoning_content field
    injected: list[tuple[int, Kind]] = field(default_factory=list)  # (step, kind), in order
    drift: str | None = None  # a benign style switch: "commas@7"
    last_step: int = 0


def _period(s: str, max_p: int = 6) -> int:
    """The shortest period p <= max_p with s[i] == s[i+p] throughout (0: not periodic)."""
    n = len(s)
    for p in range(1, max_p + 1):
        if n >= 3 * p and all(s[i] == s[i + p] for i in range(n - p)):
            return p
    return 0


def _claims(s: ModelStep) -> SimpleNamespace:
    return SimpleNamespace(
        head_claim=s.head,
        append_claim=s.appended if s.appended else None,
        remove_claim=s.removed,
    )


class SyntheticModel:
    """Answers TMBench prompts; ``error_rate`` mistakes per step (see the module doc)."""

    def __init__(
        self,
        error_rate: float = DEFAULT_ERROR_RATE,
        seed: int = 0,
        *,
        reasoning: str = "none",  # none | field | think
        drift: bool = True,
    ) -> None:
        if not 0 <= error_rate <= 1:
            raise ValueError("error_rate must be within 0..1")
        if reasoning not in ("none", "field", "think"):
            raise ValueError("reasoning must be none, field or think")
        self.error_rate = error_rate
        self.seed = seed
        self.reasoning = reasoning
        self.drift = drift

    # -- randomness -------------------------------------------------------------------
    def rng_for(self, inst: Instance, salt: str = "") -> random.Random:
        h = hashlib.sha256(f"{self.seed}\x00{inst.id}\x00{inst.m}\x00{salt}".encode()).digest()
        return random.Random(int.from_bytes(h[:8], "big"))

    # -- the answer -------------------------------------------------------------------
    def answer(
        self,
        inst: Instance,
        *,
        previous: str = "",
        salt: str = "",
        rng: random.Random | None = None,
        fmt: str = "tmbench",
    ) -> SyntheticAnswer:
        """The whole answer (or, after ``previous`` text, its continuation) in ``fmt``:
        tmbench, tail or indexed."""
        if fmt not in _STYLE:
            raise ValueError(f"unknown answer format {fmt!r}")
        start_step, queue = 0, inst.init
        before: list[tuple[int, str]] = []
        if previous:
            parser = StrictParser(inst.alphabet)
            parser.feed(previous)
            res = parser.finish()
            readable = [k for k, s in res.steps.items() if s.queue is not None]
            if readable:
                last = max(readable)
                start_step, queue = last + 1, res.steps[last].queue or ""
                before = [(k, res.steps[k].queue or "") for k in sorted(readable)]
                if res.halt_step is not None and res.halt_step <= last:
                    return SyntheticAnswer("The machine has already halted.", last_step=last)
        rng = rng or self.rng_for(inst, f"{salt}\x00{start_step}")
        steps, injected, drift_at = self._steps(inst, start_step, queue, rng, fmt)
        positioned(steps, inst.m, before)
        style_switch = None
        if drift_at is not None and fmt == "tmbench":
            style_switch = (drift_at, rng.choice(("commas", "echo", "compact")))
        parts: list[str] = []
        if start_step == 0:
            parts.append(PREAMBLE)
            parts.append("Simulation steps:\n")
        for s in steps:
            style = _STYLE[fmt]
            if style_switch is not None and s.step >= style_switch[0]:
                style = style_switch[1]
            parts.append(format_step(s, style))
        text = "".join(parts).rstrip("\n")
        reasoning = ""
        if self.reasoning != "none":
            reasoning = self._reasoning(inst, steps)
            if self.reasoning == "think":
                text = f"<think>\n{reasoning}\n</think>\n\n{text}"
                reasoning = ""
        return SyntheticAnswer(
            text,
            reasoning,
            injected,
            None if style_switch is None else f"{style_switch[1]}@{style_switch[0]}",
            steps[-1].step if steps else start_step,
        )

    def _steps(
        self, inst: Instance, start: int, q: str, rng: random.Random, fmt: str = "tmbench"
    ) -> tuple[list[ModelStep], list[tuple[int, Kind]], int | None]:
        system = inst.system
        cap = inst.max_states
        rate = self.error_rate
        steps: list[ModelStep] = []
        injected: list[tuple[int, Kind]] = []
        drift_at = None
        if rate > 0 and self.drift and rng.random() < min(0.3, rate * 4):
            drift_at = start + rng.randint(1, max(1, cap - 1 - start))
        if start == 0:
            steps.append(ModelStep(0, inst.init))
            k = 1
        else:
            k = start
        written = 0
        while k < cap:
            if system.halts_on(q) is not None:
                break
            written += len(q)
            if written > MAX_ANSWER_SYMBOLS:
                break  # like a model at its output limit
            kind = self._pick(q, system.m, rng, fmt == "tail") if rate > 0 else None
            if kind == "premature":
                if steps:
                    steps[-1].halt = True
                    injected.append((k, Kind.PREMATURE_HALT))
                    return steps, injected, drift_at
                kind = None
            s: ModelStep | None = None
            if kind in _KIND:
                s = self._mistake(system, q, k, kind, rng)
                if s is not None:
                    injected.append((k, _KIND[kind]))
            if s is None:
                res = system.step(q)
                assert res is not None
                s = ModelStep(
                    k,
                    res.queue,
                    head=res.head,
                    appended=res.production,
                    removed=res.deleted,
                    prev=q,
                )
                if kind == "missing" and k + 1 < cap:
                    injected.append((k, Kind.STEP_MISSING))
                    q = s.queue or ""
                    k += 1
                    continue
                if kind == "unparsable" and k + 1 < cap:
                    injected.append((k, Kind.UNPARSABLE))
                    syms = s.queue or ""
                    if len(syms) > 6:
                        s.raw_queue = f"[{' '.join(syms[:3])} ... {' '.join(syms[-2:])}]"
                    else:
                        s.raw_queue = "(the same as above, with the production appended)"
            steps.append(s)
            q = s.queue if s.queue is not None else q
            k += 1
        if steps and system.halts_on(q) is not None:
            steps[-1].halt = True
            if rate > 0 and rng.random() < min(0.5, rate * 3):
                # a missing halt: it keeps stepping (a finding, the sample still passes)
                last = steps[-1]
                last.halt = False
                steps.append(step_past_halt(system, q, last.step + 1, halt=True))
                injected.append((-1, Kind.FAILURE_TO_HALT))
        elif steps and k >= cap:
            steps[-1].stop = True
        return steps, injected, drift_at

    def _pick(self, q: str, m: int, rng: random.Random, fetches: bool = False) -> str | None:
        """Which mistake (if any) step from queue q makes (``fetches``: a wrong fetch is one
        of them, as in the tail format)."""
        rest = len(q) - m
        scale = max(rest, 1) / _REF_LEN
        per = _period(q[m:]) if rest >= 6 else 0
        weights = dict(_WEIGHTS)
        if fetches:
            weights["fetch"] = _FETCH_WEIGHT
        weights["copy"] *= scale * (1.6 if per else 1.0)
        total = sum(weights.values())
        p = min(0.9, self.error_rate * total)
        if rng.random() >= p:
            return None
        x = rng.random() * total
        for name, w in weights.items():
            x -= w
            if x < 0:
                return name
        return "copy"

    def _mistake(
        self, system: TagSystem, q: str, k: int, kind: str, rng: random.Random
    ) -> ModelStep | None:
        want = _KIND[kind]
        if kind == "fetch":
            # the queue alone reads as a wrong head; the stated fetch makes it a wrong read
            s = wrong_fetch(system, q, k, rng)
            if s is None:
                return None
            got, _msg, _d = explain_transition(system, q, s.queue or "", _claims(s))  # type: ignore[arg-type]
            return s if got is Kind.WRONG_HEAD else None
        if kind == "copy":
            s = self._period_slip(system, q, k, rng)
            if s is not None:
                return s
        for _ in range(4):
            s = wrong_transition(system, q, k, want, rng)
            if s is None:
                continue
            got, _msg, _d = explain_transition(system, q, s.queue or "", _claims(s))  # type: ignore[arg-type]
            if got is want:
                return s
        return None

    def _period_slip(
        self, system: TagSystem, q: str, k: int, rng: random.Random
    ) -> ModelStep | None:
        """In a periodic queue, drop or repeat one whole period (a lost place)."""
        res = system.step(q)
        if res is None:
            return None
        rest = q[system.m :]
        p = _period(rest)
        if not p or len(rest) < 3 * p:
            return None
        i = rng.randrange(0, len(rest) - p + 1)
        drop = rng.random() < 0.6
        # a period dropped, or a period repeated
        kept = rest[:i] + rest[i + p :] if drop else rest[: i + p] + rest[i:]
        s = ModelStep(
            k,
            kept + res.production,
            head=res.head,
            appended=res.production,
            removed=res.deleted,
            prev=q,
        )
        got, _msg, _d = explain_transition(system, q, s.queue or "", _claims(s))  # type: ignore[arg-type]
        return s if got is Kind.COPY_ERROR else None

    @staticmethod
    def _reasoning(inst: Instance, steps: list[ModelStep]) -> str:
        lines = [
            f"The deletion number is m = {inst.m}. I apply one rule per step: read the head, "
            "append its production, remove m symbols from the head."
        ]
        for s in steps[1:]:
            lines.append(
                f"Step {s.step}: head {s.head}, append {s.appended or 'nothing'}, "
                f"queue length {len(s.queue or '')}."
            )
        lines.append("Now I write the answer in the required format.")
        return "\n".join(lines)


_KIND = {
    "copy": Kind.COPY_ERROR,
    "production": Kind.WRONG_PRODUCTION,
    "deletion": Kind.WRONG_DELETION,
    "head": Kind.WRONG_HEAD,
    "stale": Kind.STALE_STATE,
    "fetch": Kind.WRONG_READ,
}
