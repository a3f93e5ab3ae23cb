"""What the strict parser looks for in a line of text, and the readers that keep its work
linear however much a line repeats (:mod:`tmtui.core.parse` walks the lines).

Runs of blanks are matched possessively (``*+``, ``++``): what follows a run never starts with
a blank, so giving blanks back could never make a match, and a long run must not be tried in
every split (that was quadratic in the run's length, hours for a line of 80,000 blanks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "APPEND",
    "CLAIM_JUNK",
    "ELLIPSIS",
    "EMPTY_WORDS",
    "HEADER",
    "HEAD_VALUE",
    "LABEL_TAIL",
    "NEGATED_HALT",
    "NON_ENGLISH",
    "NOT_MARKUP",
    "QUOTES",
    "REMOVE",
    "SEPARATORS",
    "THINK",
    "TOKENS",
    "BareLine",
    "Claim",
    "QueueText",
    "SymbolStats",
]

HEADER = re.compile(
    r"[ \t>]*+(?:#{1,6}[ \t]*+)?(?:[-*+•][ \t]++|\d{1,4}[.)][ \t]++)?(?:\*\*|__|\*|_)?[ \t]*+"
    r"(?:(step|步骤|步驟)[ \t]*+#?[ \t]*+(\d{1,30})|(第)[ \t]*+(\d{1,30})[ \t]*+步)"
    r"[ \t]*+(?:\*\*|__|\*|_)?[ \t]*+(?=[:：.)\-–—|]|\*\*|$)",
    re.IGNORECASE,
)

# Labels and markers inside a step, found in one pass over a line.
MARKS = r"(?P<halt><[ \t]*halt[ \t]*>|\bhalt(?:s|ed|ing)?\b|停机)|(?P<stop><[ \t]*stop[ \t]*>)"
TOKENS = re.compile(
    r"(?P<action>\b(?:action|operation)s?\b|动作|操作)"
    r"|(?P<head>\bhead(?:[ \t]+symbol)?\b|头部符号|头符号|队首符号|队首)"
    r"|(?P<queue>\b(?:queue[ \t]+state|current[ \t]+queue|new[ \t]+queue|resulting[ \t]+queue"
    r"|queue|state)\b|队列状态|队列|状态)"
    r"|" + MARKS + r"|(?P<open>\[)",
    re.IGNORECASE,
)
# halt and stop marks alone (no other token can hold one, so the first of them in a text is
# the first its token scan meets); a halt word where the text is cut just before it
HALT_OR_STOP = re.compile(MARKS, re.IGNORECASE)
HALT_WORD = re.compile(r"halt(?:s|ed|ing)?\b", re.IGNORECASE)
WORD_CHAR = re.compile(r"\w")
NOT_MARKUP = re.compile(r"[^ \t*`_~]")
BLANKS = re.compile(r"\s*")
STARS = re.compile(r"[*`]*")
SEPARATORS = "\\s'\"`“”‘’,;"  # what splits a bare queue into symbols (see QUOTES)
SYMBOLS = re.compile(f"[^{SEPARATORS}]+")
LABEL_TAIL = re.compile(r"[ \t]*+(?:\*\*|__|\*)?[ \t]*+(?:[:：=]|\bis\b)[ \t]*+(?:\*\*|__)?[ \t]*+")
HEAD_VALUE = re.compile(r"[ \t]*['\"`“‘]?([^\s'\"`“‘”’*,.:;])")


class Claim:
    """What an action line says a step moved: 'Append A B to the end', 'Remove C D from the
    head'. The pattern "verb, blanks, up to 400 characters of words, blanks, tail" read
    without backtracking: the blanks before the tail always run up to it, so the words end
    where a run of blanks followed by the tail starts; that run is searched for once and kept
    for the verbs after it (a regex tried up to 400 ends per verb, and every split of a run of
    blanks: hours for one action line of 80,000 blanks).
    """

    def __init__(self, verb: str, tail: str) -> None:
        self._verb = re.compile(rf"\b{verb}([ \t]++)", re.IGNORECASE)
        # the last blank before the tail
        self._tail = re.compile(rf"[ \t](?={tail})", re.IGNORECASE)

    def search(self, text: str, start: int, stop: int) -> str | None:
        """The words of the first verb followed by them and the tail (None: no claim)."""
        tail_at = -2  # the first run before a tail at or after the words (-1: none)
        pos = start
        while (m := self._verb.search(text, pos, stop)) is not None:
            first, words = m.span(1)  # the blanks after the verb; the words start after them
            pos = words
            if tail_at != -1 and tail_at <= words:
                t = self._tail.search(text, words + 1, stop)
                # where its run of blanks starts (after the words: they end on a non-blank)
                tail_at = -1 if t is None else rstrip_end(text, words + 1, t.end(), " \t")
            if tail_at != -1 and tail_at <= words + 400:
                return text[words:tail_at]
            if words - first >= 2 and self._tail.match(text, words - 1, stop):
                return ""  # "Append  to the end": two blanks split around no words
        return None


APPEND = Claim(
    r"(?:append|add)(?:ing|s|ed)?", r"(?:to|at|onto)[ \t]++(?:the[ \t]++)?(?:end|tail|back)"
)
REMOVE = Claim(
    r"(?:remove|delete)(?:s|d|ing)?", r"from[ \t]++(?:the[ \t]++)?(?:head|front|start|beginning)"
)
CLAIM_JUNK = str.maketrans("", "", " \t,'\"`[]*“”‘’")
NEGATED_HALT = re.compile(r"(?:\bnot|\bno|n't|\bnever|\bwithout|\bcannot|未|不)[ \t]*$", re.I)
THINK = re.compile(r"<(/?)think>", re.IGNORECASE)
ELLIPSIS = re.compile(r"\.\.\.|…")
QUOTES = str.maketrans({c: " " for c in "'\"`“”‘’,;"})
EMPTY_WORDS = {"empty", "(empty)", "∅", "ø", "空", "(空)", "none"}
NON_ENGLISH = re.compile(r"[^\x00-\x7f]")


class QueueText:
    """The symbols of a bare queue, read from its text only when the queue is kept."""

    __slots__ = ("start", "stop", "text")

    def __init__(self, text: str, start: int, stop: int) -> None:
        self.text = text
        self.start = start
        self.stop = stop

    def value(self) -> str:
        return "".join(self.text[self.start : self.stop].translate(QUOTES).split())


@dataclass(slots=True)
class SymbolStats:
    """Where the last symbol of each sort is in a bare queue's text: a suffix of the text
    (what a later label on the same line reads) has one iff its start is at or before it."""

    last_symbol: int  # any symbol
    last_pair: int  # the first of two adjacent symbols (a word, not a symbol)
    last_foreign: int  # a symbol outside the alphabet
    last_ellipsis: int  # "..." or "…"


def rstrip_end(text: str, lo: int, hi: int, chars: str | None) -> int:
    """The end of text[lo:hi] once ``chars`` (None: white space) are stripped from its right,
    looking only as far back as they go."""
    width = 32
    while hi > lo:
        at = max(lo, hi - width)
        kept = len(text[at:hi].rstrip(chars))
        if kept:
            return at + kept
        hi = at
        width *= 2
    return lo


class BareLine:
    """The bare-queue reading of one line, shared by every queue label on it.

    A label reads the rest of its line up to the first halt or stop mark or '(' after it.
    Labels before the same end read suffixes of one text, so the end, the right strip and
    the symbol statistics are found once per end, and each label costs only its own start.
    """

    __slots__ = ("_halt", "_paren", "_right", "_right_of", "_stats", "_stats_from", "stop", "text")

    def __init__(self, text: str, stop: int) -> None:
        self.text = text
        self.stop = stop
        self._halt = -2  # the first mark at or after the last start (-1: none; -2: unknown)
        self._paren = -2  # the same for '('
        self._right_of = -1  # the end the right strip was found for
        self._right = 0
        self._stats: SymbolStats | None = None
        self._stats_from = 0

    def end_of_queue(self, start: int) -> int:
        """Where the queue after a label ending at ``start`` stops."""
        text, stop = self.text, self.stop
        if (
            start > 0
            and WORD_CHAR.match(text, start - 1)
            and HALT_WORD.match(text[start : min(stop, start + 8)])
        ):
            end = start  # read on its own, the rest starts with a halt word
        else:
            if self._halt != -1 and self._halt < start:
                m = HALT_OR_STOP.search(text, start, stop)
                self._halt = -1 if m is None else m.start()
            end = stop if self._halt < 0 else self._halt
        if self._paren != -1 and self._paren < start:
            self._paren = text.find("(", start, stop)
        if start < self._paren < end:  # "A B C (length 3)"; a '(' first is kept
            end = self._paren
        return end

    def left(self, start: int, end: int) -> int:
        """Where the queue text starts: blanks, then '*' and '`', then blanks stripped."""
        text = self.text
        at = BLANKS.match(text, start, end).end()
        at = STARS.match(text, at, end).end()
        return BLANKS.match(text, at, end).end()

    def right(self, start: int, end: int, left: int) -> int:
        """Where the queue text stops (at most ``left``: then it is empty): blanks, '*' and
        '`', blanks, then one final '.' and blanks stripped."""
        if self._right_of != end:
            text = self.text
            at = rstrip_end(text, start, end, None)
            at = rstrip_end(text, start, at, "*`")
            at = rstrip_end(text, start, at, None)
            if at > start and text[at - 1] == ".":
                at = rstrip_end(text, start, at - 1, None)
            self._right_of = end
            self._right = at
            self._stats = None
        return max(left, self._right)

    def stats(self, left: int, right: int, foreign: re.Pattern[str] | None) -> SymbolStats:
        """The symbol statistics of the text read for the current end (found once for the
        first label that needs them; later labels start further right)."""
        st = self._stats
        if st is None or left < self._stats_from:
            text = self.text
            last_symbol = last_pair = last_foreign = -1
            for m in SYMBOLS.finditer(text, left, right):
                a, b = m.span()
                last_symbol = b - 1
                if b - a >= 2:
                    last_pair = b - 2
            if foreign is not None:
                for m in foreign.finditer(text, left, right):
                    last_foreign = m.start()
            ellipsis = max(text.rfind("...", left, right), text.rfind("…", left, right))
            st = self._stats = SymbolStats(last_symbol, last_pair, last_foreign, ellipsis)
            self._stats_from = left
        return st
