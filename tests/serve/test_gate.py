"""The server's token gate, in this process with a stand-in session app: a missing, forged or
replaced token gets 403 and starts nothing; a valid one starts its participant's session and
no one else's, whatever else the browser sends; one tab per participant at a time."""

from __future__ import annotations

import asyncio
import json
import sys

import aiohttp
import pytest
from yarl import URL

from tmtui.io.humandb import HumanDb
from tmtui.io.humaninvites import invite
from tmtui.tui.serve import FORBIDDEN, session_argv

from .servekit import fake_argv, plan_and_invite, served

TIMEOUT = aiohttp.ClientTimeout(total=30)


async def _read_until(ws, needle: bytes, limit: float = 20) -> bytes:
    seen = b""
    async with asyncio.timeout(limit):
        while needle not in seen:
            msg = await ws.receive()
            if msg.type == aiohttp.WSMsgType.BINARY:
                seen += msg.data
            elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                break
    return seen


def _log(log) -> list[tuple[str, str]]:
    return [tuple(line.split()[:2]) for line in log.read_text().splitlines()]


async def test_no_valid_token_no_page_no_session(tmp_path):
    db = tmp_path / "s.sqlite"
    tokens = plan_and_invite(db, ["P01", "P02"])
    argv, log = fake_argv(tmp_path)
    t = tokens["P01"]
    with HumanDb(db) as store:  # P02's first link, then replaced
        [(_, replaced_by)] = invite(store, ["P02"])
    stale = tokens["P02"]
    async with served(db, argv) as base, aiohttp.ClientSession(timeout=TIMEOUT) as http:
        bad = ["/", "/s", "/s/", f"/s/{t}x", f"/s/{t[:-1]}", f"/s/{stale}", "/s/%00",
               f"/S/{t}", f"/s/{t}/x", "/ws", "/download/abc", "/static/", "/static/js/",
               "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
               "/static/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
               "/index.html", f"/?token={t}"]  # fmt: skip
        for path in bad:
            async with http.get(URL(base + path, encoded=True)) as r:
                body = await r.text()
                assert r.status in (403, 404), (path, r.status)
                assert "session" not in body.replace(FORBIDDEN, ""), path
                assert "root:" not in body
                if r.status == 403:
                    assert body == FORBIDDEN
                assert r.headers["Referrer-Policy"] == "no-referrer"
                assert r.headers["Cache-Control"] == "no-store"
        async with http.post(base + f"/s/{t}") as r:
            assert r.status in (403, 405)
        for path in [f"/s/{t}x/ws", f"/s/{stale}/ws", "/ws", f"/s//ws?token={t}"]:
            with pytest.raises(aiohttp.WSServerHandshakeError) as exc:
                await http.ws_connect(base + path)
            assert exc.value.status == 403, path
        # the valid ones work, the replaced one's successor too
        for token in (t, replaced_by):
            async with http.get(base + f"/s/{token}") as r:
                assert r.status == 200
                assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
                page = await r.text()
                assert 'class="textual-terminal"' in page
                assert token not in page  # the page does not repeat the link
                assert "http" not in page  # nothing from elsewhere
        async with http.get(base + "/static/js/textual.js") as r:
            assert r.status == 200  # the client library is public
    assert _log(log) == []  # no session process was ever started


async def test_a_token_starts_its_own_participants_session_whatever_else_is_sent(tmp_path):
    db = tmp_path / "s.sqlite"
    tokens = plan_and_invite(db, ["P01", "P02"])
    argv, log = fake_argv(tmp_path)
    async with served(db, argv) as base, aiohttp.ClientSession(timeout=TIMEOUT) as http:
        url = (
            f"{base}/s/{tokens['P02']}/ws?width=90&height=30&participant=P01"
            "&db=/etc/passwd&command=sh"
        )
        headers = {"X-Participant": "P01", "Cookie": "participant=P01"}
        async with http.ws_connect(url, headers=headers) as ws:
            first = await _read_until(ws, b"\r\n")
            assert first.startswith(b"session of P02 argv=")
            args = json.loads(first.split(b"argv=", 1)[1])
            assert args == argv("P02")[3:]
            await ws.send_str(json.dumps(["stdin", "--participant P01; P01"]))
            echoed = await _read_until(ws, b"P01")
            assert echoed == b"echo:--participant P01; P01"
        async with http.ws_connect(f"{base}/s/{tokens['P01']}/ws") as ws:
            assert (await _read_until(ws, b"\r\n")).startswith(b"session of P01 argv=")
    names = [n for kind, n in _log(log) if kind == "start"]
    assert names == ["P02", "P01"]


async def test_a_second_tab_takes_the_session_over_after_the_first_has_ended(tmp_path):
    db = tmp_path / "s.sqlite"
    tokens = plan_and_invite(db, ["P01"])
    argv, log = fake_argv(tmp_path)
    async with served(db, argv) as base, aiohttp.ClientSession(timeout=TIMEOUT) as http:
        one = await http.ws_connect(f"{base}/s/{tokens['P01']}/ws")
        await _read_until(one, b"\r\n")
        two = await http.ws_connect(f"{base}/s/{tokens['P01']}/ws")
        await _read_until(two, b"\r\n")
        async with asyncio.timeout(10):
            assert (await one.receive()).type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
            )
        await two.close()
    kinds = _log(log)
    assert kinds[:3] == [("start", "P01"), ("end", "P01"), ("start", "P01")], kinds


async def test_a_session_that_ends_ends_its_tab(tmp_path):
    db = tmp_path / "s.sqlite"
    tokens = plan_and_invite(db, ["P01"])
    argv, log = fake_argv(tmp_path)
    async with served(db, argv) as base, aiohttp.ClientSession(timeout=TIMEOUT) as http:
        ws = await http.ws_connect(f"{base}/s/{tokens['P01']}/ws")
        await _read_until(ws, b"\r\n")
        await ws.send_str(json.dumps(["stdin", "exit"]))
        async with asyncio.timeout(10):
            while (await ws.receive()).type not in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
            ):
                pass
        # and a broken message from a browser ends only its own tab
        ws = await http.ws_connect(f"{base}/s/{tokens['P01']}/ws")
        await _read_until(ws, b"\r\n")
        await ws.send_str("{not json")
        async with asyncio.timeout(10):
            while (await ws.receive()).type not in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
            ):
                pass
        async with http.get(f"{base}/s/{tokens['P01']}") as r:
            assert r.status == 200
    assert [k for k, _ in _log(log)] == ["start", "end", "start", "end"]


def test_the_session_command_is_the_terminal_entry_point(tmp_path):
    db = tmp_path / "s.sqlite"
    assert session_argv(db, "P01") == [
        sys.executable, "-m", "tmtui", "human", "--db", str(db), "--participant", "P01",
    ]  # fmt: skip
