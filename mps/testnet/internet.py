"""Runs the local test internet's servers on their own event loop in a background thread.

Tests (and ``mps demo``) call the scanner from the main thread while these servers answer on
127.10.0.0/16; each server is an object with ``async start()`` and ``async stop()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

# Engineer A's address block for test servers (scanner contract); B uses 127.20.0.0/16.
NETWORK_PREFIX = "127.10"
# How long a server may take to start or stop before the harness gives up.
START_TIMEOUT = 10.0


class Server(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


def address(host_number: int) -> str:
    """The n-th test address in 127.10.0.0/16 (1-based, skipping .0 and .255 in each /24)."""
    if not 1 <= host_number <= 254 * 256:
        raise ValueError(f"host_number {host_number} outside 1..{254 * 256}")
    third, fourth = divmod(host_number - 1, 254)
    return f"{NETWORK_PREFIX}.{third}.{fourth + 1}"


class LocalInternet:
    """A background event loop that owns every server until ``close()``."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="local-internet", daemon=True
        )
        self._thread.start()
        self.servers: list[Server] = []

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = START_TIMEOUT) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def add(self, server: Server) -> Server:
        self.call(server.start())
        self.servers.append(server)
        return server

    def add_many(self, servers: list[Server]) -> None:
        async def start_all() -> None:
            await asyncio.gather(*(s.start() for s in servers))

        self.call(start_all(), timeout=START_TIMEOUT + len(servers) * 0.05)
        self.servers.extend(servers)

    def close(self) -> None:
        async def stop_all() -> None:
            await asyncio.gather(*(s.stop() for s in self.servers), return_exceptions=True)

        try:
            self.call(stop_all())
        finally:
            self.servers.clear()
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(5)
            if not self.loop.is_running():
                self.loop.close()

    def __enter__(self) -> LocalInternet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TcpServer:
    """Base for servers: an asyncio server on (ip, port) whose connections are tracked and closed."""

    def __init__(self, ip: str, port: int) -> None:
        self.ip = ip
        self.port = port
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, self.ip, self.port, **self.server_options()
        )

    def server_options(self) -> dict[str, Any]:
        return {"reuse_address": True}

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self.handle(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError, OSError):
            pass
        except asyncio.CancelledError:
            # stop() ends open connections on purpose; re-raising would make asyncio's stream
            # callback log "Exception in callback" with a traceback for each one.
            pass
        finally:
            writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
