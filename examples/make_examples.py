"""Regenerate the example files in this folder (deterministic).

    python examples/make_examples.py

* ``tmbench-mini.results.json``: the first 12 TMBench samples in the official results format
  (``prompts``, ``ans``, ``num_token`` added), answered by a flawed simulator: perfect answers,
  a copy error in a long queue, a wrong production, an echo of the previous queue (which the
  official regex misreads), an answer with Chinese headers, a truncated answer, a premature
  halt and steps after halting.
* ``tmbench-mini.jsonl``: the same answers as tmtui records.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tmtui.core.answer import format_answer
from tmtui.core.datasets import generate_preset
from tmtui.core.diagnose import Kind
from tmtui.core.mutate import flawed_steps
from tmtui.core.prompts import prompt_sha256, render
from tmtui.io.records import Record, encode_record, spec_of

HERE = Path(__file__).resolve().parent

# index -> (errors, style, cut)
PLAN: dict[int, tuple[dict[int, Kind], str, bool]] = {
    0: ({}, "official", False),
    1: ({19: Kind.COPY_ERROR}, "official", False),
    2: ({}, "echo", False),
    3: ({7: Kind.WRONG_PRODUCTION}, "official", False),
    4: ({}, "chinese", False),
    5: ({}, "official", True),
    6: ({-1: Kind.STEPS_AFTER_HALT}, "official", False),
    7: ({12: Kind.WRONG_HEAD}, "commas", False),
    8: ({15: Kind.PREMATURE_HALT}, "official", False),
    9: ({}, "compact", False),
    10: ({22: Kind.WRONG_DELETION}, "official", False),
    11: ({}, "official", False),
}


def main() -> None:
    ds = generate_preset("tmbench")
    rng = random.Random(7)
    samples = []
    records = []
    for i, (errors, style, cut) in PLAN.items():
        inst = ds[i]
        steps = flawed_steps(inst, errors, rng=rng)
        assert steps is not None, i
        text = format_answer(steps, style=style)
        if cut:
            text = text[: int(len(text) * 0.6)]
        sample = inst.to_official()
        sample["prompts"] = render(inst)
        sample["ans"] = text
        sample["num_token"] = len(text) // 3
        samples.append(sample)
        records.append(
            Record(
                instance_id=inst.id,
                dataset="tmbench",
                index=i,
                model="flawed-simulator",
                status="complete",
                answer=text,
                instance=spec_of(inst),
                prompt_sha256=prompt_sha256(inst),
                finish_reason="length" if cut else "stop",
            )
        )
    obj = ds.to_official()
    obj["samples"] = samples
    (HERE / "tmbench-mini.results.json").write_text(json.dumps(obj, indent=1))
    with open(HERE / "tmbench-mini.jsonl", "wb") as f:
        for rec in records:
            f.write(encode_record(rec))


if __name__ == "__main__":
    main()
