"""Official TMBench JSON files: datasets (samples with ``step_results``) and results files
(samples that add ``prompts``, ``ans`` and ``num_token``), read here, and datasets written here
(:func:`dump_official`, :func:`iter_official`: the bytes of the official release exactly).

Reading keeps memory low: the top level is decoded with every sample left as raw bytes, and each
sample is decoded, used and dropped in turn. A file that does not decode as a whole (truncated,
invalid UTF-8 in one sample, ...) is split sample by sample instead, so one bad sample costs only
itself; each problem is reported with the sample's index.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec

from tmtui.core.datasets import LETTERS, Dataset, DatasetError, Instance, instance_id
from tmtui.core.limits import MAX_RUN_STATES, MAX_STATES
from tmtui.core.tagsystem import TagSystemError
from tmtui.core.text import invalid_utf8_at, one_line
from tmtui.io.inputs import read_input, strip_bom
from tmtui.io.instances import parameter_problem, size_problem

__all__ = [
    "BadSample",
    "OfficialFile",
    "ResultSample",
    "dump_official",
    "iter_official",
    "official_names",
]


class _Sample(msgspec.Struct):
    init_str: str
    rule: dict[str, str]
    id: str | None = None
    delete_count: int | None = None
    step_results: list[str] | None = None
    ans: str | msgspec.UnsetType | None = msgspec.UNSET
    num_token: int | float | None = None
    prompts: msgspec.Raw = msgspec.Raw()  # decoded only when asked for (replay)


_META_KEYS = (
    "symbol_set",
    "rule_min_length",
    "rule_max_length",
    "str_min_length",
    "str_max_length",
    "max_step",
    "delete_count",
)


class _Top(msgspec.Struct):
    """A well-formed file's top level, read in one pass (anything else takes the careful
    path, which says exactly what is wrong)."""

    samples: list[msgspec.Raw]
    symbol_set: msgspec.Raw = msgspec.Raw()
    rule_min_length: msgspec.Raw = msgspec.Raw()
    rule_max_length: msgspec.Raw = msgspec.Raw()
    str_min_length: msgspec.Raw = msgspec.Raw()
    str_max_length: msgspec.Raw = msgspec.Raw()
    max_step: msgspec.Raw = msgspec.Raw()
    delete_count: msgspec.Raw = msgspec.Raw()


_quick_top_decoder = msgspec.json.Decoder(_Top)
_top_decoder = msgspec.json.Decoder(dict[str, msgspec.Raw])
_list_decoder = msgspec.json.Decoder(list[msgspec.Raw])
_sample_decoder = msgspec.json.Decoder(_Sample)
_symbols_decoder = msgspec.json.Decoder(list[str])
_int_decoder = msgspec.json.Decoder(int)


@dataclass(slots=True)
class BadSample:
    index: int
    message: str

    def __str__(self) -> str:
        return f"sample {self.index}: {self.message}"


@dataclass(slots=True)
class ResultSample:
    """One sample of an official file, with the model's answer when there is one."""

    index: int
    instance: Instance
    answer: str | None  # None: the sample has no "ans" (the official evaluator skips it)
    step_results: list[str] | None
    num_token: int | float | None = None
    prompts: msgspec.Raw | None = None  # the sample's 'prompts', undecoded

    @property
    def prompt(self) -> str | None:
        """The user prompt as it was sent (the last string of 'prompts'), when kept."""
        if not self.prompts:
            return None
        try:
            val = msgspec.json.decode(self.prompts)
        except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
            return None
        if isinstance(val, list) and val:
            val = val[-1]
        return val if isinstance(val, str) else None


def _explain(exc: Exception, data: bytes | msgspec.Raw | None = None) -> str:
    """Why bytes did not decode: invalid UTF-8 is decided from the bytes themselves."""
    if isinstance(exc, UnicodeDecodeError) or (
        data is not None and invalid_utf8_at(bytes(data)) is not None
    ):
        return "invalid UTF-8"
    return one_line(str(exc), 160)


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+"', re.DOTALL)
_STRUCT = re.compile(rb'["{}\[\],]')


