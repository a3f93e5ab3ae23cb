"""Any file tmtui reads answers from, as one stream of scorable items.

Kinds: official results JSON (samples with ``ans``), official dataset JSON (no answers), and
tmtui JSONL records (model runs and human attempts). Bad records become :class:`ItemError`
values with their line or index; the good ones keep coming.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec

from tmtui.core.datasets import PRESETS, Dataset, DatasetError, Instance, generate_preset
from tmtui.core.text import one_line
from tmtui.io.jsonl import BadLine, iter_jsonl
from tmtui.io.official import BadSample, OfficialFile
from tmtui.io.records import Record, instance_of

__all__ = [
    "ItemError",
    "ScoreItem",
    "SourceError",
    "iter_items",
    "open_source",
    "sniff",
]


class SourceError(Exception):
    """A file that cannot be read as any kind tmtui knows (one clear line)."""


@dataclass(slots=True)
class ScoreItem:
    source: str  # the file
    where: str  # "sample 3" or "line 7"
    instance: Instance
    answer: str
    truth: list[str] | None = None  # stored ground truth (official files)
    model: str = ""
    status: str = "complete"
    finish_reason: str | None = None
    kind: str = "model"
    record: Record | None = None
    num_token: int | float | None = None


@dataclass(slots=True)
class ItemError:
    source: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.where}: {self.message}"


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


def sniff(path: str | Path) -> str:
    """'jsonl' or 'official'; raises SourceError for anything else."""
    p = Path(path)
    try:
        with open(p, "rb") as f:
            head = f.read(1 << 16)
    except FileNotFoundError:
        raise SourceError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{p}: is a directory") from None
    except OSError as exc:
        raise SourceError(f"{p}: cannot read ({exc.strerror or exc})") from None
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not body:
        raise SourceError(f"{p}: empty file")
    first = body.partition(b"\n")[0]
    try:
        obj = msgspec.json.decode(first)
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        obj = None
    if _is_record(obj):
        return "jsonl"
    if obj is None:
        if _RECORD_START.match(first):
            return "jsonl"  # a bad first record, or one longer than the sniffed head
        if _record_lines_follow(body):
            return "jsonl"  # a bad first line, good records after it
    if body[:1] != b"{":
        raise SourceError(
            f"{p}: not a TMBench dataset, results file or tmtui JSONL (it does not start with '{{')"
        )
    if isinstance(obj, dict) and "samples" not in obj and b'"samples"' not in head:
        raise SourceError(f"{p}: a JSON object with no 'samples': not a TMBench file")
    return "official"


Resolver = Callable[[Record], Instance | None]

# Scoring materialises every ground-truth state, so the size of a trace is bounded: a record
# or file can describe any tag system (a TMBench trace is a few thousand symbols).
MAX_TAPE = 50_000_000  # worst-case tape before simulating: init + (states - 1) * production
MAX_TRUTH = 50_000_000  # summed length of all ground-truth states


def size_problem(inst: Instance) -> str | None:
    """Why an instance's ground truth is too large to score, or None."""
    longest = max(map(len, inst.rules.values()), default=0)
    tape = len(inst.init) + (inst.max_states - 1) * longest
    if tape > MAX_TAPE:
        return (
            f"bad instance: its trace could need {tape:,} symbols "
            f"({inst.max_states:,} states, productions up to {longest:,}); "
            f"the limit is {MAX_TAPE:,}"
        )
    total = inst.run.total_length()
    if total > MAX_TRUTH:
        return (
            f"bad instance: its {len(inst.run):,} ground-truth states hold {total:,} symbols; "
            f"the limit is {MAX_TRUTH:,}"
        )
    return None


def preset_resolver(rec: Record) -> Instance | None:
    """Find a record's instance in a preset dataset named by its ``dataset`` field."""
    if rec.dataset not in PRESETS:
        return None
    ds = generate_preset(rec.dataset)
    return _find(ds, rec)


