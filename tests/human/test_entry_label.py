"""The entry line's label under the append assist: the kept queue is never broken across
lines; where it does not fit its own line, its middle is elided (whole symbols only)."""

from __future__ import annotations

from rich.cells import cell_len

from tmtui.human.views import EntryView
from tmtui.tui.human.parts import entry_label


def _label(fixed: str, width: int) -> list[str]:
    entry = EntryView(3, "production", "", "", fixed)
    return entry_label(None, entry, None, width).plain.split("\n")  # type: ignore[arg-type]


def test_a_kept_queue_that_fits_stays_on_the_line():
    (line,) = _label("EEAA", 200)
    assert line.endswith("(the tool writes the 4 kept before them: [E E A A])")


def test_a_kept_queue_that_does_not_fit_goes_whole_to_its_own_line():
    words, queue = _label("EEAA", 78)
    assert words.endswith("kept before them:") and queue == "[E E A A])"


def test_a_kept_queue_wider_than_a_line_is_elided_at_symbol_boundaries():
    fixed = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    _words, queue = _label(fixed, 30)
    assert cell_len(queue) <= 30
    assert queue.startswith("[A B C ") and queue.endswith(" X Y Z])")
    assert " … " in queue
    shown = queue[1:-2].split(" ")
    shown.remove("…")
    assert all(s in fixed and len(s) == 1 for s in shown)  # whole symbols, each once
    assert len(set(shown)) == len(shown)


def test_wide_symbols_count_by_their_cells():
    _words, queue = _label("字" * 30, 31)
    assert cell_len(queue) <= 31 and "…" in queue