def _split_array(buf: bytes, start: int) -> Iterator[tuple[int, int] | None]:
    """Byte ranges of the elements of the JSON array whose '[' is at ``start``.

    Tolerant: yields None for an element cut off by the end of the buffer. Never recursive,
    so deeply nested elements cannot exhaust the stack.
    """
    pos = start + 1
    n = len(buf)
    depth = 0
    elem_start = -1
    while pos < n:
        m = _STRUCT.search(buf, pos)
        if m is None:
            break
        ch = m.group()
        if ch == b'"':
            s = _STRING.match(buf, m.start())
            if s is None:
                break  # an unterminated string: the file was cut
            if depth == 0 and elem_start < 0:
                elem_start = m.start()
            pos = s.end()
            continue
        pos = m.end()
        if ch in b"{[":
            if depth == 0 and elem_start < 0:
                elem_start = m.start()
            depth += 1
        elif ch in b"}]":
            if depth == 0:  # the array's own ']'
                if elem_start >= 0:
                    yield (elem_start, m.start())
                return
            depth -= 1
        elif ch == b"," and depth == 0:
            if elem_start >= 0:
                yield (elem_start, m.start())
            elem_start = -1
    if elem_start >= 0 or depth:
        yield None


def _where(exc: Exception, data: bytes) -> str:
    """Where JSON stops being valid, as a person finds it: line and column (the standard
    library's parser says where; msgspec's wording is not relied on)."""
    if invalid_utf8_at(data) is not None:
        return "invalid UTF-8"
    import json

    try:
        json.loads(data)
    except json.JSONDecodeError as err:
        return f"line {err.lineno} column {err.colno}: {err.msg}"
    except (RecursionError, ValueError):
        pass
    return _explain(exc, data)


def official_names(stem: str) -> tuple[str, str, str]:
    """(benchmark, model, mode) of an official results file named ``{bench}_{model}_{mode}``
    (``TMBench_gemini-2.5-pro-exp-03-25_chat`` → ``TMBench``, ``gemini-2.5-pro-exp-03-25``,
    ``chat``; a model name may hold underscores). Any other name is the model's name whole,
    with no benchmark or mode."""
    parts = stem.split("_")
    if len(parts) >= 3 and parts[0].lower().startswith("tmbench") and parts[-1] and parts[1]:
        return parts[0], "_".join(parts[1:-1]), parts[-1]
    return "", stem, ""


