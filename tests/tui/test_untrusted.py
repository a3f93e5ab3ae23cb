"""The pieces under the screens: untrusted text made visible (one helper, one net), text
folded at word boundaries, lines fitted by importance."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from tests.tui.hostile import PAYLOADS
from tmtui.core.text import has_controls, visible
from tmtui.tui.safe import clip_words, install_terminal_guard, shown
from tmtui.tui.widgets.fitting import Part, fit_parts
from tmtui.tui.widgets.wrap import word_breaks

UNSAFE = "\x1b\x07\x9b\x9d\u202e\u2066\u200f\x00\x7f\x85\u2028\ufeff\ud800\U000e0041\ufff9\u180e"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_is_made_visible(payload) -> None:
    out = shown(payload)
    assert not has_controls(out)
    assert "\x1b" not in out and "\x07" not in out


def test_escapes_without_a_bracket_are_defused() -> None:
    for seq, stand_in in [("\x1b#8", "␛#8"), ("\x1b(0", "␛(0"), ("\x1bc", "␛c"), ("\x1bP", "␛P")]:
        assert visible(seq) == stand_in


@given(st.text(alphabet=st.sampled_from(list(UNSAFE) + list("AB [] \n"))))
def test_visible_is_per_character_and_idempotent(text) -> None:
    out = visible(text, keep_newlines=False)
    assert not has_controls(out)
    assert visible(out, keep_newlines=False) == out
    half = len(text) // 2
    assert out == visible(text[:half], keep_newlines=False) + visible(
        text[half:], keep_newlines=False
    )


def test_the_net_shows_stand_ins_and_keeps_styles() -> None:
    install_terminal_guard()
    strip = Strip([Segment("ab\x1b#8cd", Style(bold=True)), Segment("x\x9by\u202e")])
    out = strip.render(Console(color_system="truecolor"))
    assert "\x1b#8" not in out and "\x9b" not in out and "\u202e" not in out
    assert out.startswith("\x1b[1m") and "␛#8" in out
    clean = Strip([Segment("plain", Style(bold=True))])
    assert clean.render(Console()) == "\x1b[1mplain\x1b[0m"


def test_clip_words_never_ends_on_a_number() -> None:
    msg = "copy error: dropped 4 symbols at position 33"
    assert clip_words(msg, 100) == msg
    for width in range(2, len(msg)):
        out = clip_words(msg, width)
        assert len(out) <= width and out.endswith("…")
        assert not out[:-1].rstrip()[-1:].isdigit(), out


@given(st.text(alphabet=st.sampled_from(list("ab cd·é")), max_size=200), st.integers(1, 30))
def test_word_breaks_fold_after_spaces(text, width) -> None:
    breaks = word_breaks(text, width)
    assert breaks[0] == 0 and breaks == sorted(set(breaks))
    bounds = [*breaks, len(text)]
    for a, b in itertools.pairwise(bounds):
        row = text[a:b]
        assert len(row.rstrip(" ")) <= width or len(row) == 1
        if b < len(text) and not row.endswith(" "):
            assert " " not in row[1:]  # cut mid-word only when no space was there to break at
    # a control shown as a wider stand-in: the rows count its cells
    shown_pieces = [visible(c) for c in "ab\x1b\x9bcd ef"]
    rows = word_breaks(shown_pieces, 4)
    assert rows == [0, 3, 4, 7]  # "ab␛" | "\\x9b" (4 cells) | "cd " | "ef"


def test_word_breaks_with_a_hanging_indent() -> None:
    text = "diagnosis copy error: dropped 4 symbols at position 33 because it repeats"
    breaks = word_breaks(text, 30, 20)
    rows = [text[a:b] for a, b in zip(breaks, [*breaks[1:], len(text)], strict=True)]
    assert len(rows[0].rstrip()) <= 30 and all(len(r.rstrip()) <= 20 for r in rows[1:])


def test_fit_parts_drops_the_least_important_first() -> None:
    parts = [
        Part.of("model · ", "", importance=5),
        Part.of("done"),
        Part.of(" · 12.3 s", "", importance=4),
        Part.of(" · steps 15/31"),
        Part.of(" · acc 15/31 (48%)", " · acc 15/31"),
    ]
    assert fit_parts(parts, 100).plain == "model · done · 12.3 s · steps 15/31 · acc 15/31 (48%)"
    for p in parts:
        p._i = 0
    assert fit_parts(parts, 40).plain == "done · steps 15/31 · acc 15/31 (48%)"
    for p in parts:
        p._i = 0
    assert fit_parts(parts, 30).plain == "done · steps 15/31 · acc 15/31"
    assert isinstance(fit_parts([Part.of(Text("x"))], 0), Text)
