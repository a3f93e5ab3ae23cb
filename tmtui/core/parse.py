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

_HEADER = re.compile(
    r"[ \t>]*(?:#{1,6}[ \t]*)?(?:[-*+•][ \t]+|\d{1,4}[.)][ \t]+)?(?:\*\*|__|\*|_)?[ \t]*"
    r"(?:(step|步骤|步驟)[ \t]*#?[ \t]*(\d{1,30})|(第)[ \t]*(\d{1,30})[ \t]*步)"
    r"[ \t]*(?:\*\*|__|\*|_)?[ \t]*(?=[:：.)\-–—|]|\*\*|$)",
    re.IGNORECASE,
)

# Labels and markers inside a step, found in one pass over a line.
_TOKENS = re.compile(
    r"(?P<action>\b(?:action|operation)s?\b|动作|操作)"
    r"|(?P<head>\bhead(?:[ \t]+symbol)?\b|头部符号|头符号|队首符号|队首)"
    r"|(?P<queue>\b(?:queue[ \t]+state|current[ \t]+queue|new[ \t]+queue|resulting[ \t]+queue"
    r"|queue|state)\b|队列状态|队列|状态)"
    r"|(?P<halt><[ \t]*halt[ \t]*>|\bhalt(?:s|ed|ing)?\b|停机)"
    r"|(?P<stop><[ \t]*stop[ \t]*>)"
    r"|(?P<open>\[)",
    re.IGNORECASE,
)
_LABEL_TAIL = re.compile(r"[ \t]*(?:\*\*|__|\*)?[ \t]*(?:[:：=]|\bis\b)[ \t]*(?:\*\*|__)?[ \t]*")
_HEAD_VALUE = re.compile(r"[ \t]*['\"`“‘]?([^\s'\"`“‘”’*,.:;])")
_APPEND = re.compile(
    r"\b(?:append|add)(?:ing|s|ed)?[ \t]+(.{0,400}?)[ \t]+(?:to|at|onto)[ \t]+(?:the[ \t]+)?"
    r"(?:end|tail|back)",
    re.IGNORECASE,
)
_REMOVE = re.compile(
    r"\b(?:remove|delete)(?:s|d|ing)?[ \t]+(.{0,400}?)[ \t]+from[ \t]+(?:the[ \t]+)?"
    r"(?:head|front|start|beginning)",
    re.IGNORECASE,
)
_CLAIM_JUNK = str.maketrans("", "", " \t,'\"`[]*“”‘’")
_NEGATED_HALT = re.compile(r"(?:\bnot|\bno|n't|\bnever|\bwithout|\bcannot|未|不)[ \t]*$", re.I)
_THINK = re.compile(r"<(/?)think>", re.IGNORECASE)
_ELLIPSIS = re.compile(r"\.\.\.|…")
_QUOTES = str.maketrans({c: " " for c in "'\"`“”‘’,;"})
_EMPTY_WORDS = {"empty", "(empty)", "∅", "ø", "空", "(空)", "none"}
_NON_ENGLISH = re.compile(r"[^\x00-\x7f]")

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
        self.best: tuple[str, tuple[int, int], str, str] | None = None  # queue, span, unknown, raw
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
        self._parts: list[str] = []  # the partial last line
        self._line_start = 0  # absolute offset of the partial line
        self._in_think = False
        self._think_from = 0
        self._block: _Block | None = None
        self._occurrences: dict[int, list[StepOccurrence]] = {}
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
        for m in _THINK.finditer(text, start, stop):
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
        self._halt_step = None
        self._events = [ResetEvent(end)]
        self._deviations.setdefault("reasoning ended with </think> but never opened")

    def _segment(self, text: str, start: int, stop: int, base: int, line_start: bool) -> None:
        block = self._block
        if block is not None and block.open_from >= 0:
            close = text.find("]", start, stop)
            hdr = _HEADER.match(text, start, stop) if line_start else None
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
            hdr = _HEADER.match(text, start, stop)
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
        if _NON_ENGLISH.search(word):
            self._deviations.setdefault(f"non-English step headers ({word})")
        self._block = _Block(step, span)

    # -- inside a step ----------------------------------------------------------------
    def _scan(self, text: str, start: int, stop: int, base: int, _depth: int) -> None:
        """Read labels, queues and halt markers from text[start:stop] in the current step."""
        block = self._block
        if block is None:
            return
        label_rank = block.pending_label  # set once a queue label is seen on this line
        block.pending_label = 0
        line_is_action = False
        line_is_head = False
        pos = start
        while True:
            m = _TOKENS.search(text, pos, stop)
            if m is None:
                break
            kind = m.lastgroup
            pos = m.end()
            if kind == "open":
                close = text.find("]", pos, stop)
                if close < 0:
                    rank = label_rank or (0 if (line_is_action or line_is_head) else 1)
                    if rank:
                        block.open_from = base + pos
                        block.open_label = rank
                        block.open_parts = [text[pos:stop]]
                        block.open_size = stop - pos
                    return
                nested = text.find("[", pos, close)
                if nested >= 0:
                    # "[ ... [A B] ..." : the inner bracket is the candidate
                    pos = nested
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
                if not block.halt and not _NEGATED_HALT.search(
                    text, max(start, m.start() - 12), m.start()
                ):
                    block.halt = True
                    block.dirty = True
                continue
            tail = _LABEL_TAIL.match(text, pos, stop)
            if tail is None:
                continue  # a word, not a label ("the queue." in an action line)
            pos = tail.end()
            if _NON_ENGLISH.search(m.group()):
                self._deviations.setdefault(f"non-English labels ({m.group()})")
            if kind == "action":
                line_is_action = True
                if block.action_at < 0:
                    block.action_at = base + m.start()
                    self._claims(block, text, pos, stop)
            elif kind == "head":
                line_is_head = True
                hv = _HEAD_VALUE.match(text, pos, stop)
                if hv is not None:
                    block.head_claim = hv.group(1)
            else:
                label_rank = _RANK_AFTER_ACTION if block.action_at >= 0 else _RANK_LABELLED
                block.saw_label = True
                nxt = text.find("[", pos, stop)
                if nxt < 0:
                    self._bare(text, pos, stop, base, label_rank)
                    label_rank = 0
                else:
                    between = text[pos:nxt].strip(" \t*`")
                    if between and not _only_markup(between):
                        # "Queue State: D B [..." - not a bracketed queue after this label
                        self._bare(text, pos, stop, base, label_rank)
                        label_rank = 0

    @staticmethod
    def _claims(block: _Block, text: str, start: int, stop: int) -> None:
        """What the action line says the step appends and removes."""
        a = _APPEND.search(text, start, stop)
        if a is not None:
            block.append_claim = a.group(1).translate(_CLAIM_JUNK)
        r = _REMOVE.search(text, start, stop)
        if r is not None:
            block.remove_claim = r.group(1).translate(_CLAIM_JUNK)

    def _bare(self, text: str, start: int, stop: int, base: int, rank: int) -> None:
        """A queue written without brackets after a label: 'Queue State: A B C <halt>'."""
        raw = text[start:stop]
        cut = len(raw)
        m = _TOKENS.search(raw)
        while m is not None:
            if m.lastgroup in ("halt", "stop"):
                cut = min(cut, m.start())
                break
            m = _TOKENS.search(raw, m.end())
        paren = raw.find("(", 0, cut)
        if paren > 0:  # "A B C (length 3)"
            cut = paren
        raw = raw[:cut].strip().strip("*`").strip()
        if raw.endswith("."):
            raw = raw[:-1].rstrip()
        block = self._block
        assert block is not None
        if not raw:
            if cut == len(text[start:stop]):
                block.pending_label = rank  # "Queue State:" then the queue on the next line
            return
        if raw.lower() in _EMPTY_WORDS:
            self._candidate("", (base + start, base + start + cut), rank, bare=True)
            return
        tokens = raw.translate(_QUOTES).split()
        joined = "".join(tokens)
        words = not joined or (
            len(joined) != len(tokens) and (self._alpha is None or not set(joined) <= self._alpha)
        )
        if words or (self._alpha is not None and not set(joined) <= self._alpha):
            if rank == _RANK_AFTER_ACTION and block.best_rank < _RANK_AFTER_ACTION:
                block.after_action_unreadable = True
                block.problem = f"the queue after the action is not readable: {raw[:40]!r}"
            return
        self._candidate(raw, (base + start, base + start + cut), rank, bare=True)

    def _candidate(
        self,
        raw: str,
        span: tuple[int, int],
        rank: int,
        *,
        multiline: bool = False,
        bare: bool = False,
    ) -> None:
        block = self._block
        if block is None or rank < block.best_rank:
            return
        queue, unknown, problem = self._read_queue(raw)
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
            and any(len(t) > 1 for t in raw.translate(_QUOTES).split())
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
        block.best = (queue, span, unknown, raw)
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
        if _ELLIPSIS.search(stripped):
            return "", "", "the queue is elided with '...'"
        if stripped.lower() in _EMPTY_WORDS:
            return "", "", ""
        tokens = stripped.translate(_QUOTES).split()
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
            queue, span, unknown, _raw = block.best
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
        """Make the block's current reading the step's reading (if it should win)."""
        occ = self._occurrence(block)
        step = block.step
        earlier = self._occurrences.get(step, [])
        n = len(earlier) + 1
        prev = self._steps.get(step)
        why = ""
        if earlier:
            readable = [o for o in earlier if o.queue is not None]
            if occ.queue is None and readable:
                if not final:
                    return
                # a later unreadable occurrence does not replace a readable one
                won = readable[-1]
                why = (
                    f"written {n} times; occurrence {earlier.index(won) + 1} counts "
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
        self._occurrences.setdefault(block.step, []).append(occ)
        if occ.halt and occ.queue is not None and self._halt_step is None:
            self._halt_step = block.step


def _only_markup(s: str) -> bool:
    return all(ch in " \t*`_~" for ch in s)


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
