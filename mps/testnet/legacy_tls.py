"""A legacy TLS responder: answers a ClientHello with a ServerHello for old protocols and ciphers.

Modern OpenSSL cannot serve SSL 3.0, RC4 or EXPORT suites, so this server speaks just enough of
the record layer (via ``mps.scanner.tlswire``) to negotiate and send ServerHello, Certificate and
ServerHelloDone, then waits for the client to give up. It never completes a handshake.
"""

from __future__ import annotations

import asyncio
import contextlib

from mps.scanner import tlswire
from mps.testnet.internet import TcpServer

# How long we wait for a ClientHello, and how long we hold the connection afterwards.
HELLO_TIMEOUT = 10.0
LINGER = 5.0


class LegacyTlsServer(TcpServer):
    """Negotiates from ``versions`` and ``ciphers`` (server preference order) like an old server."""

    def __init__(
        self,
        ip: str,
        port: int,
        *,
        versions: tuple[int, ...],
        ciphers: tuple[int, ...],
        chain_der: list[bytes] | None = None,
    ) -> None:
        super().__init__(ip, port)
        self.versions = tuple(sorted(versions))
        self.ciphers = ciphers
        self.chain_der = chain_der or []
        self.hellos: list[tlswire.ClientHello] = []

    def negotiate(self, hello: tlswire.ClientHello) -> tuple[int, int] | int:
        """(version, cipher), or the alert description to send."""
        # Old servers do not know supported_versions (RFC 8446 §4.2.1) and ignore it, as here.
        usable = [v for v in self.versions if v <= hello.version]
        if not usable:
            return 70  # protocol_version
        chosen = [c for c in self.ciphers if c in hello.cipher_suites]
        if not chosen:
            return 40  # handshake_failure
        return usable[-1], chosen[0]

    async def _read_client_hello(self, reader: asyncio.StreamReader) -> tlswire.ClientHello:
        buf = tlswire.RecordBuffer()
        while True:
            chunk = await asyncio.wait_for(reader.read(4096), HELLO_TIMEOUT)
            if not chunk:
                raise ConnectionError("client closed before ClientHello")
            buf.feed(chunk)
            for content_type, _v, payload in buf.records():
                if content_type != tlswire.HANDSHAKE:
                    raise ConnectionError("expected a handshake record")
                for msg_type, body in buf.handshake_messages(payload):
                    if msg_type != tlswire.CLIENT_HELLO:
                        raise ConnectionError("expected ClientHello")
                    return tlswire.parse_client_hello(body)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            hello = await self._read_client_hello(reader)
        except tlswire.TlsParseError:
            writer.write(tlswire.alert(50))  # decode_error
            return
        self.hellos.append(hello)
        result = self.negotiate(hello)
        if isinstance(result, int):
            writer.write(tlswire.alert(result, min(hello.version, tlswire.TLS12)))
            await writer.drain()
            return
        version, cipher = result
        flight = tlswire.build_server_hello(version=version, cipher=cipher)
        if self.chain_der:
            flight += tlswire.build_certificate(self.chain_der)
        flight += tlswire.handshake(tlswire.SERVER_HELLO_DONE, b"")
        writer.write(tlswire.record(tlswire.HANDSHAKE, version, flight))
        await writer.drain()
        # Wait for the client to hang up (it cannot complete the key exchange with us).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader.read(4096), LINGER)
