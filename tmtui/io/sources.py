"""Any file tmtui reads answers from, as one stream of scorable items.

Each kind of file is a :class:`Source` subclass in a small registry, tried in order on the
file's first bytes: tmtui JSONL records (:class:`JsonlSource`: model runs and human attempts),
then official TMBench JSON (:class:`OfficialSource`: results files with ``ans``, datasets
without). Bad records become :class:`ItemError` values with their line or index; the good ones
keep coming. Callers never look at kind names: they call :func:`open_source` and iterate
:meth:`Source.items`.

Adding a kind takes one subclass and one :func:`register` call. A SQLite store of human
attempts, say::

    class HumanDbSource(Source):
        kind = "human-db"  # shown in ``tmtui score --json``
        description = "a tmtui human-attempt database"

        @classmethod
        def sniff(cls, head: Head) -> bool:
            return head.data.startswith(b"SQLite format 3\\x00")

        def items(self, resolver=None, *, with_prompts=False):
            for n, rec in ...:  # Records with kind="human", participant, session
                inst = record_instance(rec, resolver)  # checked as JSONL records are
                if isinstance(inst, str):
                    yield ItemError(str(self.path), f"attempt {n}", inst)
                else:
                    yield ScoreItem(str(self.path), f"attempt {n}", inst, rec.answer, ...)

    register(HumanDbSource, before=JsonlSource)  # binary data may hold record-like lines

and, so the message stays true, a mention of the new kind in :data:`UNKNOWN_KIND`.
:class:`HumanDbSource` below is the real one, reading through :mod:`tmtui.io.humanrecords`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import ClassVar, Self, TypeVar

import msgspec

from tmtui.core.datasets import PRESETS, Dataset, DatasetError, Instance, generate_preset
from tmtui.core.prompts import render
from tmtui.io.inputs import InputError, read_head, strip_bom
from tmtui.io.instances import (
    MAX_TAPE,
    MAX_TRUTH,
    Resolver,
    dataset_resolver,
    preset_resolver,
    record_instance,
    size_problem,
)
from tmtui.io.items import ItemError, ScoreItem, SourceError
from tmtui.io.jsonl import BadLine, iter_jsonl
from tmtui.io.official import BadSample, OfficialFile
from tmtui.io.records import Record

__all__ = [
    "KINDS",
    "MAX_TAPE",
    "MAX_TRUTH",
    "Head",
    "HumanDbSource",
    "ItemError",
    "JsonlSource",
    "OfficialSource",
    "Resolver",
    "ScoreItem",
    "Source",
    "SourceError",
    "dataset_resolver",
    "iter_items",
    "kind_of",
    "load_dataset",
    "official_items",
    "open_source",
    "preset_resolver",
    "record_instance",
    "register",
    "size_problem",
    "sniff",
]

HEAD_BYTES = 1 << 16  # what the kinds' sniffs see of a file
# when no kind claims a file (name every registered kind here)
UNKNOWN_KIND = (
    "not a TMBench dataset, results file, tmtui JSONL or tmtui human-attempt database "
    "(it does not start with '{')"
)


@dataclass
class Head:
    """The first bytes of a file, as the kinds' sniffs see them."""

    path: Path
    data: bytes  # up to HEAD_BYTES, as read

    @cached_property
    def body(self) -> bytes:
        """The data without a byte order mark or leading white space."""
        return strip_bom(self.data).lstrip(b" \t\r\n")

    @cached_property
    def first(self) -> bytes:
        """The body's first line."""
        return self.body.partition(b"\n")[0]

    @cached_property
    def first_obj(self) -> object | None:
        """The first line decoded as JSON (None when it does not decode)."""
        try:
            return msgspec.json.decode(self.first)
        except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
            return None


class Source(ABC):
    """One file of answers of one kind (subclasses say which and how to read it)."""

    kind: ClassVar[str]  # its name in score output: "jsonl", "official"
    description: ClassVar[str]  # "a tmtui JSONL record file", for messages

    def __init__(self, path: Path) -> None:
        self.path = path
        # samples the last items() passed over for having nothing to score (their indices)
        self.skipped: list[int] = []

    @classmethod
    @abstractmethod
    def sniff(cls, head: Head) -> bool:
        """True if the file is of this kind. Cheap: only its first bytes. May raise
        SourceError when the file is clearly meant as this kind but cannot be one."""

    @classmethod
    def open(cls, path: Path) -> Self:
        """The source for a file this kind claimed; raises SourceError (one line)."""
        return cls(path)

    @abstractmethod
    def items(
        self, resolver: Resolver | None = None, *, with_prompts: bool = False
    ) -> Iterator[ScoreItem | ItemError]:
        """Every scorable item, in file order, with an ItemError for each bad one.
        ``resolver`` finds the instance of a record that does not carry one; with
        ``with_prompts`` items carry the prompt their answer was given, when it is known."""


