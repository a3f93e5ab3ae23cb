"""tmtui serve under abuse, over loopback and bounded in time: oversized chunk lines and
trailers, slow and idle clients, more connections than descriptors, hostile JSON."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import time

import pytest

from tmtui.core.prompts import messages
from tmtui.model import http1
from tmtui.model.serve import ServeOptions, start_server_thread

CHAT = b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"


@pytest.fixture
def server():
    logs: list[str] = []
    srv = start_server_thread(
        ServeOptions(
            tokens_per_second=0,
            head_timeout=0.5,
            body_timeout=0.5,
            max_connections=16,
            log=logs.append,
        )
    )
    srv.logs = logs
    yield srv
    srv.close()


def _exchange(port: int, data: bytes, *, shut: bool = True, timeout: float = 10) -> bytes:
    """Send ``data``; everything the server sends until it closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        if shut:
            sock.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    return out


def _status(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1]) if raw else 0


def _chunked(body: bytes) -> bytes:
    return CHAT + b"Transfer-Encoding: chunked\r\n\r\n" + body


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"1" * 70_000 + b"\r\n", 400, b"chunk size line longer than 64 KiB"),
        (b"0\r\nX-T: " + b"a" * 70_000 + b"\r\n\r\n", 431, b"trailer line longer"),
        (b"0\r\n" + (b"X-T: " + b"a" * 1000 + b"\r\n") * 80 + b"\r\n", 431, b"trailers too large"),
        (b"zz\r\n", 400, b"bad chunk size"),
        (b"-5\r\nhello\r\n0\r\n\r\n", 400, b"bad chunk size"),
        (b"0x5\r\nhello\r\n0\r\n\r\n", 400, b"bad chunk size"),
        (b"\r\n", 400, b"bad chunk size"),
        (b"5\r\nhelloXX0\r\n\r\n", 400, b"does not end with CRLF"),
    ],
)
def test_bad_chunked_bodies_are_answered(server, body, status, words):
    raw = _exchange(server.port, _chunked(body))
    assert _status(raw) == status, raw[:200]
    assert words in raw


@pytest.mark.parametrize(
    ("length", "status", "words"),
    [
        ("\u00b2".encode("latin-1"), 400, b"bad Content-Length"),  # '\u00b2'.isdigit() is true
        ("1\u00b9".encode("latin-1"), 400, b"bad Content-Length"),
        (b"9" * 5000, 413, b"request body too large"),  # int() refuses over 4,300 digits
        (b"0" * 5000 + b"2", 400, b"'model' is required"),  # a length of 2, written long
        (b"-1", 400, b"bad Content-Length"),
    ],
    ids=["superscript", "digit-superscript", "5000-digits", "long-zeros", "negative"],
)
def test_a_bad_content_length_is_answered(server, length, status, words):
    raw = _exchange(server.port, CHAT + b"Content-Length: " + length + b"\r\n\r\n{}")
    assert _status(raw) == status, raw[:200]
    assert words in raw
    assert not any("connection error" in line for line in server.logs), server.logs


def test_an_idle_or_partial_header_is_closed_after_the_head_timeout(server):
    for data in (b"", b"GET /health HTTP/1.1\r\nHost: x\r\n"):
        t = time.monotonic()
        raw = _exchange(server.port, data, shut=False)
        assert raw == b"" and time.monotonic() - t < 5


def test_a_slow_body_gets_408(server):
    raw = _exchange(server.port, CHAT + b"Content-Length: 100\r\n\r\n{", shut=False)
    assert _status(raw) == 408 and b"not received in time" in raw


def test_keep_alive_still_serves_requests_in_turn(server):
    one = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    raw = _exchange(server.port, one * 3)
    assert raw.count(b"HTTP/1.1 200 OK") == 3


