"""A debugger's stream from an OpenAI-compatible endpoint, as plain :mod:`tmtui.io.events`.

:class:`ClientFeed` goes through :class:`~tmtui.model.client.ModelClient`, optionally with the
embedded server (synthetic or replay model) started on an ephemeral loopback port first: the
default ``tmtui watch`` goes through the same client path as a real endpoint. The client and
the server are imported only when the feed opens.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tmtui.io.events import Failed, Finish, StreamEvent

if TYPE_CHECKING:
    from tmtui.model.client import ClientConfig
    from tmtui.model.serve import ServeOptions

__all__ = ["ClientFeed"]


class ClientFeed:
    """Streams one prompt through the client; starts the embedded server when asked."""

    def __init__(
        self,
        config: ClientConfig,
        messages: Sequence[Mapping[str, str]],
        *,
        serve: ServeOptions | None = None,  # start the embedded server first
    ) -> None:
        self.config = config
        self.messages = list(messages)
        self.serve = serve
        self._server: Any | None = None
        self._client: Any | None = None

    @property
    def model(self) -> str:
        return self.config.model

    async def open(self) -> None:
        if self.serve is not None and self._server is None:
            from tmtui.model.serve import start_server_thread

            # a thread of its own: the server's work never competes with the screen's loop
            self._server = await asyncio.to_thread(start_server_thread, self.serve)
            self.config.base_url = self._server.base_url
        if self._client is None:
            from tmtui.model.client import ModelClient

            self._client = ModelClient(self.config)

    async def events(self, cancel: asyncio.Event) -> AsyncIterator[StreamEvent]:
        """The client's own event stream (opened first; no extra layer per event)."""
        try:
            await self.open()
        except Exception as exc:  # the embedded server could not start
            return _failed(f"cannot start the embedded server: {exc}")
        assert self._client is not None
        return self._client.stream(self.messages, cancel=cancel)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.aclose()
        server, self._server = self._server, None
        if server is not None:
            await asyncio.to_thread(server.close)


async def _failed(msg: str) -> AsyncIterator[StreamEvent]:
    yield Failed(msg)
    yield Finish("error", error=msg)
