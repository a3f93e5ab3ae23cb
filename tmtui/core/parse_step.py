"""Reading inside one step of an answer: queue labels, brackets, bare queues, halt marks
and what the action line claims (the strict parser's per-step half; :mod:`tmtui.core.parse`
walks the lines and steps, :mod:`tmtui.core.parse_tail` reads the tail format's lines).

A step may write several queues; each is a candidate ranked by where it stands: a bare bracket,
a labelled queue before the action line, a labelled queue after it. The best-ranked candidate
(the last among equals) is the step's queue.
"""

from __future__ import annotations

import re

from tmtui.core.parse_tail import read_indexed
from tmtui.core.parse_text import (
    APPEND,
    CLAIM_JUNK,
    ELLIPSIS,
    EMPTY_WORDS,
    HEAD_VALUE,
    LABEL_TAIL,
    NEGATED_HALT,
    NON_ENGLISH,
    NOT_MARKUP,
    QUOTES,
    REMOVE,
    TOKENS,
    BareLine,
    QueueText,
)

__all__ = ["RANK_AFTER_ACTION", "RANK_BRACKET", "RANK_LABELLED", "Block", "StepReader"]

RANK_BRACKET = 1  # a bracket with no queue label
RANK_LABELLED = 2  # a queue label, before any action line
RANK_AFTER_ACTION = 3  # a queue label after the action line


class Block:
    """The step being read: from its header to the next header."""

    __slots__ = (
        "action_at",
        "after_action_unreadable",
        "append_claim",
        "best",
        "best_rank",
        "dirty",
        "fetch",
        "halt",
        "head_claim",
        "header_span",
        "length_claim",
        "note",
        "open_from",
        "open_label",
        "open_parts",
        "open_size",
        "pending_label",
        "problem",
        "remove_claim",
        "saw_label",
        "step",
        "stop",
    )

    def __init__(self, step: int, header_span: tuple[int, int]) -> None:
        self.step = step
        self.header_span = header_span
        self.action_at = -1
        self.after_action_unreadable = False
        self.pending_label = 0  # a queue label that ended its line: the next line's bracket
        self.saw_label = False
        # the queue (a QueueText until it is published), its span, symbols outside the alphabet
        self.best: tuple[str | QueueText, tuple[int, int], str] | None = None
        self.best_rank = 0
        self.dirty = False
        self.halt = False
        self.stop = False
        self.head_claim: str | None = None
        self.append_claim: str | None = None
        self.remove_claim: str | None = None
        self.fetch: tuple[int, int] | None = None  # tail: (position read, step that wrote it)
        self.length_claim: int | None = None  # tail: the length it says the new queue has
        self.note = ""
        self.problem = ""
        self.open_from = -1  # start offset of a bracket's content still open across lines
        self.open_label = 0
        self.open_parts: list[str] = []
        self.open_size = 0


