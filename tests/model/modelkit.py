"""Helpers for the model tests: a real tmtui server on a loopback port, the real openai SDK."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from tmtui.core.datasets import Instance
from tmtui.io.events import StreamEvent
from tmtui.model.client import ClientConfig, ModelClient
from tmtui.model.recorder import Recorder
from tmtui.model.serve import RunningServer, ServeOptions, start_server

FAKE_KEY = "sk-tmtui-FAKE-KEY-7f3a9c1e5b"


@contextlib.asynccontextmanager
async def serving(**options) -> AsyncIterator[RunningServer]:
    options.setdefault("tokens_per_second", 0)
    server = await start_server(ServeOptions(**options))
    try:
        yield server
    finally:
        await server.close()


def config(server: RunningServer, **kw) -> ClientConfig:
    kw.setdefault("model", "synthetic")
    kw.setdefault("api_key", FAKE_KEY)
    kw.setdefault("backoff_base", 0.01)
    return ClientConfig(base_url=server.base_url, **kw)


async def collect(
    client: ModelClient,
    inst: Instance,
    messages: list[dict[str, str]],
    *,
    cancel=None,
    on_event: Callable[[StreamEvent], None] | None = None,
) -> tuple[Recorder, list[StreamEvent]]:
    rec = Recorder(instance=inst, model=client.config.model, params=client.config.params())
    events: list[StreamEvent] = []
    async with contextlib.aclosing(client.stream(messages, cancel=cancel)) as stream:
        async for ev in stream:
            rec.feed(ev)
            events.append(ev)
            if on_event is not None:
                on_event(ev)
    return rec, events


def read_all(paths: list[Path]) -> bytes:
    out = b""
    for p in paths:
        if p.is_file():
            out += p.read_bytes()
    return out
