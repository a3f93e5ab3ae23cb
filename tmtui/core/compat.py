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

Faster still, :func:`scan_text` (what scoring uses, and :func:`compat_steps`) runs the whole
scan as one ``re.findall`` over the UTF-8 bytes of the text, under a microsecond a step; for an
ASCII text, whose byte offsets are its character offsets, :func:`compat_matches` takes its
spans from the same scan (``finditer``), and other texts keep the forward searches above:

* the ASCII letters ``S T P Q U`` are lower-cased with ``bytes.translate`` (positions and the
  case of the queue symbols are kept; ``e`` and ``a``, which are also queue symbols, are
  matched as ``[eE]`` and ``[aA]``), and the class lists both cases of its letters, the Greek
  capitals and the two Greek special folds, byte-encoded;
* the lazy scan to ``Queue State:`` is unrolled (``[^q]*(?:q(?!ueue state:)[^q]*)*``), which
  ``re`` runs as a tight loop;
* an alternative ``|.*`` eats the rest of the text at the first header that finds no queue
  (every later header would fail too, see above), so the scan stays linear;
* a text holding ``ſ``, or a header whose number has a non-ASCII digit after ``step `` (``\\d``
  matches every Unicode decimal digit), goes to the position-keeping scan instead.

Equality with the official regex is a property test (tests/core/test_compat.py).
"""

from __future__ import annotations

import re

from tmtui.core.parsed import (
    COMPAT_VERSION,
    MAX_STEP_NUMBER,
    ParsedStep,
    ParseResult,
    ParserMode,
    StepOccurrence,
)

__all__ = [
    "COMPAT_VERSION",
    "OFFICIAL_PATTERN",
    "compat_matches",
    "compat_steps",
    "parse_compat",
    "scan_text",
    "step_number",
]

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
    # Leading zeros count for nothing ("step 0000000000000000000001:" is step 1).
    if len(digits) > 18:
        digits = digits.lstrip("0")
        if len(digits) > 18 and (len(digits) > 4300 or int(digits) > MAX_STEP_NUMBER):
            return MAX_STEP_NUMBER + 1
        if not digits:
            return 0
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


def _ascii_folded(text: str) -> bytes:
    """An ASCII text's bytes with ``S T P Q U`` lower-cased (see :func:`scan_text`)."""
    return text.encode("ascii").translate(_FOLD)


def _ascii_matches(folded: bytes) -> list[tuple[int, int, int, int, int]]:
    out = []
    for m in _ASCII_SCAN.finditer(folded):
        (h, _), (ds, de), (qs, qe), (close, _) = m.regs
        if close < 0:
            break  # the |.* alternative: no queue after this header
        out.append((h, ds, de, qs, qe))
    return out


def compat_matches(text: str) -> list[tuple[int, int, int, int, int]]:
    """Every official match as (header start, digits start, digits end, queue start, queue end)."""
    if text.isascii():  # byte offsets are character offsets: the scan below, with its spans
        return _ascii_matches(_ascii_folded(text))
    f = text.lower()
    if len(f) == len(text) and not any(ch in text for ch in _SPECIAL_FOLDS):
        return _matches_folded(text, f)
    return _matches_regex(text)


# -- the scan without spans: one findall over UTF-8 bytes -----------------------------------
_FOLD = bytes.maketrans(b"STPQU", b"stpqu")
_QS_TAIL = rb"u[eE]u[eE] st[aA]t[eE]:"  # "queue state:" after its q, on folded bytes


def _scan_pattern(symbols: bytes) -> re.Pattern[bytes]:
    # groups: step digits, queue, and "]" (empty when the |.* alternative ate the rest)
    header = rb"st[eE]p ([0-9]+):"
    to_queue_state = rb"[^q]*(?:q(?!" + _QS_TAIL + rb")[^q]*)*q" + _QS_TAIL
    bracket = rb".*?\[(" + symbols + rb")(\])"
    return re.compile(header + rb"(?:" + to_queue_state + bracket + rb"|.*)", re.DOTALL)


