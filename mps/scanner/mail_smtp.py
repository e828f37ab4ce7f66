"""SMTP STARTTLS probe: what a sending mail server sees at an MX (RFC 5321, RFC 3207).

It reads the banner, sends EHLO, upgrades with STARTTLS when offered, verifies the
certificate against the MX host name, and says QUIT. No mail is ever sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; we allow some slack.
MAX_REPLY_LINE = 1024
# A multi-line reply longer than this is hostile (EHLO lists are typically < 20 lines).
MAX_REPLY_LINES = 64
# Identifies the scanner in EHLO; .invalid is reserved (RFC 2606) so it never resolves.
EHLO_NAME = "scanner.mps.invalid"


@dataclass
class SmtpProbe:
    """Everything observed at one MX address, kept as evidence."""

    host: str
    address: str
    port: int
    connected: bool = False
    banner: str = ""
    ehlo: list[str] = field(default_factory=list)
    starttls_offered: bool = False
    tls_established: bool = False
    tls_version: str = ""
    cert_valid: bool | None = None
    cert_error: str = ""
    certificate_pem: str = ""
    timed_out: bool = False
    error: str = ""

    @property
    def inconclusive(self) -> bool:
        """No SMTP conversation happened, so nothing can be said about STARTTLS."""
        return not self.ehlo

    def to_evidence(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", [], None)}


class _ProtocolError(Exception):
    """The server did not speak SMTP as expected."""


async def _reply(reader: asyncio.StreamReader) -> tuple[int, list[str]]:
    """Read one (possibly multi-line) SMTP reply: code and text lines (RFC 5321 §4.2.1)."""
    lines: list[str] = []
    for _ in range(MAX_REPLY_LINES):
        raw = await reader.readline()
        if not raw:
            raise _ProtocolError("connection closed")
        if len(raw) > MAX_REPLY_LINE:
            raise _ProtocolError("reply line too long")
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if len(line) < 3 or not line[:3].isdigit():
            raise _ProtocolError(f"not an SMTP reply: {line[:80]!r}")
        lines.append(line[4:] if len(line) > 3 else "")
        if len(line) == 3 or line[3] != "-":
            return int(line[:3]), lines
    raise _ProtocolError("reply has too many lines")


# Loading the system CA store costs ~0.1 s of CPU, so contexts are built once per CA file.
_CONTEXTS: dict[tuple[str, float], ssl.SSLContext] = {}


def _verifying_context(ca_file: Path | None) -> ssl.SSLContext:
    key = ("", 0.0) if ca_file is None else (str(ca_file), Path(ca_file).stat().st_mtime)
    context = _CONTEXTS.get(key)
    if context is None:
        context = ssl.create_default_context()
        if ca_file is not None:
            context.load_verify_locations(cafile=str(ca_file))
        _CONTEXTS[key] = context
    return context


@functools.cache
def _inspecting_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only to record the certificate as evidence
    return context


async def _conversation(
    probe: SmtpProbe, context: ssl.SSLContext, timeout: float
) -> ssl.SSLObject | None:
    """One connection: banner, EHLO, STARTTLS; returns the TLS object when upgraded."""
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(probe.address, probe.port), timeout
    )
    try:
        probe.connected = True
        code, lines = await asyncio.wait_for(_reply(reader), timeout)
        probe.banner = f"{code} {' '.join(lines)}"[:MAX_REPLY_LINE]
        if code != 220:
            raise _ProtocolError(f"banner code {code}")
        writer.write(f"EHLO {EHLO_NAME}\r\n".encode("ascii"))
        code, lines = await asyncio.wait_for(_reply(reader), timeout)
        if code != 250:
            raise _ProtocolError(f"EHLO refused with {code}")
        probe.ehlo = [line[:200] for line in lines]
        probe.starttls_offered = any(line.upper().split(" ")[0] == "STARTTLS" for line in lines[1:])
        if not probe.starttls_offered:
            return None
        writer.write(b"STARTTLS\r\n")
        code, lines = await asyncio.wait_for(_reply(reader), timeout)
        if code != 220:
            raise _ProtocolError(f"STARTTLS refused with {code}")
        await asyncio.wait_for(writer.start_tls(context, server_hostname=probe.host), timeout)
        tls = writer.get_extra_info("ssl_object")
        probe.tls_established = True
        _record_certificate(probe, tls)  # now: the TLS object is emptied once closed
        with contextlib.suppress(Exception):
            writer.write(b"QUIT\r\n")
            await asyncio.wait_for(writer.drain(), timeout)
        return tls
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(writer.wait_closed(), 1)


def _record_certificate(probe: SmtpProbe, tls: ssl.SSLObject | None) -> None:
    if tls is None:
        return
    der = tls.getpeercert(binary_form=True)
    if der:
        probe.certificate_pem = ssl.DER_cert_to_PEM_cert(der)
    probe.tls_version = tls.version() or ""


async def probe_smtp(
    host: str, address: str, port: int, *, timeout: float, ca_file: Path | None = None
) -> SmtpProbe:
    """Probe one MX address. Errors are recorded on the result, never raised."""
    probe = SmtpProbe(host=host.rstrip("."), address=address, port=port)
    try:
        context = _verifying_context(ca_file)
    except (OSError, ssl.SSLError) as exc:
        probe.error = f"CA file {ca_file}: {exc}"[:300]
        return probe
    try:
        tls = await _conversation(probe, context, timeout)
        if tls is not None:
            probe.cert_valid = True
        return probe
    except ssl.SSLCertVerificationError as exc:
        probe.cert_valid = False
        probe.cert_error = str(exc.verify_message or exc)[:300]
    except TimeoutError:
        probe.timed_out = True
        probe.error = "timed out"
        return probe
    except (OSError, _ProtocolError, ssl.SSLError, UnicodeError, ValueError) as exc:
        probe.error = f"{type(exc).__name__}: {exc}"[:300]
        return probe
    # The certificate did not verify: a second, non-verifying handshake records it.
    retry = SmtpProbe(host=probe.host, address=address, port=port)
    with contextlib.suppress(Exception):
        await _conversation(retry, _inspecting_context(), timeout)
    probe.certificate_pem, probe.tls_version = retry.certificate_pem, retry.tls_version
    return probe