class OfficialFile:
    """An official dataset or results file, read lazily."""

    def __init__(self, path: str | Path, data: bytes | None = None) -> None:
        self.path = Path(path)
        # the benchmark and the model that answered, from an official results file's name
        # (see official_names); any other file: its name
        bench, self.model, _mode = official_names(self.path.stem)
        self.name = bench or self.path.stem
        # a pipe is read once (tmtui.io.inputs); a byte order mark is not part of the JSON
        buf = strip_bom(read_input(self.path) if data is None else data)
        self._buf = buf
        self.whole = True  # False: the file did not decode as a whole and was split
        self.file_errors: list[str] = []
        samples: list[msgspec.Raw] | None = None
        quick = None
        if buf.isascii():  # else the careful path, which also checks keys are valid UTF-8
            with contextlib.suppress(
                msgspec.DecodeError, msgspec.ValidationError, RecursionError, UnicodeDecodeError
            ):
                quick = _quick_top_decoder.decode(buf)
        try:
            if quick is not None:
                samples = quick.samples
                top = {k: raw for k in _META_KEYS if len(raw := getattr(quick, k))}
                top["samples"] = msgspec.Raw()
            else:
                top = _top_decoder.decode(buf)
        except msgspec.ValidationError:  # valid JSON, but not an object
            raise DatasetError("not a TMBench file: the top level is not an object") from None
        except (msgspec.DecodeError, RecursionError, UnicodeDecodeError) as exc:
            top = None
            broken: Exception = exc
            self.file_errors.append(
                f"the file is not valid JSON ({_where(exc, buf)}); reading samples one by one"
            )
        self._raw_samples: list[msgspec.Raw] | list[tuple[int, int] | None]
        if top is not None:
            if "samples" not in top:
                raise DatasetError("not a TMBench file: no top-level 'samples'")
            try:
                if samples is None:
                    samples = _list_decoder.decode(top["samples"])
                self._raw_samples = samples
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                raise DatasetError(f"'samples' is not a list ({_explain(exc)})") from None
            self.symbol_set = self._meta_symbols(top.get("symbol_set"))
            self.max_step = self._meta_int(top.get("max_step"), 31, "max_step")
            self.delete_count = self._meta_int(top.get("delete_count"), 2, "delete_count")
            self._meta_raw = {k: v for k, v in top.items() if k != "samples"}
        else:
            self.whole = False
            m = re.search(rb'"samples"\s*:\s*\[', buf)
            if m is None:
                if buf.lstrip()[:1] in (b"{", b"["):
                    raise DatasetError(f"not valid JSON: {_where(broken, buf)}")
                raise DatasetError("not a TMBench file: no 'samples' array found")
            self._raw_samples = list(_split_array(buf, m.end() - 1))
            head = buf[: m.start()]
            self.symbol_set = self._scan_symbols(head)
            self.max_step = self._scan_int(head, b"max_step", 31)
            self.delete_count = self._scan_int(head, b"delete_count", 2)
            self._meta_raw = {}
        self._cache: dict[tuple, Instance] = {}

    # -- metadata ---------------------------------------------------------------------
    def _meta_symbols(self, raw: msgspec.Raw | None) -> tuple[str, ...]:
        if raw is None:
            return LETTERS
        try:
            syms = _symbols_decoder.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
            raise DatasetError("'symbol_set' must be a list of single characters") from None
        if not syms or any(len(s) != 1 for s in syms):
            raise DatasetError("'symbol_set' must be a list of single characters")
        return tuple(syms)

    @staticmethod
    def _meta_int(raw: msgspec.Raw | None, default: int, key: str) -> int:
        if raw is None:
            return default
        try:
            val = _int_decoder.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
            raise DatasetError(f"'{key}' must be an integer") from None
        # max_step is every sample's number of states, and the number of steps scored
        top = MAX_RUN_STATES if key == "max_step" else MAX_STATES
        if val < 1 or val > top:
            raise DatasetError(f"'{key}' must be between 1 and {top:,}")
        return val

    def _scan_symbols(self, head: bytes) -> tuple[str, ...]:
        m = re.search(rb'"symbol_set"\s*:\s*(\[[^\]]*\])', head)
        if m is None:
            return LETTERS
        try:
            return self._meta_symbols(msgspec.Raw(m.group(1)))
        except DatasetError:
            return LETTERS

    def _scan_int(self, head: bytes, key: bytes, default: int) -> int:
        m = re.search(rb'"' + key + rb'"\s*:\s*(\d+)', head)
        if m is None:
            return default
        return self._meta_int(msgspec.Raw(m.group(1)), default, key.decode())

    # -- samples ----------------------------------------------------------------------
    def forget(self) -> None:
        """Drop the instances kept for reuse (a big file streamed once keeps memory flat)."""
        self._cache.clear()

    def __len__(self) -> int:
        return len(self._raw_samples)

    def _raw(self, i: int) -> bytes | None:
        r = self._raw_samples[i]
        if r is None:
            return None
        if isinstance(r, tuple):
            return self._buf[r[0] : r[1]]
        return r  # msgspec.Raw supports the buffer protocol

    def _instance(self, s: _Sample, index: int) -> Instance:
        m = s.delete_count if s.delete_count is not None else self.delete_count
        key = (s.init_str, tuple(s.rule.items()), m, s.id)
        inst = self._cache.get(key)
        if inst is not None:
            if inst.index != index:
                inst = inst.replace(index=index)
            return inst
        if m < 1:
            raise DatasetError("delete_count must be >= 1")
        alpha = self.symbol_set
        extra = tuple(k for k in s.rule if k not in alpha)
        inst = Instance(
            id=s.id if s.id is not None else instance_id(s.init_str, s.rule),
            init=s.init_str,
            rules=dict(s.rule),
            m=m,
            alphabet=alpha + extra,
            max_states=self.max_step,
            index=index,
            step_results=None,
            dataset=self.name,
        )
        try:
            inst.system  # noqa: B018 - validate
        except TagSystemError as exc:
            raise DatasetError(str(exc)) from None
        problem = parameter_problem(inst)  # nothing is simulated here
        if problem is not None:
            raise DatasetError(problem)
        if len(self._cache) < 100_000:
            self._cache[key] = inst
        return inst

    def sample(self, i: int) -> ResultSample | BadSample:
        raw = self._raw(i)
        if raw is None:
            return BadSample(i, "truncated (the file ends inside this sample)")
        try:
            s = _sample_decoder.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            return BadSample(i, _explain(exc, raw))
        except UnicodeDecodeError:
            return BadSample(i, "invalid UTF-8")
        except RecursionError:
            return BadSample(i, "nested too deeply")
        try:
            inst = self._instance(s, i)
        except DatasetError as exc:
            return BadSample(i, str(exc))
        ans = None if s.ans is msgspec.UNSET else s.ans
        if s.ans is None:
            return BadSample(i, "'ans' is null")
        return ResultSample(i, inst, ans, s.step_results, s.num_token, s.prompts)

    def __iter__(self) -> Iterator[ResultSample | BadSample]:
        return self.samples()

    def samples(
        self, start: int = 0, stop: int | None = None
    ) -> Iterator[ResultSample | BadSample]:
        """Samples ``start`` to ``stop`` (all by default), decoded one at a time."""
        for i in range(start, len(self._raw_samples) if stop is None else stop):
            yield self.sample(i)

    def to_dataset(self, *, strict: bool = False) -> Dataset:
        """The dataset this file holds (results files are datasets too)."""
        samples = []
        errors = []
        for item in self:
            if isinstance(item, BadSample):
                if strict:
                    raise DatasetError(str(item))
                errors.append((item.index, item.message))
                continue
            inst = item.instance
            problem = size_problem(inst)
            if problem is not None:
                if strict:
                    raise DatasetError(f"sample {item.index}: {problem}")
                errors.append((item.index, problem))
                continue
            if inst.step_results is not item.step_results:
                inst = inst.replace(step_results=item.step_results)
            samples.append(inst)
        ds = Dataset(
            samples=samples,
            symbol_set=self.symbol_set,
            max_step=self.max_step,
            delete_count=self.delete_count,
            name=self.name,
            extra={"errors": errors},
        )
        for key in ("rule_min_length", "rule_max_length", "str_min_length", "str_max_length"):
            raw = self._meta_raw.get(key)
            if raw is not None:
                with contextlib.suppress(
                    msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError
                ):
                    setattr(ds, key, _int_decoder.decode(raw))
        return ds


