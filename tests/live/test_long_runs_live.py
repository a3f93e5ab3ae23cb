"""What keeps the debugger fast on long runs gives the same answers: the compat reading made
once per text and shared by the parser switch and the parse inspector; the common suffix of
two queues compared in C; the official reading's foreign-symbol check by one search."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.live.livekit import TMBENCH, flawed
from tmtui.core.align import common_suffix, first_difference
from tmtui.core.compat import parse_compat
from tmtui.live.readings import disagreements
from tmtui.live.trace import Trace
from tmtui.scoring import parser_disagreements


def _naive_suffix(a: str, b: str, prefix: int) -> int:
    limit = min(len(a), len(b)) - prefix
    s = 0
    while s < limit and a[-1 - s] == b[-1 - s]:
        s += 1
    return s


@given(st.text("AB", max_size=12), st.text("AB", max_size=12))
def test_common_suffix_is_the_naive_one(a, b):
    for prefix in range(first_difference(a, b) + 1):
        assert common_suffix(a, b, prefix) == _naive_suffix(a, b, prefix)


@settings(max_examples=200)
@given(
    st.lists(st.text("ABCDEXY ,-]^\\", max_size=12), min_size=1, max_size=6),
    st.sampled_from([("A", "B", "C", "D", "E"), ("A", "-", "]", "^", "\\"), ("AB", "C")]),
)
def test_compat_unknown_symbols_are_the_set_test(queues, alphabet):
    text = "".join(f"step {i}: Queue State: [{q}]\n" for i, q in enumerate(queues))
    alpha = frozenset(alphabet)
    for ps in parse_compat(text, alphabet).steps.values():
        q = ps.queue or ""
        want = "" if alpha.issuperset(q) else "".join(dict.fromkeys(c for c in q if c not in alpha))
        assert ps.unknown == want


def test_the_compat_reading_is_made_once_per_text_and_shared():
    inst = TMBENCH[0]
    tr = Trace(inst)
    text = flawed(0, style="echo")
    tr.feed(text[:2000])
    first = tr.compat_reading()
    assert tr.compat_reading() is first  # the same text: not read again
    tr.set_mode("tmbench")
    assert tr.parse_result() is first
    tr.set_mode("strict")
    tr.feed(text[2000:])  # more text while in strict mode: read again when asked
    tr.finish()
    again = tr.compat_reading()
    assert again is not first and again.steps == parse_compat(text, inst.alphabet).steps
    tr.set_mode("tmbench")
    assert tr.parse_result() is again


def test_the_inspector_reuses_the_traces_readings_and_says_the_same():
    inst = TMBENCH[0]
    text = flawed(0, style="echo")
    tr = Trace(inst)
    tr.feed(text)
    tr.finish()
    rows, summary, deviations = disagreements(tr)
    fresh = parser_disagreements(inst, text, truth=tr.truth)
    assert [r[0] for r in rows] == [d.step for d in fresh.steps]
    assert summary == fresh.summary()
    assert deviations == list(fresh.strict.deviations)
    # a trace still streaming has no whole strict reading yet: it is made for the inspector
    live = Trace(inst)
    live.feed(text[: len(text) // 2])
    assert live.strict_reading() is None
    rows2, _, _ = disagreements(live)
    half = parser_disagreements(inst, text[: len(text) // 2], truth=live.truth)
    assert [r[0] for r in rows2] == [d.step for d in half.steps]
