"""Prompts: byte-identical to the official ``prompts`` field, and the chat messages."""

from __future__ import annotations

import hashlib

import pytest

from tmtui.core.datasets import Instance, generate_preset
from tmtui.core.prompts import (
    SYSTEM_PROMPT,
    TEMPLATES,
    get_template,
    messages,
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
