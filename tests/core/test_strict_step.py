"""One step's strict reading (core/strict_step.py) is the whole parse's reading of that step,
and a compat diagnosis made with it is the one made with the whole strict parse."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmtui.core.align import align
from tmtui.core.compat import parse_compat
from tmtui.core.diagnose import Kind, diagnose
from tmtui.core.parse import parse_strict
from tmtui.core.strict_step import StrictReading, strict_step

from .test_parse_strict import OFFICIAL, answers

ABC = ("A", "B", "C", "D", "E")

# blocks a model may add anywhere: revisions, unreadable rewrites, odd headers
EXTRA_BLOCKS = [
    "### step 1:\n   - Queue State: [A A A]\n",
    "### step 1:\n   - Queue State: [A B ... C]\n",
    "Step 2: [E]\n",
    "**Step 02:** [D D]\n",
    "step ٢: [C]\n",
    "- step 0.\nQueue: A B\n",
    "### step 3:\n   - Queue State: [E E\n",
    "第1步：[B]\n",
    "  > Step 1 - Queue State:\n[C C]\n",
    "The queue is [A] in step 1:\n",
]


def _whole(text: str, k: int, alphabet) -> tuple[bool, str | None]:
    s = parse_strict(text, alphabet).steps.get(k)
    return (s is not None, None if s is None else s.queue)


@st.composite
def texts(draw):
    inst, text = draw(answers())
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(lines)))
        lines[at:at] = draw(st.sampled_from(EXTRA_BLOCKS)).split("\n")
    if draw(st.booleans()):  # most generated answers have no think tag: the fast path
        lines = [ln.replace("think>", "thought>") for ln in lines]
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    return inst, text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts())
def test_one_step_is_read_as_the_whole_answer_reads_it(answer):
    inst, text = answer
    whole = parse_strict(text, inst.alphabet)
    for k in range(-1, len(inst.run) + 3):
        s = whole.steps.get(k)
        want = (s is not None, None if s is None else s.queue)
        got = strict_step(text, k, inst.alphabet)
        if "think>" not in text.lower():
            assert got == want, k  # no think tag: the blocks alone decide
        assert StrictReading(text, inst.alphabet).step(k) == want, k
        # what the step states (a tail answer's fetch and head) is read alike too
        got_occ = StrictReading(text, inst.alphabet).occurrence(k)
        if "think>" not in text.lower():
            assert (got_occ is None) == (s is None), k
            if s is not None:
                assert (got_occ.queue, got_occ.fetch, got_occ.head_claim) == (
                    s.queue,
                    s.fetch,
                    s.head_claim,
                ), k


def test_think_tags_fall_back_to_the_whole_parse():
    text = "### step 0:\n- Queue State: [A]\n</think>\n### step 1:\n- Queue State: [B]\n"
    assert strict_step(text, 1, ABC) is None
    reading = StrictReading(text, ABC)
    assert reading.step(0) == (False, None)  # the lone </think> made step 0 reasoning
    assert reading.step(1) == (True, "B")


def test_revisions_and_unreadable_rewrites():
    text = OFFICIAL + "\n\n### step 1:\n- Queue State: [C]\n\n### step 1:\n- Queue State: [...]\n"
    assert strict_step(text, 1, ABC) == _whole(text, 1, ABC) == (True, "C")
    assert strict_step(text, 7, ABC) == (False, None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts(), st.integers(0, 1 << 16))
def test_compat_diagnosis_is_the_same_with_the_lazy_reading(answer, seed):
    inst, text = answer
    # a wrong truth now and then, so both kinds of divergence come up
    truth = list(inst.run)
    rng = random.Random(seed)
    if truth and rng.random() < 0.3:
        truth[rng.randrange(len(truth))] += "A"
    parse = parse_compat(text, inst.alphabet)
    al = align(truth, parse)
    full = diagnose(al, inst.run, parse, strict=parse_strict(text, inst.alphabet))
    lazy = diagnose(al, inst.run, parse, strict=StrictReading(text, inst.alphabet))
    if full is None:
        assert lazy is None
    else:
        assert lazy is not None and lazy.to_dict() == full.to_dict()
        assert (lazy.kind is Kind.READ_DIFFERENTLY) == (full.kind is Kind.READ_DIFFERENTLY)