def test_over_the_connection_cap_the_longest_waiting_is_closed(server):
    socks = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(40)]
    try:
        for s in socks:
            s.sendall(b"GET /health HTTP/1.1\r\n")  # a header never finished
        raw = _exchange(server.port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _status(raw) == 200
    finally:
        for s in socks:
            s.close()


def test_when_every_connection_is_busy_a_new_one_gets_503():
    # the cap is 2: two streams that stall hold it; a third connection is refused politely
    srv = start_server_thread(
        ServeOptions(tokens_per_second=0, max_connections=2, stall_seconds=5, fail_first=2)
    )
    try:
        inst_msgs = messages(_first_instance())
        body = json.dumps({"model": "synthetic", "messages": inst_msgs, "stream": True}).encode()
        req = CHAT + b"Content-Length: %d\r\n\r\n%b" % (len(body), body)
        busy = [socket.create_connection(("127.0.0.1", srv.port)) for _ in range(2)]
        for s in busy:
            s.sendall(req)
            s.recv(100)  # the stream has begun (and stalls halfway)
        raw = _exchange(srv.port, b"", shut=False)  # answered before it sends anything
        assert _status(raw) == 503 and b"too many connections" in raw
        for s in busy:
            s.close()
    finally:
        srv.close()


def _first_instance():
    from tmtui.core.datasets import generate_preset

    return generate_preset("tmbench")[0]


def _post(port: int, obj: object | bytes) -> tuple[int, dict]:
    body = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    raw = _exchange(port, CHAT + b"Content-Length: %d\r\n\r\n%b" % (len(body), body))
    return _status(raw), json.loads(raw.partition(b"\r\n\r\n")[2] or b"{}")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"model":"synthetic","messages":' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested"),
        (
            b'{"model":"synthetic","messages":[{"role":"user","content":[{"type":"text",'
            b'"text":' + b"[" * 3000 + b"]" * 3000 + b"}]}]}",
            "nested",
        ),
        ({"model": "synthetic", "messages": [{"role": "user", "content": [5]}]}, "content[0]"),
        (
            {"model": "synthetic", "messages": [{"role": "user", "content": [{"type": "text"}]}]},
            "'text' must be a string",
        ),
        (
            {
                "model": "synthetic",
                "messages": [{"role": "user", "content": [{"type": "text", "text": ["x"]}]}],
            },
            "'text' must be a string",
        ),
        ({"model": "synthetic", "messages": [{"role": 5, "content": "x"}]}, "'role'"),
        ({"model": "synthetic", "messages": [{"role": "user", "content": {"a": 1}}]}, "content"),
    ],
)
def test_hostile_json_is_a_client_error_with_the_reason(server, body, words):
    status, obj = _post(server.port, body)
    assert status == 400, obj
    assert words in obj["error"]["message"]
    assert not any("internal error" in line for line in server.logs)


def test_request_bodies_held_at_once_are_bounded():
    """Before: each connection could hold a 256 MB body, as many as the connection cap (488
    under 1,024 descriptors); now the bodies held at once have one budget (512 MB by
    default), and a body past it is a 503 with Retry-After."""
    srv = start_server_thread(ServeOptions(tokens_per_second=0, max_bodies=1000))
    conns = srv._server._conns  # type: ignore[union-attr]
    head = CHAT + b"Content-Length: 800\r\n\r\n"
    try:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as first:
            first.sendall(head + b"{")  # 800 bytes taken; the body still arriving
            deadline = time.monotonic() + 5
            while conns.body_bytes != 800 and time.monotonic() < deadline:
                time.sleep(0.01)
            raw = _exchange(srv.port, head + b" " * 800)
            assert _status(raw) == 503 and b"too many large requests at once" in raw
            assert b"Retry-After: 1" in raw
            first.sendall(b" " * 799)  # the first body completes: answered, given back
            first.shutdown(socket.SHUT_WR)
            assert _status(first.recv(100)) == 400
        raw = _exchange(srv.port, head + b" " * 799 + b"{")
        assert _status(raw) == 400 and b"not valid JSON" in raw
        chunked = _exchange(srv.port, _chunked(b"3e9\r\n" + b" " * 1001 + b"\r\n0\r\n\r\n"))
        assert _status(chunked) == 503  # a chunked body is counted as it comes
        assert conns.body_bytes == 0
    finally:
        srv.close()


