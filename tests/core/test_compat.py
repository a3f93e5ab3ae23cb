"""The compat parser equals the official evaluator's regex, exactly and in linear time."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tmtui.core import compat
from tmtui.core.compat import (
    CLASS,
    OFFICIAL_PATTERN,
    compat_matches,
    compat_steps,
    parse_compat,
)
from tmtui.core.parsed import MAX_STEP_NUMBER


def official_steps(text: str) -> dict[int, str]:
    """acc.py, as released: findall, int(step), strip spaces and commas, later overwrites.

    One documented liberty: step numbers above MAX_STEP_NUMBER (which no ground truth has)
    are all kept as MAX_STEP_NUMBER + 1.
    """
    steps: dict[int, str] = {}
    for step, content in re.findall(OFFICIAL_PATTERN, text, re.DOTALL):
        steps[min(int(step), MAX_STEP_NUMBER + 1)] = content.replace(" ", "").replace(",", "")
    return steps


def official_spans(text: str) -> list[tuple[int, int, int, int, int]]:
    return [
        (m.start(), m.start(1), m.end(1), m.start(2), m.end(2))
        for m in re.finditer(OFFICIAL_PATTERN, text, re.DOTALL)
    ]


FRAGMENTS = [
    # step headers in various cases, some broken
    "step ",
    "Step ",
    "STEP ",
    "sTeP ",
    "ſtep ",  # U+017F folds onto s in re
    "ſTEP ",
    "step",
    "steps ",
    "### step ",
    "step 1:",
    "Step 12:",
    "step 3 :",
    "step :",
    # digits, including non-ASCII decimal digits \d matches
    "0",
    "1",
    "2",
    "30",
    "٣",
    "७",
    "0000000000000000000",
    "12345678901234567890",
    ":",
    "：",
    # queue labels
    "Queue State:",
    "queue state:",
    "QUEUE STATE:",
    "Queue ſtate:",
    "Queue State :",
    "QueueState:",
    "Queue  State:",
    "- Queue State: ",
    # brackets and contents
    "[",
    "]",
    "[]",
    "[A B C]",
    "[a, b]",
    "[X]",
    "[A [B] C]",
    "A",
    "B",
    "E",
    "a",
    "e",
    "F",
    "x",
    "α",
    "Α",  # Greek capital alpha
    "β",
    "ϐ",  # U+03D0 folds onto β
    "ε",
    "ϵ",  # U+03F5 folds onto ε
    "Ε",
    "Δ",
    "İ",  # lower() turns it into two characters
    "K",  # Kelvin sign
    "ß",
    "ẞ",
    "1",
    "5",
    "6",
    "@",
    "#",
    "$",
    "%",
    "&",
    "*",
    ",",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\t",
    "<halt>",
    "...",
    "中文",
    "步骤",
    "\ud800",  # lone surrogates (a decoded JSON string may hold them)
    "\udfff",
]

texts = st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join)
mixed_texts = st.one_of(
    texts,
    st.text(
        alphabet=st.sampled_from("stepqueuaSTEPQUEUA :[]ABCDE12345αβγδεϐϵſİ,*\n0"), max_size=80
    ),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=40).map("".join),
)


@settings(max_examples=1500, deadline=None)
@given(mixed_texts)
@example("step 1: Queue State: [A B]\nstep 1: Queue State: [C]")
@example("step 0000000000000000000001: Queue State: [A]")
@example("ſtep 1: Queue State: [A]")
@example("İ step 2: QUEUE STATE: [ϐ ϵ A]")
@example("step ٣: Queue State: [A]")
@example("step 1: step 2: Queue State: [X] [A]")
@example("step 1: Queue State: [A]\ud800")
@example("step 1: Queue State: [\ud800] [B]")
@example("STEP 2: QUEUE STATE: [Α ϐ ϵ a, e]")
@example("step 3: Queue State: [ΑΒΓΔΕαβγδε12345@#$%&*]")
def test_compat_equals_the_official_regex(text):
    assert compat_steps(text) == official_steps(text)
    assert compat_matches(text) == official_spans(text)
    result = parse_compat(text)
    assert {k: s.queue for k, s in result.steps.items()} == official_steps(text)
    for k, s in result.steps.items():
        lo, hi = s.span
        assert text[lo:hi].replace(" ", "").replace(",", "") == s.queue
        if s.occurrences > 1:
            assert len(result.duplicates[k]) == s.occurrences
            assert "overwrites" in s.why


def test_both_scan_paths_agree_with_the_regex():
    """The lower-case fast path and the case-insensitive regex path give the same matches."""
    text = "Step 1:\nQueue State: [A B]\nSTEP 2: queue state: [x] [C, D]\nstep 3: [A]"
    assert compat._matches_folded(text, text.lower()) == official_spans(text)
    assert compat._matches_regex(text) == official_spans(text)
    special = text + " ſ"
    assert compat._matches_regex(special) == official_spans(special)


def test_later_match_overwrites_and_duplicates_are_listed():
    text = "step 2: Queue State: [A B]\n...\nstep 2: Queue State: [C, D]"
    result = parse_compat(text, ("A", "B", "C", "D", "E"))
    assert result.queue(2) == "CD"
    assert result.steps[2].occurrences == 2
    assert [o.queue for o in result.duplicates[2]] == ["AB", "CD"]
    assert "later match overwrites" in result.steps[2].why


def test_compat_flags_symbols_outside_the_alphabet():
    result = parse_compat("step 0: Queue State: [A 1 *]", ("A", "B"))
    assert result.queue(0) == "A1*"
    assert result.steps[0].unknown == "1*"


def test_the_echo_format_is_read_as_the_echo():
    """The official regex takes the first queue after each header: the echoed old one."""
    text = (
        "### step 1:\n   - Queue State: [B C A]\n   - Head Symbol: B\n"
        "   - Action: Append A to the end of the queue. Remove B C from the head.\n"
        "   - Queue State: [A A]\n"
    )
    assert compat_steps(text) == {1: "BCA"}


def test_fast_path_fold_is_exact_over_every_code_point():
    """Brute force over all of Unicode: for each character the pattern compares
    case-insensitively, the characters ``re`` matches are exactly those whose lower() is that
    character, plus the three special folds the module sends to the regex path."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    lower_of: dict[str, set[str]] = {}
    for ch in every:
        low = ch.lower()
        assert low  # lower() never deletes a character ...
        if len(low) == 1:
            lower_of.setdefault(low, set()).add(ch)
    multi = {ch for ch in every if len(ch.lower()) != 1}
    assert "İ" in multi  # ... but may lengthen one: such texts take the regex path
    special = {"ſ": "s", "ϐ": "β", "ϵ": "ε"}
    assert set(compat._SPECIAL_FOLDS) == set(special)

    def expected(letter: str) -> set[str]:
        low = letter.lower()
        return lower_of.get(low, set()) | {c for c, t in special.items() if t == low}

    # every character the fast path compares: the literals of the pattern ...
    for letter in sorted(set("step ") | set("queue state:") | set("[]")):
        assert set(re.findall("(?i)" + re.escape(letter), every)) == expected(letter), letter
    # ... and the members of the bracket class
    for letter in sorted(set(CLASS)):
        assert set(re.findall("(?i)[" + re.escape(letter) + "]", every)) == expected(letter), letter
    # \d is untouched by lower(): a character is a decimal digit iff its lower-case is
    digits = set(re.findall(r"\d", every))
    lowered_digits = {ch for ch in every if ch not in multi and re.match(r"\d", ch.lower())}
    assert digits == lowered_digits


