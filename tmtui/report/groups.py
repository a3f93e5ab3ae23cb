"""What rows are made of: the dimensions a report groups by (``--by``), the value of each
for a sample, their order, and the diagnosis categories of the table.

A row is one value of every dimension asked for. ``model`` is the system: a model's name,
or ``human:<participant>`` for a person (an official results file's model is its name).
Difficulty dimensions come from the instance and are put in bins: lengths in powers of two
(1, 2, 3–4, 5–8, 9–16, ...), the mean production length in unit bins.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from tmtui.core.datasets import ALPHABETS
from tmtui.core.diagnose import Kind
from tmtui.io.official import official_names
from tmtui.report.samples import InstanceInfo, Profile

__all__ = [
    "CATEGORIES",
    "DIMENSIONS",
    "HUMANS_POOLED",
    "NO_VALUE",
    "category",
    "dimension_value",
    "file_system",
    "pow2_bin",
    "sort_key",
    "system_of",
    "variant_of",
]

NO_VALUE = "—"  # shown for a dimension a sample has no value of (a model's participant)
HUMANS_POOLED = "humans (all)"

# the diagnosis categories of the table, and where every diagnosis kind goes
CATEGORIES = ("read", "rule", "delete", "copy", "halt", "format", "other")
_CATEGORY: dict[Kind, str] = {
    Kind.WRONG_HEAD: "read",  # the head symbol misread: another symbol's production
    Kind.WRONG_READ: "read",  # the wrong cell fetched (a tail answer's stated fetch)
    Kind.WRONG_PRODUCTION: "rule",  # the right head, the wrong production appended
    Kind.WRONG_DELETION: "delete",  # m-1, m+1, 0 or 2m symbols deleted
    Kind.COPY_ERROR: "copy",  # the retained middle copied wrong
    Kind.STALE_STATE: "copy",  # the previous queue copied out again unchanged
    Kind.PREMATURE_HALT: "halt",
    Kind.FAILURE_TO_HALT: "halt",
    Kind.STEPS_AFTER_HALT: "halt",
    Kind.BEYOND_CAP: "halt",
    Kind.NOTHING_PARSABLE: "format",
    Kind.STEP_MISSING: "format",
    Kind.UNPARSABLE: "format",
    Kind.READ_DIFFERENTLY: "format",
    Kind.TRUNCATED: "format",  # the answer ends inside a step: no complete trace to read
    Kind.OTHER: "other",
}


def category(kind: str) -> str:
    """The table's category of a diagnosis kind (its value, as in score output)."""
    try:
        return _CATEGORY[Kind(kind)]
    except ValueError:
        return "other"


def pow2_bin(n: int) -> tuple[int, int]:
    """The power-of-two bin of a count: (1, 1), (2, 2), (3, 4), (5, 8), (9, 16), ..."""
    if n <= 2:
        return (n, n)
    hi = 1 << (n - 1).bit_length()
    return (hi // 2 + 1, hi)


def _bin_label(lo: int, hi: int, unit: str = "") -> str:
    text = f"{lo}" if lo == hi else f"{lo}–{hi}"
    return f"{text} {unit}".rstrip()


def variant_of(alphabet: tuple[str, ...]) -> str:
    """The alphabet preset a set of symbols is (letters, greek, numbers, special)."""
    for name, symbols in ALPHABETS.items():
        if tuple(alphabet) == symbols:
            return name
    return f"custom ({len(alphabet)} symbols)"


def file_system(path: Path) -> str:
    """The name a file stands for when its samples carry none (an official results file):
    the model of a name ``{bench}_{model}_{mode}`` (tmtui.io.official), else the file's name."""
    return official_names(path.stem)[1]


def system_of(p: Profile, file_name: str) -> str:
    if p.kind == "human":
        return f"human:{p.participant}" if p.participant else (p.model or file_name)
    return p.model if p.model is not None else file_name


_Value = Callable[[Profile, InstanceInfo, str], str]

DIMENSIONS: dict[str, _Value] = {
    "model": lambda p, i, f: system_of(p, f),
    "dataset": lambda p, i, f: p.dataset if p.dataset is not None else f,
    "variant": lambda p, i, f: variant_of(i.alphabet),
    "template": lambda p, i, f: p.template or NO_VALUE,
    "temperature": lambda p, i, f: p.temperature or NO_VALUE,
    "participant": lambda p, i, f: p.participant or NO_VALUE,
    "assist": lambda p, i, f: p.assist or NO_VALUE,
    "m": lambda p, i, f: str(i.m),
    "alphabet-size": lambda p, i, f: str(len(i.alphabet)),
    "production-length": lambda p, i, f: _unit_bin(i.mean_production),
    "init-length": lambda p, i, f: _bin_label(*pow2_bin(i.init_length)),
    "trace-length": lambda p, i, f: _bin_label(*pow2_bin(i.states), "states"),
}


def _unit_bin(x: float) -> str:
    k = math.floor(x)
    return f"{k}–{k + 1}"


def dimension_value(dim: str, profile: Profile, inst: InstanceInfo, file_name: str) -> str:
    return DIMENSIONS[dim](profile, inst, file_name)


def sort_key(dim: str, value: str, first_seen: int) -> tuple:
    """Rows sort by each dimension in turn: bins and numbers by their value, the pooled
    humans after every participant, anything else in order of first appearance."""
    if dim == "model" and value == HUMANS_POOLED:
        return (2, 0, first_seen)
    if dim == "model":
        return (1 if value.startswith("human:") else 0, 0, first_seen)
    if value == NO_VALUE:
        return (3, 0, first_seen)
    head = value.split("–", 1)[0].split(" ", 1)[0]
    try:
        return (0, float(head), first_seen)
    except ValueError:
        return (1, 0, first_seen)
