"""The replay store, built on the same sources as scoring: what it loads from records and
official results files, and how a request finds its answer."""

from __future__ import annotations

import json

import pytest

from tmtui.core.answer import format_answer
from tmtui.core.mutate import flawed_steps
from tmtui.core.prompts import messages, render
from tmtui.io.records import Record, Timing, encode_record, spec_of
from tmtui.model.replay import ReplayError, ReplayStore


def _answer(inst) -> str:
    return format_answer(flawed_steps(inst))


def _record(inst, **over) -> bytes:
    fields = {
        "instance_id": inst.id,
        "dataset": "tmbench",
        "index": inst.index,
        "model": "m",
        "status": "complete",
        "answer": _answer(inst),
        "instance": spec_of(inst),
    }
    return encode_record(Record(**{**fields, **over}))


def test_official_results_are_found_by_their_kept_prompt_or_by_problem(tmp_path, tmbench):
    obj = tmbench.to_official()
    obj["samples"] = obj["samples"][:4]
    for i, s in enumerate(obj["samples"]):
        s["prompts"] = [render(tmbench[i])]
        s["ans"] = f"answer {i}"
    del obj["samples"][1]["ans"]  # nothing to replay
    obj["samples"][2]["prompts"] = ["a prompt worded in some other way"]
    obj["samples"][3]["rule"] = {"AB": "A"}  # a bad sample
    p = tmp_path / "results.json"
    p.write_text(json.dumps(obj))
    store = ReplayStore.load(p)
    assert len(store) == 2 and len(store.by_prompt) == 2
    assert store.skipped and store.skipped[0].startswith("sample 3: ")
    got = store.lookup(messages(tmbench[0]))
    assert (got.answer, got.finish_reason, got.where) == ("answer 0", "stop", "sample 0")
    # sample 2's kept prompt is not ours, but the problem is the same
    assert store.lookup(messages(tmbench[2], "zero-shot")).answer == "answer 2"
    assert store.lookup(messages(tmbench[1])) is None
    assert store.lookup([{"role": "user", "content": "What is 2+2?"}]) is None


def test_records_replay_with_their_timing_and_in_turn(tmp_path, tmbench):
    a, b = tmbench[5], tmbench[6]
    text = _answer(a)
    timed = _record(
        a,
        reasoning="hmm",
        chunks=[[100.0, len(text) - 3, 3], [150.0, 3, 0]],
        timing=Timing(answer_start_ms=40.0),
        finish_reason="length",
    )
    bad_timing = _record(a, answer="second", chunks=[[1.0, 99, 0]])
    no_instance = _record(b, instance=None)  # found in the preset it names
    p = tmp_path / "runs.jsonl"
    p.write_bytes(timed + b"not json\n" + bad_timing + no_instance)
    store = ReplayStore.load(p)
    assert len(store) == 3
    assert len(store.skipped) == 1 and store.skipped[0].startswith("line 2: ")
    first = store.lookup(messages(a))
    assert (first.answer, first.reasoning, first.start_ms) == (text, "hmm", 40.0)
    assert first.chunks == [[100.0, len(text) - 3, 3], [150.0, 3, 0]]
    assert (first.finish_reason, first.where) == ("length", "line 1")
    second = store.lookup(messages(a))
    assert second.answer == "second" and second.chunks is None  # timing that does not add up
    assert store.lookup(messages(a)) is first  # repeats are served in turn
    assert store.lookup(messages(b)).where == "line 4"


def test_a_file_with_nothing_to_replay_says_why(tmp_path, tmbench):
    p = tmp_path / "runs.jsonl"
    p.write_bytes(_record(tmbench[0], instance=None, dataset="mystery"))
    with pytest.raises(ReplayError, match=r"no answers to replay \(line 1: .*not a known dataset"):
        ReplayStore.load(p)
    d = tmp_path / "TMBench.json"
    d.write_text(json.dumps(tmbench.to_official()))  # a dataset: no answers at all
    with pytest.raises(ReplayError, match=r"TMBench\.json: no answers to replay$"):
        ReplayStore.load(d)
