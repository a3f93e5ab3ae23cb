"""`tmtui human serve` as a user runs it: says where it listens, binds loopback unless --host
says otherwise, answers 403 without a link, stops cleanly on SIGTERM; a taken port, a bad
database or a bad option is one line and exit 2."""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.cli.clihelp import run

from .servekit import plan_and_invite, start_serve, stop_serve


def _listening_on(port: int) -> list[str]:
    """The local addresses listening on this TCP port (Linux: /proc/net/tcp{,6})."""
    found = []
    for name, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, p = local.split(":")
            if int(p, 16) == port and state == "0A":  # LISTEN
                found.append(addr if width == 32 else socket.inet_ntoa(bytes.fromhex(addr)[::-1]))
    return found


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux's /proc/net/tcp")
def test_serve_binds_loopback_and_says_where(tmp_path):
    db = tmp_path / "s.sqlite"
    tokens = plan_and_invite(db, ["P01", "P02"])
    p, m = start_serve(db)
    try:
        path, host, port, reach = m.groups()
        assert (path, host, reach) == (str(db.resolve()), "127.0.0.1", "this machine only")
        assert _listening_on(int(port)) == ["127.0.0.1"]
        base = f"http://127.0.0.1:{port}"
        assert _status(base + "/") == 403
        assert _status(f"{base}/s/{tokens['P01']}") == 200
    finally:
        assert stop_serve(p) == 0
    err = (tmp_path / "serve.err").read_text()
    assert "Traceback" not in err
    assert (tmp_path / "serve.out").read_bytes() == b""


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux's /proc/net/tcp")
def test_serve_on_the_network_only_when_asked(tmp_path):
    db = tmp_path / "s.sqlite"
    plan_and_invite(db, ["P01"])
    p, m = start_serve(db, "--host", "0.0.0.0")
    try:
        assert m.group(2) == "0.0.0.0"
        assert "plain HTTP: a trusted lab network only" in m.group(4)
        assert _listening_on(int(m.group(3))) == ["0.0.0.0"]
    finally:
        assert stop_serve(p) == 0


def test_a_database_nobody_is_invited_to_says_so(tmp_path):
    db = tmp_path / "s.sqlite"
    r = run("human", "plan", "--db", db, "--participants", "P01", "--samples", "0")
    assert r.code == 0
    p, _ = start_serve(db)
    try:
        after = (tmp_path / "serve.err").read_text().split("Ctrl+C stops\n", 1)[1]
        assert after.startswith("tmtui: nobody is invited yet: ")
    finally:
        assert stop_serve(p) == 0


def _one_error_line(r) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tmtui: error: "), r.stderr
    return lines[0]


def test_a_taken_port_is_one_line(tmp_path):
    db = tmp_path / "s.sqlite"
    plan_and_invite(db, ["P01"])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = run("human", "serve", "--db", db, "--port", str(port))
    assert r.code == 2
    assert f"cannot listen on 127.0.0.1:{port}: " in _one_error_line(r)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--db", "{tmp}/none.sqlite"], "no such database"),
        (["--db", "{tmp}/text.sqlite"], "not a SQLite database"),
        (["--db", "{tmp}"], "is a directory"),
        (["--db", "{tmp}/s.sqlite", "--port", "-1"], "bad --port -1"),
        (["--db", "{tmp}/s.sqlite", "--port", "65536"], "bad --port 65536"),
        (["--db", "{tmp}/s.sqlite", "--host", "no such host!"], "bad --host"),
        (["--db", "{tmp}/s.sqlite", "--host", "no-such-host.invalid"], "cannot listen on"),
    ],
)
def test_bad_input_is_one_line(tmp_path, args, message):
    (tmp_path / "text.sqlite").write_text("hello\n")
    plan_and_invite(tmp_path / "s.sqlite", ["P01"])
    r = run("human", "serve", *[a.format(tmp=tmp_path) for a in args])
    assert r.code == 2
    assert message in _one_error_line(r)


def test_the_human_commands_do_not_load_the_web_server_until_serve_runs():
    code = (
        "import sys\n"
        "from tmtui.cli import app\n"
        "for args in (['human', '--help'], ['human', 'invite', '--help']):\n"
        "    try:\n"
        "        app(args, standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'aiohttp', 'textual_serve'}))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().splitlines()[-1] == "[]"