def _find(ds: Dataset, rec: Record) -> Instance | None:
    if 0 <= rec.index < len(ds) and ds[rec.index].id == rec.instance_id:
        return ds[rec.index]
    return ds.by_id(rec.instance_id)


def dataset_resolver(ds: Dataset) -> Resolver:
    return lambda rec: _find(ds, rec)


def _jsonl_items(path: Path, resolver: Resolver | None) -> Iterator[ScoreItem | ItemError]:
    src = str(path)
    for n, item in iter_jsonl(path):
        if isinstance(item, BadLine):
            yield ItemError(src, f"line {n}", item.message)
            continue
        rec = item
        try:
            inst = instance_of(rec)
        except Exception as exc:
            yield ItemError(src, f"line {n}", one_line(f"bad instance: {exc}", 160))
            continue
        if inst is None:
            inst = (resolver or preset_resolver)(rec)
            if inst is None:
                yield ItemError(
                    src,
                    f"line {n}",
                    f"the record carries no instance and {rec.dataset!r} is not a known dataset "
                    "(pass --dataset)",
                )
                continue
        else:
            try:
                inst.system  # noqa: B018 - validate the embedded tag system
            except ValueError as exc:
                yield ItemError(src, f"line {n}", one_line(f"bad instance: {exc}", 160))
                continue
            if inst.max_states < 1 or inst.max_states > 10_000_000:
                yield ItemError(src, f"line {n}", "bad instance: max_states out of range")
                continue
        problem = size_problem(inst)
        if problem is not None:
            yield ItemError(src, f"line {n}", problem)
            continue
        yield ScoreItem(
            source=src,
            where=f"line {n}",
            instance=inst,
            answer=rec.answer,
            model=rec.model,
            status=rec.status,
            finish_reason=rec.finish_reason,
            kind=rec.kind,
            record=rec,
        )


def official_items(
    f: OfficialFile, skipped: list[int], start: int = 0, stop: int | None = None
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
            model=f.name,
            num_token=item.num_token,
        )


@dataclass
class Source:
    path: Path
    kind: str  # "jsonl" or "official"
    official: OfficialFile | None = None
    skipped: list[int] | None = None  # official samples without "ans"

    def items(self, resolver: Resolver | None = None) -> Iterator[ScoreItem | ItemError]:
        if self.kind == "jsonl":
            return _jsonl_items(self.path, resolver)
        assert self.official is not None
        self.skipped = []
        return official_items(self.official, self.skipped)


def open_source(path: str | Path) -> Source:
    """Open a file for scoring; raises SourceError with one clear line."""
    p = Path(path)
    kind = sniff(p)
    if kind == "jsonl":
        return Source(p, kind)
    try:
        off = OfficialFile(p)
    except DatasetError as exc:
        raise SourceError(f"{p}: {exc}") from None
    except MemoryError:
        raise SourceError(f"{p}: too large to read") from None
    return Source(p, kind, off)


def iter_items(
    path: str | Path, resolver: Resolver | None = None
) -> Iterator[ScoreItem | ItemError]:
    return open_source(path).items(resolver)


__all__ += ["Source", "dataset_resolver", "official_items", "preset_resolver"]


def load_dataset(spec: str) -> Dataset:
    """A dataset by preset name (``tmbench``, ``tmbench-greek``, ...) or file path."""
    if spec in PRESETS:
        return generate_preset(spec)
    p = Path(spec)
    if not p.exists():
        raise DatasetError(f"{spec}: no such file, and not a preset ({', '.join(PRESETS)})")
    if sniff(p) == "jsonl":
        raise DatasetError(f"{spec}: a tmtui JSONL record file, not a dataset")
    try:
        return OfficialFile(p).to_dataset()
    except DatasetError as exc:
        raise DatasetError(f"{spec}: {exc}") from None


__all__ += ["load_dataset"]
