"""Browser-like HTTP(S) GETs to one address of a name, with bounded redirects, size and time.

httpx does the HTTP; we pin the connection to the scanned IP (Host header and SNI carry the name)
so the address policy and per-IP politeness hold, and we follow redirects ourselves, only on the
same host, so a redirect can never lead the scanner to a host the policy did not approve.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from mps.scanner.context import TargetContext
from mps.scanner.tlsprobe import client_context

# Browsers stop after 20 redirects (Fetch §4.4 step 6); a site needs far fewer, so we stop at 10.
MAX_REDIRECTS = 10
# Bodies we read at most: enough for security.txt and a front page's first bytes.
MAX_BODY = 65536
# A whole request/response may take this many probe timeouts (connect, TLS, headers, body).
HOP_BUDGET = 2
USER_AGENT = "mps-scanner/1 (+https://github.com/; outside-in measurement)"

_SSL: ssl.SSLContext | None = None


def _ssl_context() -> ssl.SSLContext:
    global _SSL
    if _SSL is None:
        _SSL = client_context()
    return _SSL


@dataclass
class Hop:
    url: str
    status: int
    headers: list[tuple[str, str]]

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "headers": [f"{k}: {v}" for k, v in self.headers],
        }


@dataclass
class Fetch:
    """The redirect chain of one GET; ``error`` set when it could not finish."""

    start_url: str
    hops: list[Hop] = field(default_factory=list)
    body: bytes = b""
    error: str | None = None
    refused: bool = False
    left_host: str | None = None  # the URL of a redirect to another host, not followed

    @property
    def final(self) -> Hop | None:
        return self.hops[-1] if self.hops else None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.hops)

    def evidence(self) -> dict[str, Any]:
        ev: dict[str, Any] = {"url": self.start_url, "chain": [h.to_json() for h in self.hops]}
        if self.error:
            ev["error"] = self.error
        if self.left_host:
            ev["redirects_off_host"] = self.left_host
        return ev


def _refused(exc: BaseException) -> bool:
    """True when the connection was actively refused (somewhere in the exception chain)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        if (
            isinstance(current, ConnectionRefusedError)
            or getattr(current, "errno", None) == errno.ECONNREFUSED
        ):
            return True
        if isinstance(current, OSError) and "refused" in str(current).lower():
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False


def _url_host(ip: str) -> str:
    return f"[{ip}]" if ipaddress.ip_address(ip).version == 6 else ip


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def logical_url(name: str, scheme: str, port: int, path: str = "/") -> str:
    port_part = "" if port == _default_port(scheme) else f":{port}"
    return f"{scheme}://{name}{port_part}{path}"


async def _one(
    client: httpx.AsyncClient, ctx: TargetContext, ip: str, url: str
) -> tuple[Hop, bytes]:
    parts = urlsplit(url)
    scheme = parts.scheme
    port = parts.port or _default_port(scheme)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    wire = f"{scheme}://{_url_host(ip)}:{port}{path}"
    host_header = parts.netloc
    extensions = {"sni_hostname": ctx.name} if scheme == "https" else {}
    body = bytearray()
    async with (
        client.stream(
            "GET",
            wire,
            headers={"Host": host_header, "User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
            extensions=extensions,
        ) as resp,
    ):
        async for chunk in resp.aiter_raw():  # identity encoding: no decompression bombs
            body += chunk
            if len(body) >= MAX_BODY:
                break
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.headers.raw]
        return Hop(url, resp.status_code, headers), bytes(body[:MAX_BODY])


def _port_for(ctx: TargetContext, scheme: str, explicit: int | None) -> int | None:
    """Map a redirect target's port to the configured one (default ports follow configuration)."""
    configured = ctx.config.ports["https" if scheme == "https" else "http"]
    if explicit is None or explicit == configured:
        return configured
    return None  # another port on the same host: not followed


async def fetch(ctx: TargetContext, ip: str, scheme: str, path: str = "/") -> Fetch:
    """GET ``scheme://name/path`` on ``ip``, following same-host redirects; never raises."""
    port = ctx.config.ports["https" if scheme == "https" else "http"]
    url = logical_url(ctx.name, scheme, port, path)
    result = Fetch(url)
    timeout = ctx.config.probe_timeout
    client = httpx.AsyncClient(
        verify=_ssl_context(),
        trust_env=False,
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
    )

    async def walk() -> None:
        current = url
        seen: set[str] = set()
        for _ in range(MAX_REDIRECTS + 1):
            async with ctx.connection_slot(ip):
                # Each hop gets a total budget: a server that drips one byte per second never
                # trips httpx's per-read timeout, so the whole exchange is cut off here.
                hop, body = await asyncio.wait_for(
                    _one(client, ctx, ip, current), timeout * HOP_BUDGET
                )
            result.hops.append(hop)
            result.body = body
            location = hop.header("location")
            if not (300 <= hop.status < 400 and location):
                return
            target = urljoin(current, location[0].strip())
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https"):
                result.error = f"redirect to unsupported scheme {parts.scheme!r}"
                return
            if (parts.hostname or "").rstrip(".").lower() != ctx.name or _port_for(
                ctx, parts.scheme, parts.port
            ) is None:
                result.left_host = target
                return
            # Rewrite to the configured port so the logical URL stays consistent.
            target = logical_url(
                ctx.name,
                parts.scheme,
                _port_for(ctx, parts.scheme, parts.port) or 0,
                parts.path or "/",
            )
            if target in seen:
                result.error = f"redirect loop at {target}"
                return
            seen.add(current)
            current = target
        result.error = f"more than {MAX_REDIRECTS} redirects"

    try:
        await walk()
    except TimeoutError:
        result.error = f"no complete response within {timeout * HOP_BUDGET:g} s"
    except httpx.ConnectError as exc:
        result.error = f"connect failed: {exc}"
        result.refused = _refused(exc)
    except (httpx.HTTPError, ssl.SSLError, OSError, ValueError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.aclose(), 1.0)
    return result


@dataclass
class WebObservation:
    """The front page over HTTP and HTTPS for one address; shared by the http and software checks."""

    address: str | None
    http: Fetch | None
    https: Fetch | None


async def observe(ctx: TargetContext) -> WebObservation:
    """Memoised per target: the first address that answers either scheme."""

    async def run() -> WebObservation:
        last = WebObservation(None, None, None)
        for ip in ctx.addresses:
            https, http = await asyncio.gather(fetch(ctx, ip, "https"), fetch(ctx, ip, "http"))
            last = WebObservation(ip, http, https)
            if not (https.refused and http.refused) and (https.hops or http.hops):
                return last
        return last

    return await ctx.memo("web:front", run)