# -- writing ----------------------------------------------------------------------------


def dump_official(ds: Dataset) -> bytes:
    """The official file bytes: ``json.dump(..., indent=1)``, ASCII escapes, no final newline."""
    return b"".join(iter_official(ds))


# what json.dumps(..., indent=1) writes for an empty list, last in an object
_EMPTY_LAST = "[]\n}"
_CHUNK = 1 << 20  # characters of states gathered before they are handed out


def iter_official(
    ds: Dataset, progress: Callable[[int, int], None] | None = None
) -> Iterator[bytes]:
    """The official file's bytes (exactly :func:`dump_official`'s) in pieces, with no more
    than one sample's states alive at a time, each read from the tape as it is written: a
    long trace's file is large by nature (every state is written), its writing is not.
    ``progress(done, total)`` is called after each sample."""
    top = json.dumps({**ds.to_official(samples=False), "samples": []}, indent=1)
    assert top.endswith(_EMPTY_LAST)
    if not ds.samples:
        yield top.encode("ascii")
        return
    yield (top[: -len(_EMPTY_LAST)] + "[").encode("ascii")
    for n, inst in enumerate(ds.samples):
        head = json.dumps({**inst.to_official(states=False), "step_results": []}, indent=1)
        assert head.endswith(_EMPTY_LAST)
        # a sample sits two levels deep: every line of its own dump moves two spaces in
        head = head[: -len(_EMPTY_LAST)].replace("\n", "\n  ")
        parts = [(",\n  " if n else "\n  ") + head + "["]
        size = 0
        for i, state in enumerate(inst.run):
            line = ("," if i else "") + "\n    " + json.dumps(state)
            parts.append(line)
            size += len(line)
            if size >= _CHUNK:
                yield "".join(parts).encode("ascii")
                parts.clear()
                size = 0
        parts.append("\n   ]\n  }")
        yield "".join(parts).encode("ascii")
        if progress is not None:
            progress(n + 1, len(ds.samples))
    yield b"\n ]\n}"
