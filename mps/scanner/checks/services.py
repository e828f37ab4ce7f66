"""Exposed services: a TCP connect to each risky port (plus the banner the service volunteers),
and software.version_disclosed from those banners and from the web server's headers.

Passive by design: we connect, wait briefly for a banner, and hang up. No payloads are sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

from mps.scanner.checks._spec import ref, spec
from mps.scanner.context import TargetContext
from mps.scanner.model import CheckSpec, Finding, Severity, Status
from mps.scanner.software import Software, mysql_version, product_versions

# A port that does not answer a SYN within this is "filtered", which is what a firewall does; a
# live service answers within one round trip, so 1.5 s is ample even across the world.
PORT_CONNECT_TIMEOUT = 1.5
# How long we wait for a volunteered banner (FTP/Telnet/MySQL/VNC send one at once).
BANNER_TIMEOUT = 1.0
# Protocols in which the server speaks first (RFC 959 §5.4, RFC 854, MySQL protocol v10,
# RFC 6143 §7.1.1); for the others a banner would need a request, which we do not send.
SERVER_SPEAKS_FIRST = frozenset({"ftp", "telnet", "mysql", "vnc"})
MAX_BANNER = 1024

_NET = "PR.IR-01"

# service -> (severity, English name, why it should not face the internet)
SERVICES: dict[str, tuple[Severity, str, str]] = {
    "ftp": (Severity.HIGH, "FTP", "RFC 959; RFC 2577 (cleartext credentials)"),
    "telnet": (Severity.CRITICAL, "Telnet", "RFC 854 (cleartext remote shell)"),
    "smb": (Severity.CRITICAL, "SMB", "CISA AA17-132A (WannaCry over SMB)"),
    "rdp": (Severity.HIGH, "Remote Desktop (RDP)", "CISA AA20-073A; NSM 2.6"),
    "vnc": (Severity.HIGH, "VNC", "RFC 6143 §7.2 (weak authentication)"),
    "mssql": (Severity.HIGH, "Microsoft SQL Server", "CIS Controls v8 4.4"),
    "mysql": (Severity.HIGH, "MySQL/MariaDB", "CIS Controls v8 4.4"),
    "postgresql": (Severity.HIGH, "PostgreSQL", "CIS Controls v8 4.4"),
    "mongodb": (Severity.CRITICAL, "MongoDB", "CIS Controls v8 4.4"),
    "redis": (Severity.CRITICAL, "Redis", "CIS Controls v8 4.4"),
    "elasticsearch": (Severity.CRITICAL, "Elasticsearch", "CIS Controls v8 4.4"),
    "memcached": (Severity.HIGH, "Memcached", "CISA alert TA18-060A (amplification)"),
}

CHECKS: tuple[CheckSpec, ...] = (
    *(
        spec(
            f"service.exposed.{svc}",
            "services",
            severity,
            en=f"{label} is reachable from the internet",
            nb=f"{label} er tilgjengelig fra internett",
            fix_en=f"Close the {label} port in the firewall; reach it over VPN or a bastion only.",
            fix_nb=f"Steng {label}-porten i brannmuren; gi tilgang bare via VPN eller bastionvert.",
            refs=(ref("2.4", _NET, standard),),
        )
        for svc, (severity, label, standard) in SERVICES.items()
    ),
    spec(
        "software.version_disclosed",
        "software",
        Severity.LOW,
        en="Banners or headers reveal product versions",
        nb="Bannere eller headere avslører produktversjoner",
        fix_en="Hide version numbers in banners and headers, and keep the software patched.",
        fix_nb="Skjul versjonsnumre i bannere og headere, og hold programvaren oppdatert.",
        refs=(ref("1.2", "ID.AM-02", "RFC 9110 §10.2.4; NSM 3.1"),),
    ),
)


@dataclass
class PortState:
    service: str
    port: int
    state: str  # open | closed | filtered | error
    banner: bytes = b""
    detail: str = ""

    def evidence(self) -> dict[str, Any]:
        ev: dict[str, Any] = {"service": self.service, "port": self.port, "state": self.state}
        if self.banner:
            ev["banner"] = (
                self.banner.decode("latin-1").encode("unicode_escape").decode("ascii")[:512]
            )
        if self.detail:
            ev["detail"] = self.detail
        return ev


async def probe_port(ctx: TargetContext, ip: str, service: str, port: int) -> PortState:
    """TCP connect and read whatever the service volunteers; never raises."""
    connect_timeout = min(ctx.config.probe_timeout, PORT_CONNECT_TIMEOUT)
    async with ctx.connection_slot(ip):
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(ip, port), connect_timeout
            )
        except ConnectionRefusedError:
            return PortState(service, port, "closed")
        except TimeoutError:
            return PortState(
                service, port, "filtered", detail=f"no answer within {connect_timeout:g} s"
            )
        except OSError as exc:
            return PortState(service, port, "error", detail=f"{type(exc).__name__}: {exc}")
        banner = b""
        try:
            if service in SERVER_SPEAKS_FIRST:
                banner = await asyncio.wait_for(
                    reader.read(MAX_BANNER), min(ctx.config.probe_timeout, BANNER_TIMEOUT)
                )
        except (TimeoutError, OSError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)
        return PortState(service, port, "open", banner=banner)


def banner_software(state: PortState) -> list[Software]:
    if not state.banner:
        return []
    if state.service == "mysql":
        found = mysql_version(state.banner)
        return [found] if found else []
    text = state.banner.decode("latin-1")
    return product_versions(
        "".join(ch if ch.isprintable() else " " for ch in text), f"{state.service} banner"
    )


async def run(ctx: TargetContext) -> list[Finding]:
    if not ctx.addresses:
        return []
    jobs = [(ip, svc, ctx.config.ports[svc]) for ip in ctx.addresses for svc in SERVICES]
    states = await asyncio.gather(*(probe_port(ctx, ip, svc, port) for ip, svc, port in jobs))
    out: list[Finding] = []
    disclosed: list[dict[str, Any]] = []
    for (ip, svc, port), state in zip(jobs, states, strict=True):
        check = f"service.exposed.{svc}"
        if state.state == "open":
            status, detail = Status.FAIL, f"{SERVICES[svc][1]} answers on port {port}"
        elif state.state in ("closed", "filtered"):
            status, detail = Status.PASS, ""
        else:
            status, detail = Status.INCONCLUSIVE, state.detail
        out.append(
            ctx.finding(
                check, status, address=ip, port=port, evidence=state.evidence(), detail=detail
            )
        )
        for item in banner_software(state):
            disclosed.append({**item.to_json(), "address": ip, "port": port})
    out.append(await _software(ctx, disclosed))
    return out


async def _software(ctx: TargetContext, disclosed: list[dict[str, Any]]) -> Finding:
    from mps.scanner.webfetch import observe  # shared with the http family through ctx.memo

    web = await observe(ctx)
    for scheme, got in (("https", web.https), ("http", web.http)):
        if got is None:
            continue
        for hop in got.hops:
            for name in (
                "server",
                "x-powered-by",
                "x-aspnet-version",
                "x-aspnetmvc-version",
                "x-generator",
            ):
                for value in hop.header(name):
                    for item in product_versions(value, f"{name} header"):
                        entry = {
                            **item.to_json(),
                            "address": web.address,
                            "port": ctx.config.ports[scheme],
                        }
                        if entry not in disclosed:
                            disclosed.append(entry)
    evidence = {"software": disclosed}
    if disclosed:
        detail = ", ".join(sorted({f"{d['product']} {d['version']}" for d in disclosed}))
        return ctx.finding(
            "software.version_disclosed", Status.FAIL, evidence=evidence, detail=detail
        )
    return ctx.finding("software.version_disclosed", Status.PASS, evidence=evidence)
