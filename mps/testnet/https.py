"""HTTP and HTTPS test servers with configurable header sets, security.txt and TLS settings.

A deliberately tiny HTTP/1.1 responder (one request per connection): enough for the scanner's
browser-like GETs, and fully under our control so that every header set is exact.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from dataclasses import dataclass, field
from typing import Any

from mps.testnet.ca import IssuedCert
from mps.testnet.internet import TcpServer

# Request heads larger than this are refused (typical servers allow 8-16 kB).
MAX_REQUEST_HEAD = 16384
REQUEST_TIMEOUT = 10.0


def security_txt(
    *, expires: dt.datetime | None, contact: str | None = "mailto:security@example.test"
) -> str:
    """An RFC 9116 security.txt body; omit fields by passing None."""
    lines = []
    if contact:
        lines.append(f"Contact: {contact}")
    if expires:
        lines.append(f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    lines.append("Preferred-Languages: nb, en")
    return "\n".join(lines) + "\n"


@dataclass
class HeaderProfile:
    """Response headers, security.txt and redirect behaviour of one test site."""

    name: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    security_txt: str | None = None
    security_txt_over_http_only: bool = False
    https_redirect: bool = True
    redirect_loop: bool = False


def _in(days: int) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=days)


def excellent() -> HeaderProfile:
    return HeaderProfile(
        "excellent",
        headers=[
            ("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"),
            (
                "Content-Security-Policy",
                "default-src 'self'; script-src 'self' 'nonce-r4nd0m'; object-src 'none'; "
                "base-uri 'self'; frame-ancestors 'none'",
            ),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "strict-origin-when-cross-origin"),
            ("Set-Cookie", "session=abc; Path=/; Secure; HttpOnly; SameSite=Lax"),
            ("Server", "nginx"),
        ],
        security_txt=security_txt(expires=_in(180)),
    )


def absent() -> HeaderProfile:
    return HeaderProfile(
        "absent",
        headers=[
            ("Server", "Apache/2.4.41 (Ubuntu)"),
            ("X-Powered-By", "PHP/7.4.3"),
            ("Set-Cookie", "PHPSESSID=abc; path=/"),
        ],
        security_txt=None,
        https_redirect=False,
    )


def weak() -> HeaderProfile:
    return HeaderProfile(
        "weak",
        headers=[
            ("Strict-Transport-Security", "max-age=86400"),
            ("Content-Security-Policy", "default-src * 'unsafe-inline' 'unsafe-eval'"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("Set-Cookie", "sid=1; Secure; HttpOnly"),
            ("Server", "nginx/1.18.0"),
        ],
        security_txt=security_txt(expires=_in(-10)),
    )


PROFILES = {"excellent": excellent, "absent": absent, "weak": weak}


@dataclass
class TlsSettings:
    """Server-side OpenSSL settings for TLS variants (protocol range, TLS <= 1.2 cipher string)."""

    minimum: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2
    maximum: ssl.TLSVersion = ssl.TLSVersion.MAXIMUM_SUPPORTED
    ciphers: str | None = None


def server_context(cert: IssuedCert, tls: TlsSettings | None = None) -> ssl.SSLContext:
    tls = tls or TlsSettings()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # Security level 0 so the deliberately weak certificates (RSA 1024, SHA-1) still load.
    ctx.set_ciphers((tls.ciphers or "DEFAULT") + ":@SECLEVEL=0")
    ctx.minimum_version = tls.minimum
    ctx.maximum_version = tls.maximum
    ctx.load_cert_chain(cert.chain_path, cert.key_path)
    return ctx


def _response(status: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    head = [f"HTTP/1.1 {status}"]
    head += [f"{k}: {v}" for k, v in headers]
    head += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    return "\r\n".join(head).encode("latin-1") + body


async def read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str]]:
    """(method, path, headers) of one request head; raises on oversize or timeout."""
    raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REQUEST_TIMEOUT)
    if len(raw) > MAX_REQUEST_HEAD:
        raise ConnectionError("request head too large")
    lines = raw.decode("latin-1").split("\r\n")
    method, path, *_ = (lines[0].split(" ") + ["", ""])[:3]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return method, path, headers


class WebServer(TcpServer):
    """One site on one address and port, plain HTTP or HTTPS."""

    def __init__(
        self,
        ip: str,
        port: int,
        profile: HeaderProfile,
        *,
        cert: IssuedCert | None = None,
        tls: TlsSettings | None = None,
        https_port: int = 443,
    ) -> None:
        super().__init__(ip, port)
        self.profile = profile
        self.cert = cert
        self.tls = tls
        self.https_port = https_port
        self.requests: list[tuple[str, str]] = []

    def server_options(self) -> dict[str, Any]:
        opts = super().server_options()
        if self.cert is not None:
            opts["ssl"] = server_context(self.cert, self.tls)
            opts["ssl_handshake_timeout"] = REQUEST_TIMEOUT
        return opts

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        method, path, headers = await read_request(reader)
        self.requests.append((method, path))
        host = headers.get("host", self.ip).split(":")[0]
        secure = self.cert is not None
        writer.write(self.respond(path, host, secure))
        await writer.drain()

    def respond(self, path: str, host: str, secure: bool) -> bytes:
        p = self.profile
        if p.redirect_loop:
            target = "/loop-b" if path != "/loop-b" else "/loop-a"
            return _response("302 Found", [("Location", target)], b"")
        if path == "/.well-known/security.txt":
            if p.security_txt is not None and (secure != p.security_txt_over_http_only):
                return _response(
                    "200 OK",
                    [("Content-Type", "text/plain; charset=utf-8")],
                    p.security_txt.encode(),
                )
            return _response("404 Not Found", [("Content-Type", "text/plain")], b"not found\n")
        if not secure and p.https_redirect:
            port = "" if self.https_port == 443 else f":{self.https_port}"
            return _response(
                "301 Moved Permanently", [("Location", f"https://{host}{port}{path}")], b""
            )
        body = b"<!doctype html><title>mps test site</title><p>hello</p>\n"
        return _response("200 OK", [("Content-Type", "text/html; charset=utf-8"), *p.headers], body)
