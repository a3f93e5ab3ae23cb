"""Prompt templates: data in one place, and their inverse.

The ``tmbench`` template reproduces the official user prompt byte for byte (the ``prompts`` field
of the official results files) and the official system message. Other templates (zero-shot,
other wordings) are entries of :data:`TEMPLATES`; every template renders from the same fields.

:func:`parse_prompt` reads a rendered prompt back into its instance (m, alphabet, rules,
initial queue and step cap), whatever the template's wording around the problem block;
:func:`parse_messages` does the same for chat messages, keeping what the model already wrote.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tmtui.core.datasets import Instance, instance_id
from tmtui.core.tagsystem import TagSystemError

__all__ = [
    "FORMAT_MARKS",
    "PROBLEM_MARK",
    "TEMPLATES",
    "Problem",
    "PromptTemplate",
    "answer_format",
    "get_template",
    "messages",
    "parse_messages",
    "parse_prompt",
    "problem_prompt",
    "prompt_sha256",
    "render",
]

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

# the heading of the problem block, in every template: what marks a TMBench prompt
PROBLEM_MARK = "## The Only Problem to Solve:"

_PROBLEM = (
    PROBLEM_MARK + "\n"
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


_TAIL_FORMAT = """## Answer format (tail):
Write every step in the same fixed lines, in this order, and nothing else:
- Read: the head symbol, the position it is read from and the step that wrote it. Positions
  count every symbol ever written, from 0 (the initial queue holds positions 0, 1, ...; each
  step appends after the last position written), so step N reads position m*(N-1).
- Rule: the head symbol's transition rule.
- Delete: the m symbols deleted from the head.
- Append: the symbols appended to the tail, with the positions they are written at.
- Length: the length of the new queue.
- Queue State: the new queue; mark it with <halt> if the machine halts.

"""

_INDEXED_FORMAT = """## Answer format (indexed):
Write every queue with the position of each symbol: positions count every symbol ever
written, from 0 (the initial queue holds positions 0, 1, ...; each step appends after the last
position written and deletes m symbols from the head), as in [4:C 5:A 6:C].

"""


def _example(fmt: str) -> str:
    """The worked example of the official prompt, its answer written in ``fmt``."""
    from tmtui.core.gold import gold_answer
    from tmtui.core.tagsystem import TagSystem

    head, _, _ = _EXAMPLE.partition("Simulation steps:\n")
    run = TagSystem(2, {"A": "CAC", "B": "A", "C": "B"}, ("A", "B", "C")).run("BCA", 31)
    return f"{head}Simulation steps:\n{gold_answer(run, fmt)}\n\n---\n\n"


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
    "tail": PromptTemplate(
        "tail",
        "the official rules; answers in the tail format (atomic steps, explicit fetches)",
        _INTRO + _literal(_RULES_OF_SIMULATION + _TAIL_FORMAT + _example("tail")) + _PROBLEM,
    ),
    "indexed": PromptTemplate(
        "indexed",
        "the official rules; queues written with the position of each symbol",
        _INTRO + _literal(_RULES_OF_SIMULATION + _INDEXED_FORMAT + _example("indexed")) + _PROBLEM,
    ),
}

# the heading that names each answer format in a prompt (the tmbench format has none)
FORMAT_MARKS = {"tail": "## Answer format (tail):", "indexed": "## Answer format (indexed):"}


def answer_format(prompt: str) -> str:
    """The answer format a prompt asks for: ``tail``, ``indexed`` or ``tmbench``."""
    for fmt, mark in FORMAT_MARKS.items():
        if mark in prompt:
            return fmt
    return "tmbench"


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


# -- the inverse: a prompt read back into its problem ----------------------------------------

_CAP = re.compile(r"halt condition or (\d{1,7}) steps")


def _between(line: str, open_: str, close: str) -> str | None:
    i = line.find(open_)
    j = line.rfind(close)
    if i < 0 or j <= i:
        return None
    return line[i + 1 : j]


def parse_prompt(text: str) -> Instance | None:
    """The instance a prompt asks about (the inverse of :func:`render`), or None when the text
    holds no readable problem block. The step cap is read from the instructions ("... or N
    steps"; 30 when they do not say); the id is the TMBench id of the rules and init."""
    if PROBLEM_MARK not in text:
        return None
    block = text[text.rindex(PROBLEM_MARK) + len(PROBLEM_MARK) :]
    m: int | None = None
    alphabet: list[str] | None = None
    init: str | None = None
    rules: dict[str, str] = {}
    in_rules = False
    for raw in block.splitlines():
        line = raw.strip("\r")
        if in_rules:
            if line.startswith("Simulation steps"):
                break
            if len(line) >= 3 and line[1:4] == " : ":
                rules[line[0]] = "".join(line[4:].split())
                continue
            if len(line) >= 2 and line[1:].rstrip() == " :":
                rules[line[0]] = ""
                continue
            if not line.strip():
                continue
            break
        if line.startswith("m:"):
            try:
                m = int(line[2:].strip())
            except ValueError:
                return None
        elif line.startswith("Alphabet:"):
            inner = _between(line, "{", "}")
            if inner is None:
                return None
            alphabet = [s for s in (x.strip() for x in inner.split(", ")) if s]
        elif line.startswith("Init:"):
            inner = _between(line, "[", "]")
            if inner is None:
                return None
            init = "".join(inner.split())
        elif line.startswith("Transition Rules"):
            in_rules = True
    if m is None or alphabet is None or init is None or not rules:
        return None
    cap = _CAP.search(text)
    max_step = int(cap.group(1)) if cap else 30
    try:
        inst = Instance(
            id=instance_id(init, rules),
            init=init,
            rules=rules,
            m=m,
            alphabet=tuple(alphabet),
            max_states=max_step + 1,
        )
        inst.system  # noqa: B018 - validate
    except (TagSystemError, ValueError):
        return None
    return inst


def _text(content: object) -> object:
    if isinstance(content, list):  # content parts
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
    return content


def _problem_at(messages: Sequence[Mapping[str, object]]) -> tuple[int, str]:
    """The index and text of the last user message with a problem block; (-1, "") if none."""
    for i in range(len(messages) - 1, -1, -1):
        msg = messages[i]
        content = _text(msg.get("content"))
        if msg.get("role") == "user" and isinstance(content, str) and PROBLEM_MARK in content:
            return i, content
    return -1, ""


def problem_prompt(messages: Sequence[Mapping[str, object]]) -> str | None:
    """The last user message that holds a problem block, or None."""
    at, text = _problem_at(messages)
    return text if at >= 0 else None


@dataclass
class Problem:
    """A TMBench problem read from chat messages, and what the model already wrote."""

    instance: Instance
    previous: str = ""  # assistant text of earlier turns (a continuation request)


def parse_messages(messages: Sequence[Mapping[str, object]]) -> Problem | None:
    """The problem in chat messages (the inverse of :func:`messages`), or None. Assistant
    messages after the problem's user message are the answer so far (continuations)."""
    user_at, text = _problem_at(messages)
    inst = parse_prompt(text) if user_at >= 0 else None
    if inst is None:
        return None
    prev = ""
    for msg in messages[user_at + 1 :]:
        content = msg.get("content")
        if msg.get("role") == "assistant" and isinstance(content, str):
            if prev and not prev.endswith("\n"):
                prev += "\n"
            prev += content
    return Problem(inst, prev)
