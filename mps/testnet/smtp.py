"""Minimal SMTP server for the local test internet, with or without STARTTLS, and two
hostile variants (a server that never greets, one whose greeting never ends).

It speaks just enough of RFC 5321 (banner, EHLO/HELO, STARTTLS per RFC 3207, NOOP, RSET,
QUIT) for the scanner's STARTTLS checks; it accepts no mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from pathlib import Path

# A client idle this long is dropped, so a hostile client cannot hold the server.
IDLE_TIMEOUT = 10.0
# RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including CRLF.
MAX_LINE = 512
# normal; silent (accepts, never speaks); endless (a banner continued forever).
MODES = ("normal", "silent", "endless")


class SmtpTestServer:
    """SMTP on one loopback address and port, run in a background thread."""

    __test__ = False

    def __init__(
        self,
        host: str,
        port: int = 0,
        *,
        hostname: str = "mail.test",
        chain_path: Path | None = None,
        key_path: Path | None = None,
        mode: str = "normal",
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode: {mode!r} is not one of {MODES}")
        self.mode = mode
        self.host = host
        self.port = port
        self.hostname = hostname
        self.tls: ssl.SSLContext | None = None
        if chain_path is not None:
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.load_cert_chain(chain_path, key_path)
        self.sessions = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    def __enter__(self) -> SmtpTestServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name=f"smtp-{self.host}")
        self._thread.daemon = True
        self._thread.start()

        async def _bind() -> None:
            self._server = await asyncio.start_server(self._session, self.host, self.port)
            self.port = self._server.sockets[0].getsockname()[1]

        asyncio.run_coroutine_threadsafe(_bind(), loop).result(timeout=10)

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return

        async def _close() -> None:
            if self._server is not None:
                self._server.close()
                # Open sessions end on their own idle timeout; do not wait for them here.

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(_close(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=5)
        if loop.is_running():  # the thread did not stop in time (interpreter shutdown)
            self._loop = None
            return
        with contextlib.suppress(Exception):
            loop.close()
        self._loop = None

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.sessions += 1
        secure = False

        async def send(line: str) -> None:
            writer.write(line.encode("ascii") + b"\r\n")
            await writer.drain()

        try:
            if self.mode == "silent":
                await asyncio.wait_for(reader.read(), IDLE_TIMEOUT)
                return
            if self.mode == "endless":
                for _ in range(100_000):  # bounded so a forgotten client cannot spin forever
                    await send(f"220-{self.hostname} still greeting")
                    await asyncio.sleep(0.001)
                return
            await send(f"220 {self.hostname} ESMTP mps-test")
            while True:
                raw = await asyncio.wait_for(reader.readline(), IDLE_TIMEOUT)
                if not raw:
                    return
                if len(raw) > MAX_LINE:
                    await send("500 5.5.2 Line too long")
                    continue
                verb = raw.decode("ascii", errors="replace").strip().split(" ", 1)[0].upper()
                if verb == "EHLO":
                    lines = [self.hostname, "PIPELINING", "8BITMIME"]
                    if self.tls is not None and not secure:
                        lines.append("STARTTLS")
                    for line in lines[:-1]:
                        await send(f"250-{line}")
                    await send(f"250 {lines[-1]}")
                elif verb == "HELO":
                    await send(f"250 {self.hostname}")
                elif verb == "STARTTLS" and self.tls is not None and not secure:
                    await send("220 2.0.0 Ready to start TLS")
                    await asyncio.wait_for(writer.start_tls(self.tls), IDLE_TIMEOUT)
                    secure = True
                elif verb in ("NOOP", "RSET"):
                    await send("250 2.0.0 OK")
                elif verb == "QUIT":
                    await send("221 2.0.0 Bye")
                    return
                else:
                    await send("502 5.5.1 Command not implemented")
        except (TimeoutError, ConnectionError, ssl.SSLError, OSError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()
