"""One file's scores, compactly: what a report needs of every sample, and nothing more.

A :class:`FileDigest` is the :class:`~tmtui.scoring.Scored` stream of one file (from
:func:`tmtui.scoring.score_source`, the one scoring path) kept as tables and columns: the
distinct instances, the distinct outcomes (verdicts, diagnosis kind, fatal, status: exactly
what :meth:`~tmtui.core.score.ScoreAccumulator.add_outcome` takes), the distinct label
profiles, and one small integer per sample per column. It is what the report cache stores,
so a second report over an unchanged file scores nothing; and adding its outcomes, in order,
into accumulators gives exactly what ``tmtui score`` gives.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import msgspec

from tmtui.core.parsed import ParserMode
from tmtui.core.score import NOT_ATTEMPTED
from tmtui.core.text import one_line
from tmtui.io.sources import ItemError, OfficialSource, Resolver, Source
from tmtui.report.samples import InstanceInfo, Profile, SampleInfo, sample_info
from tmtui.scoring import parser_disagreements, score_source

__all__ = ["DIGEST_FORMAT", "FileDigest", "Outcome", "digest_source"]

DIGEST_FORMAT = 1
NONE = -1  # in an index column: nothing (no other reading, no diagnosis)


class Outcome(msgspec.Struct, array_like=True, frozen=True):
    """What an accumulator keeps of a sample."""

    verdicts: str  # one letter per ground-truth step: c w m u
    diagnosis: str | None  # the diagnosis kind (first divergence, or a finding)
    fatal: bool
    status: str

    @property
    def attempted(self) -> bool:
        return self.status not in NOT_ATTEMPTED


class FileDigest(msgspec.Struct, kw_only=True):
    """The scores of one file with one parser (and the other parser's, when compared)."""

    format: int = DIGEST_FORMAT
    kind: str  # the source kind: jsonl, official, ...
    mode: str  # the parser
    compared: bool  # also read with the other parser
    n_steps: int | None = None  # an official file's max_step (its number of states)
    skipped: int = 0  # official samples without an answer
    errors: list[tuple[str, str]] = []  # bad items: (where, message)
    not_attempted: list[tuple[int, str]] = []  # (sample row, the recorded error)
    truth_mismatches: list[str] = []  # where stored step_results disagree with the rules
    where_prefix: str = "line"  # sample row j is "<where_prefix> <pos[j]>"
    odd_wheres: dict[int, str] = {}  # rows whose "where" has another form
    instances: list[InstanceInfo] = []
    outcomes: list[Outcome] = []
    profiles: list[Profile] = []
    # one entry per sample (bytes of an array of the machine's byte order): int32 columns
    pos: bytes = b""
    profile: bytes = b""
    inst: bytes = b""
    outcome: bytes = b""
    other: bytes = b""  # the other parser's outcome (NONE: not compared)
    differ: bytes = b""  # int8: the two parsers read the sample differently (1), or not (0)
    tokens: bytes = b""  # float64, NaN: not known
    seconds: bytes = b""

    def columns(self) -> Columns:
        return Columns.of(self)

    def light(self) -> FileDigest:
        """The digest without its samples (what a report keeps of every file: its kind,
        step count, bad records, skipped samples and truth mismatches)."""
        empty = dict.fromkeys(Columns.NAMES, b"")
        return msgspec.structs.replace(
            self, instances=[], outcomes=[], profiles=[], odd_wheres={}, **empty
        )

    def where(self, j: int, pos: int) -> str:
        return self.odd_wheres.get(j) or f"{self.where_prefix} {pos}"


@dataclass
class Columns:
    """A digest's per-sample columns as arrays."""

    pos: array = field(default_factory=lambda: array("i"))
    profile: array = field(default_factory=lambda: array("i"))
    inst: array = field(default_factory=lambda: array("i"))
    outcome: array = field(default_factory=lambda: array("i"))
    other: array = field(default_factory=lambda: array("i"))
    differ: array = field(default_factory=lambda: array("b"))
    tokens: array = field(default_factory=lambda: array("d"))
    seconds: array = field(default_factory=lambda: array("d"))

    NAMES = ("pos", "profile", "inst", "outcome", "other", "differ", "tokens", "seconds")

    @classmethod
    def of(cls, d: FileDigest) -> Columns:
        cols = cls()
        for name in cls.NAMES:
            getattr(cols, name).frombytes(getattr(d, name))
        return cols

    def __len__(self) -> int:
        return len(self.pos)

    def consistent(self, d: FileDigest) -> bool:
        """Every column as long as the others, every index inside its table."""
        n = len(self.pos)
        if any(len(getattr(self, name)) != n for name in self.NAMES):
            return False
        if not n:
            return True
        checks = (
            (self.profile, len(d.profiles), False),
            (self.inst, len(d.instances), False),
            (self.outcome, len(d.outcomes), False),
            (self.other, len(d.outcomes), True),
        )
        for col, size, may_be_none in checks:
            lo = NONE if may_be_none else 0
            if min(col) < lo or max(col) >= size:
                return False
        return min(self.differ) >= -1 and max(self.differ) <= 1

    def store(self, d: FileDigest) -> None:
        for name in self.NAMES:
            setattr(d, name, getattr(self, name).tobytes())


class _Interner:
    def __init__(self) -> None:
        self.index: dict = {}
        self.items: list = []

    def __call__(self, value) -> int:
        i = self.index.get(value)
        if i is None:
            i = self.index[value] = len(self.items)
            self.items.append(value)
        return i


def _split_where(where: str) -> tuple[str, int] | None:
    prefix, _, num = where.rpartition(" ")
    if prefix and num.isdigit() and len(num) < 10:
        return prefix, int(num)
    return None


def _read_differently(s) -> bool:
    """The two parsers read the sample differently: other verdicts, or the same verdicts
    from other queues within the truth (what ``tmtui score --compare`` lists)."""
    strict, compat = (s.score, s.other) if s.score.mode is ParserMode.STRICT else (s.other, s.score)
    if strict.verdicts != compat.verdicts:
        return True
    if strict.parse is None or compat.parse is None:
        return False
    cmp = parser_disagreements(
        s.item.instance, s.item.answer, truth=s.item.truth, strict=strict.parse, compat=compat.parse
    )
    return any(d.step < strict.n_truth for d in cmp.steps)


def _outcome(sc) -> Outcome:
    d = sc.diagnosis
    return Outcome(
        sc.verdicts, None if d is None else d.kind.value, d is None or d.fatal, sc.status
    )


def digest_source(
    src: Source,
    parser: ParserMode | str = ParserMode.STRICT,
    *,
    compare: bool = True,
    resolver: Resolver | None = None,
    on_error: Callable[[ItemError], None] | None = None,
    on_sample: Callable[[int], None] | None = None,
) -> FileDigest:
    """Score every item of ``src`` (and read it with the other parser too when
    ``compare``) into a digest; bad items are kept as errors (and passed to ``on_error``)."""
    mode = ParserMode.of(parser)
    d = FileDigest(
        kind=src.kind,
        mode=mode.value,
        compared=compare,
        n_steps=src.official.max_step if isinstance(src, OfficialSource) else None,
        errors=[],
        not_attempted=[],
        truth_mismatches=[],
        odd_wheres={},
    )
    cols = Columns()
    instances = _Interner()
    outcomes = _Interner()
    profiles = _Interner()
    inst_index: dict[tuple[str, str], int] = {}
    prefix: str | None = None
    nan = float("nan")
    for n, s in enumerate(_scored(src, mode, compare, resolver)):
        if on_sample is not None and not n % 512:
            on_sample(n)
        if isinstance(s, ItemError):
            d.errors.append((s.where, s.message))
            if on_error is not None:
                on_error(s)
            continue
        info: SampleInfo = s.info
        j = len(cols)
        parts = _split_where(s.where)
        if parts is not None and prefix is None:
            prefix = parts[0]
        if parts is None or parts[0] != prefix:
            d.odd_wheres[j] = s.where
            cols.pos.append(0)
        else:
            cols.pos.append(parts[1])
        key = info.instance.key
        i = inst_index.get(key)
        if i is None:
            i = inst_index[key] = instances(info.instance)
        cols.inst.append(i)
        cols.profile.append(profiles(info.profile))
        # what ScoreGroups.add keeps of it (tmtui score adds the same)
        cols.outcome.append(outcomes(Outcome(s.verdicts, s.diagnosis, s.fatal, s.status)))
        cols.tokens.append(nan if info.tokens is None else info.tokens)
        cols.seconds.append(nan if info.seconds is None else info.seconds)
        attempted = s.attempted
        if not attempted:
            rec = s.item.record if s.item is not None else None
            why = (rec.error or "") if rec is not None else ""
            d.not_attempted.append((j, one_line(why, 200)))
        elif s.truth_ok is False:
            d.truth_mismatches.append(s.where)
        if compare and attempted and s.other is not None:
            cols.other.append(outcomes(_outcome(s.other)))
            cols.differ.append(1 if _read_differently(s) else 0)
        else:
            cols.other.append(NONE)
            cols.differ.append(-1)
        if s.score is not None:
            s.score.parse = s.score.alignment = None
    d.skipped = len(src.skipped)
    d.where_prefix = prefix or "line"
    d.instances = instances.items
    d.outcomes = outcomes.items
    d.profiles = profiles.items
    cols.store(d)
    return d


def _scored(src: Source, mode: ParserMode, compare: bool, resolver: Resolver | None) -> Iterator:
    return score_source(src, mode, compare=compare, resolver=resolver, info=sample_info())


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(FileDigest)


def encode_digest(d: FileDigest) -> bytes:
    return _encoder.encode(d)


def decode_digest(data: bytes) -> FileDigest:
    """Raises msgspec.DecodeError or ValidationError on anything that is not a digest."""
    return _decoder.decode(data)


__all__ += ["NONE", "Columns", "decode_digest", "encode_digest"]
