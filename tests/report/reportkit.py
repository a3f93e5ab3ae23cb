"""Shared by the report tests: answers, records (models and people) and official results
files built in the tests themselves."""

from __future__ import annotations

import json
import random
from functools import lru_cache
from pathlib import Path

from tmtui.core.answer import format_answer
from tmtui.core.datasets import generate_preset
from tmtui.core.diagnose import Kind
from tmtui.core.mutate import flawed_steps
from tmtui.core.prompts import render
from tmtui.io.records import Record, Usage, encode_record, spec_of

DS = generate_preset("tmbench")
GREEK = generate_preset("tmbench-greek")


@lru_cache(maxsize=512)
def answer(
    i: int,
    error: tuple[int, Kind] | None = None,
    style: str = "official",
    seed: int = 0,
    dataset: str = "tmbench",
) -> str:
    ds = GREEK if dataset == "tmbench-greek" else DS
    errors = {error[0]: error[1]} if error else {}
    steps = flawed_steps(ds[i], errors, rng=random.Random(seed))
    if steps is None:  # that mistake cannot be made there: a right answer
        steps = flawed_steps(ds[i], {}, rng=random.Random(seed))
    assert steps is not None
    return format_answer(steps, style=style)


def record(i: int, ans: str | None = None, *, dataset: str = "tmbench", **over) -> Record:
    ds = GREEK if dataset == "tmbench-greek" else DS
    fields = {
        "instance_id": ds[i].id,
        "dataset": dataset,
        "index": i,
        "model": "model-a",
        "status": "complete",
        "answer": ans if ans is not None else answer(i, dataset=dataset),
        "instance": spec_of(ds[i]),
    }
    fields.update(over)
    return Record(**fields)


def human(i: int, participant: str, ans: str | None = None, **over) -> Record:
    over.setdefault("meta", {"active_seconds": 60.0, "assist": "none"})
    return record(
        i,
        ans,
        kind="human",
        participant=participant,
        model=f"human:{participant}",
        session="s1",
        **over,
    )


def with_tokens(rec: Record, completion: int) -> Record:
    rec.usage = Usage(completion_tokens=completion)
    return rec


def write_records(path: Path, records: list[Record]) -> Path:
    path.write_bytes(b"".join(encode_record(r) for r in records))
    return path


def results_obj(answers: dict[int, str | None], num_token: int = 100) -> dict:
    """An official results file with the given answers (None: a sample without 'ans')."""
    obj = DS.to_official()
    obj["samples"] = [obj["samples"][i] for i in answers]
    for s, (i, ans) in zip(obj["samples"], answers.items(), strict=True):
        s["prompts"] = render(DS[i])
        if ans is not None:
            s["ans"] = ans
        s["num_token"] = num_token
    return obj


def write_results(path: Path, answers: dict[int, str | None], num_token: int = 100) -> Path:
    path.write_text(json.dumps(results_obj(answers, num_token), indent=1))
    return path
