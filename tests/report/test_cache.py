"""The score cache: a second report over unchanged files scores nothing; a corrupt, forged
or stale entry is ignored, never trusted."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.report.reportkit import answer, record, write_records, write_results
from tmtui.core.diagnose import Kind
from tmtui.report import DigestCache, build_report, cache_dir
from tmtui.report import accumulate as build_mod  # where the builder scores a file
from tmtui.report.cache import MAGIC
from tmtui.report.digest import decode_digest, encode_digest


def _figures(rep) -> list:
    d = rep.to_dict()
    for f in d["files"]:
        f.pop("cached")
    return d


@pytest.fixture
def files(tmp_path):
    a = write_records(
        tmp_path / "a.jsonl",
        [record(i, answer(i, (3, Kind.COPY_ERROR) if i % 2 else None, seed=i)) for i in range(4)],
    )
    b = write_results(tmp_path / "b.json", {0: answer(0), 1: answer(1, (5, Kind.WRONG_HEAD))})
    return [a, b]


def _no_scoring(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("scored again")

    monkeypatch.setattr(build_mod, "digest_source", boom)


def _entries(cache: DigestCache) -> list:
    return sorted((cache.root / "entries").glob("*/*.digest"))


def test_second_report_scores_nothing(files, tmp_path, monkeypatch):
    cache = DigestCache(tmp_path / "c")
    first = build_report(files, bootstrap=100, cache=cache)
    assert cache.misses == 2 and len(_entries(cache)) == 2
    assert [f.cached for f in first.files] == [False, False]
    _no_scoring(monkeypatch)
    again = DigestCache(tmp_path / "c")
    second = build_report(files, bootstrap=100, cache=again)
    assert again.hits == 2 and [f.cached for f in second.files] == [True, True]
    assert _figures(second) == _figures(first)
    assert second.samples("a") == first.samples("a")


def test_the_default_place_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TMTUI_CACHE_DIR", str(tmp_path / "x"))
    assert cache_dir() == tmp_path / "x"
    monkeypatch.delenv("TMTUI_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "tmtui" / "report"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/not/used")
    assert cache_dir() == Path.home() / ".cache" / "tmtui" / "report"


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "empty"])
def test_a_corrupt_entry_is_ignored(files, tmp_path, damage):
    cache = DigestCache(tmp_path / "c")
    first = build_report(files, bootstrap=50, cache=cache)
    entry = _entries(cache)[0]
    data = bytearray(entry.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x40
    elif damage == "truncate":
        data = data[: len(data) // 3]
    elif damage == "garbage":
        data = bytearray(os.urandom(len(data)))
    else:
        data = bytearray()
    entry.write_bytes(bytes(data))
    again = DigestCache(tmp_path / "c")
    second = build_report(files, bootstrap=50, cache=again)
    assert again.hits == 1 and again.misses == 1
    assert again.ignored == 1
    assert _figures(second) == _figures(first)
    assert entry.read_bytes()[: len(MAGIC)] == MAGIC  # replaced by a good one


def test_a_forged_entry_with_a_good_checksum_is_not_trusted(files, tmp_path):
    cache = DigestCache(tmp_path / "c")
    first = build_report(files[:1], bootstrap=0, cache=cache)
    (entry,) = _entries(cache)
    data = entry.read_bytes()
    d = decode_digest(data[len(MAGIC) + 32 :])
    d.inst = (10_000).to_bytes(4, "little") * (len(d.inst) // 4)  # indices out of range
    body = encode_digest(d)
    entry.write_bytes(MAGIC + hashlib.sha256(body).digest() + body)
    again = DigestCache(tmp_path / "c")
    second = build_report(files[:1], bootstrap=0, cache=again)
    assert again.ignored == 1 and again.hits == 0
    assert _figures(second) == _figures(first)


def test_a_changed_file_or_parser_is_scored_again(files, tmp_path):
    cache = DigestCache(tmp_path / "c")
    build_report(files[:1], bootstrap=0, cache=cache)
    with open(files[0], "ab") as f:  # one more record: new content, new key
        f.write(write_records(tmp_path / "x.jsonl", [record(5, answer(5))]).read_bytes())
    again = DigestCache(tmp_path / "c")
    rep = build_report(files[:1], bootstrap=0, cache=again)
    assert again.hits == 0 and rep.rows[0].n == 5
    other = DigestCache(tmp_path / "c")
    build_report(files[:1], parser="tmbench", bootstrap=0, cache=other)
    assert other.hits == 0
    third = DigestCache(tmp_path / "c")
    build_report(files[:1], parser="tmbench", compare=False, bootstrap=0, cache=third)
    assert third.hits == 0


def test_the_stat_shortcut_is_trusted_only_for_files_older_than_their_hash(tmp_path):
    cache = DigestCache(tmp_path / "c")
    f = tmp_path / "f.jsonl"
    f.write_bytes(b"one")
    h1, _ = cache.content_hash(f)
    assert h1 == hashlib.sha256(b"one").hexdigest()
    memo = cache._stat_file(f)
    rec = json.loads(memo.read_text())
    # the file changes but (on a coarse clock) keeps its stat: a memo taken within two
    # seconds of the file's last change is not trusted, so the change is seen
    f.write_bytes(b"two")
    rec["sig"] = [*list(cache.content_hash(f)[1])]
    rec["sha256"] = h1
    rec["hashed_at"] = os.stat(f).st_mtime_ns / 1e9 + 1.0
    memo.write_text(json.dumps(rec))
    assert cache.content_hash(f)[0] == hashlib.sha256(b"two").hexdigest()
    # a memo taken well after the file's last change is trusted (no rehash)
    rec = json.loads(memo.read_text())
    rec["sha256"] = "f" * 64
    rec["hashed_at"] = time.time() + 10
    memo.write_text(json.dumps(rec))
    assert cache.content_hash(f)[0] == "f" * 64
    # a memo that is not JSON is ignored
    memo.write_text("{nope")
    assert cache.content_hash(f)[0] == hashlib.sha256(b"two").hexdigest()


def test_a_file_that_changes_while_scored_is_not_cached(files, tmp_path, monkeypatch):
    real = build_mod.digest_source

    def appending(src, *a, **k):
        d = real(src, *a, **k)
        with open(files[0], "ab") as f:
            f.write(b"\n")
        return d

    monkeypatch.setattr(build_mod, "digest_source", appending)
    cache = DigestCache(tmp_path / "c")
    build_report(files[:1], bootstrap=0, cache=cache)
    assert _entries(cache) == []


def test_an_unwritable_cache_is_no_error(files, tmp_path):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    rep = build_report(files, bootstrap=0, cache=DigestCache(blocker / "c"))
    assert [r.n for r in rep.rows] == [4, 2]


def test_a_renamed_results_file_keeps_its_scores_under_its_new_name(files, tmp_path, monkeypatch):
    cache = DigestCache(tmp_path / "c")
    build_report([files[1]], bootstrap=0, cache=cache)
    copy = tmp_path / "gemini-copy.json"
    shutil.copy(files[1], copy)
    _no_scoring(monkeypatch)
    again = DigestCache(tmp_path / "c")
    rep = build_report([copy], bootstrap=0, cache=again)
    assert again.hits == 1 and [r.label for r in rep.rows] == ["gemini-copy"]


def test_prune_keeps_the_most_recent_entries(files, tmp_path):
    cache = DigestCache(tmp_path / "c")
    build_report(files, bootstrap=0, cache=cache)
    old, new = _entries(cache)
    os.utime(old, (1, 1))
    size = new.stat().st_size
    assert cache.prune(max_bytes=size) == 1
    assert _entries(cache) == [new]
