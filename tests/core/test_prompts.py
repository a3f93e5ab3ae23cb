"""Prompts: byte-identical to the official ``prompts`` field, the chat messages, and reading a
prompt back into its problem (the inverse of rendering)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmtui.core.datasets import (
    ALPHABETS,
    PRESETS,
    GenerationSpec,
    Instance,
    generate,
    generate_preset,
    instance_id,
)
from tmtui.core.prompts import (
    PROBLEM_MARK,
    SYSTEM_PROMPT,
    TEMPLATES,
    get_template,
    messages,
    parse_messages,
    parse_prompt,
    problem_prompt,
    prompt_sha256,
    render,
)

OFFICIAL_PROMPT_SHA256 = {
    0: "985b7bed5168f79e0ff2c89f11c7fec4553138db4704ed675f6de5ed055fdce6",
    1: "5d8e737f58fbe40a9eac59555589fa07bda7f94f69d356341f3f6b6bfa371850",
    2: "87161d69c55b4dfd1a3e76dd960608f7c07c5c6f83f02d04e13edaaad573ff36",
    3: "3773e64e16264baf74d0115713e64cb390ee5e9e170655bf9372ebacc88e3e90",
    4: "39c9bf11adb6332308cea8016c9476e18424961b88eee9ab66133fed4b34a7b2",
}
FIRST20_SHA256 = "f7a31533151f67073cdfb1ee5e9ee39d37dfff95d4d54138667445c233233cff"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("index", sorted(OFFICIAL_PROMPT_SHA256))
def test_prompt_is_byte_identical(index):
    assert _sha(render(generate_preset("tmbench")[index])) == OFFICIAL_PROMPT_SHA256[index]


def test_first_twenty_prompts():
    ds = generate_preset("tmbench")
    assert _sha("".join(render(ds[i]) for i in range(20))) == FIRST20_SHA256


def test_prompt_content():
    inst = generate_preset("tmbench")[0]
    text = render(inst)
    assert text.startswith("Simulate a m-tag system.")
    assert "or 30 steps." in text
    assert "## The Only Problem to Solve:\nm: 2\nAlphabet: {A, B, C, D, E}\n" in text
    assert f"Init: [{' '.join(inst.init)}]\n" in text
    for sym in "ABCDE":
        assert f"{sym} : {' '.join(inst.rules[sym])}\n" in text
    assert text.endswith("Simulation steps:\n")


def test_variant_prompts_use_their_symbols():
    inst = generate_preset("tmbench-greek")[0]
    text = render(inst)
    assert "Alphabet: {α, β, γ, δ, ε}" in text
    # the worked example keeps its letters
    assert "Init: [B C A]" in text


def test_messages():
    inst = generate_preset("tmbench")[3]
    msgs = messages(inst)
    assert msgs == [
        {"role": "system", "content": "You are a helpful assistant. Please reason step by step."},
        {"role": "user", "content": render(inst)},
    ]
    assert msgs[0]["content"] == SYSTEM_PROMPT


def test_max_step_override_and_templates():
    inst = generate_preset("tmbench")[0]
    assert "or 100 steps." in render(inst, max_step=100)
    assert "or 30 steps." not in render(inst, max_step=100)
    zero = render(inst, "zero-shot")
    assert "## Example:" not in zero
    assert "## Answer format:" in zero
    assert "## The Only Problem to Solve:" in zero
    assert set(TEMPLATES) >= {"tmbench", "zero-shot"}
    with pytest.raises(KeyError, match="unknown prompt template"):
        get_template("nope")


def test_braces_in_symbols_do_not_break_formatting():
    inst = Instance(id="x", init="{}", rules={"{": "}", "}": "{"}, alphabet=("{", "}"))
    text = render(inst)
    assert "Alphabet: {{, }}" in text
    assert "{ : }\n" in text and "} : {\n" in text


def test_prompt_hash_names_the_prompt():
    ds = generate_preset("tmbench")
    assert prompt_sha256(ds[0]) == prompt_sha256(ds[0])
    assert prompt_sha256(ds[0]) != prompt_sha256(ds[1])
    assert prompt_sha256(ds[0]) != prompt_sha256(ds[0], "zero-shot")


# -- the inverse: parse_prompt(render(inst)) gives the problem back --------------------------


def _problem(inst: Instance) -> tuple:
    return (inst.m, inst.alphabet, inst.rules, inst.init, inst.max_states)


def _round_trip(inst: Instance, template: str, cap: int | None) -> None:
    got = parse_prompt(render(inst, template, max_step=cap))
    assert got is not None
    want = inst if cap is None else inst.replace(max_states=cap + 1)
    assert _problem(got) == _problem(want)
    assert got.id == instance_id(inst.init, inst.rules)
    assert list(got.rules) == [s for s in inst.alphabet if s in inst.rules]  # in render order


@pytest.mark.parametrize("template", sorted(TEMPLATES))
@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_parse_prompt_inverts_render_for_every_template_and_preset(template, preset):
    for inst in generate_preset(preset).samples:
        for cap in (None, 1, 57, 1_000_000):
            _round_trip(inst, template, cap)


SPECS = [
    GenerationSpec(n=15, seed=2, m=1, alphabet=ALPHABETS["greek"], max_states=5),
    GenerationSpec(n=15, seed=3, m=3, alphabet=tuple("XYZW"), rule_len=(0, 4), max_states=80),
    GenerationSpec(n=15, seed=4, m=4, alphabet=ALPHABETS["special"], rule_len=(2, 9), max_states=2),
    GenerationSpec(n=10, seed=5, m=2, alphabet=tuple("{}[],:"), init_len=(0, 12), max_states=200),
    GenerationSpec(n=10, seed=6, m=5, alphabet=tuple("0123456789"), init_len=(5, 30)),
]


@pytest.mark.parametrize("template", sorted(TEMPLATES))
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"m{s.m}-{''.join(s.alphabet)}")
def test_parse_prompt_inverts_render_for_generated_instances(template, spec):
    for inst in generate(spec).samples:
        _round_trip(inst, template, None)


_SYMBOLS = st.sampled_from(list("ABCDEαβγ12@#{}[]:,;-*"))


@st.composite
def instances(draw) -> Instance:
    alphabet = tuple(draw(st.lists(_SYMBOLS, min_size=1, max_size=8, unique=True)))
    word = st.lists(st.sampled_from(alphabet), max_size=9).map("".join)
    rules = {s: draw(word) for s in alphabet}
    init = draw(word)
    return Instance(
        id=instance_id(init, rules),
        init=init,
        rules=rules,
        m=draw(st.integers(1, 6)),
        alphabet=alphabet,
        max_states=draw(st.integers(1, 10_000)),
    )


@settings(max_examples=200, deadline=None)
@given(inst=instances(), template=st.sampled_from(sorted(TEMPLATES)))
def test_parse_prompt_inverts_render_for_any_instance(inst, template):
    _round_trip(inst, template, None)


def test_parse_prompt_refuses_what_is_not_a_problem():
    inst = generate_preset("tmbench")[0]
    text = render(inst)
    assert parse_prompt("What is 2+2?") is None
    assert parse_prompt(text.replace(PROBLEM_MARK, "## A problem:")) is None
    assert parse_prompt(text.replace("\nm: 2\n", "\nm: two\n")) is None
    assert parse_prompt(text.replace("Init: [", "Init: ")) is None
    cut = text[: text.index("Transition Rules")]
    assert parse_prompt(cut) is None  # no rules
    assert parse_prompt(text.replace("\nm: 2\n", "\nm: 0\n")) is None  # not a tag system
    # CRLF line ends and trailing text after the block are fine
    assert _problem(parse_prompt(text.replace("\n", "\r\n"))) == _problem(inst)
    assert _problem(parse_prompt(text + "Here we go:\n")) == _problem(inst)


def test_parse_messages_reads_the_problem_and_the_answer_so_far():
    inst = generate_preset("tmbench-greek")[4]
    msgs = messages(inst, "zero-shot", max_step=12)
    p = parse_messages(msgs)
    assert p is not None and p.previous == ""
    assert _problem(p.instance) == _problem(inst.replace(max_states=13))
    # a continuation: the assistant's earlier turns, joined on line boundaries
    cont = [*msgs, {"role": "assistant", "content": "### step 0:"}]
    cont += [
        {"role": "user", "content": "go on"},
        {"role": "assistant", "content": "### step 1:\n"},
    ]
    cont += [{"role": "assistant", "content": "x"}]
    assert parse_messages(cont).previous == "### step 0:\n### step 1:\nx"
    # content parts, as some clients send them
    parts = [{"role": "user", "content": [{"type": "text", "text": msgs[1]["content"]}]}]
    assert _problem(parse_messages(parts).instance) == _problem(inst.replace(max_states=13))
    assert problem_prompt(parts) == msgs[1]["content"]
    assert problem_prompt([{"role": "user", "content": "hi"}]) is None
    assert parse_messages([{"role": "system", "content": msgs[1]["content"]}]) is None
