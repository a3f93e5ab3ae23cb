"""Lines that fit: parts of a line give way by importance, never by position.

A status line, a header line or a key bar is made of parts; when the line is wider than the
screen, the least important part is shortened (to its next shorter form) or dropped first,
again and again, until the line fits. Parts of importance 0 (the numbers a reader came for,
the key to help) are never shortened away; so a line at 80 columns loses its decorations
before it loses a number, and it never ends in the middle of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.text import Text

__all__ = ["Part", "fit_parts"]


@dataclass
class Part:
    """One part of a line and its shorter forms (the last may be empty: dropped)."""

    forms: Sequence[Text]  # the full form first, then shorter ones
    importance: int = 0  # 0: always kept (its last form stays); higher gives way sooner
    _i: int = field(default=0, repr=False)

    @classmethod
    def of(cls, *forms: Text | str, importance: int = 0, style: str = "") -> Part:
        texts = [f if isinstance(f, Text) else Text(f, style=style) for f in forms]
        return cls(texts, importance)

    @property
    def text(self) -> Text:
        return self.forms[self._i]

    def can_shrink(self) -> bool:
        return self._i + 1 < len(self.forms)


def fit_parts(parts: Sequence[Part], width: int) -> Text:
    """The parts joined, shortened by importance until the line is at most ``width`` cells
    (when even the shortest forms are wider, the line is as short as it can be)."""

    order = {id(p): i for i, p in enumerate(parts)}

    def total() -> int:
        return sum(p.text.cell_len for p in parts)

    while total() > width:
        candidates = [p for p in parts if p.importance > 0 and p.can_shrink()]
        if not candidates:
            candidates = [p for p in parts if p.can_shrink()]
        if not candidates:
            break
        # the least important gives way first; among equals, the one furthest right
        victim = max(candidates, key=lambda p: (p.importance, order[id(p)]))
        victim._i += 1
    out = Text(no_wrap=True, overflow="ellipsis")
    for p in parts:
        out.append_text(p.text)
    return out
