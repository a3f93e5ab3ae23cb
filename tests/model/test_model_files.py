"""Files: touch only what you were asked to. The record writer (``tmtui run -o``, the TUI's
save key) and the run's side files, with planted links and non-regular files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.model.test_model_cli import TMTUI, Server, _env, run_cmd
from tmtui.core.datasets import generate_preset
from tmtui.core.prompts import prompt_sha256
from tmtui.io.jsonl import NotRecordFile, RecordWriter, check_record_file, iter_jsonl
from tmtui.io.records import Record, encode_record, spec_of

DS = generate_preset("tmbench")


def _rec(i: int, status: str = "complete") -> Record:
    return Record(
        instance_id=DS[i].id,
        dataset="tmbench",
        index=i,
        model="synthetic",
        status=status,
        answer="x",
        instance=spec_of(DS[i]),
        prompt_sha256=prompt_sha256(DS[i], "tmbench"),  # what `tmtui run` would write
    )


NOT_RECORDS = {
    # a dataset written without a final newline (json.dump with indent)
    "dataset.json": json.dumps(DS.to_official(), indent=1)[:5000] + "\n}",
    # one line of JSON, no newline at all
    "one-line.json": '{"samples": []}',
    "one-line-nl.json": '{"samples": []}\n',
    "notes.txt": "my notes\nsecond line",
    "csv.jsonl": "a,b\n1,2\n",
    # a record file someone appended something else to
    "mixed.jsonl": encode_record(_rec(0)).decode() + "not a record\n",
    # ... without a final newline: the last line is no torn record, it is not cut
    "mixed-torn.jsonl": encode_record(_rec(0)).decode() + "my notes, no newline",
    "mixed-torn-2.jsonl": (encode_record(_rec(0)) * 2).decode() + '{"samples": [1, 2',
}


@pytest.mark.parametrize("name", sorted(NOT_RECORDS))
def test_the_writer_refuses_a_file_that_is_not_a_record_file(tmp_path, name):
    p = tmp_path / name
    p.write_text(NOT_RECORDS[name])
    before = p.read_bytes()
    with pytest.raises(NotRecordFile) as err:
        RecordWriter(p)
    assert "not a tmtui record file" in err.value.strerror
    assert isinstance(err.value, OSError)  # what the TUI's save action reports
    assert p.read_bytes() == before


@pytest.mark.parametrize(
    ("kind", "words"),
    [("fifo", "FIFO"), ("dir", "directory"), ("chardev", "character device")],
)
def test_the_writer_refuses_what_is_not_a_regular_file_without_blocking(tmp_path, kind, words):
    if kind == "fifo":
        p = tmp_path / "f.jsonl"
        os.mkfifo(p)
    elif kind == "dir":
        p = tmp_path / "d.jsonl"
        p.mkdir()
    else:
        p = Path("/dev/null")
    done: list[BaseException] = []

    def attempt() -> None:
        try:
            RecordWriter(p)
        except BaseException as exc:
            done.append(exc)

    t = threading.Thread(target=attempt, daemon=True)
    t.start()
    t.join(10)
    assert done and isinstance(done[0], NotRecordFile) and words in done[0].strerror


def test_a_torn_record_is_repaired_and_a_torn_first_record_too(tmp_path):
    p = tmp_path / "r.jsonl"
    whole = encode_record(_rec(0)) + encode_record(_rec(1))
    p.write_bytes(whole + encode_record(_rec(2))[:40])
    with RecordWriter(p) as w:
        assert w.repaired == 40
        w.write(_rec(3))
    assert [r.index for _, r in iter_jsonl(p)] == [0, 1, 3]
    # a kill during the very first write: one torn line that is the start of a record
    p.write_bytes(encode_record(_rec(2))[:25])
    assert check_record_file(p) == 25
    with RecordWriter(p) as w:
        w.write(_rec(4))
    assert [r.index for _, r in iter_jsonl(p)] == [4]


def test_a_record_file_with_a_byte_order_mark_is_appended_to(tmp_path):
    p = tmp_path / "bom.jsonl"
    p.write_bytes(b"\xef\xbb\xbf" + encode_record(_rec(0)))
    with RecordWriter(p) as w:
        w.write(_rec(1))
    assert p.read_bytes().count(b"\n") == 2


# -- tmtui run: the output and its side files -------------------------------------------

RUN = ["tmbench", "--model", "synthetic", "--samples", "0-1", "--no-progress", "--no-score"]


def _one_line_error(res) -> str:
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    return lines[0]


def test_run_refuses_to_append_to_a_dataset(tmp_path):
    ds = tmp_path / "ds.json"
    gen = subprocess.run(
        [*TMTUI, "generate", "--n", "3", "-o", str(ds)], capture_output=True, env=_env()
    )
    assert gen.returncode == 0
    before = ds.read_bytes()
    res = run_cmd(str(ds), "--model", "synthetic", "-o", str(ds), "--no-progress")
    assert "not a tmtui record file" in _one_line_error(res)
    assert ds.read_bytes() == before and not Path(str(ds) + ".lock").exists()


def _interrupted_output(out: Path) -> None:
    """An output with one interrupted record (to be superseded) and one complete."""
    out.write_bytes(encode_record(_rec(0, "interrupted")) + encode_record(_rec(1)))


@pytest.mark.parametrize("side", [".superseded.jsonl", ".lock", ".compact.tmp"])
def test_planted_links_next_to_the_output_are_never_followed(tmp_path, side):
    out = tmp_path / "o.jsonl"
    _interrupted_output(out)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = tmp_path / ("o.jsonl" + side)
    link.symlink_to(victim)
    res = run_cmd(*RUN, "-o", str(out))
    assert victim.read_text() == "precious\n"
    assert out.is_file() and not out.is_symlink()
    assert link.is_symlink()
    if side == ".compact.tmp":  # that name is never used: the run goes on
        assert res.returncode == 0, res.stderr
    else:
        assert "symbolic link" in _one_line_error(res)
    assert not list(tmp_path.glob(".o.jsonl.*"))  # no temporary file left behind


def test_an_output_that_is_a_link_is_rewritten_through_it_and_keeps_its_mode(tmp_path):
    real = tmp_path / "runs" / "2025.jsonl"
    real.parent.mkdir()
    _interrupted_output(real)
    real.chmod(0o600)
    out = tmp_path / "latest.jsonl"
    out.symlink_to(real)
    res = run_cmd(*RUN, "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert out.is_symlink() and stat.S_IMODE(real.stat().st_mode) == 0o600
    assert sorted(r.status for _, r in iter_jsonl(real)) == ["complete", "complete"]
    assert (tmp_path / "latest.jsonl.superseded.jsonl").is_file()


@pytest.mark.parametrize("target", ["fifo", "/dev/zero", "/dev/null", "dir"])
def test_run_refuses_an_output_that_is_not_a_regular_file(tmp_path, target):
    if target == "fifo":
        out = tmp_path / "f.jsonl"
        os.mkfifo(out)
    elif target == "dir":
        out = tmp_path / "d.jsonl"
        out.mkdir()
    else:
        out = Path(target)
    res = run_cmd(*RUN, "-o", str(out), timeout=30)
    assert "not a regular file" in _one_line_error(res)
    assert not Path(str(out) + ".lock").exists()


def test_run_to_stdout_through_a_pipe_is_refused_not_hung(tmp_path):
    proc = subprocess.run(
        f"{sys.executable} -m tmtui run {' '.join(RUN)} -o /dev/stdout | cat",
        shell=True,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=30,
    )
    assert "FIFO or pipe" in proc.stderr and "Traceback" not in proc.stderr


def test_a_failed_run_leaves_no_empty_output_nor_directory(tmp_path):
    out = tmp_path / "new" / "deeper" / "o.jsonl"
    res = run_cmd(
        "tmbench",
        "--model",
        "m",
        "--base-url",
        "http://127.0.0.1:9/v1",
        "--samples",
        "0",
        "--max-retries",
        "0",
        "-o",
        str(out),
        "--no-progress",
    )
    assert res.returncode == 2
    # the attempt is recorded (an error record), and said apart from model answers
    assert [r.status for _, r in iter_jsonl(out)] == ["error"]
    # a run that writes nothing at all (the output cannot be written) leaves nothing
    bad = tmp_path / "other" / "sub" / "o.jsonl"
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "sub").mkdir()
    (tmp_path / "other" / "sub" / "o.jsonl.lock").mkdir()  # the lock cannot be taken
    res = run_cmd(*RUN, "-o", str(bad))
    _one_line_error(res)
    assert not bad.exists()
    # an endpoint that refuses the first request: nothing written, nothing left
    fresh = tmp_path / "made" / "here" / "o.jsonl"
    res = _run_an_unknown_model(tmp_path, fresh, "--samples", "0")
    assert res.returncode == 2 and "404 Not Found" in res.stderr
    assert not (tmp_path / "made").exists()


def _run_an_unknown_model(tmp_path, out, *args):
    """tmtui run against the synthetic server, asking for a model it does not serve (404)."""
    srv = Server(tmp_path, "--tokens-per-second", "0")
    try:
        base = ("tmbench", "--model", "gpt-nope", "--base-url", srv.url)
        return run_cmd(*base, *args, "-o", str(out), "--no-progress")
    finally:
        srv.close()


def test_a_refused_model_leaves_no_record_of_the_requests_it_cancelled(tmp_path):
    """A 404 for the model ends the run; the requests in flight beside it are cancelled
    before they receive anything: they are not attempts of their own, so no 'interrupted'
    record is written for them (a file of empty records is an output nobody asked for)."""
    out = tmp_path / "o.jsonl"
    res = _run_an_unknown_model(tmp_path, out, "--samples", "0-15", "--concurrency", "8")
    assert res.returncode == 2 and "404 Not Found" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert not out.exists()


def test_a_lock_left_by_a_killed_run_is_taken_over_and_said_stale(tmp_path):
    out = tmp_path / "o.jsonl"
    (tmp_path / "o.jsonl.lock").write_text("pid 4000000\n")  # no such process holds it
    res = run_cmd(*RUN, "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert "o.jsonl.lock was stale" in res.stderr and "pid 4000000" in res.stderr
    assert not (tmp_path / "o.jsonl.lock").exists()


def test_a_held_lock_names_its_holder(tmp_path):
    import fcntl

    out = tmp_path / "o.jsonl"
    lock = tmp_path / "o.jsonl.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        os.write(fd, f"pid {os.getpid()}\n".encode())
        fcntl.flock(fd, fcntl.LOCK_EX)
        res = run_cmd(*RUN, "-o", str(out))
        assert f"another tmtui run (pid {os.getpid()}) is writing" in _one_line_error(res)
        assert not out.exists()
    finally:
        os.close(fd)


@pytest.mark.parametrize("kind", ["loop", "under-a-file"])
def test_run_on_an_output_that_cannot_be_looked_at_is_one_line(tmp_path, kind):
    """A link that leads to itself, a path under a regular file: one line, exit 2 (before:
    an OSError traceback from the output check)."""
    if kind == "loop":
        out = tmp_path / "loop.jsonl"
        out.symlink_to(out.name)
    else:
        (tmp_path / "plain").write_text("x")
        out = tmp_path / "plain" / "o.jsonl"
    res = run_cmd(*RUN, "-o", str(out), timeout=30)
    line = _one_line_error(res)
    assert str(out) in line
