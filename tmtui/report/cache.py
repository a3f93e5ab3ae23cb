"""The report cache: a file's digest kept by the file's content and everything that decides
its scores, so a second report over unchanged files scores nothing.

* **Where**: ``$TMTUI_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/tmtui/report``, else
  ``~/.cache/tmtui/report``.
* **Key**: the SHA-256 of the file's bytes, with the digest format, the scorer and parser
  versions (both parsers' when compared), a fingerprint of the scoring code, the dataset
  given for records without an instance, and the machine's byte order. Anything else gives
  another key, so a stale entry is never found.
* **Not rehashing unchanged files**: the content hash of a path is remembered with the
  file's size, modification and change times, inode and device. When all of them are the
  same the hash is reused — but only if the file was last modified more than two seconds
  before the hash was taken (a file changed again within its timestamp's resolution could
  otherwise keep its times); else the file is hashed again.
* **Never trusted blindly**: an entry starts with a magic word and the SHA-256 of the rest;
  a bad checksum, a digest that does not decode, whose parser, format or fingerprint is not
  the one asked for, or whose columns do not fit its tables, is ignored (and replaced).
  Entries are written to a temporary file and renamed, so a crash never leaves half of one.
* Only plain files of a known kind are cached (tmtui JSONL, official JSON); a file that
  changes while it is scored is scored but not cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

import msgspec

from tmtui.core.parsed import ParserMode
from tmtui.core.score import SCORER_VERSION
from tmtui.report.digest import DIGEST_FORMAT, FileDigest, decode_digest, encode_digest

__all__ = ["CACHEABLE_KINDS", "DigestCache", "cache_dir", "code_fingerprint"]

CACHEABLE_KINDS = frozenset({"jsonl", "official"})
MAGIC = b"TMTUI-REPORT-DIGEST\n"
RACY_SECONDS = 2.0
MAX_BYTES = 1 << 30  # the cache is pruned, oldest entries first, above this size
_CHUNK = 1 << 20


def cache_dir() -> Path:
    env = os.environ.get("TMTUI_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "tmtui" / "report"


@cache
def code_fingerprint() -> str:
    """A hash of the code that decides a file's scores (the core, the readers, the scoring
    path and the digest), so a changed scorer never reads an old entry."""
    import tmtui

    root = Path(tmtui.__file__).resolve().parent
    h = hashlib.sha256(tmtui.__version__.encode())
    files: list[Path] = []
    for pkg in ("core", "io", "scoring"):
        files.extend(sorted((root / pkg).glob("*.py")))
    files += [root / "report" / "samples.py", root / "report" / "digest.py"]
    for f in files:
        try:
            h.update(f.name.encode() + b"\0" + f.read_bytes())
        except OSError:
            h.update(f.name.encode() + b"\0?")
    return h.hexdigest()[:16]


def _stat_sig(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


class DigestCache:
    """Digests on disk, by content. ``root=None``: the default place (:func:`cache_dir`)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else cache_dir()
        self.hits = 0
        self.misses = 0
        self.ignored = 0  # entries found but not trusted

    # -- keys -----------------------------------------------------------------------
    @staticmethod
    def params(mode: ParserMode | str, compare: bool, dataset_id: str = "") -> str:
        mode = ParserMode.of(mode)
        other = mode.other.version if compare else "-"
        return "|".join(
            (
                f"format={DIGEST_FORMAT}",
                SCORER_VERSION,
                mode.version,
                f"other={other}",
                f"code={code_fingerprint()}",
                f"dataset={dataset_id}",
                sys.byteorder,
            )
        )

    def _stat_file(self, path: Path) -> Path:
        real = os.path.realpath(path)
        return self.root / "stat" / (hashlib.sha256(real.encode()).hexdigest()[:32] + ".json")

    def content_hash(self, path: Path) -> tuple[str, list[int]] | None:
        """The file's SHA-256 (from the remembered one when its stat is unchanged and old
        enough) and its stat signature; None when it cannot be read."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        sig = _stat_sig(st)
        memo = self._stat_file(path)
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            rec = json.loads(memo.read_text())
            if (
                rec["sig"] == sig
                and isinstance(rec["sha256"], str)
                and len(rec["sha256"]) == 64
                and st.st_mtime_ns / 1e9 < float(rec["hashed_at"]) - RACY_SECONDS
            ):
                return rec["sha256"], sig
        hashed_at = time.time()
        h = hashlib.sha256()
        try:
            with open(path, "rb") as f:
                while chunk := f.read(_CHUNK):
                    h.update(chunk)
        except OSError:
            return None
        digest = h.hexdigest()
        with contextlib.suppress(OSError):
            after = os.stat(path)
            if _stat_sig(after) == sig:
                self._write(
                    memo,
                    json.dumps({"sig": sig, "sha256": digest, "hashed_at": hashed_at}).encode(),
                )
        return digest, sig

    def _entry(self, content: str, params: str) -> Path:
        key = hashlib.sha256((content + "\n" + params).encode()).hexdigest()
        return self.root / "entries" / key[:2] / (key + ".digest")

    # -- entries --------------------------------------------------------------------
    def load(
        self, content: str, params: str, mode: ParserMode | str, compare: bool
    ) -> FileDigest | None:
        """The digest stored for this content and these parameters, if it can be trusted."""
        path = self._entry(content, params)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        digest = self._check(data, ParserMode.of(mode), compare)
        if digest is None:
            self.ignored += 1
            self.misses += 1
            return None
        self.hits += 1
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: pruned last
        return digest

    @staticmethod
    def _check(data: bytes, mode: ParserMode, compare: bool) -> FileDigest | None:
        head = len(MAGIC) + 32
        if len(data) < head or not data.startswith(MAGIC):
            return None
        body = data[head:]
        if hashlib.sha256(body).digest() != data[len(MAGIC) : head]:
            return None
        try:
            d = decode_digest(body)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError, TypeError):
            return None
        if d.format != DIGEST_FORMAT or d.mode != mode.value or d.compared != compare:
            return None
        try:
            if not d.columns().consistent(d):
                return None
        except (ValueError, TypeError):
            return None
        return d

    def store(self, content: str, params: str, digest: FileDigest) -> None:
        body = encode_digest(digest)
        data = MAGIC + hashlib.sha256(body).digest() + body
        self._write(self._entry(content, params), data)

    def _write(self, path: Path, data: bytes) -> None:
        """Atomically (a temporary file renamed); a cache that cannot be written is no
        error: the report is made all the same."""
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise

    def prune(self, max_bytes: int = MAX_BYTES) -> int:
        """Remove the least recently used entries until the cache holds at most
        ``max_bytes``; returns how many were removed."""
        entries = []
        with contextlib.suppress(OSError):
            for p in (self.root / "entries").glob("*/*.digest"):
                with contextlib.suppress(OSError):
                    st = p.stat()
                    entries.append((st.st_mtime, st.st_size, p))
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, p in sorted(entries, key=lambda e: e[0]):
            if total <= max_bytes:
                break
            with contextlib.suppress(OSError):
                p.unlink()
                total -= size
                removed += 1
        return removed