KINDS: list[type[Source]] = []  # the registry, in sniffing order

S = TypeVar("S", bound=type[Source])


def register(kind: S, *, before: type[Source] | None = None) -> S:
    """Add a kind of source to the registry, last or just before another kind (sniffs are
    tried in order, and the first kind that claims a file reads it). Usable as a decorator."""
    if kind in KINDS:
        KINDS.remove(kind)
    KINDS.insert(KINDS.index(before) if before in KINDS else len(KINDS), kind)
    return kind


def _read_head(p: Path) -> Head:
    """The file's first bytes (a pipe is read whole, once: its readers share those bytes;
    a device, a socket or a FIFO no writer opens is one line, see :mod:`tmtui.io.inputs`)."""
    try:
        head = Head(p, read_head(p, HEAD_BYTES))
    except InputError as exc:
        raise SourceError(str(exc)) from None
    if not head.body:
        raise SourceError(f"{p}: empty file")
    return head


def kind_of(path: str | Path) -> type[Source]:
    """The registered kind that claims the file; raises SourceError for any other file."""
    head = _read_head(Path(path))
    for kind in KINDS:
        if kind.sniff(head):
            return kind
    raise SourceError(f"{head.path}: {UNKNOWN_KIND}")


def sniff(path: str | Path) -> str:
    """The kind's name ('jsonl', 'official'); raises SourceError for any other file."""
    return kind_of(path).kind


def open_source(path: str | Path) -> Source:
    """Open a file for scoring; raises SourceError with one clear line."""
    p = Path(path)
    return kind_of(p).open(p)


def iter_items(
    path: str | Path, resolver: Resolver | None = None
) -> Iterator[ScoreItem | ItemError]:
    return open_source(path).items(resolver)


# -- tmtui JSONL records -----------------------------------------------------------------

# the first key of a tmtui record line (checked when the first line does not decode)
_RECORD_START = re.compile(
    rb'\{\s*"(?:schema_version|kind|instance_id|dataset|index|model|status|answer)"\s*:'
)


def _is_record(obj: object) -> bool:
    return isinstance(obj, dict) and ("schema_version" in obj or "instance_id" in obj)


def _record_lines_follow(body: bytes) -> bool:
    """A complete later line that is a record: a JSONL file whose first line is bad."""
    for line in body.split(b"\n")[1:-1][:200]:
        line = line.strip()
        if line[:1] != b"{":
            continue
        try:
            obj = msgspec.json.decode(line)
        except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
            continue
        if _is_record(obj):
            return True
    return False


@register
class JsonlSource(Source):
    """tmtui JSONL: one record a line (model runs and human attempts)."""

    kind = "jsonl"
    description = "a tmtui JSONL record file"

    @classmethod
    def sniff(cls, head: Head) -> bool:
        obj = head.first_obj
        if _is_record(obj):
            return True
        if obj is not None:
            return False
        # a bad first record or one longer than the head; or a bad first line, records after
        return bool(_RECORD_START.match(head.first)) or _record_lines_follow(head.body)

    def items(
        self, resolver: Resolver | None = None, *, with_prompts: bool = False
    ) -> Iterator[ScoreItem | ItemError]:
        self.skipped = []
        return self._items(resolver, with_prompts)

    def _items(
        self, resolver: Resolver | None, with_prompts: bool
    ) -> Iterator[ScoreItem | ItemError]:
        src = str(self.path)
        for n, rec in iter_jsonl(self.path):
            where = f"line {n}"
            if isinstance(rec, BadLine):
                yield ItemError(src, where, rec.message)
                continue
            inst = record_instance(rec, resolver)
            if isinstance(inst, str):
                yield ItemError(src, where, inst)
                continue
            prompt = _record_prompt(rec, inst) if with_prompts else None
            yield ScoreItem.of_record(src, where, inst, rec, prompt)


def _record_prompt(rec: Record, inst: Instance) -> str | None:
    """The user prompt a record's answer was given: rendered again from what it carries."""
    try:
        return render(inst, rec.prompt_template, max_step=rec.max_steps)
    except (KeyError, ValueError):
        return None