def test_huge_answer_with_headers_and_no_queue_is_linear():
    """20 MB, 20,000 'step 1:' headers, no readable queue: the official regex is quadratic
    here (hours); the scan must take a blink."""
    block = "step 1: Queue State: " + "x" * 1000 + "\n"
    text = block * 20_000
    assert len(text) > 20_000_000
    t0 = time.perf_counter()
    assert compat_steps(text) == {}
    fast = time.perf_counter() - t0
    # the regex path (forced by a special-fold character) is linear too
    t0 = time.perf_counter()
    assert compat_steps("ſ" + text[:5_000_000]) == {}
    slow = time.perf_counter() - t0
    assert fast < 2.0 and slow < 2.0, (fast, slow)
    # and both agree with the official regex on a small version of the same text
    small = block * 30
    assert compat_steps(small) == official_steps(small) == {}


def test_many_invalid_brackets_then_one_valid():
    text = "step 1: Queue State: [X] " * 50_000 + "[A]"
    t0 = time.perf_counter()
    assert compat_steps(text) == {1: "A"}
    assert time.perf_counter() - t0 < 2.0
    small = "step 1: Queue State: [X] " * 50 + "[A]"
    assert compat_steps(small) == official_steps(small) == {1: "A"}


@pytest.mark.parametrize(
    ("digits", "step"),
    [
        ("7", 7),
        ("0000000000000000000001", 1),
        ("000000000000000000000", 0),
        ("99999999999999999999999", MAX_STEP_NUMBER + 1),
        ("9" * 5000, MAX_STEP_NUMBER + 1),
        ("٣", 3),
    ],
)
def test_absurd_step_numbers(digits, step):
    text = f"step {digits}: Queue State: [A]"
    assert compat_steps(text) == {step: "A"}
