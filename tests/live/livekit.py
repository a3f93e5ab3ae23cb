"""Helpers for the live-trace tests (headless): answers with a known first divergence of every
diagnosis kind, and records written to files."""

from __future__ import annotations

import random
from pathlib import Path

from tmtui.core.answer import format_answer
from tmtui.core.datasets import Instance, generate_preset
from tmtui.core.diagnose import Kind
from tmtui.core.mutate import flawed_steps
from tmtui.io.records import Record, encode_record, spec_of

__all__ = ["KINDS", "TMBENCH", "flawed", "record", "truncated", "write_records"]

TMBENCH = generate_preset("tmbench")

# (instance index, step, kind): each makes a flawed answer whose first divergence is that step
KINDS: list[tuple[int, int, Kind]] = [
    (0, 9, Kind.COPY_ERROR),
    (0, 6, Kind.WRONG_PRODUCTION),
    (0, 12, Kind.WRONG_HEAD),
    (0, 5, Kind.WRONG_DELETION),
    (0, 14, Kind.STALE_STATE),
    (0, 10, Kind.PREMATURE_HALT),
    (0, 8, Kind.STEP_MISSING),
    (0, 11, Kind.UNPARSABLE),
]


def flawed(index: int = 0, errors: dict[int, Kind] | None = None, style: str = "official") -> str:
    inst = TMBENCH[index]
    for seed in range(50):
        steps = flawed_steps(inst, errors or {}, rng=random.Random(seed))
        if steps is not None:
            return format_answer(steps, style=style)
    raise AssertionError(f"cannot make {errors} on instance {index}")


def truncated(index: int = 0, at_step: int = 20) -> str:
    text = flawed(index)
    cut = text.index(f"### step {at_step}:")
    return text[: cut + len(f"### step {at_step}:\n   - Head Symbol: ")]


def record(
    inst: Instance, answer: str, *, model: str = "fake", reasoning: str = "", **kw
) -> Record:
    return Record(
        instance_id=inst.id,
        dataset=inst.dataset or "tmbench",
        index=inst.index,
        model=model,
        status=kw.pop("status", "complete"),
        answer=answer,
        reasoning=reasoning,
        instance=spec_of(inst),
        **kw,
    )


def write_records(path: Path, records: list[Record]) -> Path:
    path.write_bytes(b"".join(encode_record(r) for r in records))
    return path


def periodic_copy_error() -> tuple[Instance, str]:
    """An answer that drops a block of 4 from a repeating queue (as Gemini's sample 10 does):
    the copy goes wrong at symbol 33, the queues first differ at symbol 37 (step 19)."""
    from tmtui.core.answer import ModelStep
    from tmtui.core.datasets import instance_id

    rules = {"A": "C", "B": "ECEC", "C": "BBBA", "D": "DBB", "E": "AEEE"}
    inst = Instance(id=instance_id("BDD", rules), init="BDD", rules=rules, max_states=31)
    run = inst.run
    states = run.states()
    steps = [ModelStep(0, states[0])] + [
        ModelStep(k, states[k], head=run.head_read(k), appended=run.production(k),
                  removed=run.deleted(k))
        for k in range(1, 19)
    ]  # fmt: skip
    q = states[19]
    steps.append(ModelStep(19, q[:32] + q[36:], head="E", appended="AEEE", removed="EC"))
    return inst, format_answer(steps)
