"""Datasets: exact reproduction of the official files, validation, custom generation."""

from __future__ import annotations

import copy
import hashlib
import json
import random
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmtui.core.datasets import (
    ALPHABETS,
    Dataset,
    DatasetError,
    GenerationSpec,
    Instance,
    dataset_from_obj,
    dump_official,
    generate,
    generate_preset,
    instance_id,
    parse_range,
    resolve_alphabet,
)

OFFICIAL_SHA256 = {
    "tmbench": "5a615ae9f686a70df777c6b008e2378973c70a4fb405580e876d8e7efb1656d9",
    "tmbench-greek": "dd0ffb32b2a901aea2a79fb14e269a6922c84e047871df7f99b6b9f0d9c7e402",
    "tmbench-number": "af72974d418a3507876fcee12c880823c390230a37f31513ce7f46329620594f",
    "tmbench-special": "d2bfc369d8babb15060bd776afc64ef2d359ce177dbc7e922f12e2bb31fcf0e9",
}


@pytest.mark.parametrize("preset", sorted(OFFICIAL_SHA256))
def test_presets_are_byte_identical_to_the_release(preset):
    data = dump_official(generate_preset(preset))
    assert hashlib.sha256(data).hexdigest() == OFFICIAL_SHA256[preset]


def test_official_file_layout():
    data = dump_official(generate_preset("tmbench"))
    assert not data.endswith(b"\n")
    assert data.isascii()
    obj = json.loads(data)
    assert list(obj) == [
        "symbol_set",
        "rule_min_length",
        "rule_max_length",
        "str_min_length",
        "str_max_length",
        "max_step",
        "delete_count",
        "samples",
    ]
    assert obj["max_step"] == 31 and obj["delete_count"] == 2
    assert len(obj["samples"]) == 100
    for s in obj["samples"]:
        assert list(s) == ["id", "init_str", "rule", "delete_count", "step_results"]
        assert list(s["rule"]) == ["A", "B", "C", "D", "E"]
        assert s["id"] == instance_id(s["init_str"], s["rule"])
        # no sample has two equal consecutive states
        steps = s["step_results"]
        assert all(a != b for a, b in pairwise(steps))
        assert 1 <= len(steps) <= 31


def test_variants_map_symbols_and_keep_ids():
    base = generate_preset("tmbench")
    for preset, alpha in (
        ("tmbench-greek", "greek"),
        ("tmbench-number", "numbers"),
        ("tmbench-special", "special"),
    ):
        ds = generate_preset(preset)
        table = str.maketrans("ABCDE", "".join(ALPHABETS[alpha]))
        assert ds.symbol_set == ALPHABETS[alpha]
        for a, b in zip(base.samples, ds.samples, strict=True):
            assert a.id == b.id
            assert b.init == a.init.translate(table)
            assert b.run.states() == [s.translate(table) for s in a.run.states()]


def _reference_generate(seed, n, m, alphabet, rule_len, init_len, max_states, min_states=0):
    """The TMBench recipe, written out from the issue text, independently of the project."""
    rng = random.Random(seed)
    seen = set()
    out = []
    for _ in range(200_000):
        if len(out) == n:
            break
        rule = {}
        for sym in alphabet:
            k = rng.randint(*rule_len)
            rule[sym] = "".join(rng.choices(alphabet, k=k))
        k = rng.randint(*init_len)
        init = "".join(rng.choices(alphabet, k=k))
        sid = hashlib.sha256((init + json.dumps(rule, sort_keys=True)).encode()).hexdigest()
        if sid in seen:
            continue
        seen.add(sid)
        states = [init]
        q = init
        while len(states) < max_states and len(q) >= m and q[0] in rule:
            q = q[m:] + rule[q[0]]
            states.append(q)
        if any(a == b for a, b in pairwise(states)):
            continue
        if min_states and len(states) < min_states:
            continue
        out.append((sid, init, rule, states))
    assert len(out) == n, "the reference generator gave up"
    return out


