"""Reading the official format: what a dataset file holds, and every way a sample can be bad.

One reader (:class:`tmtui.io.official.OfficialFile`) serves datasets and results files alike."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from tmtui.core.datasets import DatasetError, generate_preset, instance_id
from tmtui.io.official import OfficialFile, dump_official

TMBENCH_SHA256 = "5a615ae9f686a70df777c6b008e2378973c70a4fb405580e876d8e7efb1656d9"


def read(obj: object, *, strict: bool = True):
    return OfficialFile(Path("x.json"), json.dumps(obj).encode()).to_dataset(strict=strict)


def _official_obj():
    return json.loads(dump_official(generate_preset("tmbench")))


def test_round_trip_through_the_official_file():
    ds = read(_official_obj())
    assert len(ds) == 100 and ds.name == "x"
    assert ds.validate() == []
    assert hashlib.sha256(dump_official(ds)).hexdigest() == TMBENCH_SHA256


def test_validation_reports_tampered_step_results():
    obj = _official_obj()
    s = obj["samples"][7]
    good = s["step_results"][4]
    s["step_results"][4] = good[:-1] + ("A" if good[-1] != "A" else "B")
    obj["samples"][9]["step_results"].append("ABC")  # longer than the trace
    obj["samples"][11]["step_results"].pop()  # shorter than the trace
    problems = dict(read(obj).validate())
    assert sorted(problems) == [7, 9, 11]
    assert problems[7].startswith("step 4: stored")
    assert "halts after" in problems[9]
    assert "stops at" in problems[11]


def test_truth_is_simulated_not_read():
    obj = _official_obj()
    obj["samples"][0]["step_results"][3] = "EEEE"
    inst = read(obj)[0]
    assert inst.step_results[3] == "EEEE"  # kept as stored, for validation
    assert inst.run.state(3) != "EEEE"
    assert inst.run.states() == generate_preset("tmbench")[0].run.states()


BAD_TOP = [
    ([], "the top level is not an object"),
    ({"a": 1}, "no top-level 'samples'"),
    ({"samples": {}}, "'samples' is not a list"),
    ({"samples": [], "symbol_set": "ABCDE"}, "'symbol_set' must be a list of single characters"),
    ({"samples": [], "symbol_set": ["AB"]}, "'symbol_set' must be a list of single characters"),
    ({"samples": [], "max_step": 0}, "'max_step' must be between 1 and"),
    ({"samples": [], "max_step": True}, "'max_step' must be an integer"),
    ({"samples": [], "max_step": "31"}, "'max_step' must be an integer"),
    ({"samples": [], "delete_count": 0}, "'delete_count' must be between 1 and"),
]


@pytest.mark.parametrize(("obj", "msg"), BAD_TOP)
def test_top_level_errors(obj, msg):
    with pytest.raises(DatasetError, match=msg):
        read(obj)


def _sample(**over):
    s = {"id": "x", "init_str": "AB", "rule": {"A": "B", "B": "A"}, "delete_count": 2}
    s.update(over)
    return {k: v for k, v in s.items() if v is not KeyError}


# each message names what is wrong, and where
BAD_SAMPLES = [
    ("not a sample", "Expected `object`, got `str`"),
    (_sample(init_str=KeyError), "missing required field `init_str`"),
    (_sample(init_str=5), "Expected `str`, got `int` - at `$.init_str`"),
    (_sample(rule=KeyError), "missing required field `rule`"),
    (_sample(rule=["A"]), "Expected `object`, got `array` - at `$.rule`"),
    (_sample(rule={"A": 1}), "Expected `str`, got `int` - at `$.rule[...]`"),
    (_sample(rule={"AB": "A"}), "not a single character"),
    (_sample(delete_count=0), "delete_count must be >= 1"),
    (_sample(delete_count="2"), "got `str` - at `$.delete_count`"),
    (_sample(id=5), "got `int` - at `$.id`"),
    (_sample(step_results="AB"), "got `str` - at `$.step_results`"),
    (_sample(step_results=["AB", 3]), "Expected `str`, got `int` - at `$.step_results[1]`"),
]


@pytest.mark.parametrize(("sample", "msg"), BAD_SAMPLES)
def test_sample_errors(sample, msg):
    obj = {"samples": [_sample(), sample]}
    with pytest.raises(DatasetError, match=f"^sample 1: .*{re.escape(msg)}"):
        read(obj)
    ds = read(obj, strict=False)
    assert len(ds) == 1  # the good one is kept
    [(idx, err)] = ds.extra["errors"]
    assert idx == 1 and msg in err


def test_missing_id_is_computed_and_extra_rule_symbols_join_the_alphabet():
    ds = read({"samples": [{"init_str": "AZ", "rule": {"A": "Z", "Z": "A"}}]})
    inst = ds[0]
    assert inst.id == instance_id("AZ", {"A": "Z", "Z": "A"})
    assert "Z" in inst.alphabet
    assert inst.run.states()[:2] == ["AZ", "Z"]


def test_repeated_problems_share_one_tag_system():
    """Samples with the same problem are one instance, re-indexed (the system is shared)."""
    s = _sample()
    ds = read({"samples": [s, dict(s), {**s, "step_results": ["AB"]}]})
    assert [inst.index for inst in ds] == [0, 1, 2]
    assert ds[1].system is ds[0].system and ds[2].system is ds[0].system
    assert ds[2].step_results == ["AB"] and ds[0].step_results is None


@pytest.mark.parametrize(
    ("stem", "names"),
    [
        ("TMBench_gemini-2.5-pro-exp-03-25_chat", ("TMBench", "gemini-2.5-pro-exp-03-25", "chat")),
        ("TMBenchGreek_Qwen_Qwen3-8B_chat", ("TMBenchGreek", "Qwen_Qwen3-8B", "chat")),
        ("gemini-2.5-pro.first20", ("", "gemini-2.5-pro.first20", "")),
        ("my_results", ("", "my_results", "")),
        ("TMBench", ("", "TMBench", "")),
    ],
)
def test_the_model_of_an_official_results_file_is_read_from_its_name(stem, names):
    from tmtui.io.official import official_names

    assert official_names(stem) == names


def test_score_names_the_model_from_the_official_file_name(tmp_path):
    import json

    from tests.cli.clihelp import answer, invoke, results_obj

    p = tmp_path / "TMBench_gemini-2.5-pro-exp-03-25_chat.json"
    p.write_text(json.dumps(results_obj({0: answer(0)})))
    d = invoke("score", p, "--json", "--bootstrap", "0").json()
    assert d["models"] == ["gemini-2.5-pro-exp-03-25"]
