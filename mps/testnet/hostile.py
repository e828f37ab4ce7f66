"""Hostile servers: they accept connections and then misbehave, to prove the scanner never hangs.

- ``SlowDripServer``: sends a valid-looking HTTP response one byte per second.
- ``EndlessHeadersServer``: sends header lines forever.
- ``RedirectLoopServer``: every path redirects to another path that redirects back.
- ``StalledTlsServer``: reads the ClientHello and never answers (a TLS handshake that never completes).
"""

from __future__ import annotations

import asyncio
import contextlib

from mps.testnet.https import read_request
from mps.testnet.internet import TcpServer

# One byte per second, as the issue describes the slow server.
DRIP_INTERVAL = 1.0
# Endless headers: one line per this many seconds (fast enough to blow any header limit quickly,
# slow enough not to burn a shared CPU).
HEADER_INTERVAL = 0.001
# A stalled connection is held at most this long (then dropped so tests never leak sockets).
MAX_HOLD = 120.0


class SlowDripServer(TcpServer):
    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        response = (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n"
            + b"x" * 100000
        )
        loop = asyncio.get_running_loop()
        end = loop.time() + MAX_HOLD
        for i in range(len(response)):
            if loop.time() > end:
                return
            writer.write(response[i : i + 1])
            await writer.drain()
            await asyncio.sleep(DRIP_INTERVAL)


class EndlessHeadersServer(TcpServer):
    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\n")
        loop = asyncio.get_running_loop()
        end = loop.time() + MAX_HOLD
        n = 0
        while loop.time() < end:
            n += 1
            writer.write(f"X-Filler-{n}: {'a' * 64}\r\n".encode())
            await writer.drain()
            await asyncio.sleep(HEADER_INTERVAL)


class RedirectLoopServer(TcpServer):
    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _method, path, _headers = await read_request(reader)
        target = "/b" if path != "/b" else "/a"
        writer.write(
            f"HTTP/1.1 302 Found\r\nLocation: {target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()


class StalledTlsServer(TcpServer):
    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + MAX_HOLD
        while loop.time() < end:
            try:
                chunk = await asyncio.wait_for(reader.read(4096), end - loop.time())
            except TimeoutError:
                return
            if not chunk:
                return


class GarbageServer(TcpServer):
    """Answers whatever arrives with ``reply`` (settable between connections), then hangs up."""

    def __init__(self, ip: str, port: int, reply: bytes = b"") -> None:
        super().__init__(ip, port)
        self.reply = reply

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader.read(4096), 2.0)
        writer.write(self.reply)
        await writer.drain()