def test_official_recipe_matches_reference():
    ref = _reference_generate(1, 100, 2, list("ABCDE"), (1, 5), (2, 9), 31)
    ds = generate(GenerationSpec())
    assert [(i.id, i.init, i.rules, i.run.states()) for i in ds.samples] == ref


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    m=st.integers(1, 3),
    alphabet=st.sampled_from(["AB", "ABC", "αβγ", "@#$%&", "中文步", "xyzw"]),
    rule_lo=st.integers(0, 2),
    rule_extra=st.integers(0, 3),
    init_lo=st.integers(1, 3),
    init_extra=st.integers(0, 5),
    max_states=st.integers(2, 20),
)
def test_custom_generation_follows_the_recipe(
    seed, m, alphabet, rule_lo, rule_extra, init_lo, init_extra, max_states
):
    spec = GenerationSpec(
        n=5,
        seed=seed,
        m=m,
        alphabet=tuple(alphabet),
        rule_len=(rule_lo, rule_lo + rule_extra),
        init_len=(init_lo, init_lo + init_extra),
        max_states=max_states,
        max_attempts=20_000,
    )
    try:
        ds = generate(spec)
    except DatasetError:
        return  # a spec with too few distinct samples: nothing to compare
    ref = _reference_generate(
        seed,
        5,
        m,
        list(alphabet),
        (rule_lo, rule_lo + rule_extra),
        (init_lo, init_lo + init_extra),
        max_states,
    )
    assert [(i.id, i.init, i.rules, i.run.states()) for i in ds.samples] == ref
    assert ds.symbol_set == tuple(alphabet)
    assert ds.delete_count == m and ds.max_step == max_states
    assert [i.index for i in ds.samples] == list(range(5))


def test_custom_generation_rejects_repeated_consecutive_states():
    """m = 1 and one-symbol productions keep the queue length fixed: repeats are common."""
    spec = GenerationSpec(
        n=15, seed=7, m=1, alphabet=("A", "B"), rule_len=(1, 1), init_len=(1, 3), max_states=8
    )
    ref_all = _reference_generate(7, 15, 1, ["A", "B"], (1, 1), (1, 3), 8)
    ds = generate(spec)
    assert [i.id for i in ds.samples] == [r[0] for r in ref_all]
    for inst in ds.samples:
        states = inst.run.states()
        assert all(a != b for a, b in pairwise(states))
    # and such states do occur in draws that were rejected: the filter is doing something
    rng = random.Random(7)
    saw_repeat = False
    for _ in range(200):
        rule = {s: "".join(rng.choices("AB", k=1)) for s in "AB"}
        init = "".join(rng.choices("AB", k=rng.randint(1, 3)))
        q = init
        for _ in range(8):
            nq = q[1:] + rule[q[0]]
            if nq == q:
                saw_repeat = True
            q = nq
    assert saw_repeat


def test_min_steps_filter():
    spec = GenerationSpec(n=20, seed=3, min_states=31)
    ds = generate(spec)
    assert all(len(i.run) == 31 for i in ds.samples)
    ref = _reference_generate(3, 20, 2, list("ABCDE"), (1, 5), (2, 9), 31, min_states=31)
    assert [i.id for i in ds.samples] == [r[0] for r in ref]
    # without the filter some samples halt early
    plain = generate(GenerationSpec(n=100, seed=3))
    assert any(len(i.run) < 31 for i in plain.samples)


