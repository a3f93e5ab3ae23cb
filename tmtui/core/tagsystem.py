"""The m-tag system engine.

TMBench semantics: state 0 is the initial queue. A step reads the head symbol, appends its
production to the tail and deletes ``m`` symbols from the head. The machine halts when the
queue is shorter than ``m`` or when the head symbol has no production; the halting state is the
last state of the trace. A trace holds at most ``max_states`` states (TMBench: 31, steps 0..30).

A tag system only ever deletes from the head and appends to the tail, so a whole run is one
append-only string, the *tape*. State ``i`` is ``tape[m*i : end[i]]``: the read head sits at
cell ``m*i`` and the write head at ``end[i]``. Memory is linear in the tape; any state is a slice.

Vocabulary used across tmtui: *step k* (k >= 1) turns state k-1 into state k; it reads cell
``m*(k-1)`` (the head of state k-1), deletes cells ``[m*(k-1), m*k)`` and appends its production
at ``[end[k-1], end[k])``. Step 0 is the initial queue (cells ``[0, len(init))``).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "HaltReason",
    "Run",
    "StepResult",
    "TagSystem",
    "TagSystemError",
    "TraceTooLarge",
]


class TagSystemError(ValueError):
    """An invalid tag system definition (bad m, multi-character symbol, ...)."""


class TraceTooLarge(TagSystemError):
    """A run whose states, all together, would hold more symbols than it was allowed."""

    def __init__(self, states: int, symbols: int, limit: int) -> None:
        super().__init__(
            f"its first {states:,} states already hold {symbols:,} symbols (the limit is {limit:,})"
        )
        self.states = states  # states simulated when the limit was passed
        self.symbols = symbols
        self.limit = limit


class HaltReason(StrEnum):
    """Why a run stopped before its step cap."""

    SHORT = "short"  # the queue is shorter than m
    NO_PRODUCTION = "no-production"  # the head symbol has no production

    def describe(self, m: int) -> str:
        if self is HaltReason.SHORT:
            return f"queue shorter than m={m}"
        return "head symbol has no production"


@dataclass(frozen=True, slots=True)
class StepResult:
    """The outcome of applying one rule step to a queue."""

    queue: str  # the new queue
    head: str  # the symbol read
    deleted: str  # the symbols deleted from the head (m of them)
    production: str  # the symbols appended to the tail


class TagSystem:
    """An m-tag system: deletion number ``m`` and one production per symbol.

    Symbols are single Unicode code points; ``alphabet`` keeps their order (the order in which
    TMBench lists productions). A symbol of the alphabet may lack a production; reading it halts.
    """

    __slots__ = ("_prod_cells", "alphabet", "m", "productions")

    def __init__(
        self,
        m: int,
        productions: Mapping[str, str],
        alphabet: tuple[str, ...] | list[str] | None = None,
    ) -> None:
        if not isinstance(m, int) or isinstance(m, bool) or m < 1:
            raise TagSystemError(f"m must be an integer >= 1, got {m!r}")
        prods: dict[str, str] = {}
        for sym, prod in productions.items():
            if not isinstance(sym, str) or len(sym) != 1:
                raise TagSystemError(f"symbol {sym!r} is not a single character")
            if not isinstance(prod, str):
                raise TagSystemError(f"production of {sym!r} is not a string")
            prods[sym] = prod
        if alphabet is None:
            alphabet = tuple(prods)
        alpha = tuple(alphabet)
        for sym in alpha:
            if not isinstance(sym, str) or len(sym) != 1:
                raise TagSystemError(f"symbol {sym!r} is not a single character")
        if len(set(alpha)) != len(alpha):
            raise TagSystemError("alphabet lists a symbol twice")
        missing = [s for s in prods if s not in alpha]
        if missing:
            raise TagSystemError(f"production for symbol(s) outside the alphabet: {missing!r}")
        self.m = m
        self.alphabet = alpha
        self.productions = prods
        # Productions as tuples of one-character strings: extending a list of cells with a
        # tuple shares the character objects, so a cell costs one pointer while running.
        self._prod_cells = {s: tuple(p) for s, p in prods.items()}

    def __repr__(self) -> str:
        return f"TagSystem(m={self.m}, productions={self.productions!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TagSystem):
            return NotImplemented
        return (self.m, self.alphabet, self.productions) == (
            other.m,
            other.alphabet,
            other.productions,
        )

    def __hash__(self) -> int:
        return hash((self.m, self.alphabet, tuple(self.productions.items())))

    def halts_on(self, queue: str) -> HaltReason | None:
        """Why ``queue`` is a halting state, or None if a step applies."""
        if len(queue) < self.m:
            return HaltReason.SHORT
        if queue[0] not in self.productions:
            return HaltReason.NO_PRODUCTION
        return None

    def next_queue(self, queue: str) -> str | None:
        """The queue one rule step makes from ``queue``; None when the queue is halting
        (:meth:`step` without the details, for hot loops)."""
        if len(queue) < self.m:
            return None
        production = self.productions.get(queue[0])
        return None if production is None else queue[self.m :] + production

    def step(self, queue: str) -> StepResult | None:
        """Apply one rule step to an arbitrary queue; None when the queue is halting."""
        if self.halts_on(queue) is not None:
            return None
        head = queue[0]
        production = self.productions[head]
        return StepResult(
            queue=queue[self.m :] + production,
            head=head,
            deleted=queue[: self.m],
            production=production,
        )

    def run(self, init: str, max_states: int = 31, *, max_symbols: int | None = None) -> Run:
        """Simulate from ``init`` for at most ``max_states`` states (state 0 included).

        ``max_symbols``: raise :class:`TraceTooLarge` as soon as the states simulated so far
        hold more symbols than this, all together (checked every 1,024 states, so a refusal
        costs about what the limit allows, not what ``max_states`` asks for)."""
        if max_states < 1:
            raise TagSystemError("max_states must be >= 1")
        m = self.m
        prods = self._prod_cells
        cells: list[str] = list(init)
        ends = array("q", [len(init)])
        append_end = ends.append
        extend = cells.extend
        halt: HaltReason | None = None
        read = 0  # the read head: cell m*i for state i
        n_states = 1
        counted = symbols = 0  # states whose symbols are summed, and their sum
        while True:
            # in stretches of 1,024 states, so that a bound is checked between them
            stop = max_states if max_symbols is None else min(max_states, n_states + 1024)
            while n_states < stop:
                size = len(cells)
                if size - read < m:
                    halt = HaltReason.SHORT
                    break
                prod = prods.get(cells[read])
                if prod is None:
                    halt = HaltReason.NO_PRODUCTION
                    break
                extend(prod)
                read += m
                append_end(size + len(prod))
                n_states += 1
            if max_symbols is not None:
                symbols += _symbols(ends, counted, n_states, m)
                counted = n_states
                if symbols > max_symbols:
                    raise TraceTooLarge(n_states, symbols, max_symbols)
            if halt is not None or n_states >= max_states:
                break
        if halt is None:
            # The cap was reached; the last state may itself be halting.
            last_len = len(cells) - read
            if last_len < m:
                halt = HaltReason.SHORT
            elif cells[read] not in prods:
                halt = HaltReason.NO_PRODUCTION
        return Run(self, "".join(cells), ends, halt, max_states)


def _symbols(ends: array, start: int, stop: int, m: int) -> int:
    """The symbols of states start..stop-1 together (state i is ``ends[i] - m*i`` long)."""
    return sum(ends[start:stop]) - m * ((start + stop - 1) * (stop - start) // 2)


class Run(Sequence[str]):
    """One simulated trace: an append-only tape plus the write-head offset of every state.

    A sequence of its states (``run[i]``, ``len(run)``, iteration), each sliced from the tape
    when asked for: pass the run itself where every state would otherwise be listed."""

    __slots__ = ("_ends", "halt_reason", "max_states", "system", "tape")

    def __init__(
        self,
        system: TagSystem,
        tape: str,
        ends: array,
        halt_reason: HaltReason | None,
        max_states: int,
    ) -> None:
        self.system = system
        self.tape = tape
        self._ends = ends
        self.halt_reason = halt_reason
        self.max_states = max_states

    # -- size -------------------------------------------------------------------------
    def __len__(self) -> int:
        """Number of states in the trace (state 0 included)."""
        return len(self._ends)

    @property
    def n_states(self) -> int:
        return len(self._ends)

    @property
    def last_step(self) -> int:
        return len(self._ends) - 1

    @property
    def halted(self) -> bool:
        """True when the last state is a halting state (the machine stopped by itself)."""
        return self.halt_reason is not None

    @property
    def m(self) -> int:
        return self.system.m

    def _check(self, i: int) -> int:
        n = len(self._ends)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"state {i} outside 0..{n - 1}")
        return i

    # -- states -----------------------------------------------------------------------
    def state(self, i: int) -> str:
        i = self._check(i)
        return self.tape[self.system.m * i : self._ends[i]]

    def __getitem__(self, i: int) -> str:
        return self.state(i)

    def __iter__(self) -> Iterator[str]:
        m = self.system.m
        tape = self.tape
        for i, end in enumerate(self._ends):
            yield tape[m * i : end]

    def states(self) -> list[str]:
        return list(self)

    def length(self, i: int) -> int:
        i = self._check(i)
        return self._ends[i] - self.system.m * i

    def total_length(self) -> int:
        """The summed length of every state: what materialising the whole trace costs."""
        return _symbols(self._ends, 0, len(self._ends), self.system.m)

    def matches(self, states: Sequence[str]) -> bool:
        """True when ``states`` are exactly this trace's states (compared one slice at a
        time: nothing is materialised beyond the state being compared)."""
        if len(states) != len(self._ends):
            return False
        m = self.system.m
        tape = self.tape
        for i, (end, want) in enumerate(zip(self._ends, states, strict=True)):
            if end - m * i != len(want) or tape[m * i : end] != want:
                return False
        return True

    def repeats(self) -> bool:
        """True when two consecutive states are equal (the machine is stuck for good: a state
        that makes itself). Read from the tape: only a step whose production is exactly m
        symbols long can repeat a state, and a short prefix is compared first."""
        m = self.system.m
        tape = self.tape
        ends = self._ends
        for k in range(1, len(ends)):
            start = m * (k - 1)
            end = ends[k - 1]
            if ends[k] - end != m:
                continue
            # state k is state k-1 shifted by m: equal iff state k-1 has period m
            if tape[start : min(end, start + 64)] != tape[start + m : min(end, start + 64) + m]:
                continue
            if tape[start:end] == tape[start + m : end + m]:
                return True
        return False

    def end(self, i: int) -> int:
        """The write head after state i: one past its last cell."""
        return self._ends[self._check(i)]

    def head(self, i: int) -> str | None:
        """The head symbol of state i (None for an empty queue)."""
        i = self._check(i)
        cell = self.system.m * i
        return self.tape[cell] if cell < self._ends[i] else None

    # -- steps (k >= 1 turns state k-1 into state k) ------------------------------------
    def _check_step(self, k: int) -> int:
        k = self._check(k)
        if k == 0:
            raise IndexError("step 0 is the initial queue; it reads and writes nothing")
        return k

    def read_cell(self, k: int) -> int:
        """The tape cell step k reads: the head of state k-1, at m*(k-1)."""
        return self.system.m * (self._check_step(k) - 1)

    def head_read(self, k: int) -> str:
        """The symbol step k reads."""
        return self.tape[self.read_cell(k)]

    def production(self, k: int) -> str:
        """The symbols step k appends."""
        k = self._check_step(k)
        return self.tape[self._ends[k - 1] : self._ends[k]]

    def deleted(self, k: int) -> str:
        """The symbols step k deletes from the head."""
        k = self._check_step(k)
        m = self.system.m
        return self.tape[m * (k - 1) : m * k]

    def writer(self, cell: int) -> int:
        """The step that wrote tape cell ``cell`` (0 for the initial queue)."""
        if not 0 <= cell < len(self.tape):
            raise IndexError(f"cell {cell} outside the tape (0..{len(self.tape) - 1})")
        return bisect_right(self._ends, cell)

    def read_from_step(self, k: int) -> int:
        """The step that wrote the cell step k reads."""
        return self.writer(self.read_cell(k))

    def halt_description(self) -> str:
        if self.halt_reason is None:
            return f"step cap reached ({self.max_states} states)"
        return self.halt_reason.describe(self.system.m)
