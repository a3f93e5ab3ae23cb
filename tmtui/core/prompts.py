"""Prompt templates: data in one place.

The ``tmbench`` template reproduces the official user prompt byte for byte (the ``prompts`` field
of the official results files) and the official system message. Other templates (zero-shot,
other wordings) are entries of :data:`TEMPLATES`; every template renders from the same fields.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from tmtui.core.datasets import Instance

__all__ = ["TEMPLATES", "PromptTemplate", "get_template", "messages", "prompt_sha256", "render"]

SYSTEM_PROMPT = "You are a helpful assistant. Please reason step by step."

_RULES_OF_SIMULATION = """## Rules for Simulation:
1. In each transition, the machine performs the following steps:
   - If the queue length is less than m, halt
   - Read the head symbol of queue
   - Append symbols to the tail based on the head symbol and the corresponding transition rule
   - Delete m symbols from the head of the queue

2. The machine halt if:
   - The queue's length is less than m.

"""

_EXAMPLE = """## Example:
m: 2
Alphabet: {A, B, C}
Init: [B C A]
Transition rules:
A : C A C
B : A
C : B
Simulation steps:
### step 0:
   - Action: Init
   - Queue State: [B C A]

### step 1:
   - Head Symbol: B
   - Action: Append A to the end of the queue. Remove B C from the head.
   - Queue State: [A A]

### step 2:
   - Head Symbol: A
   - Action: Append C A C to the end of the queue. Remove A A from the head.
   - Queue State: [C A C]

### step 3:
   - Head Symbol: C
   - Action: Append B to the end of the queue. Remove C A from the head.
   - Queue State: [C B]

### step 4:
   - Head Symbol: C
   - Action: Append B to the end of the queue. Remove C B from the head.
   - Queue State: [B] <halt>

---

"""

_INTRO = (
    "Simulate a m-tag system. Your task is to simulate each transition step-by-step and provide "
    "the queue's state at each step. Follow the rules and examples closely, and stop upon "
    "reaching the halt condition or {max_step} steps. Do not generate additional examples or new "
    "problems. No code.\n\n"
)

_PROBLEM = (
    "## The Only Problem to Solve:\n"
    "m: {m}\n"
    "Alphabet: {{{alphabet}}}\n"
    "Init: [{init}]\n"
    "Transition Rules:\n"
    "{rules}"
    "Simulation steps:\n"
)

_ZERO_SHOT_FORMAT = """## Answer format:
For every step write a block like this one, the queue's symbols separated by spaces:
### step N:
   - Head Symbol: X
   - Action: Append ... to the end of the queue. Remove ... from the head.
   - Queue State: [...]
Mark the final state with <halt> if the machine halts.

---

"""


def _literal(text: str) -> str:
    """Escape fixed text for str.format."""
    return text.replace("{", "{{").replace("}", "}}")


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    description: str
    user: str  # a str.format template over: max_step, m, alphabet, init, rules
    system: str = SYSTEM_PROMPT


TEMPLATES: dict[str, PromptTemplate] = {
    "tmbench": PromptTemplate(
        "tmbench",
        "the official TMBench prompt (one worked example)",
        _INTRO + _literal(_RULES_OF_SIMULATION + _EXAMPLE) + _PROBLEM,
    ),
    "zero-shot": PromptTemplate(
        "zero-shot",
        "the official rules and answer format, without the worked example",
        _INTRO + _literal(_RULES_OF_SIMULATION + _ZERO_SHOT_FORMAT) + _PROBLEM,
    ),
}


def get_template(name: str) -> PromptTemplate:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise KeyError(
            f"unknown prompt template {name!r}; choose from {', '.join(TEMPLATES)}"
        ) from None


def _fields(inst: Instance, max_step: int | None) -> dict[str, object]:
    order = [s for s in inst.alphabet if s in inst.rules] + [
        s for s in inst.rules if s not in inst.alphabet
    ]
    rules = "".join(f"{sym} : {' '.join(inst.rules[sym])}\n" for sym in order)
    return {
        "max_step": inst.max_step if max_step is None else max_step,
        "m": inst.m,
        "alphabet": ", ".join(inst.alphabet),
        "init": " ".join(inst.init),
        "rules": rules,
    }


def render(inst: Instance, template: str = "tmbench", *, max_step: int | None = None) -> str:
    """The user prompt for an instance. ``max_step`` overrides the step cap in the text."""
    tpl = get_template(template)
    return tpl.user.format(**_fields(inst, max_step))


def messages(
    inst: Instance, template: str = "tmbench", *, max_step: int | None = None
) -> list[dict[str, str]]:
    """The chat messages: the system message, then the user prompt."""
    tpl = get_template(template)
    return [
        {"role": "system", "content": tpl.system},
        {"role": "user", "content": render(inst, template, max_step=max_step)},
    ]


def prompt_sha256(inst: Instance, template: str = "tmbench", *, max_step: int | None = None) -> str:
    msgs = messages(inst, template, max_step=max_step)
    blob = "\x00".join(m["role"] + "\x00" + m["content"] for m in msgs)
    return hashlib.sha256(blob.encode()).hexdigest()
