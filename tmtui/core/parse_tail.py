"""The tail and indexed answer formats, as the strict parser reads them (docs/tail.md).

A tail step writes fixed lines before its queue::

    - Read: C from position 4 (written by step 2)
    - Rule: C : B
    - Delete: C A
    - Append: B (position 7)
    - Length: 2
    - Queue State: [C B]

:func:`tail_line` recognises such a line at the start of a line of a step and
:func:`read_tail_line` keeps what it says: the symbol read (the step's head claim), the stated
fetch (the position read and the step that wrote it), the symbols deleted and appended (the
same claims an action line makes) and the new length. These lines never hold the step's queue.

An indexed queue writes each symbol with its tape position (``[4:C 5:A 6:C]``):
:func:`read_indexed` gives its symbols.
"""

from __future__ import annotations

import re
from typing import Protocol

__all__ = ["TAIL_LINE", "TailClaims", "read_indexed", "read_tail_line", "tail_line"]

# "- Read:", "**Append:**", "* Length :" at the start of a line
TAIL_LINE = re.compile(
    r"[ \t>]*+(?:[-*+•][ \t]++|\d{1,4}[.)][ \t]++)?(?:\*\*|__)?[ \t]*+"
    r"(read|rule|delete|append|length)[ \t]*+(?:\*\*|__)?[ \t]*+:(?:\*\*|__)?[ \t]*+",
    re.IGNORECASE,
)
# "C from position 4 (written by step 2)" (the symbol, then where it was read)
_READ = re.compile(
    r"['\"`]?([^\s'\"`,.:;])['\"`]?[ \t]*+\(?[ \t]*+(?:(?:from|at)[ \t]++)?(?:position|cell|pos\.?)"
    r"[ \t]*+#?(\d{1,18})[ \t]*+[(,;]?[ \t]*+(?:written[ \t]++)?by[ \t]++step[ \t]*+#?(\d{1,18})",
    re.IGNORECASE,
)
# the symbol alone, or before words that do not say where ("C (the head)")
_SYMBOL_ONLY = re.compile(r"['\"`]?([^\s'\"`,.:;()])['\"`]?(?=[ \t(,.;]|$)")
_NOTHING = re.compile(r"(?:nothing|none|empty|\(empty\)|∅|-)\.?$", re.IGNORECASE)
_DIGITS = re.compile(r"\d{1,18}")
_JUNK = str.maketrans("", "", " \t,'\"`[]*")
_INDEXED_TOKEN = re.compile(r"(\d{1,18}):(.)")


class TailClaims(Protocol):
    """What a tail step states (the parser's step being read)."""

    head_claim: str | None
    append_claim: str | None
    remove_claim: str | None
    fetch: tuple[int, int] | None
    length_claim: int | None


def tail_line(text: str, start: int, stop: int) -> re.Match[str] | None:
    """The tail label at the start of text[start:stop], or None."""
    return TAIL_LINE.match(text, start, stop)


def _symbols(value: str) -> str:
    """The symbols of "C A C (positions 4-6)" ('' for "nothing")."""
    cut = value.find("(")
    if cut > 0:
        value = value[:cut]
    value = value.strip().rstrip(".").strip()
    if not value or _NOTHING.match(value):
        return ""
    return value.translate(_JUNK)


def read_tail_line(claims: TailClaims, label: str, text: str, start: int, stop: int) -> None:
    """Keep what a tail line (``label`` is its lower-cased name; its value is
    text[start:stop]) says about the step."""
    value = text[start:stop]
    if label == "read":
        m = _READ.match(value)
        if m is not None:
            claims.head_claim = m.group(1)
            claims.fetch = (int(m.group(2)), int(m.group(3)))
            return
        m = _SYMBOL_ONLY.match(value)
        if m is not None:
            claims.head_claim = m.group(1)
    elif label == "delete":
        claims.remove_claim = _symbols(value)
    elif label == "append":
        claims.append_claim = _symbols(value)
    elif label == "length":
        m = _DIGITS.match(value.strip())
        if m is not None:
            claims.length_claim = int(m.group())
    # "rule": what the rule says is already in the append line


def read_indexed(tokens: list[str]) -> str | None:
    """The symbols of an indexed queue's tokens (``["4:C", "5:A"]`` -> ``"CA"``), or None
    when the tokens are not all ``position:symbol``."""
    out = []
    for tok in tokens:
        m = _INDEXED_TOKEN.fullmatch(tok)
        if m is None:
            return None
        out.append(m.group(2))
    return "".join(out)
