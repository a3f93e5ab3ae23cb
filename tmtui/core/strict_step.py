"""The strict reading of one step of an answer, without reading the whole answer.

Scoring an official file in compat mode asks, for every failing sample, how the strict parser
reads the first divergent step (a "read differently" diagnosis when the two readings differ).
A whole strict parse costs about a millisecond for a 5 KB answer; one step's reading is the same
at a few per cent of that, because the strict parser reads a step from its own block alone:

* a block runs from a step header at the start of a line to the next one (a header line also
  ends a bracket left open), and what the block reads (its queue, or none) depends only on its
  own lines and the alphabet;
* a step written in several blocks reads as its last block with a readable queue, or its last
  block when none is readable; a step with no block is not written;
* the only other state that crosses blocks is ``<think>`` / ``</think>`` (reasoning, and a
  lone closing tag resets everything before it).

So, for an answer with no think tag, the blocks of step k parsed on their own, in order, give
step k exactly the reading the whole answer gives it. Any answer with a think tag is read in
full. ``tests/core/test_strict_step.py`` checks equality with :func:`parse_strict` on every
step of generated answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tmtui.core.parse import parse_strict
from tmtui.core.parse_text import HEADER, THINK
from tmtui.core.parsed import ParseResult, StepOccurrence

__all__ = ["StrictReading", "strict_step"]

# HEADER at the start of any line of a whole text: the same matches as HEADER.match on each
# line, for text whose lines end with "\n" alone (``$`` is then the line's end in both)
_LINE_HEADER = re.compile("(?m)^" + HEADER.pattern, HEADER.flags)


def _header_lines(text: str) -> list[tuple[int, str]]:
    """(line start, step digits) of every line that starts a step, as the parser finds them."""
    if "\r" not in text:
        return [(m.start(), m.group(2) or m.group(4)) for m in _LINE_HEADER.finditer(text)]
    found = []
    pos, end = 0, len(text)
    while True:
        nl = text.find("\n", pos)
        stop = end if nl < 0 else nl
        if stop > pos and text[stop - 1] == "\r":
            stop -= 1  # the parser drops a line's "\r"
        hdr = HEADER.match(text, pos, stop)
        if hdr is not None:
            found.append((pos, hdr.group(2) or hdr.group(4)))
        if nl < 0:
            return found
        pos = nl + 1


def _blocks_of(text: str, step: int) -> list[tuple[int, int]] | None:
    """(start, stop) of every block of ``step`` in ``text``, in order; None when the blocks
    alone do not decide the reading (a think tag)."""
    if THINK.search(text) is not None:
        return None
    blocks: list[tuple[int, int]] = []
    open_at = -1  # start of a block of ``step`` not yet ended
    for at, digits in _header_lines(text):
        if open_at >= 0:
            blocks.append((open_at, at))
            open_at = -1
        if len(digits) <= 18 and int(digits) == step:  # the step number as the parser reads it
            open_at = at
    if open_at >= 0:
        blocks.append((open_at, len(text)))
    return blocks


def strict_step(
    text: str, step: int, alphabet: Sequence[str] | None = None
) -> tuple[bool, str | None] | None:
    """(written, queue) of ``step`` as :func:`parse_strict` reads ``text``: whether a block
    of the step is there, and the queue it reads (None: none readable). None when only the
    whole parse can tell (see the module docstring)."""
    blocks = _blocks_of(text, step)
    if blocks is None:
        return None
    if not blocks:
        return False, None
    ps = _read_blocks(text, blocks, step, tuple(alphabet) if alphabet else None)
    return (True, None if ps is None else ps.queue)


def _read_blocks(
    text: str, blocks: list[tuple[int, int]], step: int, alphabet: tuple[str, ...] | None
) -> StepOccurrence | None:
    own = "".join(text[a:b] for a, b in blocks)
    return parse_strict(own, alphabet).steps.get(step)


class StrictReading:
    """An answer's strict reading, made only as far as it is asked for: one step's queue
    (:meth:`step`, cheap) or the whole reading (:attr:`result`, parsed once)."""

    __slots__ = ("_result", "alphabet", "text")

    def __init__(self, text: str, alphabet: Sequence[str] | None = None) -> None:
        self.text = text
        self.alphabet = tuple(alphabet) if alphabet else None
        self._result: ParseResult | None = None

    @property
    def result(self) -> ParseResult:
        if self._result is None:
            self._result = parse_strict(self.text, self.alphabet)
        return self._result

    def step(self, k: int) -> tuple[bool, str | None]:
        """(written, queue) of step ``k``."""
        if self._result is None:
            got = strict_step(self.text, k, self.alphabet)
            if got is not None:
                return got
        ps = self.result.steps.get(k)
        return (ps is not None, None if ps is None else ps.queue)

    def occurrence(self, k: int) -> StepOccurrence | None:
        """Step ``k`` as the strict parser reads it (its queue and what it states, such as a
        tail answer's fetch); None when the answer writes no readable step ``k``."""
        if self._result is None:
            blocks = _blocks_of(self.text, k)
            if blocks is not None:
                return _read_blocks(self.text, blocks, k, self.alphabet) if blocks else None
        return self.result.steps.get(k)