def test_content_parts_with_the_prompt_are_still_served(server):
    msgs = messages(_first_instance())
    parts = [
        msgs[0],
        {"role": "user", "content": [{"type": "text", "text": msgs[1]["content"]}]},
    ]
    status, obj = _post(server.port, {"model": "synthetic", "messages": parts})
    assert status == 200 and "step 0" in obj["choices"][0]["message"]["content"]


async def test_a_client_that_stops_reading_is_dropped(monkeypatch):
    monkeypatch.setattr(http1, "WRITE_TIMEOUT", 0.2)

    class Stuck:
        aborted = False

        class transport:  # the shape of a StreamWriter's transport
            @staticmethod
            def abort() -> None:
                Stuck.aborted = True

        async def drain(self) -> None:
            await asyncio.sleep(3600)

    t = time.monotonic()
    with pytest.raises(ConnectionError, match="stopped reading"):
        await http1.drain(Stuck())  # type: ignore[arg-type]
    assert Stuck.aborted and time.monotonic() - t < 5


def _low_nofile() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


def test_partial_headers_beyond_the_descriptor_limit_do_not_stop_health(tmp_path):
    """300 clients that never finish their header, against a server allowed 256
    descriptors: /health is still answered, and stderr stays a few lines."""
    err = open(tmp_path / "serve.err", "w")  # noqa: SIM115
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "TMTUI_"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tmtui", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=err,
        text=True,
        env=env,
        preexec_fn=_low_nofile,
    )
    socks: list[socket.socket] = []
    try:
        line = proc.stdout.readline()
        port = int(line.split("127.0.0.1:", 1)[1].split("/", 1)[0])
        for _ in range(300):
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
                socks.append(s)
            except OSError:
                pass
        t = time.monotonic()
        raw = _exchange(port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n", timeout=10)
        assert _status(raw) == 200 and time.monotonic() - t < 10
    finally:
        for s in socks:
            s.close()
        proc.kill()
        proc.wait(10)
        err.close()
    text = (tmp_path / "serve.err").read_text()
    assert "Traceback" not in text and len(text.splitlines()) <= 5, text[:2000]


# A server whose process has no descriptor left when a client connects: it holds every free
# descriptor for a few seconds (while asyncio retries the accept once a second), then lets
# them go; the client waiting in the listen backlog is answered then.
_NO_DESCRIPTORS = """
import asyncio, os, sys
from tmtui.model.serve import ServeOptions, start_server

async def main():
    opts = ServeOptions(tokens_per_second=0, log=lambda s: None,
                        warn=lambda s: print(s, file=sys.stderr, flush=True))
    srv = await start_server(opts)
    held = []
    try:
        while True:
            held.append(os.open(os.devnull, os.O_RDONLY))
    except OSError:
        pass
    print(srv.port, flush=True)
    await asyncio.sleep(3.5)
    for fd in held:
        os.close(fd)
    await asyncio.sleep(60)

asyncio.run(main())
"""


def test_running_out_of_descriptors_is_one_line_not_a_traceback_per_accept():
    """Before: asyncio logged a traceback on every retry of the accept (once a second, for as
    long as the descriptors were gone): ~91,000 lines under 300 slow clients."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _NO_DESCRIPTORS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64)),
    )
    try:
        port = int(proc.stdout.readline())
        t = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            try:
                head = sock.recv(100)
            except TimeoutError:
                head = b""
        waited = time.monotonic() - t
    finally:
        proc.kill()
        _, err = proc.communicate(timeout=10)
    assert "Traceback" not in err, err[:2000]
    assert _status(head) == 200 and 2 < waited < 20  # accepted once descriptors were back
    assert err.splitlines() == [
        "cannot accept connections: Too many open files (retrying every second)"
    ], err[:2000]
