"""Datasets: exact reproduction of the official files, validation, custom generation."""

from __future__ import annotations

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
    generate,
    generate_preset,
    instance_id,
    parse_range,
    resolve_alphabet,
)
from tmtui.io.official import dump_official

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


def test_instance_helpers():
    inst = generate_preset("tmbench")[0]
    assert inst.max_step == 30
    assert len(inst.rules_sha256()) == 64
    other = Instance(id=inst.id, init=inst.init, rules=dict(inst.rules), max_states=10)
    assert other.rules_sha256() != inst.rules_sha256()  # the cap is part of the truth
    assert inst.replace(max_states=5).run.states() == inst.run.states()[:5]
    ds = generate_preset("tmbench")
    assert ds.by_id(inst.id[:8]) is inst
    assert ds.by_id("zzzzzzzz") is None
    assert isinstance(ds, Dataset)


def test_replace_shares_the_truth_while_it_stays_valid():
    inst = generate_preset("tmbench")[3]
    system, run = inst.system, inst.run
    moved = inst.replace(index=42, dataset="elsewhere", step_results=["x"])
    assert (moved.index, moved.dataset, moved.step_results) == (42, "elsewhere", ["x"])
    assert (moved.id, moved.init, moved.rules, moved.m) == (inst.id, inst.init, inst.rules, 2)
    assert moved.system is system and moved.run is run  # nothing simulated again
    assert (inst.index, inst.dataset, inst.step_results) == (3, "tmbench", None)
    # another cap: the same system, a new run
    capped = inst.replace(max_states=10)
    assert capped.system is system and capped.run is not run
    assert capped.run.states() == run.states()[:10]
    # equal rules (another dict) keep the system; other rules or m do not
    assert inst.replace(rules=dict(inst.rules)).system is system
    other_m = inst.replace(m=3)
    assert other_m.system is not system and other_m.system.m == 3
    assert other_m.run.states() != run.states()
    other_init = inst.replace(init=inst.init[1:])
    assert other_init.system is system and other_init.run.state(0) == inst.init[1:]
    # nothing built yet: nothing shared, built on demand
    fresh = Instance(id="f", init="AB", rules={"A": "B", "B": "A"}, alphabet=("A", "B"))
    copy_ = fresh.replace(index=1)
    assert "system" not in copy_.__dict__
    assert copy_.run.states() == fresh.run.states() and copy_.run is not fresh.run
