"""The official TMBench evaluator's parse, reproduced exactly (``--compat tmbench``).

The released ``acc.py`` runs one regex over each answer::

    (?i)step (\\d+):.*?Queue State:.*?\\[([ABCDE12345αβγδε@#$%&* ,]*)\\]     (re.DOTALL)

with ``re.findall``; a later match for the same step overwrites an earlier one, and spaces and
commas are removed from the captured queue before it is compared with the ground truth.

The regex's lazy ``.*?`` makes CPython's ``re`` try the rest of the pattern at every character,
so it is slow on big files, and it is quadratic when many step headers are followed by no valid
queue. This module computes the same matches with forward searches instead:

* a match at a header takes the first ``Queue State:`` after the header's colon and then the
  first ``[...]`` after that whose content is only class characters (the first ``]`` closes it);
* if that fails, every later header fails too (a later ``Queue State:`` only sees a subset of
  the brackets), so the scan stops;
* case-insensitivity is done by lower-casing the text once when that keeps every position and
  the text has none of the three characters ``re`` folds specially onto pattern letters
  (``ſ`` ~ s, ``ϐ`` ~ β, ``ϵ`` ~ ε); otherwise the same scan runs with case-insensitive regexes.

Equality with the official regex is a property test (tests/core/test_compat.py).
"""

from __future__ import annotations

import re

from tmtui.core.parsed import MAX_STEP_NUMBER, ParsedStep, ParseResult, StepOccurrence

__all__ = ["COMPAT_VERSION", "OFFICIAL_PATTERN", "compat_matches", "parse_compat"]

COMPAT_VERSION = "tmbench-acc.py-1"

OFFICIAL_PATTERN = r"(?i)step (\d+):.*?Queue State:.*?\[([ABCDE12345αβγδε@#$%&* ,]*)\]"
CLASS = "ABCDE12345αβγδε@#$%&* ,"
_CLASS_LOWER = CLASS.lower()

_SPECIAL_FOLDS = ("ſ", "ϐ", "ϵ")

_DIGITS = re.compile(r"\d+")
_BRACKET_LOWER = re.compile("\\[([" + re.escape(_CLASS_LOWER) + "]*)\\]")

_HDR_I = re.compile(r"(?i)step (\d+):")
_QS_I = re.compile(r"(?i)queue state:")
_BRACKET_I = re.compile("(?i)\\[([" + re.escape(CLASS) + "]*)\\]")


def _step_number(digits: str) -> int:
    # int() refuses more than 4300 digits; such a step can never match the ground truth.
    if len(digits) > 18:
        return MAX_STEP_NUMBER + 1
    n = int(digits)
    return n if n <= MAX_STEP_NUMBER else MAX_STEP_NUMBER + 1


def _matches_folded(text: str, f: str) -> list[tuple[int, int, int, int, int]]:
    """Matches on the lower-cased text ``f`` (same positions as ``text``)."""
    out = []
    find = f.find
    digits_at = _DIGITS.match
    bracket_at = _BRACKET_LOWER.match
    pos = 0
    while True:
        h = find("step ", pos)
        if h < 0:
            return out
        d = digits_at(f, h + 5)
        if d is None or f[d.end() : d.end() + 1] != ":":
            pos = h + 1
            continue
        q = find("queue state:", d.end() + 1)
        if q < 0:
            return out
        p = find("[", q + 12)
        while p >= 0:
            b = bracket_at(f, p)
            if b is not None:
                break
            p = find("[", p + 1)
        else:
            return out
        out.append((h, d.start(), d.end(), p + 1, b.end() - 1))
        pos = b.end()


def _matches_regex(text: str) -> list[tuple[int, int, int, int, int]]:
    """The same scan with case-insensitive regexes (for texts lower() cannot fold exactly)."""
    out = []
    pos = 0
    while True:
        h = _HDR_I.search(text, pos)
        if h is None:
            return out
        q = _QS_I.search(text, h.end())
        if q is None:
            return out
        b = _BRACKET_I.search(text, q.end())
        if b is None:
            return out
        out.append((h.start(), h.start(1), h.end(1), b.start(1), b.end(1)))
        pos = b.end()


def compat_matches(text: str) -> list[tuple[int, int, int, int, int]]:
    """Every official match as (header start, digits start, digits end, queue start, queue end)."""
    if text.isascii():
        return _matches_folded(text, text.lower())
    f = text.lower()
    if len(f) == len(text) and not any(ch in text for ch in _SPECIAL_FOLDS):
        return _matches_folded(text, f)
    return _matches_regex(text)


def compat_steps(text: str) -> dict[int, str]:
    """Step number -> queue, exactly the ``steps_ans`` dict of the official evaluator."""
    steps: dict[int, str] = {}
    for _h, ds, de, qs, qe in compat_matches(text):
        steps[_step_number(text[ds:de])] = text[qs:qe].replace(" ", "").replace(",", "")
    return steps


def parse_compat(text: str, alphabet: tuple[str, ...] | None = None) -> ParseResult:
    """The official reading as a ParseResult (spans kept, later occurrences overwrite)."""
    result = ParseResult(mode="tmbench", version=COMPAT_VERSION)
    seen: dict[int, list[StepOccurrence]] = {}
    alpha = set(alphabet) if alphabet else None
    for h, ds, de, qs, qe in compat_matches(text):
        step = _step_number(text[ds:de])
        queue = text[qs:qe].replace(" ", "").replace(",", "")
        unknown = ""
        if alpha is not None:
            unknown = "".join(dict.fromkeys(c for c in queue if c not in alpha))
        occ = StepOccurrence(
            step=step, queue=queue, span=(qs, qe), header_span=(h, de + 1), unknown=unknown
        )
        seen.setdefault(step, []).append(occ)
    for step, occs in seen.items():
        last = occs[-1]
        why = ""
        if len(occs) > 1:
            why = (
                f"written {len(occs)} times; the official evaluator keeps the last match "
                "(a later match overwrites an earlier one)"
            )
            result.duplicates[step] = occs
        result.steps[step] = ParsedStep(
            step=last.step,
            queue=last.queue,
            span=last.span,
            header_span=last.header_span,
            unknown=last.unknown,
            occurrences=len(occs),
            why=why,
        )
    return result
