"""The strict parser: every format it claims to read, and chunking invariance."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmtui.core.answer import STYLES, format_answer
from tmtui.core.compat import compat_steps
from tmtui.core.datasets import generate_preset
from tmtui.core.diagnose import Kind
from tmtui.core.mutate import flawed_steps, kinds_for
from tmtui.core.parse import (
    STRICT_VERSION,
    ResetEvent,
    StepEvent,
    StrictParser,
    parse_strict,
)
from tmtui.core.parsed import MAX_STEP_NUMBER

ABC = ("A", "B", "C", "D", "E")


def queues(text: str, alphabet=ABC) -> dict[int, str | None]:
    return {k: s.queue for k, s in parse_strict(text, alphabet).steps.items()}


OFFICIAL = (
    "Here is the simulation.\n\n"
    "### step 0:\n"
    "   - Action: Init\n"
    "   - Queue State: [B C A]\n\n"
    "### step 1:\n"
    "   - Head Symbol: B\n"
    "   - Action: Append A to the end of the queue. Remove B C from the head.\n"
    "   - Queue State: [A A]\n\n"
    "### step 2:\n"
    "   - Head Symbol: A\n"
    "   - Action: Append C A C to the end of the queue. Remove A A from the head.\n"
    "   - Queue State: [C A C] <halt>"
)


def test_official_format():
    r = parse_strict(OFFICIAL, ABC)
    assert r.mode == "strict" and r.version == STRICT_VERSION
    assert {k: s.queue for k, s in r.steps.items()} == {0: "BCA", 1: "AA", 2: "CAC"}
    assert r.deviations == [] and not r.truncated and r.duplicates == {}
    assert r.halt_step == 2 and r.steps[2].halt and not r.steps[1].halt
    for k, s in r.steps.items():
        lo, hi = s.span
        assert OFFICIAL[lo:hi].replace(" ", "") == s.queue
        h0, h1 = s.header_span
        assert OFFICIAL[h0:h1].strip().lower() == f"### step {k}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**Step 3:** [A B]\n", {3: "AB"}),
        ("**Step 3:**\n- Queue State: [A B]\n", {3: "AB"}),
        ("**Step 3**: Queue State: [A B]", {3: "AB"}),
        ("Step 3 - Queue State: [A B]\n", {3: "AB"}),
        ("Step 3 – [A B]\n", {3: "AB"}),
        ("- step 3. Queue State: [A B]\n", {3: "AB"}),
        ("> ## STEP 3:\nQueue state: [A B]", {3: "AB"}),
        ("1. Step 3: [A B]\n", {3: "AB"}),
        ("Step #3: [A B]\n", {3: "AB"}),
        ("Step 1: [A B]\nStep 2: [A B C]\n", {1: "AB", 2: "ABC"}),
        ("Step 1: [A, B, C]", {1: "ABC"}),
        ("Step 1: ['A', 'B', 'C']", {1: "ABC"}),
        ('Step 1: ["A", "B"]', {1: "AB"}),
        ("Step 1: [ABC]", {1: "ABC"}),
        ("Step 1: []", {1: ""}),
        ("Step 1: [ ]", {1: ""}),
        ("Step 1:\nQueue State: []", {1: ""}),
        ("Step 1:\nQueue State: empty", {1: ""}),
        ("Step 1:\nQueue State: A B C", {1: "ABC"}),
        ("Step 1:\nQueue State: A B C <halt>", {1: "ABC"}),
        ("Step 1:\nQueue State: A, B, C.", {1: "ABC"}),
        ("Step 1:\nQueue State:\n[A B]\n", {1: "AB"}),
        ("Step 1:\nQueue State: [A B\nC D]\nStep 2: [A]", {1: "ABCD", 2: "A"}),
        ("Step 2: [A B]\r\nStep 3: [A]\r\n", {2: "AB", 3: "A"}),
        ("第3步: [A B]\n", {3: "AB"}),
    ],
)
def test_formats(text, expected):
    assert queues(text) == expected


def test_not_a_header_mid_line():
    assert queues("In step 3: the queue is [A B]\n") == {}
    assert queues("stepping 3: [A]\n") == {}


def test_bare_and_multiline_queues_are_deviations():
    r = parse_strict("Step 1:\nQueue State: A B C\n", ABC)
    assert "queue written without brackets" in r.deviations
    r = parse_strict("Step 1:\nQueue State: [A B\nC D]\n", ABC)
    assert "queue bracket spans several lines" in r.deviations
    assert r.steps[1].queue == "ABCD"


def test_think_blocks_are_not_answer():
    text = "<think>\nStep 0: [E E]\nStep 1: [D]\n</think>\nStep 0: [C]"
    r = parse_strict(text, ABC)
    assert {k: s.queue for k, s in r.steps.items()} == {0: "C"}
    assert r.reasoning_spans == [(0, text.index("</think>") + len("</think>"))]
    # inline think on one line
    assert queues("Step 0: <think>[E]</think> [A B]") == {0: "AB"}
    # an unclosed think swallows the rest and is flagged
    r = parse_strict("Step 0: [A]\n<think>\nStep 1: [B]\n", ABC)
    assert {k: s.queue for k, s in r.steps.items()} == {0: "A"}
    assert any("never closed" in d for d in r.deviations)


def test_lone_closing_think_resets():
    text = "Step 0: [E E]\nStep 1: [D]\n</think>\nStep 0: [C]\n"
    r = parse_strict(text, ABC)
    assert {k: s.queue for k, s in r.steps.items()} == {0: "C"}
    end = text.index("</think>") + len("</think>")
    assert r.reasoning_spans == [(0, end)]
    assert "reasoning ended with </think> but never opened" in r.deviations
    # streaming: the steps read before are reported, then taken back with a ResetEvent
    p = StrictParser(ABC)
    events = p.feed("Step 0: [E E]\nStep 1: [D]\n")
    assert [e.step.step for e in events if isinstance(e, StepEvent)] == [0, 1]
    events = p.feed("</think>\nStep 0: [C]\n")
    assert isinstance(events[0], ResetEvent) and events[0].at == end
    assert [e.step.queue for e in events if isinstance(e, StepEvent)] == ["C"]
    assert p.finish().steps.keys() == {0}


def test_halt_and_stop_markers():
    r = parse_strict("Step 1: [A B] <halt>\nStep 2: [A] <stop>\n", ABC)
    assert r.steps[1].halt and not r.steps[1].stop
    assert r.steps[2].stop and not r.steps[2].halt
    assert r.halt_step == 1
    r = parse_strict("Step 1:\nQueue State: [A B]\nThe machine halts.\n", ABC)
    assert r.steps[1].halt and r.halt_step == 1
    r = parse_strict("Step 1:\nQueue State: [A] < HALT >\n", ABC)
    assert r.steps[1].halt


@pytest.mark.parametrize(
    "line",
    [
        "The machine does not halt.",
        "The machine doesn't halt yet.",
        "It will never halt here.",
        "No halt.",
        "Continue without halting.",
    ],
)
def test_negated_halt_is_not_a_halt(line):
    r = parse_strict(f"Step 1:\nQueue State: [A B]\n{line}\n", ABC)
    assert not r.steps[1].halt
    assert r.halt_step is None


def test_symbols_outside_the_alphabet_are_kept_and_flagged():
    r = parse_strict("Step 1:\nQueue State: [A X B Y X]\n", ABC)
    s = r.steps[1]
    assert s.queue == "AXBYX"
    assert s.unknown == "XY"
    # without an alphabet nothing is flagged
    assert parse_strict("Step 1:\nQueue State: [A X]\n").steps[1].unknown == ""


def test_compact_queue_with_unknown_symbols_is_a_wrong_queue_not_a_gap():
    """'Step 5: [A X B]' is a queue with a symbol outside the alphabet; a bracket of words
    right after a header is not a queue."""
    r = parse_strict("Step 4: [A B]\nStep 5: [A X B]\n", ABC)
    assert r.steps[5].queue == "AXB" and r.steps[5].unknown == "X"
    assert not r.truncated
    r = parse_strict("Step 5: ['A', 'x', 'B']", ABC)
    assert r.steps[5].queue == "AxB" and r.steps[5].unknown == "x"
    r = parse_strict("Step 3: [the head symbol]\n", ABC)
    assert r.steps[3].queue is None


@pytest.mark.parametrize("elided", ["[A B ... C]", "[A B … C]", "A B ... C", "[...]"])
def test_ellipsis_is_unparsable(elided):
    r = parse_strict(f"Step 1:\nQueue State: {elided}\n", ABC)
    s = r.steps[1]
    assert s.queue is None
    assert s.problem
    assert r.unparsable() == [1]
    assert not r.truncated  # the step is complete, just not readable


def test_duplicates_later_readable_occurrence_wins():
    text = (
        "Step 1:\nQueue State: [A B]\n"
        "Step 2:\nQueue State: [C]\n"
        "Step 1:\nQueue State: [A C]\n"  # a revision
        "Step 2:\nQueue State: [A B ... C]\n"  # an unreadable restatement
    )
    r = parse_strict(text, ABC)
    assert r.steps[1].queue == "AC"
    assert r.steps[1].occurrences == 2
    assert "last readable occurrence counts" in r.steps[1].why
    assert r.steps[2].queue == "C"
    assert "occurrence 1 counts" in r.steps[2].why
    assert [o.queue for o in r.duplicates[1]] == ["AB", "AC"]
    assert [o.queue for o in r.duplicates[2]] == ["C", None]


def test_chinese_answer_is_parsed_and_flagged():
    text = (
        "好的，这是模拟：\n\n"
        "### 步骤 0：\n   - 动作: 初始化\n   - 队列状态: [B C A]\n\n"
        "### 步骤 1：\n   - 头符号: B\n   - 动作: 追加 A\n   - 队列状态: [A A]\n"
    )
    r = parse_strict(text, ABC)
    assert {k: s.queue for k, s in r.steps.items()} == {0: "BCA", 1: "AA"}
    assert any("non-English step headers" in d for d in r.deviations)
    assert any("non-English labels" in d for d in r.deviations)
    assert r.steps[1].head_claim == "B"
    assert compat_steps(text) == {}  # invisible to the official regex


ECHO = (
    "### step 0:\n   - Action: Init\n   - Queue State: [B C A]\n\n"
    "### step 1:\n   - Queue State: [B C A]\n   - Head Symbol: B\n"
    "   - Action: Append A to the end of the queue. Remove B C from the head.\n"
    "   - Queue State: [A A]\n\n"
    "### step 2:\n   - Queue State: [A A]\n   - Head Symbol: A\n"
    "   - Action: Append C A C to the end of the queue. Remove A A from the head.\n"
    "   - Queue State: [C A C]\n"
)


def test_echo_format_strict_takes_the_queue_after_the_action():
    r = parse_strict(ECHO, ABC)
    assert {k: s.queue for k, s in r.steps.items()} == {0: "BCA", 1: "AA", 2: "CAC"}
    assert "echo" in r.steps[1].note
    assert r.steps[0].note == ""
    assert "repeats the previous queue before each step's action" in r.deviations
    # the official regex reads the echo: every step after 0 is off by one
    assert compat_steps(ECHO) == {0: "BCA", 1: "BCA", 2: "AA"}


def test_claims():
    r = parse_strict(OFFICIAL, ABC)
    s = r.steps[2]
    assert (s.head_claim, s.append_claim, s.remove_claim) == ("A", "CAC", "AA")
    assert r.steps[0].head_claim is None and r.steps[0].append_claim is None
    r = parse_strict(
        "Step 1:\nHead: 'D'\nAction: append [E, E] to the tail, remove D A from the front\n"
        "Queue State: [E E]\n",
        ABC,
    )
    s = r.steps[1]
    assert (s.head_claim, s.append_claim, s.remove_claim) == ("D", "EE", "DA")


@pytest.mark.parametrize(
    ("text", "truncated"),
    [
        (OFFICIAL, False),
        ("### step 0:\n- Queue State: [A B]\n\n### step 1:\n- Head Symbol: A\n", True),
        ("### step 0:\n- Queue State: [A B]\n\n### step 1:\n- Queue State: [A", True),
        ("### step 0:\n- Queue State: [A B]\n\n### step 1:\n- Queue State: [A\nB", True),
        ("### step 0:\n- Queue State: [A B]\n\n### step 1:\n- Queue State: A B ... C\n", False),
        ("### step 0:\n- Queue State: [A B]\n\nThat is all.", False),
        ("Step 0: [A B]\nStep 1: (the same as above)", True),
        ("Step 0: [A B]\nStep 1: (the same as above) <halt>", False),
        ("Step 0: [A B]\nStep 1: (the same as above) <stop>", False),
    ],
)
def test_truncated_flag(text, truncated):
    r = parse_strict(text, ABC)
    assert r.truncated is truncated
    if text is not OFFICIAL and len(r.steps) > 1:
        assert r.steps[1].queue is None


def test_open_bracket_problem():
    r = parse_strict("Step 1:\nQueue State: [A B\nStep 2: [C]\n", ABC)
    assert r.steps[1].queue is None
    assert "never closed" in r.steps[1].problem
    assert r.steps[2].queue == "C"


def test_absurd_step_numbers_do_not_size_anything():
    r = parse_strict("step 99999999999999999999999: [A]\nstep 2: [B]\n", ABC)
    assert r.steps[MAX_STEP_NUMBER + 1].queue == "A"
    assert r.steps[2].queue == "B"


def test_events_as_queues_close():
    p = StrictParser(ABC)
    assert list(p.feed("Step 0: [A B")) == []
    events = p.feed("]\nStep 1:")
    assert [(e.step.step, e.step.queue, e.revised) for e in events] == [(0, "AB", False)]
    assert list(p.feed(" [C]")) == []  # the line is not over yet
    events = p.feed("\nStep 1: [D]\n")
    assert [(e.step.step, e.step.queue) for e in events] == [(1, "C"), (1, "D")]
    assert events[-1].revised
    assert p.steps[1].queue == "D"
    result = p.finish()
    assert p.drain() == []
    assert result.steps[1].occurrences == 2
    assert p.finish() is result  # idempotent
    assert p.offset == len("Step 0: [A B]\nStep 1: [C]\nStep 1: [D]\n")


def test_finish_reports_the_last_step_through_drain():
    p = StrictParser(ABC)
    p.feed("Step 0: [A]\nStep 1: [B] <halt>")
    p.finish()
    events = p.drain()
    assert [(e.step.step, e.step.queue, e.step.halt) for e in events] == [(1, "B", True)]


def test_feed_after_finish_with_a_newline_raises():
    p = StrictParser(ABC)
    p.finish()
    with pytest.raises(RuntimeError):
        p.feed("Step 0: [A]\n")


# -- chunking invariance ---------------------------------------------------------------

DS = generate_preset("tmbench")
PREFIXES = [
    "",
    "Sure! Let me simulate.\n\n",
    "Step 0: [E E]\nStep 3: [A]\n</think>\n",
    "<think>\nStep 0: [D]\n</think>\n",
    "### step 0:\n- Queue State: [A B ... C]\n",
]
SUFFIXES = [
    "",
    "\n",
    "\r\n",
    "\n### step 2:\n   - Queue State: [A B ... C]\n",
    "\n### step 1:\n   - Queue State: [E E E]\n",
    "\n<think>\nStep 4: [A]\n",
    "\nStep 5: [A\nB",
    "\n</think>",
    "\nThe machine does not halt <halt>.\n",
]
THINKS = [None, "", "Step 0: [A B]\nhmm <halt>", "### step 3:\n- Queue State: [E E"]


@st.composite
def answers(draw):
    inst = DS[draw(st.integers(0, len(DS) - 1))]
    kind = draw(st.sampled_from([None, *kinds_for(inst)]))
    rng = random.Random(draw(st.integers(0, 1 << 16)))
    n = len(inst.run)
    errors: dict[int, Kind] = {}
    if kind in (Kind.FAILURE_TO_HALT, Kind.STEPS_AFTER_HALT):
        errors = {-1: kind}
    elif kind is not None and n >= 2:
        errors = {draw(st.integers(1, n - 1)): kind}
    steps = flawed_steps(inst, errors, rng=rng) or flawed_steps(inst)
    text = (
        draw(st.sampled_from(PREFIXES))
        + format_answer(
            steps, style=draw(st.sampled_from(STYLES)), think=draw(st.sampled_from(THINKS))
        )
        + draw(st.sampled_from(SUFFIXES))
    )
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return inst, text


def _chunks(text: str, how: str, seed: int) -> list[str]:
    rng = random.Random(seed)
    if how == "small":
        out, pos = [], 0
        while pos < len(text):
            n = rng.randint(1, 8)
            out.append(text[pos : pos + n])
            pos += n
        return out
    if how == "cuts":
        cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randint(1, 12))))
        bounds = [0, *cuts, len(text)]
        return [text[a:b] for a, b in pairwise(bounds)]
    if how == "lines":
        return text.splitlines(keepends=True)
    return [text]


def _key(r):
    return (r.steps, r.duplicates, r.deviations, r.truncated, r.halt_step, r.reasoning_spans)


def _live_key(step):
    return (step.queue, step.span, step.halt, step.stop, step.problem)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers(), st.sampled_from(["small", "cuts", "lines", "whole"]), st.integers(0, 1 << 20))
def test_chunking_invariance(answer, how, seed):
    inst, text = answer
    whole = parse_strict(text, inst.alphabet)
    parser = StrictParser(inst.alphabet)
    live: dict = {}
    events = []
    for chunk in _chunks(text, how, seed):
        events.extend(parser.feed(chunk))
    result = parser.finish()
    events.extend(parser.drain())
    assert _key(result) == _key(whole)
    for e in events:
        if isinstance(e, ResetEvent):
            live.clear()
        else:
            live[e.step.step] = _live_key(e.step)
    assert live == {k: _live_key(s) for k, s in result.steps.items()}
    assert parser.offset == len(text)


def test_revised_reading_is_taken_back_when_the_block_turns_unreadable():
    """A restated step first looks readable, then its queue after the action is unreadable:
    the earlier occurrence wins, and the events must say so."""
    text = (
        "Step 2:\nQueue State: [B]\n"
        "Step 2:\nQueue State: [A]\nAction: Append A to the end.\nQueue State: A B ... C\n"
    )
    p = StrictParser(ABC)
    live = {}
    for ch in text:
        for e in p.feed(ch):
            live[e.step.step] = e.step.queue
    result = p.finish()
    for e in p.drain():
        live[e.step.step] = e.step.queue
    assert result.steps[2].queue == "B"
    assert live == {2: "B"}
