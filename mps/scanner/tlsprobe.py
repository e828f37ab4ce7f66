"""Network side of the TLS checks: send a hand-built hello and read the answer, or fetch the
certificate chain with the ssl module. Every failure becomes a typed outcome, never an exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass, field
from typing import Any

from mps.scanner import tlswire
from mps.scanner.tlswire import TlsParseError

# Bytes read per chunk, and the most we read from one server in one probe (a long chain plus slack).
READ_CHUNK = 16384
MAX_BYTES_PER_PROBE = 2**19


@dataclass
class HelloOutcome:
    """What came back for one ClientHello."""

    kind: str  # server_hello | alert | closed | refused | timeout | error
    server_hello: tlswire.ServerHello | None = None
    alert: int | None = None
    certificates: list[bytes] = field(default_factory=list)
    detail: str = ""

    @property
    def accepted(self) -> bool:
        return self.kind == "server_hello"

    @property
    def conclusive(self) -> bool:
        """Timeouts, refused connections and garbage cannot tell accept from reject."""
        return self.kind in ("server_hello", "alert", "closed")

    def evidence(self) -> dict[str, Any]:
        ev: dict[str, Any] = {"outcome": self.kind}
        if self.server_hello is not None:
            ev["version"] = tlswire.version_name(self.server_hello.version)
            ev["cipher"] = tlswire.cipher_name(self.server_hello.cipher)
            if self.server_hello.hello_retry:
                ev["hello_retry_request"] = True
        if self.alert is not None:
            ev["alert"] = tlswire.alert_name(self.alert)
        if self.detail:
            ev["detail"] = self.detail
        return ev


async def _read_hello(reader: asyncio.StreamReader, want_certificate: bool) -> HelloOutcome:
    buf = tlswire.RecordBuffer()
    total = 0
    hello: tlswire.ServerHello | None = None
    while True:
        chunk = await reader.read(READ_CHUNK)
        if not chunk:
            if hello is not None:
                return HelloOutcome("server_hello", server_hello=hello)
            return HelloOutcome("closed", detail="connection closed before a ServerHello")
        total += len(chunk)
        if total > MAX_BYTES_PER_PROBE:
            return HelloOutcome("error", server_hello=hello, detail="server sent too much data")
        buf.feed(chunk)
        for content_type, _version, payload in buf.records():
            if content_type == tlswire.ALERT:
                level, description = tlswire.parse_alert(payload)
                if hello is not None:
                    return HelloOutcome("server_hello", server_hello=hello)
                return HelloOutcome("alert", alert=description, detail=f"level {level}")
            if content_type != tlswire.HANDSHAKE:
                # ChangeCipherSpec / encrypted records: nothing more in the clear (TLS 1.3).
                if hello is not None:
                    return HelloOutcome("server_hello", server_hello=hello)
                return HelloOutcome(
                    "error", detail=f"record type {content_type} before ServerHello"
                )
            for msg_type, body in buf.handshake_messages(payload):
                if msg_type == tlswire.SERVER_HELLO:
                    hello = tlswire.parse_server_hello(body)
                    if not want_certificate or hello.version >= tlswire.TLS13:
                        return HelloOutcome("server_hello", server_hello=hello)
                elif msg_type == tlswire.CERTIFICATE and hello is not None:
                    chain = tlswire.parse_certificate(body)
                    return HelloOutcome("server_hello", server_hello=hello, certificates=chain)
                elif msg_type == tlswire.SERVER_HELLO_DONE and hello is not None:
                    return HelloOutcome("server_hello", server_hello=hello)
                elif hello is None:
                    return HelloOutcome(
                        "error", detail=f"handshake type {msg_type} before ServerHello"
                    )


async def send_hello(
    ip: str, port: int, hello: bytes, *, timeout: float, want_certificate: bool = False
) -> HelloOutcome:
    """Connect, send ``hello`` and classify the server's first flight."""

    async def run() -> HelloOutcome:
        try:
            reader, writer = await asyncio.open_connection(ip, port)
        except ConnectionRefusedError:
            return HelloOutcome("refused", detail="connection refused")
        try:
            writer.write(hello)
            await writer.drain()
            return await _read_hello(reader, want_certificate)
        except TlsParseError as exc:
            return HelloOutcome("error", detail=f"malformed TLS from server: {exc}")
        except (ConnectionResetError, BrokenPipeError):
            return HelloOutcome("closed", detail="connection reset")
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    try:
        return await asyncio.wait_for(run(), timeout)
    except TimeoutError:
        return HelloOutcome("timeout", detail=f"no answer within {timeout:g} s")
    except OSError as exc:
        return HelloOutcome("error", detail=f"{type(exc).__name__}: {exc}")


@dataclass
class ChainOutcome:
    """The certificate chain as the server sent it, or why we could not get it."""

    kind: str  # ok | refused | timeout | error
    chain_der: list[bytes] = field(default_factory=list)
    version: str | None = None
    cipher: str | None = None
    detail: str = ""


def client_context() -> ssl.SSLContext:
    """A client context that accepts anything, so we can *observe* what the server presents."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # noqa: S323 - we verify the chain ourselves, with evidence
    with contextlib.suppress(ssl.SSLError):
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    with contextlib.suppress(ValueError, ssl.SSLError):
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    return ctx


_CLIENT_CONTEXT: ssl.SSLContext | None = None


def _shared_context() -> ssl.SSLContext:
    global _CLIENT_CONTEXT
    if _CLIENT_CONTEXT is None:
        _CLIENT_CONTEXT = client_context()
    return _CLIENT_CONTEXT


async def fetch_chain(ip: str, port: int, server_name: str, *, timeout: float) -> ChainOutcome:
    """Handshake with OpenSSL and return the unverified chain (leaf first) as sent."""

    async def run() -> ChainOutcome:
        try:
            _reader, writer = await asyncio.open_connection(
                ip,
                port,
                ssl=_shared_context(),
                server_hostname=server_name,
                ssl_handshake_timeout=timeout,
            )
        except ConnectionRefusedError:
            return ChainOutcome("refused", detail="connection refused")
        try:
            sslobj = writer.get_extra_info("ssl_object")
            chain: list[bytes] = []
            raw = getattr(getattr(sslobj, "_sslobj", None), "get_unverified_chain", None)
            if raw is not None:  # Python 3.10-3.12 private API; public from 3.13
                chain = [c.public_bytes(ssl._ssl.ENCODING_DER) for c in raw() or []]  # type: ignore[attr-defined]
            if not chain and sslobj is not None:
                leaf = sslobj.getpeercert(binary_form=True)
                chain = [leaf] if leaf else []
            cipher = sslobj.cipher() if sslobj is not None else None
            return ChainOutcome(
                "ok",
                chain_der=chain,
                version=sslobj.version() if sslobj is not None else None,
                cipher=cipher[0] if cipher else None,
            )
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    try:
        return await asyncio.wait_for(run(), timeout)
    except TimeoutError:
        return ChainOutcome("timeout", detail=f"no TLS handshake within {timeout:g} s")
    except (ssl.SSLError, OSError, EOFError) as exc:
        return ChainOutcome("error", detail=f"{type(exc).__name__}: {exc}")
