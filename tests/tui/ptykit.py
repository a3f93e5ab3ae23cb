"""A real pseudo-terminal for the TUI tests: run a command in it, type keys, keep every byte it
writes, and check those bytes for control sequences that came from data.

Textual itself writes only CSI sequences (colours, cursor moves, modes, the keyboard protocol)
and OSC 22 (the mouse pointer's shape); anything else that starts with ESC, any bell outside
OSC 22, any C1 control, bidi control, NUL or DEL in the text came from the data the screens
show, and must never reach a terminal.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# what Textual writes: CSI sequences, and OSC 22 (pointer shape) ended by BEL or ST
_CSI = rb"\x1b\[[0-?]*[ -/]*[@-~]"
_OSC22 = rb"\x1b\]22;[a-z-]*(?:\x07|\x1b\\)"
_SEQUENCE = re.compile(_CSI + b"|" + _OSC22)
# in the text (escape sequences removed): C0 but CR/LF, DEL, C1, bidi and other controls
_BAD_TEXT = re.compile(
    "[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)


class Terminal:
    """One command in a pseudo-terminal of ``cols`` x ``rows``."""

    def __init__(self, argv: list[str], *, cols: int = 120, rows: int = 40) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: the terminal's size, then the command
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            # the size in the environment too: Textual takes COLUMNS/LINES over the terminal's,
            # and a test runner's worker may have them set to its own width
            env = dict(
                os.environ,
                TERM="xterm-256color",
                COLORTERM="truecolor",
                COLUMNS=str(cols),
                LINES=str(rows),
            )
            os.chdir(ROOT)
            os.execvpe(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        self.out = bytearray()
        self.done = False

    def _read(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.done:
            left = end - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([self.fd], [], [], min(left, 0.05))
            if not r:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b""
            if not data:
                self.done = True
                return
            self.out += data

    def text(self, since: int = 0) -> str:
        """What was written (from ``since``, a :meth:`mark`), escape sequences removed (for
        waiting on words)."""
        return _SEQUENCE.sub(b"", bytes(self.out[since:])).decode("utf-8", "replace")

    def mark(self) -> int:
        """Where the output is now: wait(..., since=mark) waits for a word drawn after it."""
        return len(self.out)

    def wait(self, word: str, timeout: float = 30.0, since: int = 0) -> None:
        end = time.monotonic() + timeout
        while word not in self.text(since):
            if self.done or time.monotonic() > end:
                raise AssertionError(f"{word!r} never appeared")
            self._read(0.1)
        self._settle()

    def _settle(self, quiet: float = 0.25, most: float = 3.0) -> None:
        """Read until the screen has been still for ``quiet`` seconds (at most ``most``): the
        word may be drawn before the screen takes keys, and a key sent then can be lost on a
        loaded machine."""
        end = time.monotonic() + most
        while not self.done and time.monotonic() < end:
            n = len(self.out)
            self._read(quiet)
            if len(self.out) == n:
                return

    def keys(self, *keys: str, pause: float = 0.3) -> None:
        for k in keys:
            os.write(self.fd, k.encode())
            self._read(pause)

    def close(self, timeout: float = 10.0) -> bytes:
        end = time.monotonic() + timeout
        while not self.done and time.monotonic() < end:
            self._read(0.1)
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    self._read(0.2)
                    break
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)
        return bytes(self.out)


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def unsafe_bytes(out: bytes, markers: list[bytes]) -> list[str]:
    """Everything in ``out`` that a terminal would obey or hide although it came from data:
    an ESC that starts no CSI or OSC 22, a marker of a hostile payload inside a sequence, and
    control or bidi characters in the text."""
    problems: list[str] = []
    for m in re.finditer(rb"\x1b", out):
        at = m.start()
        seq = _SEQUENCE.match(out, at)
        if seq is None:
            problems.append(f"ESC not starting a CSI or OSC 22 at {at}: {out[at : at + 16]!r}")
        elif any(mk in seq.group() for mk in markers):
            problems.append(f"a hostile sequence at {at}: {seq.group()!r}")
    text = _SEQUENCE.sub(b"", out).decode("utf-8", "surrogateescape")
    for m in _BAD_TEXT.finditer(text):
        at = m.start()
        problems.append(f"control character {m.group()!r} in the text: {text[at - 20 : at + 20]!r}")
    return problems[:20]
