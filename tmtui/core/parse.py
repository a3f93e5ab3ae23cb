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
* the tail format's lines (``- Read: C from position 4 (written by step 2)``, ``- Append: B``,
  ``- Length: 2``, ...; :mod:`tmtui.core.parse_tail`) are what the step says it did, never its
  queue; an indexed queue (``[4:C 5:A]``) is read as its symbols;
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

from tmtui.core.parse_step import RANK_AFTER_ACTION, Block, StepReader
from tmtui.core.parse_tail import read_tail_line, tail_line
from tmtui.core.parse_text import HEADER, NON_ENGLISH, SEPARATORS, THINK, QueueText
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


def _step_number(digits: str) -> int:
    n = int(digits) if len(digits) <= 18 else MAX_STEP_NUMBER + 1
    return min(n, MAX_STEP_NUMBER + 1)


class StrictParser(StepReader):
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
        self._block: Block | None = None
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
        block = self._block
        if block is not None:
            tail = tail_line(text, start, stop) if line_start else None
            if tail is not None:
                # a tail line ("- Read: C from position 4 ..."): claims, never the queue
                read_tail_line(block, tail.group(1).lower(), text, tail.end(), stop)
                return
            self._scan(text, start, stop, base, 0)

    def _new_block(self, step: int, span: tuple[int, int], word: str) -> None:
        if self._block is not None:
            self._close_block()
        if NON_ENGLISH.search(word):
            self._deviations.setdefault(f"non-English step headers ({word})")
        self._block = Block(step, span)

    # -- results ----------------------------------------------------------------------
    def _occurrence(self, block: Block) -> StepOccurrence:
        if block.best is not None and not (
            block.after_action_unreadable and block.best_rank < RANK_AFTER_ACTION
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
                fetch=block.fetch,
                length_claim=block.length_claim,
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
            fetch=block.fetch,
            length_claim=block.length_claim,
            problem=block.problem or "no queue found after the step header",
        )

    def _publish(self, block: Block, *, final: bool) -> None:
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
                parsed = ParsedStep.of(won, n, why)
                self._steps[step] = parsed
                if prev is not None and not prev.reads_as(parsed):
                    # this occurrence was reported readable earlier in its block; take it back
                    self._events.append(StepEvent(parsed, revised=True))
                return
            why = f"written {n} times; the last readable occurrence counts (a revision)"
        parsed = ParsedStep.of(occ, n, why)
        if prev is not None and prev.reads_as(parsed):
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


def parse_strict(text: str, alphabet: tuple[str, ...] | list[str] | None = None) -> ParseResult:
    """Parse a whole answer (the same as feeding it in any chunks, then finishing)."""
    parser = StrictParser(alphabet)
    parser.feed(text) if "\n" in text else parser._parts.append(text)
    return parser.finish()
