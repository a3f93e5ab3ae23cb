"""The tail format, read: whole and chunked readings are identical; every injected wrong fetch
is diagnosed as a wrong read at its step, in both parser modes (honestly in the official one,
which reads only queues)."""

from __future__ import annotations

import random
from itertools import pairwise

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tmtui.core.answer import format_answer
from tmtui.core.datasets import generate_preset
from tmtui.core.diagnose import Kind
from tmtui.core.mutate import flawed_steps, kinds_for
from tmtui.core.parse import ResetEvent, StrictParser, parse_strict
from tmtui.core.parsed import ParserMode
from tmtui.core.score import score_sample

DS = generate_preset("tmbench")
TAIL_KINDS = (Kind.WRONG_READ, Kind.COPY_ERROR, Kind.WRONG_PRODUCTION, Kind.UNPARSABLE)


@st.composite
def tail_answers(draw):
    inst = DS[draw(st.integers(0, len(DS) - 1))]
    kind = draw(st.sampled_from([None, Kind.WRONG_READ, *kinds_for(inst)]))
    n = len(inst.run)
    errors: dict[int, Kind] = {}
    if kind in (Kind.FAILURE_TO_HALT, Kind.STEPS_AFTER_HALT):
        errors = {-1: kind}
    elif kind is not None and n >= 2:
        errors = {draw(st.integers(1, n - 1)): kind}
    rng = random.Random(draw(st.integers(0, 1 << 16)))
    steps = flawed_steps(inst, errors, rng=rng) or flawed_steps(inst)
    text = format_answer(steps, style=draw(st.sampled_from(["tail", "indexed"])))
    assert "None" not in text  # every line says something (a restated halt has no rule)
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return inst, text


def _chunks(text: str, seed: int) -> list[str]:
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randint(1, 40))))
    return [text[a:b] for a, b in pairwise([0, *cuts, len(text)])]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tail_answers(), st.integers(0, 1 << 20))
def test_whole_and_chunked_tail_readings_are_identical(answer, seed):
    inst, text = answer
    whole = parse_strict(text, inst.alphabet)
    parser = StrictParser(inst.alphabet)
    live: dict = {}
    for chunk in _chunks(text, seed):
        for e in parser.feed(chunk):
            if not isinstance(e, ResetEvent):
                live[e.step.step] = e.step
    result = parser.finish()
    for e in parser.drain():
        if not isinstance(e, ResetEvent):
            live[e.step.step] = e.step
    # every field of every step: queue, stated fetch, head, deletion, append, length
    assert result.steps == whole.steps
    assert result.deviations == whole.deviations and result.truncated == whole.truncated
    assert {k: s.queue for k, s in live.items()} == {k: s.queue for k, s in result.steps.items()}


@st.composite
def fetch_mistakes(draw):
    inst = DS[draw(st.integers(0, len(DS) - 1))]
    n = len(inst.run)
    assume(n >= 2)
    k = draw(st.integers(1, n - 1))
    return inst, k, draw(st.integers(0, 1 << 16))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fetch_mistakes())
def test_each_injected_fetch_mistake_is_a_wrong_read_at_its_step(case):
    inst, k, seed = case
    steps = flawed_steps(inst, {k: Kind.WRONG_READ}, rng=random.Random(seed))
    assume(steps is not None)
    wrong = steps[k]
    run = inst.run
    assert wrong.fetch is not None and wrong.fetch[0] != run.read_cell(k)
    text = format_answer(steps, style="tail")
    sc = score_sample(inst, text)
    d = sc.diagnosis
    assert d is not None and d.kind is Kind.WRONG_READ and d.step == k, d and d.message
    pos, writer = wrong.fetch
    assert d.message.startswith(
        f"read the wrong cell: took position {pos} (written by step {writer}) instead of "
        f"position {run.read_cell(k)} (written by step {run.read_from_step(k)})"
    )
    assert d.detail["read"] == wrong.head and d.detail["head"] == run.head_read(k)
    # the official regex reads only queues: the same step, the fetch said to be the strict one's
    official = score_sample(inst, text, mode=ParserMode.TMBENCH)
    od = official.diagnosis
    assert od is not None and od.kind is Kind.WRONG_READ and od.step == k
    assert "the official regex reads only queues" in od.message and od.detail["borrowed"]