# -- official TMBench JSON ---------------------------------------------------------------


def official_items(
    f: OfficialFile,
    skipped: list[int],
    start: int = 0,
    stop: int | None = None,
    *,
    with_prompts: bool = False,
) -> Iterator[ScoreItem | ItemError]:
    """The scorable items of samples ``start`` to ``stop`` (the file's own errors come with
    the range that starts at 0); samples without an answer go to ``skipped``."""
    src = str(f.path)
    if start == 0:
        for err in f.file_errors:
            yield ItemError(src, "file", err)
    for item in f.samples(start, stop):
        if isinstance(item, BadSample):
            yield ItemError(src, f"sample {item.index}", item.message)
            continue
        if item.answer is None:
            skipped.append(item.index)
            continue
        problem = size_problem(item.instance)
        if problem is not None:
            yield ItemError(src, f"sample {item.index}", problem)
            continue
        yield ScoreItem(
            source=src,
            where=f"sample {item.index}",
            instance=item.instance,
            answer=item.answer,
            truth=item.step_results,
            model=f.model,
            num_token=item.num_token,
            prompt=item.prompt if with_prompts else None,
        )


@register
class OfficialSource(Source):
    """An official TMBench results file (samples with ``ans``) or dataset (nothing to score).

    ``official`` is the file itself, read lazily: scoring's fast path takes its samples by
    ranges (:func:`official_items`)."""

    kind = "official"
    description = "a TMBench dataset or results file"

    def __init__(self, path: Path, official: OfficialFile) -> None:
        super().__init__(path)
        self.official = official

    @classmethod
    def sniff(cls, head: Head) -> bool:
        if head.body[:1] != b"{":
            return False
        obj = head.first_obj
        if isinstance(obj, dict) and "samples" not in obj and b'"samples"' not in head.data:
            raise SourceError(f"{head.path}: a JSON object with no 'samples': not a TMBench file")
        return True

    @classmethod
    def open(cls, path: Path) -> Self:
        try:
            return cls(path, OfficialFile(path))
        except DatasetError as exc:
            raise SourceError(f"{path}: {exc}") from None
        except InputError as exc:
            raise SourceError(str(exc)) from None
        except MemoryError:
            raise SourceError(f"{path}: too large to read") from None

    def items(
        self, resolver: Resolver | None = None, *, with_prompts: bool = False
    ) -> Iterator[ScoreItem | ItemError]:
        self.skipped = []
        return official_items(self.official, self.skipped, with_prompts=with_prompts)


# -- tmtui human-attempt databases ---------------------------------------------------------


@register
class HumanDbSource(Source):
    """A tmtui human-attempt database (SQLite): its finished and timed-out scored attempts,
    as records of ``kind="human"`` (:mod:`tmtui.io.humanrecords`; sqlite3 is imported only
    when one is read). Registered last: the other kinds' sniffs never claim SQLite's header,
    and the store writes no record-like JSON lines."""

    kind = "human-db"
    description = "a tmtui human-attempt database"

    @classmethod
    def sniff(cls, head: Head) -> bool:
        return head.data.startswith(b"SQLite format 3\x00")

    @classmethod
    def open(cls, path: Path) -> Self:
        from tmtui.io.humanrecords import check_database

        check_database(path)
        return cls(path)

    def items(
        self, resolver: Resolver | None = None, *, with_prompts: bool = False
    ) -> Iterator[ScoreItem | ItemError]:
        from tmtui.io.humanrecords import attempt_items

        self.skipped = []
        return attempt_items(self.path, with_prompts=with_prompts)


# -- datasets ----------------------------------------------------------------------------


def load_dataset(spec: str) -> Dataset:
    """A dataset by preset name (``tmbench``, ``tmbench-greek``, ...) or file path."""
    if spec in PRESETS:
        return generate_preset(spec)
    p = Path(spec)
    if not p.exists():
        raise DatasetError(f"{spec}: no such file, and not a preset ({', '.join(PRESETS)})")
    kind = kind_of(p)
    if kind is not OfficialSource:
        raise DatasetError(f"{spec}: {kind.description}, not a dataset")
    try:
        return OfficialFile(p).to_dataset()
    except DatasetError as exc:
        raise DatasetError(f"{spec}: {exc}") from None
    except InputError as exc:
        raise DatasetError(str(exc)) from None
