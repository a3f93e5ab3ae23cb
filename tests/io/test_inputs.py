"""Inputs that are not regular files, and byte order marks (issue 9): a pipe is read once and
shared by its readers, a FIFO without a writer is one line and never a hang, a device is
refused before it is read, a pipe has a size limit; a UTF-8 byte order mark is accepted."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from pathlib import Path

import pytest

from tmtui.core.datasets import DatasetError, generate_preset
from tmtui.io import inputs
from tmtui.io.inputs import BOM, InputError, read_head, read_input
from tmtui.io.jsonl import BadLine, iter_jsonl
from tmtui.io.official import OfficialFile, dump_official
from tmtui.io.records import Record, encode_record, spec_of
from tmtui.io.sources import (
    ItemError,
    JsonlSource,
    OfficialSource,
    SourceError,
    kind_of,
    load_dataset,
    open_source,
    sniff,
)

DS = generate_preset("tmbench")


def _records(n: int = 3) -> bytes:
    lines = []
    for i in range(n):
        inst = DS[i]
        ans = "".join(f"step {k}: [{' '.join(q)}]\n" for k, q in enumerate(inst.run))
        rec = Record(
            instance_id=inst.id,
            dataset="tmbench",
            index=i,
            model="m",
            status="complete",
            answer=ans,
            instance=spec_of(inst),
        )
        lines.append(encode_record(rec))
    return b"".join(lines)


def _results(n: int = 3) -> bytes:
    obj = DS.to_official()
    obj["samples"] = obj["samples"][:n]
    for s in obj["samples"]:
        s["ans"] = "".join(f"step {k}: [{' '.join(q)}]\n" for k, q in enumerate(s["step_results"]))
    return json.dumps(obj, indent=1).encode()


@pytest.fixture
def quick_writer_wait(monkeypatch):
    monkeypatch.setattr(inputs, "WRITER_WAIT", 0.3)


_READ_ENDS: list[int] = []


@pytest.fixture(autouse=True)
def _close_pipes():
    yield
    while _READ_ENDS:
        os.close(_READ_ENDS.pop())


def _pipe_with(data: bytes) -> Path:
    """A pipe holding ``data`` (written by a thread), as a path like ``<(cat f)`` gives."""
    r, w = os.pipe()
    _READ_ENDS.append(r)

    def write() -> None:
        with os.fdopen(w, "wb") as f, contextlib.suppress(BrokenPipeError):
            f.write(data)

    threading.Thread(target=write, daemon=True).start()
    return Path(f"/proc/self/fd/{r}")


# -- pipes are read once ----------------------------------------------------------------------


@pytest.mark.parametrize(("make", "kind"), [(_records, JsonlSource), (_results, OfficialSource)])
def test_a_pipe_is_sniffed_and_read_from_the_same_bytes(make, kind):
    """Before: sniffing consumed the pipe's head, and `score <(cat f)` found no answers."""
    p = _pipe_with(make())
    assert kind_of(p) is kind
    assert sniff(p) == kind.kind  # a second look does not read the pipe again
    items = list(open_source(p).items())
    assert len(items) == 3 and not any(isinstance(i, ItemError) for i in items)


def test_a_dataset_from_a_pipe():
    p = _pipe_with(dump_official(DS))
    ds = load_dataset(str(p))
    assert len(ds) == 100 and ds[7].id == DS[7].id


def test_a_large_pipe_is_read_whole(tmp_path):
    data = _records(3) * 2000  # about 14 MB through a 64 KiB pipe buffer
    p = _pipe_with(data)
    assert read_input(p) == data
    assert read_head(p, 10) == data[:10]


def test_a_pipe_past_the_limit_is_one_line(monkeypatch):
    monkeypatch.setattr(inputs, "MAX_PIPE_BYTES", 100_000)
    p = _pipe_with(b'{"instance_id": "x"}\n' * 10_000)
    with pytest.raises(SourceError) as exc:
        open_source(p)
    assert "MiB from a pipe" in str(exc.value) and "\n" not in str(exc.value)


# -- FIFOs: no writer is a line, a late writer is read ------------------------------------------


def test_a_fifo_no_one_writes_to_is_one_line_not_a_hang(tmp_path, quick_writer_wait):
    """Before: every command that reads a file hung on a FIFO with no writer."""
    fifo = tmp_path / "answers"
    os.mkfifo(fifo)
    t0 = time.monotonic()
    for read in (kind_of, sniff, open_source, load_dataset, lambda p: list(iter_jsonl(p))):
        with pytest.raises((SourceError, InputError, DatasetError)) as exc:
            read(str(fifo) if read is load_dataset else fifo)
        assert "nothing was written to it within 0.3 s" in str(exc.value)
    assert time.monotonic() - t0 < 10


def test_a_fifo_written_a_little_later_is_read(tmp_path):
    fifo = tmp_path / "answers"
    os.mkfifo(fifo)
    data = _records()

    def write() -> None:
        time.sleep(0.3)
        with open(fifo, "wb") as f:
            f.write(data)

    threading.Thread(target=write, daemon=True).start()
    src = open_source(fifo)
    assert len([i for i in src.items() if not isinstance(i, ItemError)]) == 3


# -- what is refused before it is read -------------------------------------------------------


@pytest.mark.parametrize("dev", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused_before_reading(dev):
    with pytest.raises(SourceError) as exc:
        open_source(dev)
    assert str(exc.value) == f"{dev}: is a device, not a file (tmtui reads regular files and pipes)"
    with pytest.raises(InputError):
        read_input(dev)  # /dev/zero would never end


def test_a_directory_and_a_missing_file(tmp_path):
    with pytest.raises(SourceError, match="is a directory"):
        open_source(tmp_path)
    with pytest.raises(SourceError, match="no such file"):
        open_source(tmp_path / "nope.jsonl")


# -- byte order marks --------------------------------------------------------------------------


def test_a_byte_order_mark_does_not_cost_the_first_record(tmp_path):
    """Before: line 1 was 'JSON is malformed: invalid character (byte 0)'."""
    p = tmp_path / "bom.jsonl"
    p.write_bytes(BOM + _records())
    assert kind_of(p) is JsonlSource
    got = list(iter_jsonl(p))
    assert [n for n, _ in got] == [1, 2, 3] and not any(isinstance(r, BadLine) for _, r in got)
    # a byte order mark anywhere else is still an error of its line
    p.write_bytes(_records(1) + BOM + _records(1))
    assert isinstance(list(iter_jsonl(p))[1][1], BadLine)


def test_a_byte_order_mark_does_not_make_an_official_file_bad(tmp_path):
    """Before: 'the file is not valid JSON ...; reading samples one by one'."""
    p = tmp_path / "bom.json"
    p.write_bytes(BOM + _results())
    f = OfficialFile(p)
    assert f.whole and f.file_errors == [] and len(f) == 3
    items = list(open_source(p).items())
    assert len(items) == 3 and not any(isinstance(i, ItemError) for i in items)
    d = tmp_path / "bom-ds.json"
    d.write_bytes(BOM + dump_official(DS))
    assert len(load_dataset(str(d))) == 100


def test_a_byte_order_mark_through_a_pipe():
    p = _pipe_with(BOM + _results())
    assert [type(i).__name__ for i in open_source(p).items()] == ["ScoreItem"] * 3
