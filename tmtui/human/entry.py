"""Reading what a participant types on the entry line: a queue of symbols, or ``halt``.

Symbols may be written with or without spaces or commas (``A B C``, ``A,B,C``, ``abc``,
``[A B C]``); letters in either case. Where an alphabet is hard to type (Greek, special
symbols), a key map lets the keys ``1``..``k`` (or ``a``.. when the alphabet holds digits)
stand for its symbols; the symbols themselves still work. ``[]`` is the empty queue. An entry
that is empty or holds anything else is refused with a message saying why: it is never
submitted.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from tmtui.core.text import one_line

__all__ = ["HALT_WORD", "Entry", "EntryError", "KeyMap", "key_map_for", "read_entry", "spaced"]

HALT_WORD = "halt"
EASY = frozenset(string.ascii_letters + string.digits)  # symbols typed as they are
SEPARATORS = frozenset(" \t,;'\"")


@dataclass(frozen=True, slots=True)
class KeyMap:
    """Keys that stand for symbols: ``pairs`` is ``(key, symbol)`` in alphabet order."""

    pairs: tuple[tuple[str, str], ...]

    def symbol(self, key: str) -> str | None:
        for k, s in self.pairs:
            if k == key:
                return s
        return None

    def key(self, symbol: str) -> str | None:
        """The key that stands for ``symbol`` (None: no key does)."""
        for k, s in self.pairs:
            if s == symbol:
                return k
        return None

    def describe(self) -> str:
        """``1=α 2=β 3=γ`` (as the screen shows it)."""
        return " ".join(f"{k}={s}" for k, s in self.pairs)

    def keys(self) -> str:
        """``1-5`` or ``a-e``."""
        first, last = self.pairs[0][0], self.pairs[-1][0]
        return first if first == last else f"{first}-{last}"


def key_map_for(alphabet: tuple[str, ...] | list[str]) -> KeyMap | None:
    """The key map of an alphabet with a symbol outside ASCII letters and digits (None for an
    easy one): digits 1..9 when no symbol is a digit, else letters a.. that no symbol is."""
    alpha = tuple(alphabet)
    if all(s in EASY for s in alpha):
        return None
    taken = {s.lower() for s in alpha} | set(alpha)
    digits = [d for d in "123456789" if d not in taken]
    letters = [c for c in string.ascii_lowercase if c not in taken]
    pool = digits if not any(s.isdigit() for s in alpha) and len(alpha) <= 9 else letters
    if len(pool) < len(alpha):
        return None  # too many symbols to map: they are typed as they are
    return KeyMap(tuple(zip(pool, alpha, strict=False)))


@dataclass(frozen=True, slots=True)
class Entry:
    """A readable entry: the symbols (``""`` for ``[]``), or a halt."""

    symbols: str
    typed: str
    halt: bool = False


@dataclass(frozen=True, slots=True)
class EntryError:
    """Why an entry cannot be submitted (one line), and where (1-based character)."""

    message: str
    position: int | None = None


def _folds(alpha: tuple[str, ...]) -> dict[str, str]:
    """Other cases of the symbols, when they are not symbols themselves."""
    out: dict[str, str] = {}
    for s in alpha:
        for other in (s.lower(), s.upper()):
            if len(other) == 1 and other != s and other not in alpha:
                out.setdefault(other, s)
    return out


def spaced(symbols: str) -> str:
    """``ABC`` -> ``A B C`` (how queues are shown and prefilled)."""
    return " ".join(symbols)


def read_entry(
    text: str, alphabet: tuple[str, ...] | list[str], key_map: KeyMap | None = None
) -> Entry | EntryError:
    """The entry as symbols, or why it cannot be submitted."""
    alpha = tuple(alphabet)
    symbols = set(alpha)
    body = text.strip()
    if body.lower() == HALT_WORD:
        return Entry("", text, halt=True)
    shown = " ".join(alpha)
    if key_map is not None:
        shown += f" (or the keys {key_map.keys()})"
    if not body:
        return EntryError(f"nothing to submit: type the queue's symbols ({shown}), [] for an "
                          "empty queue, or halt")  # fmt: skip
    offset = len(text) - len(text.lstrip())
    bracketed = body[0] == "[" and body[-1] == "]" and "[" not in symbols and len(body) > 1
    if bracketed:
        body = body[1:-1]
        offset += 1
    folds = _folds(alpha)
    out: list[str] = []
    for i, ch in enumerate(body):
        if ch in symbols:
            out.append(ch)
        elif ch in SEPARATORS or ch.isspace():
            continue
        elif ch in folds:
            out.append(folds[ch])
        elif key_map is not None and (mapped := key_map.symbol(ch)) is not None:
            out.append(mapped)
        else:
            pos = offset + i + 1
            what = one_line(repr(ch)[1:-1] if not ch.isprintable() else ch, 12)
            return EntryError(f"'{what}' (character {pos}) is not a symbol here: type {shown}", pos)
    if not out and not bracketed:
        return EntryError(
            f"no symbols: type the queue's symbols ({shown}), or [] for an empty queue"
        )
    return Entry("".join(out), text)
