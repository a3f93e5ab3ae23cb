"""A hostile OpenAI-compatible endpoint for the client's tests: every request to
``/v1/chat/completions`` gets the raw bytes a scenario writes (a stream that ends without a
finish reason, random bytes, one endless line, keep-alives only...). Loopback only."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Awaitable, Callable

Scenario = Callable[[asyncio.StreamWriter], Awaitable[None]]

SSE_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"


def chunk(content: str | None = None, finish: str | None = None) -> bytes:
    """One SSE chunk event (content delta and/or finish reason)."""
    import json

    delta = {} if content is None else {"content": content}
    obj = {
        "id": "x",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


async def _drain_request(reader: asyncio.StreamReader) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)


@contextlib.asynccontextmanager
async def hostile(scenario: Scenario) -> AsyncIterator[str]:
    """Serve ``scenario`` on a loopback port; yields the base URL."""
    tasks: set[asyncio.Task] = set()

    async def conn(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await _drain_request(reader)
            await scenario(writer)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    server = await asyncio.start_server(conn, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.close()
        for t in list(tasks):
            t.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 5)


# -- scenarios -----------------------------------------------------------------------------


async def no_finish(w: asyncio.StreamWriter) -> None:
    """Content, then a clean close: no finish reason, no [DONE]."""
    w.write(SSE_HEAD + chunk("### step 0:\n") + chunk("   - Queue State: [A B]\n"))


async def finish_no_done(w: asyncio.StreamWriter) -> None:
    """A finish reason, then a clean close without [DONE] (some servers): complete."""
    w.write(SSE_HEAD + chunk("hello") + chunk(finish="stop"))


async def done_only(w: asyncio.StreamWriter) -> None:
    w.write(SSE_HEAD + chunk("hello") + b"data: [DONE]\n\n")


async def random_bytes(w: asyncio.StreamWriter) -> None:
    rng = random.Random(7)
    w.write(SSE_HEAD + bytes(rng.randrange(256) for _ in range(20_000)))


async def empty_stream(w: asyncio.StreamWriter) -> None:
    w.write(SSE_HEAD)


def endless_line(megabytes: int) -> Scenario:
    """``megabytes`` MB of one line without a newline, then a clean close."""

    async def run(w: asyncio.StreamWriter) -> None:
        w.write(SSE_HEAD + b"data: ")
        block = b"x" * (1 << 20)
        for _ in range(megabytes):
            w.write(block)
            await w.drain()

    return run


def keepalives(every: float) -> Scenario:
    """Only SSE comments, one every ``every`` seconds, forever."""

    async def run(w: asyncio.StreamWriter) -> None:
        w.write(SSE_HEAD + chunk("hi"))
        while True:
            w.write(b": keep-alive\n\n")
            await w.drain()
            await asyncio.sleep(every)

    return run


def trickle(every: float) -> Scenario:
    """Payload (one character of content) every ``every`` seconds, forever."""

    async def run(w: asyncio.StreamWriter) -> None:
        w.write(SSE_HEAD)
        while True:
            w.write(chunk("x"))
            await w.drain()
            await asyncio.sleep(every)

    return run


def long_answer(megabytes: int, *, reasoning: bool = False) -> Scenario:
    """``megabytes`` MB of well-formed content (or reasoning) chunks, then a finish reason
    and [DONE]: a server that does not stop at the token limit asked for."""

    async def run(w: asyncio.StreamWriter) -> None:
        import json

        text = "step 0: [D B E E A A]\n" * 3000  # 66 KB a chunk
        field = "reasoning_content" if reasoning else "content"
        obj = {"id": "x", "choices": [{"index": 0, "delta": {field: text}}]}
        event = b"data: " + json.dumps(obj).encode() + b"\n\n"
        w.write(SSE_HEAD)
        for _ in range(megabytes * (1 << 20) // len(text) + 1):
            w.write(event)
            await w.drain()
        w.write(chunk(finish="length") + b"data: [DONE]\n\n")

    return run


async def json_without_choices(w: asyncio.StreamWriter) -> None:
    body = b'{"id": "x", "object": "chat.completion"}'
    w.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        b"Content-Length: %d\r\n\r\n%b" % (len(body), body)
    )


@contextlib.contextmanager
def hostile_thread(scenario: Scenario):
    """:func:`hostile` in a thread of its own (for a ``tmtui`` subprocess); yields the
    base URL."""
    import threading

    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop: asyncio.Event | None = None
    url: list[str] = []

    async def main() -> None:
        nonlocal stop
        stop = asyncio.Event()
        async with hostile(scenario) as u:
            url.append(u)
            ready.set()
            await stop.wait()

    t = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    t.start()
    ready.wait(10)
    try:
        yield url[0]
    finally:
        assert stop is not None
        loop.call_soon_threadsafe(stop.set)
        t.join(10)
        loop.close()
