"""The strict transcript parser: what a researcher can trust (the default).

It reads an answer line by line, as it streams, and keeps for every step the queue the model
wrote *after* the step's action:

* a step starts at a header at the start of a line: ``### step 3:``, ``**Step 3:**``,
  ``Step 3 -``, ``- step 3.``, ``### 步骤 3：``, ``第3步``, ...;
* inside a step, queues are read from brackets (``[A B C]``, ``[A, B, C]``, ``['A', 'B']``,
  ``[ABC]``, ``[]``) or, after a queue label, from a bare symbol list; a bracket may span lines;
* the queue that counts is the last *labelled* queue written after the ``Action:`` line; if there
  is none, the last labelled queue; if there is none, the last bare bracket. An answer that echoes
  the previous queue at the top of each step (``Queue State: [old]``, ``Action: ...``,
  ``Queue State: [new]``) is therefore read as the model meant it, where the official regex takes
  the echo;
* a step number written twice: the later readable occurrence wins (a model's revision, or the
  real answer after a restated example), and the result says so;
* ``<think>...</think>`` is reasoning, never answer; a ``</think>`` without an opening tag makes
  everything before it reasoning;
* ``<halt>``, ``<stop>`` and halt statements mark a halting state; symbols outside the alphabet
  are kept and flagged; non-English headers or labels (``步骤``, ``队列状态``) are parsed and
  flagged as a format deviation.

The parser is incremental: :meth:`StrictParser.feed` takes chunks as they arrive and returns the
steps whose reading changed; total work is linear in the text, and the final result equals
:func:`parse_strict` on the whole text for any chunking.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tmtui.core.parse_text import (
    APPEND,
    CLAIM_JUNK,
    ELLIPSIS,
    EMPTY_WORDS,
    HEAD_VALUE,
    HEADER,
    LABEL_TAIL,
    NEGATED_HALT,
    NON_ENGLISH,
    NOT_MARKUP,
    QUOTES,
    REMOVE,
    SEPARATORS,
    THINK,
    TOKENS,
    BareLine,
    QueueText,
)
from tmtui.core.parsed import (
    MAX_STEP_NUMBER,
    STRICT_VERSION,
    ParsedStep,
    ParseResult,
    ParserMode,
    StepOccurrence,
)

__all__ = [
    "STRICT_VERSION",
    "ParseEvent",
    "ResetEvent",
    "StepEvent",
    "StrictParser",
    "parse_strict",
]

# A bracket left open across lines is abandoned after this many characters.
MAX_OPEN_BRACKET = 1 << 20

_RANK_BRACKET = 1  # a bracket with no queue label
_RANK_LABELLED = 2  # a queue label, before any action line
_RANK_AFTER_ACTION = 3  # a queue label after the action line


@dataclass(slots=True)
class StepEvent:
    """A step whose reading is new or changed."""

    step: ParsedStep
    revised: bool  # the step was reported before (a new reading, or its halt mark changed)


@dataclass(slots=True)
class ResetEvent:
    """A ``</think>`` with no opening tag: everything before ``at`` was reasoning after all."""

    at: int


ParseEvent = StepEvent | ResetEvent
_NO_EVENTS: tuple[ParseEvent, ...] = ()


class _Block:
    """The step being read: from its header to the next header."""

    __slots__ = (
        "action_at",
        "after_action_unreadable",
        "append_claim",
        "best",
        "best_rank",
        "dirty",
        "halt",
        "head_claim",
        "header_span",
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
        self.note = ""
        self.problem = ""
        self.open_from = -1  # start offset of a bracket's content still open across lines
        self.open_label = 0
        self.open_parts: list[str] = []
        self.open_size = 0


def _step_number(digits: str) -> int:
    n = int(digits) if len(digits) <= 18 else MAX_STEP_NUMBER + 1
    return min(n, MAX_STEP_NUMBER + 1)


class StrictParser:
    """Incremental strict parser. ``feed`` chunks, then ``finish``."""

    def __init__(self, alphabet: tuple[str, ...] | list[str] | None = None) -> None:
        self.alphabet = tuple(alphabet) if alphabet else None
        self._alpha = frozenset(self.alphabet) if self.alphabet else None
        # a symbol of a bare queue outside the alphabet
        self._not_alpha = (
            re.compile(
                f"[^{SEPARATORS}" + "".join(re.escape(c) for c in self._alpha if len(c) == 1) + "]"
            )
            if self._alpha is not None
            else None
        )
        self._parts: list[str] = []  # the partial last line
        self._line_start = 0  # absolute offset of the partial line
        self._in_think = False
        self._think_from = 0
        self._block: _Block | None = None
        self._occurrences: dict[int, list[StepOccurrence]] = {}
        self._readable: dict[int, int] = {}  # step -> index of its last readable occurrence
        self._steps: dict[int, ParsedStep] = {}
        self._deviations: dict[str, None] = {}
        self._reasoning: list[tuple[int, int]] = []
        self._halt_step: int | None = None
        self._events: list[ParseEvent] = []
        self._finished: ParseResult | None = None

    # -- streaming API ----------------------------------------------------------------
    def feed(self, chunk: str) -> Sequence[ParseEvent]:
        """Take the next chunk; return the steps whose reading changed (most chunks end no
        line and return a shared empty tuple: this is the per-token hot path)."""
        if "\n" not in chunk:
            self._parts.append(chunk)
            return _NO_EVENTS
        return self._feed_lines(chunk)

    def _feed_lines(self, chunk: str) -> list[ParseEvent]:
        if self._finished is not None:
            raise RuntimeError("the parser has finished")
        parts = self._parts
        parts.append(chunk)
        text = "".join(parts)
        parts.clear()
        last_nl = text.rfind("\n")
        rest = text[last_nl + 1 :]
        if rest:
            parts.append(rest)
        base = self._line_start
        self._line_start = base + last_nl + 1
        pos = 0
        line = self._line
        while True:
            nl = text.find("\n", pos, last_nl + 1)
            if nl < 0:
                break
            line(text, pos, nl, base)
            pos = nl + 1
        events = self._events
        self._events = []
        return events

    def finish(self) -> ParseResult:
        """Parse what is left and return the final result (idempotent)."""
        if self._finished is not None:
            return self._finished
        if self._parts:
            text = "".join(self._parts)
            self._parts.clear()
            self._line(text, 0, len(text), self._line_start)
            self._line_start += len(text)
        end = self._line_start
        truncated = False
        block = self._block
        if block is not None:
            # the text stops inside this step: an open bracket, or no queue label yet (a step
            # marked <halt> or <stop> was finished, even if its queue cannot be read)
            truncated = block.open_from >= 0 or (
                block.best is None and not block.saw_label and not (block.halt or block.stop)
            )
            self._close_block(at_end=True)
        if self._in_think:
            self._reasoning.append((self._think_from, end))
            self._deviations.setdefault("reasoning never closed (<think> without </think>)")
        # the events of the last line and the last step stay queued for drain()
        self._finished = ParseResult(
            mode=ParserMode.STRICT,
            version=STRICT_VERSION,
            steps=dict(self._steps),
            duplicates={k: v for k, v in self._occurrences.items() if len(v) > 1},
            deviations=list(self._deviations),
            reasoning_spans=list(self._reasoning),
            truncated=truncated,
            halt_step=self._halt_step,
        )
        return self._finished

    def drain(self) -> list[ParseEvent]:
        """Events produced by ``finish`` (the last line and the last step)."""
        events = self._events
        self._events = []
        return events

    @property
    def steps(self) -> dict[int, ParsedStep]:
        """The readings so far (live)."""
        return self._steps

    @property
    def offset(self) -> int:
        """Characters consumed so far."""
        return self._line_start + sum(len(p) for p in self._parts)

    # -- lines ------------------------------------------------------------------------
    def _line(self, text: str, start: int, stop: int, base: int) -> None:
        """Process text[start:stop] (one line, no newline) at absolute offset base+start."""
        if stop > start and text[stop - 1] == "\r":
            stop -= 1
        if self._in_think or text.find("<", start, stop) >= 0:
            self._line_with_think(text, start, stop, base)
        else:
            self._segment(text, start, stop, base, True)
        block = self._block
        if block is not None and block.dirty:
            block.dirty = False
            self._publish(block, final=False)

    def _line_with_think(self, text: str, start: int, stop: int, base: int) -> None:
        pos = start
        at_line_start = True
        for m in THINK.finditer(text, start, stop):
            closing = m.group(1) == "/"
            if self._in_think:
                if closing:
                    self._reasoning.append((self._think_from, base + m.end()))
                    self._in_think = False
                    pos = m.end()
                    at_line_start = False
                continue
            if closing:
                # A </think> with no opening tag: everything before it was reasoning.
                self._reset_before(base + m.end())
                pos = m.end()
                at_line_start = False
                continue
            if m.start() > pos:
                self._segment(text, pos, m.start(), base, at_line_start)
            self._in_think = True
            self._think_from = base + m.start()
            pos = m.end()
            at_line_start = False
        if not self._in_think and pos < stop:
            self._segment(text, pos, stop, base, at_line_start)

    def _reset_before(self, end: int) -> None:
        self._reasoning.append((0, end))
        self._block = None
        for step in list(self._steps):
            del self._steps[step]
        self._occurrences.clear()
        self._readable.clear()
        self._halt_step = None
        self._events = [ResetEvent(end)]
        self._deviations.setdefault("reasoning ended with </think> but never opened")

    def _segment(self, text: str, start: int, stop: int, base: int, line_start: bool) -> None:
        block = self._block
        if block is not None and block.open_from >= 0:
            close = text.find("]", start, stop)
            hdr = HEADER.match(text, start, stop) if line_start else None
            if hdr is not None and hdr.end() > start:
                # a new step header ends the open bracket, even if its line has a "]"
                block.problem = "a bracket opened for the queue was never closed"
                block.open_from = -1
                block.open_parts = []
            elif close < 0:
                block.open_parts.append(text[start:stop])
                block.open_size += stop - start
                if block.open_size > MAX_OPEN_BRACKET:
                    block.problem = "a bracket opened for the queue was never closed"
                    block.open_from = -1
                    block.open_parts = []
                return
            else:
                block.open_parts.append(text[start:close])
                raw = " ".join(block.open_parts)
                span = (block.open_from, base + close)
                rank = block.open_label
                block.open_from = -1
                block.open_parts = []
                self._candidate(raw, span, rank, multiline=True)
                self._scan(text, close + 1, stop, base, 0)
                return
        if line_start:
            hdr = HEADER.match(text, start, stop)
            if hdr is not None:
                digits = hdr.group(2) or hdr.group(4)
                word = hdr.group(1) or hdr.group(3)
                self._new_block(_step_number(digits), (base + hdr.start(), base + hdr.end()), word)
                self._scan(text, hdr.end(), stop, base, 0)
                return
        if self._block is not None:
            self._scan(text, start, stop, base, 0)

    def _new_block(self, step: int, span: tuple[int, int], word: str) -> None:
        if self._block is not None:
            self._close_block()
        if NON_ENGLISH.search(word):
            self._deviations.setdefault(f"non-English step headers ({word})")
        self._block = _Block(step, span)

    # -- inside a step ----------------------------------------------------------------
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
                    rank = _RANK_BRACKET
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
                label_rank = _RANK_AFTER_ACTION if block.action_at >= 0 else _RANK_LABELLED
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
    def _claims(block: _Block, text: str, start: int, stop: int) -> None:
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
            if rank == _RANK_AFTER_ACTION and block.best_rank < _RANK_AFTER_ACTION:
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
            if rank == _RANK_AFTER_ACTION:
                block.after_action_unreadable = True
                block.problem = problem
            elif rank >= _RANK_LABELLED and block.best is None:
                block.problem = problem
            return
        if (
            rank == _RANK_BRACKET
            and unknown
            and self._alpha is not None
            and any(len(t) > 1 for t in raw.translate(QUOTES).split())
        ):
            return  # an unlabelled bracket of words is not a queue ("[A X B]" is one)
        if block.best_rank == _RANK_LABELLED and rank == _RANK_AFTER_ACTION:
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
        if rank == _RANK_AFTER_ACTION:
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
        queue = "".join(tokens)
        unknown = ""
        if self._alpha is not None:
            extra = set(queue) - self._alpha
            if extra:
                unknown = "".join(c for c in dict.fromkeys(queue) if c in extra)
        return queue, unknown, ""

    # -- results ----------------------------------------------------------------------
    def _occurrence(self, block: _Block) -> StepOccurrence:
        if block.best is not None and not (
            block.after_action_unreadable and block.best_rank < _RANK_AFTER_ACTION
        ):
            queue, span, unknown = block.best
            if isinstance(queue, QueueText):
                queue = queue.value()
                block.best = (queue, span, unknown)
            return StepOccurrence(
                step=block.step,
                queue=queue,
                span=span,
                header_span=block.header_span,
                halt=block.halt,
                stop=block.stop,
                unknown=unknown,
                head_claim=block.head_claim,
                append_claim=block.append_claim,
                remove_claim=block.remove_claim,
                note=block.note,
            )
        return StepOccurrence(
            step=block.step,
            queue=None,
            span=None,
            header_span=block.header_span,
            halt=block.halt,
            stop=block.stop,
            head_claim=block.head_claim,
            append_claim=block.append_claim,
            remove_claim=block.remove_claim,
            problem=block.problem or "no queue found after the step header",
        )

    def _publish(self, block: _Block, *, final: bool) -> None:
        """Make the block's current reading the step's reading (if it should win). Constant
        work however often the step was written before: the step's last readable occurrence
        is kept by :meth:`_close_block`, not searched for."""
        occ = self._occurrence(block)
        step = block.step
        earlier = self._occurrences.get(step)
        n = len(earlier) + 1 if earlier else 1
        prev = self._steps.get(step)
        why = ""
        if earlier:
            won_at = self._readable.get(step)
            if occ.queue is None and won_at is not None:
                if not final:
                    return
                # a later unreadable occurrence does not replace a readable one
                won = earlier[won_at]
                why = (
                    f"written {n} times; occurrence {won_at + 1} counts "
                    "(the later ones have no readable queue)"
                )
                parsed = _as_parsed(won, n, why)
                self._steps[step] = parsed
                if prev is not None and not _same(prev, parsed):
                    # this occurrence was reported readable earlier in its block; take it back
                    self._events.append(StepEvent(parsed, revised=True))
                return
            why = f"written {n} times; the last readable occurrence counts (a revision)"
        parsed = _as_parsed(occ, n, why)
        if prev is not None and _same(prev, parsed):
            self._steps[step] = parsed
            return
        self._steps[step] = parsed
        self._events.append(StepEvent(parsed, revised=prev is not None))

    def _close_block(self, at_end: bool = False) -> None:
        block = self._block
        if block is None:
            return
        self._block = None
        if block.open_from >= 0 and block.best is None:
            block.problem = "a bracket opened for the queue was never closed"
        self._publish(block, final=True)
        occ = self._occurrence(block)
        occurrences = self._occurrences.setdefault(block.step, [])
        if occ.queue is not None:
            self._readable[block.step] = len(occurrences)
        occurrences.append(occ)
        if occ.halt and occ.queue is not None and self._halt_step is None:
            self._halt_step = block.step


def _as_parsed(occ: StepOccurrence, n: int, why: str) -> ParsedStep:
    return ParsedStep(
        step=occ.step,
        queue=occ.queue,
        span=occ.span,
        header_span=occ.header_span,
        halt=occ.halt,
        stop=occ.stop,
        unknown=occ.unknown,
        head_claim=occ.head_claim,
        append_claim=occ.append_claim,
        remove_claim=occ.remove_claim,
        note=occ.note,
        problem=occ.problem,
        occurrences=n,
        why=why,
    )


def _same(a: ParsedStep, b: ParsedStep) -> bool:
    return (a.queue, a.span, a.halt, a.stop, a.problem) == (
        b.queue,
        b.span,
        b.halt,
        b.stop,
        b.problem,
    )


def parse_strict(text: str, alphabet: tuple[str, ...] | list[str] | None = None) -> ParseResult:
    """Parse a whole answer (the same as feeding it in any chunks, then finishing)."""
    parser = StrictParser(alphabet)
    parser.feed(text) if "\n" in text else parser._parts.append(text)
    return parser.finish()
