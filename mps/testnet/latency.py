"""A TCP proxy that adds round-trip time, to simulate a distant server without root.

Data in each direction is delivered ``rtt / 2`` after it arrived, and the server's first bytes
wait one extra RTT for the TCP handshake the kernel completed instantly on loopback. This is an
approximation of ``tc netem`` (which needs root): refused ports and DNS stay at loopback speed.
"""

from __future__ import annotations

import asyncio
import contextlib

from mps.testnet.internet import TcpServer

CHUNK = 65536


class DelayProxy(TcpServer):
    """Listens on (ip, port) and relays to (target_ip, target_port) with ``rtt`` seconds of delay."""

    def __init__(self, ip: str, port: int, target_ip: str, target_port: int, rtt: float) -> None:
        super().__init__(ip, port)
        self.target = (target_ip, target_port)
        self.rtt = rtt

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            return
        loop = asyncio.get_running_loop()
        # Real TCP: the client's connect() returns after one RTT, so its first bytes reach the
        # server 1.5 RTT after the SYN, and a banner the server sends at accept arrives after 1 RTT.
        start = loop.time()

        async def pump(
            src: asyncio.StreamReader, dst: asyncio.StreamWriter, first_at: float
        ) -> None:
            queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

            async def deliver() -> None:
                while True:
                    when, chunk = await queue.get()
                    delay = when - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    if not chunk:
                        with contextlib.suppress(OSError):
                            dst.write_eof()
                        return
                    dst.write(chunk)
                    await dst.drain()

            sender = asyncio.create_task(deliver())
            try:
                while True:
                    chunk = await src.read(CHUNK)
                    await queue.put((max(loop.time() + self.rtt / 2, first_at), chunk))
                    if not chunk:
                        break
                await sender
            finally:
                sender.cancel()

        try:
            await asyncio.gather(
                pump(reader, up_writer, start + 1.5 * self.rtt),
                pump(up_reader, writer, start + self.rtt),
            )
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            up_writer.close()