def test_accept_callback_and_progress():
    seen = []
    ds = generate(
        GenerationSpec(n=4, seed=2),
        accept=lambda inst: inst.init.startswith("A"),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert all(i.init.startswith("A") for i in ds.samples)
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_generation_gives_up_with_a_clear_error():
    # one symbol, no production: only 8 distinct samples exist, and none runs 31 states
    spec = GenerationSpec(n=5, alphabet=("A",), rule_len=(0, 0), min_states=31, max_attempts=500)
    with pytest.raises(DatasetError, match="gave up after 500 draws"):
        generate(spec)


@pytest.mark.parametrize(
    "spec",
    [
        GenerationSpec(n=-1),
        GenerationSpec(m=0),
        GenerationSpec(alphabet=()),
        GenerationSpec(alphabet=("A", "A")),
        GenerationSpec(alphabet=("AB",)),
        GenerationSpec(max_states=0),
        GenerationSpec(min_states=40, max_states=31),
        GenerationSpec(rule_len=(-1, 2)),
    ],
)
def test_bad_generation_specs(spec):
    with pytest.raises(DatasetError):
        generate(spec)


def test_unknown_preset():
    with pytest.raises(DatasetError, match="unknown preset"):
        generate_preset("tmbench-klingon")


def test_parse_range_and_alphabets():
    assert parse_range("2-9") == (2, 9)
    assert parse_range("5") == (5, 5)
    assert parse_range("1..4") == (1, 4)
    for bad in ("", "a-b", "5-2", "-1", "1-2-3"):
        with pytest.raises(DatasetError):
            parse_range(bad)
    assert resolve_alphabet("greek") == ("α", "β", "γ", "δ", "ε")
    assert resolve_alphabet("XYZ") == ("X", "Y", "Z")
    assert resolve_alphabet("a, b ,c") == ("a", "b", "c")
    for bad in ("", "AA", "ab,cd"):
        with pytest.raises(DatasetError):
            resolve_alphabet(bad)


# -- reading and validating the official format ----------------------------------------


def _official_obj():
    return json.loads(dump_official(generate_preset("tmbench")))


def test_round_trip_through_the_official_object():
    obj = _official_obj()
    ds = dataset_from_obj(obj, name="x")
    assert len(ds) == 100
    assert ds.validate() == []
    assert hashlib.sha256(dump_official(ds)).hexdigest() == OFFICIAL_SHA256["tmbench"]


def test_validation_reports_tampered_step_results():
    obj = _official_obj()
    s = obj["samples"][7]
    good = s["step_results"][4]
    s["step_results"][4] = good[:-1] + ("A" if good[-1] != "A" else "B")
    obj["samples"][9]["step_results"].append("ABC")  # longer than the trace
    obj["samples"][11]["step_results"].pop()  # shorter than the trace
    ds = dataset_from_obj(obj)
    problems = dict(ds.validate())
    assert sorted(problems) == [7, 9, 11]
    assert problems[7].startswith("step 4: stored")
    assert "halts after" in problems[9]
    assert "stops at" in problems[11]


def test_truth_is_simulated_not_read():
    obj = _official_obj()
    obj["samples"][0]["step_results"][3] = "EEEE"
    inst = dataset_from_obj(obj)[0]
    assert inst.run.state(3) != "EEEE"
    assert inst.run.states() == generate_preset("tmbench")[0].run.states()


BAD_TOP = [
    ([], "no top-level 'samples'"),
    ({"a": 1}, "no top-level 'samples'"),
    ({"samples": {}}, "'samples' is not a list"),
    ({"samples": [], "symbol_set": "ABCDE"}, "symbol_set"),
    ({"samples": [], "symbol_set": ["AB"]}, "symbol_set"),
    ({"samples": [], "max_step": 0}, "max_step"),
    ({"samples": [], "max_step": True}, "max_step"),
    ({"samples": [], "max_step": "31"}, "max_step"),
    ({"samples": [], "delete_count": 0}, "delete_count"),
]


@pytest.mark.parametrize(("obj", "msg"), BAD_TOP)
def test_dataset_from_obj_top_level_errors(obj, msg):
    with pytest.raises(DatasetError, match=msg):
        dataset_from_obj(obj)


def _sample(**over):
    s = {"id": "x", "init_str": "AB", "rule": {"A": "B", "B": "A"}, "delete_count": 2}
    s.update(over)
    return {k: v for k, v in s.items() if v is not KeyError}


BAD_SAMPLES = [
    ("not a sample", "not an object"),
    (_sample(init_str=KeyError), "missing key 'init_str'"),
    (_sample(init_str=5), "'init_str' has the wrong type"),
    (_sample(rule=KeyError), "missing key 'rule'"),
    (_sample(rule=["A"]), "'rule' has the wrong type"),
    (_sample(rule={"A": 1}), "production of 'A' is not a string"),
    (_sample(rule={"AB": "A"}), "not a single character"),
    (_sample(delete_count=0), "delete_count"),
    (_sample(delete_count="2"), "delete_count"),
    (_sample(id=5), "id is not a string"),
    (_sample(step_results="AB"), "step_results"),
    (_sample(step_results=["AB", 3]), "step_results"),
]


@pytest.mark.parametrize(("sample", "msg"), BAD_SAMPLES)
def test_dataset_from_obj_sample_errors(sample, msg):
    obj = {"samples": [_sample(), sample]}
    with pytest.raises(DatasetError, match=f"sample 1: .*{msg}"):
        dataset_from_obj(obj)
    ds = dataset_from_obj(copy.deepcopy(obj), strict=False)
    assert len(ds) == 1  # the good one is kept
    [(idx, err)] = ds.extra["errors"]
    assert idx == 1 and msg.split("'")[0] in err


def test_missing_id_is_computed_and_extra_rule_symbols_join_the_alphabet():
    ds = dataset_from_obj({"samples": [{"init_str": "AZ", "rule": {"A": "Z", "Z": "A"}}]})
    inst = ds[0]
    assert inst.id == instance_id("AZ", {"A": "Z", "Z": "A"})
    assert "Z" in inst.alphabet
    assert inst.run.states()[:2] == ["AZ", "Z"]


def test_instance_helpers():
    inst = generate_preset("tmbench")[0]
    assert inst.max_step == 30
    assert len(inst.rules_sha256()) == 64
    other = Instance(id=inst.id, init=inst.init, rules=dict(inst.rules), max_states=10)
    assert other.rules_sha256() != inst.rules_sha256()  # the cap is part of the truth
    assert inst.truth(5).states() == inst.run.states()[:5]
    ds = generate_preset("tmbench")
    assert ds.by_id(inst.id[:8]) is inst
    assert ds.by_id("zzzzzzzz") is None
    assert isinstance(ds, Dataset)
