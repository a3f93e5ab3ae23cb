"""What a participant types: symbols in any spacing and case, key maps for hard alphabets,
`halt`, and bad entries refused with the reason."""

from __future__ import annotations

import pytest

from tmtui.core.datasets import ALPHABETS
from tmtui.human.entry import Entry, EntryError, KeyMap, key_map_for, read_entry

LETTERS = ALPHABETS["letters"]
GREEK = ALPHABETS["greek"]
SPECIAL = ALPHABETS["special"]
NUMBERS = ALPHABETS["numbers"]


@pytest.mark.parametrize(
    "typed",
    ["A B C", "ABC", "a b c", "abc", "A,B,C", "a, b,c", "[A B C]", "  [a,b,c]  ", "'A', 'B', 'C'"],
)
def test_symbols_with_or_without_spaces_commas_brackets_in_any_case(typed):
    got = read_entry(typed, LETTERS)
    assert isinstance(got, Entry) and got.symbols == "ABC" and not got.halt
    assert got.typed == typed


@pytest.mark.parametrize("typed", ["halt", " HALT ", "Halt"])
def test_halt_is_a_word(typed):
    got = read_entry(typed, LETTERS)
    assert isinstance(got, Entry) and got.halt


def test_brackets_alone_are_the_empty_queue():
    got = read_entry("[]", LETTERS)
    assert isinstance(got, Entry) and got.symbols == "" and not got.halt
    assert read_entry("[ ]", LETTERS) == Entry("", "[ ]")


@pytest.mark.parametrize(
    ("typed", "why", "position"),
    [
        ("", "nothing to submit", None),
        ("   ", "nothing to submit", None),
        (", ,", "no symbols", None),
        ("A B F", "'F' (character 5) is not a symbol here: type A B C D E", 5),
        ("AB1", "'1' (character 3)", 3),
        ("A\x1b[31mB", "'\\x1b' (character 2)", 2),
        ("[A B", "'[' (character 1)", 1),
        ("A B C D E X", "(character 11)", 11),
    ],
)
def test_bad_entries_say_why(typed, why, position):
    got = read_entry(typed, LETTERS)
    assert isinstance(got, EntryError)
    assert why in got.message
    assert got.position == position
    assert "\n" not in got.message and "\x1b" not in got.message


def test_easy_alphabets_have_no_key_map():
    assert key_map_for(LETTERS) is None
    assert key_map_for(NUMBERS) is None
    assert key_map_for("abcxyz") is None


def test_the_greek_key_map_is_digits_and_the_symbols_still_work():
    km = key_map_for(GREEK)
    assert km == KeyMap((("1", "α"), ("2", "β"), ("3", "γ"), ("4", "δ"), ("5", "ε")))
    assert km.describe() == "1=α 2=β 3=γ 4=δ 5=ε" and km.keys() == "1-5"
    assert read_entry("1 2 5 3", GREEK, km) == Entry("αβεγ", "1 2 5 3")
    assert read_entry("12 53", GREEK, km) == Entry("αβεγ", "12 53")
    # the symbols themselves, and their other case
    assert read_entry("α Β ε", GREEK, km) == Entry("αβε", "α Β ε")
    bad = read_entry("1 6", GREEK, km)
    assert isinstance(bad, EntryError)
    assert "'6' (character 3)" in bad.message and "α β γ δ ε (or the keys 1-5)" in bad.message
    # without the key map the digits are not symbols
    assert isinstance(read_entry("1", GREEK), EntryError)


def test_the_special_key_map():
    km = key_map_for(SPECIAL)
    assert km is not None and km.describe() == "1=@ 2=# 3=$ 4=% 5=&"
    assert read_entry("1 2 3 4 5", SPECIAL, km) == Entry("@#$%&", "1 2 3 4 5")
    assert read_entry("@ # $ % &", SPECIAL, km) == Entry("@#$%&", "@ # $ % &")
    assert read_entry("[@, 5]", SPECIAL, km) == Entry("@&", "[@, 5]")


def test_an_alphabet_with_digits_and_hard_symbols_maps_letters():
    alpha = ("1", "2", "α")
    km = key_map_for(alpha)
    assert km is not None and km.pairs == (("a", "1"), ("b", "2"), ("c", "α"))
    assert read_entry("a 2 c", alpha, km) == Entry("12α", "a 2 c")


def test_case_folds_only_where_it_is_not_ambiguous():
    alpha = ("a", "A", "b")
    assert read_entry("a A B", alpha) == Entry("aAb", "a A B")
