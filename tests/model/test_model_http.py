"""tmtui serve's HTTP/1.1 handling, byte by byte over a raw socket (no SDK in between)."""

from __future__ import annotations

import json
import socket

import pytest

from tmtui.core.prompts import messages
from tmtui.model.serve import ServeOptions, start_server_thread


@pytest.fixture(scope="module")
def server():
    srv = start_server_thread(ServeOptions(tokens_per_second=0))
    yield srv
    srv.close()


def _exchange(server, data: bytes) -> bytes:
    """Send ``data``; everything the server sends until it closes the connection."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    return out


def _responses(raw: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """(status, headers, body) of each response with a Content-Length in ``raw``."""
    out = []
    while raw:
        head, _, raw = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
        n = int(headers["content-length"])
        out.append((int(lines[0].split(" ")[1]), headers, raw[:n]))
        raw = raw[n:]
    return out


@pytest.mark.parametrize(
    ("request_bytes", "status", "message"),
    [
        (b"NONSENSE\r\n\r\n", 400, "bad request line"),
        (b"GET /health SPDY/3\r\n\r\n", 400, "bad request line"),
        (b"GET /health HTTP/1.1\r\nno colon here\r\n\r\n", 400, "bad header line"),
        (
            b"POST /v1/chat/completions HTTP/1.1\r\nContent-Length: x\r\n\r\n",
            400,
            "bad Content-Length",
        ),
        (
            b"POST /v1/chat/completions HTTP/1.1\r\nContent-Length: -3\r\n\r\n",
            400,
            "bad Content-Length",
        ),
        (
            b"POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n",
            413,
            "request body too large",
        ),
        (b"GET /" + b"x" * 70_000 + b" HTTP/1.1\r\n\r\n", 431, "request headers too large"),
    ],
)
def test_a_malformed_request_is_answered_then_the_connection_closed(
    server, request_bytes, status, message
):
    [(got, headers, body)] = _responses(_exchange(server, request_bytes))
    assert got == status
    assert headers["connection"] == "close"
    assert json.loads(body)["error"]["message"] == message


def test_keep_alive_serves_requests_in_turn_until_close(server):
    raw = _exchange(
        server,
        b"GET /health HTTP/1.1\r\n\r\n"
        b"PUT /health HTTP/1.1\r\n\r\n"
        b"GET /v1/nowhere HTTP/1.1\r\n\r\n"
        b"GET /v1/models/synthetic?x=1 HTTP/1.1\r\nConnection: close\r\n\r\n"
        b"GET /health HTTP/1.1\r\n\r\n",  # after close: never answered
    )
    got = _responses(raw)
    assert [s for s, _, _ in got] == [200, 405, 404, 200]
    assert json.loads(got[0][2]) == {"status": "ok", "models": ["synthetic"]}
    assert json.loads(got[1][2])["error"]["message"] == "use GET"
    assert json.loads(got[2][2])["error"]["code"] == "not_found"
    assert json.loads(got[3][2])["id"] == "synthetic"
    assert [h["connection"] for _, h, _ in got] == ["keep-alive"] * 3 + ["close"]


def test_a_chunked_request_body_is_read(server, tmbench):
    body = json.dumps({"model": "synthetic", "messages": messages(tmbench[0])}).encode()
    half = len(body) // 2
    chunked = b"%x\r\n%b\r\n%x;ext=1\r\n%b\r\n0\r\nX-Trailer: 1\r\n\r\n" % (
        half,
        body[:half],
        len(body) - half,
        body[half:],
    )
    raw = _exchange(
        server,
        b"POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + chunked,
    )
    [(status, _, answer)] = _responses(raw)
    assert status == 200
    choice = json.loads(answer)["choices"][0]
    assert choice["finish_reason"] == "stop" and "Queue State" in choice["message"]["content"]


def test_a_request_cut_short_closes_quietly(server):
    raw = _exchange(
        server, b'POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"mod'
    )
    assert raw == b""