_ASCII_SYMBOL = rb"[ABCDEabcde12345@#$%&* ,]"
# Greek capitals \u0391-\u0395 and small \u03b1-\u03b5 are ce 91-95 and ce b1-b5 in UTF-8;
# re folds \u03d0 (cf 90) onto beta and \u03f5 (cf b5) onto epsilon.
_GREEK_SYMBOL = rb"(?:\xce[\x91-\x95\xb1-\xb5]|\xcf[\x90\xb5])"
_ASCII_SCAN = _scan_pattern(_ASCII_SYMBOL + rb"*")
# unrolled (ASCII runs between Greek letters): one way to match, so no backtracking blow-up
_UTF8_SCAN = _scan_pattern(_ASCII_SYMBOL + rb"*(?:" + _GREEK_SYMBOL + _ASCII_SYMBOL + rb"*)*")
_WIDE_DIGIT = re.compile(rb"st[eE]p [0-9]*[\x80-\xff]")


def scan_text(text: str) -> list[tuple[bytes, bytes, bytes]] | None:
    """Every official match as (step digits, queue as written, b"]"), in order, as UTF-8 bytes;
    None when only :func:`compat_matches` is exact for this text (see the module docstring)."""
    if text.isascii():
        found = _ASCII_SCAN.findall(text.encode("ascii").translate(_FOLD))
    elif "ſ" in text:
        return None
    else:
        data = text.encode("utf-8", "surrogatepass").translate(_FOLD)
        if _WIDE_DIGIT.search(data) is not None:
            return None
        found = _UTF8_SCAN.findall(data)
    if found and not found[-1][2]:
        found.pop()  # a header with no queue after it: the official matches end before it
    return found


def step_number(digits: bytes) -> int:
    """The step number of ASCII digits from :func:`scan_text`."""
    return int(digits) if len(digits) <= 9 else _step_number(digits.decode("ascii"))


def compat_steps(text: str) -> dict[int, str]:
    """Step number -> queue, exactly the ``steps_ans`` dict of the official evaluator."""
    found = scan_text(text)
    if found is None:
        steps: dict[int, str] = {}
        for _h, ds, de, qs, qe in compat_matches(text):
            steps[_step_number(text[ds:de])] = text[qs:qe].replace(" ", "").replace(",", "")
        return steps
    return {step_number(d): q.translate(None, b" ,").decode("utf-8") for d, q, _ in found}


def _foreign(alpha: frozenset[str] | None) -> re.Pattern[str]:
    """A character outside the alphabet (one search instead of a set test per symbol: a long
    run's queues hold thousands of symbols); a multi-character alphabet matches anything, and
    the symbols are then tested one by one."""
    if alpha is None or any(len(c) != 1 for c in alpha):
        return _ANYTHING
    return re.compile("[^" + "".join(re.escape(c) for c in sorted(alpha)) + "]")


_ANYTHING = re.compile(".", re.DOTALL)


def parse_compat(text: str, alphabet: tuple[str, ...] | None = None) -> ParseResult:
    """The official reading as a ParseResult (spans kept, later occurrences overwrite)."""
    result = ParseResult(mode=ParserMode.TMBENCH, version=COMPAT_VERSION)
    # step -> its occurrences as (queue, span, header span, unknown symbols)
    seen: dict[int, list[tuple[str, tuple[int, int], tuple[int, int], str]]] = {}
    alpha = frozenset(alphabet) if alphabet else None
    foreign = _foreign(alpha)
    # an ASCII text's queues are cut from its bytes (the folded letters are not queue
    # symbols), spaces and commas dropped in one translate: a long run's queues hold
    # thousands of symbols each
    folded = _ascii_folded(text) if text.isascii() else None
    matches = compat_matches(text) if folded is None else _ascii_matches(folded)
    for h, ds, de, qs, qe in matches:
        digits = text[ds:de]
        step = int(digits) if len(digits) <= 9 else _step_number(digits)
        if folded is not None:
            queue = folded[qs:qe].translate(None, b" ,").decode("ascii")
        else:
            queue = text[qs:qe].replace(" ", "").replace(",", "")
        unknown = ""
        if alpha is not None and foreign.search(queue) is not None:
            unknown = "".join(dict.fromkeys(c for c in queue if c not in alpha))
        occ = (queue, (qs, qe), (h, de + 1), unknown)
        if step in seen:
            seen[step].append(occ)
        else:
            seen[step] = [occ]
    for step, occs in seen.items():
        queue, span, header_span, unknown = occs[-1]
        why = ""
        if len(occs) > 1:
            why = (
                f"written {len(occs)} times; the official evaluator keeps the last match "
                "(a later match overwrites an earlier one)"
            )
            result.duplicates[step] = [
                StepOccurrence(step, q, sp, hs, unknown=u) for q, sp, hs, u in occs
            ]
        result.steps[step] = ParsedStep(
            step, queue, span, header_span, unknown=unknown, occurrences=len(occs), why=why
        )
    return result