class StepReader:
    """The strict parser's reading of the current step (mixed into
    :class:`~tmtui.core.parse.StrictParser`, which owns the state named here)."""

    _block: Block | None
    _alpha: frozenset[str] | None
    _not_alpha: re.Pattern[str] | None
    _deviations: dict[str, None]

    def _scan(self, text: str, start: int, stop: int, base: int, _depth: int) -> None:
        """Read labels, queues and halt markers from text[start:stop] in the current step.

        Linear in the line however many labels and brackets it holds: the next ``[``, ``]``
        and non-markup character are found once and reused until the scan passes them, and
        bare queues share one :class:`BareLine`."""
        block = self._block
        if block is None:
            return
        label_rank = block.pending_label  # set once a queue label is seen on this line
        block.pending_label = 0
        line_is_action = False
        line_is_head = False
        pos = start
        # the next "[", "]" and non-markup character at or after pos (-1: none before stop;
        # -2: not looked for yet); pos only moves forward, so each is searched for once
        next_open = next_close = next_text = -2
        bare: BareLine | None = None
        while True:
            m = TOKENS.search(text, pos, stop)
            if m is None:
                break
            kind = m.lastgroup
            pos = m.end()
            if kind == "open":
                if next_close != -1 and next_close < pos:
                    next_close = text.find("]", pos, stop)
                close = next_close
                if close < 0:
                    rank = label_rank or (0 if (line_is_action or line_is_head) else 1)
                    if rank:
                        block.open_from = base + pos
                        block.open_label = rank
                        block.open_parts = [text[pos:stop]]
                        block.open_size = stop - pos
                    return
                if next_open != -1 and next_open < pos:
                    next_open = text.find("[", pos, stop)
                if 0 <= next_open < close:
                    # "[ ... [A B] ..." : the inner bracket is the candidate
                    pos = next_open
                    continue
                rank = label_rank
                if not rank and not (line_is_action or line_is_head):
                    rank = RANK_BRACKET
                if rank:
                    self._candidate(text[pos:close], (base + pos, base + close), rank)
                    label_rank = 0
                pos = close + 1
                continue
            if kind == "stop":
                if not block.stop:
                    block.stop = True
                    block.dirty = True
                continue
            if kind == "halt":
                if not block.halt and not NEGATED_HALT.search(
                    text, max(start, m.start() - 12), m.start()
                ):
                    block.halt = True
                    block.dirty = True
                continue
            tail = LABEL_TAIL.match(text, pos, stop)
            if tail is None:
                continue  # a word, not a label ("the queue." in an action line)
            pos = tail.end()
            if NON_ENGLISH.search(m.group()):
                self._deviations.setdefault(f"non-English labels ({m.group()})")
            if kind == "action":
                line_is_action = True
                if block.action_at < 0:
                    block.action_at = base + m.start()
                    self._claims(block, text, pos, stop)
            elif kind == "head":
                line_is_head = True
                hv = HEAD_VALUE.match(text, pos, stop)
                if hv is not None:
                    block.head_claim = hv.group(1)
            else:
                label_rank = RANK_AFTER_ACTION if block.action_at >= 0 else RANK_LABELLED
                block.saw_label = True
                if next_open != -1 and next_open < pos:
                    next_open = text.find("[", pos, stop)
                if next_open == pos:
                    continue  # "Queue State: [A B]": the bracket right after the label
                if next_open >= 0:
                    if next_text != -1 and next_text < pos:
                        t = NOT_MARKUP.search(text, pos, stop)
                        next_text = -1 if t is None else t.start()
                    if not 0 <= next_text < next_open:
                        continue  # only markup before the "[": a bracketed queue follows
                    # "Queue State: D B [..." - not a bracketed queue after this label
                if bare is None:
                    bare = BareLine(text, stop)
                self._bare(bare, pos, base, label_rank)
                label_rank = 0

    @staticmethod
    def _claims(block: Block, text: str, start: int, stop: int) -> None:
        """What the action line says the step appends and removes."""
        a = APPEND.search(text, start, stop)
        if a is not None:
            block.append_claim = a.translate(CLAIM_JUNK)
        r = REMOVE.search(text, start, stop)
        if r is not None:
            block.remove_claim = r.translate(CLAIM_JUNK)

    def _bare(self, line: BareLine, start: int, base: int, rank: int) -> None:
        """A queue written without brackets after a label: 'Queue State: A B C <halt>'.

        The queue is the rest of the line, up to a halt or stop marker or a '(' ("A B C
        (length 3)"), stripped of blanks, '*', '`' and a final '.'. It is read only if every
        symbol is in the alphabet, or (no alphabet) every symbol is one character. Work is
        constant per label, plus the line's text once: labels that share an end share what
        :class:`BareLine` found there."""
        block = self._block
        assert block is not None
        text, stop = line.text, line.stop
        cut = line.end_of_queue(start)
        left = line.left(start, cut)
        right = line.right(start, cut, left)
        if left >= right:
            if cut == stop:
                block.pending_label = rank  # "Queue State:" then the queue on the next line
            return
        span = (base + start, base + cut)
        if right - left <= 7 and text[left:right].lower() in EMPTY_WORDS:
            self._candidate("", span, rank, bare=True)
            return
        stats = line.stats(left, right, self._not_alpha)
        if stats.last_symbol < left or (
            stats.last_foreign >= left if self._alpha is not None else stats.last_pair >= left
        ):
            # words, or symbols outside the alphabet: not a queue
            if rank == RANK_AFTER_ACTION and block.best_rank < RANK_AFTER_ACTION:
                block.after_action_unreadable = True
                raw = text[left : min(right, left + 40)]
                block.problem = f"the queue after the action is not readable: {raw!r}"
            return
        problem = "the queue is elided with '...'" if stats.last_ellipsis >= left else ""
        self._candidate(
            "", span, rank, bare=True, reading=(QueueText(text, left, right), "", problem)
        )

    def _candidate(
        self,
        raw: str,
        span: tuple[int, int],
        rank: int,
        *,
        multiline: bool = False,
        bare: bool = False,
        reading: tuple[str | QueueText, str, str] | None = None,
    ) -> None:
        """A queue the step may have meant: it wins if it ranks at least as high as the best
        so far. ``reading`` is (queue, unknown symbols, problem) when already known (a bare
        queue, whose symbols are read from the text only if it is kept)."""
        block = self._block
        if block is None or rank < block.best_rank:
            return
        queue, unknown, problem = self._read_queue(raw) if reading is None else reading
        if problem:
            if rank == RANK_AFTER_ACTION:
                block.after_action_unreadable = True
                block.problem = problem
            elif rank >= RANK_LABELLED and block.best is None:
                block.problem = problem
            return
        if (
            rank == RANK_BRACKET
            and unknown
            and self._alpha is not None
            and any(len(t) > 1 for t in raw.translate(QUOTES).split())
        ):
            return  # an unlabelled bracket of words is not a queue ("[A X B]" is one)
        if block.best_rank == RANK_LABELLED and rank == RANK_AFTER_ACTION:
            block.note = (
                "the queue written before the action was skipped (an echo of the previous "
                "state); the queue written after the action counts"
            )
            self._deviations.setdefault("repeats the previous queue before each step's action")
        if bare:
            self._deviations.setdefault("queue written without brackets")
        if multiline:
            self._deviations.setdefault("queue bracket spans several lines")
        block.best = (queue, span, unknown)
        block.best_rank = rank
        block.problem = ""
        if rank == RANK_AFTER_ACTION:
            block.after_action_unreadable = False
        block.dirty = True

    def _read_queue(self, raw: str) -> tuple[str, str, str]:
        """(queue, unknown symbols, problem) from a bracket's content."""
        stripped = raw.strip()
        if not stripped:
            return "", "", ""
        if ELLIPSIS.search(stripped):
            return "", "", "the queue is elided with '...'"
        if stripped.lower() in EMPTY_WORDS:
            return "", "", ""
        tokens = stripped.translate(QUOTES).split()
        indexed = read_indexed(tokens) if ":" in stripped else None
        if indexed is not None:
            self._deviations.setdefault("queue written with positions (indexed)")
        queue = "".join(tokens) if indexed is None else indexed
        unknown = ""
        if self._alpha is not None:
            extra = set(queue) - self._alpha
            if extra:
                unknown = "".join(c for c in dict.fromkeys(queue) if c in extra)
        return queue, unknown, ""