def test_the_same_mistake_without_a_stated_fetch_is_a_wrong_head():
    inst = DS[23]
    steps = flawed_steps(inst, {9: Kind.WRONG_READ}, rng=random.Random(1))
    assert steps is not None
    sc = score_sample(inst, format_answer(steps, style="official"))
    assert sc.diagnosis is not None and sc.diagnosis.kind is Kind.WRONG_HEAD


def test_a_mis_stated_fetch_with_the_right_symbol_is_not_the_cause():
    inst = DS[0]
    steps = flawed_steps(inst, {4: Kind.COPY_ERROR}, rng=random.Random(3))
    assert steps is not None
    steps[4].fetch = (steps[4].fetch[0] + 1, 0)  # a wrong position, the right head read
    sc = score_sample(inst, format_answer(steps, style="tail"))
    assert sc.diagnosis is not None and sc.diagnosis.kind is Kind.COPY_ERROR


def test_tail_lines_as_models_write_them():
    text = (
        "### Step 1:\n"
        "**Read:** `B` at cell 0, written by step 0\n"
        "* Delete: [B, C]\n"
        "* Append: A\n"
        "* Length: 2\n"
        "* Queue State: [A A]\n"
        "### Step 2:\n"
        "- Read: A (the head)\n"
        "- Append: nothing (positions none)\n"
        "- Queue State: [A]\n"
    )
    r = parse_strict(text, ("A", "B", "C"))
    s1, s2 = r.steps[1], r.steps[2]
    assert (s1.queue, s1.head_claim, s1.fetch, s1.remove_claim, s1.append_claim) == (
        "AA",
        "B",
        (0, 0),
        "BC",
        "A",
    )
    assert s1.length_claim == 2
    assert (s2.head_claim, s2.fetch, s2.append_claim) == ("A", None, "")
    r = parse_strict("### step 3:\n- Read: D (position 4, written by step 2)\n- Queue State: [A]\n")
    assert (r.steps[3].head_claim, r.steps[3].fetch) == ("D", (4, 2))


def test_tail_lines_never_hold_the_queue():
    # a bracket in a tail line is what the step says it moved, not its new queue
    r = parse_strict("### step 1:\n- Delete: [B C]\n- Append: [A]\n- Queue State: [A A]\n")
    assert r.steps[1].queue == "AA"
    r = parse_strict("### step 1:\n- Delete: [B C]\n")
    assert r.steps[1].queue is None


def test_a_later_wrong_fetch_is_a_new_wrong_read_from_the_models_own_queue():
    from tmtui.core.explain import ReasonKind, explain_step

    inst = DS[0]
    steps = None
    for seed in range(50):
        steps = flawed_steps(
            inst, {3: Kind.COPY_ERROR, 8: Kind.WRONG_READ}, rng=random.Random(seed)
        )
        if steps is not None:
            break
    assert steps is not None
    text = format_answer(steps, style="tail")
    sc = score_sample(inst, text, keep=True)
    assert sc.first_divergence == 3
    assert sc.parse is not None
    ex = explain_step(
        8,
        truth=inst.run.states(),
        run=inst.run,
        steps=sc.parse.steps,
        first_divergence=sc.first_divergence,
        diagnosis=sc.diagnosis,
    )
    assert ex.reason is not None and ex.reason.kind is ReasonKind.NEW_ERROR
    assert ex.reason.error is Kind.WRONG_READ
    pos, writer = steps[8].fetch
    assert f"took position {pos} (written by step {writer}) instead of position 14" in (
        ex.reason.message
    )
    assert ex.claims is not None and ex.claims.fetch == (pos, writer)
