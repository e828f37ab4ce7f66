"""IPv6 checks: is the web host reachable over IPv6, and do the mail and name servers
have IPv6 addresses (the public sector's IPv6 goal, Digdir/regjeringen IPv6 guidance)."""

from __future__ import annotations

import asyncio
import contextlib

from mps.scanner import dns_facts
from mps.scanner.checks._spec import ref, spec
from mps.scanner.context import TargetContext
from mps.scanner.model import CheckSpec, Finding, Severity, Status

# internet.nl's name-server test asks for at least two IPv6-reachable name servers.
MIN_IPV6_NAME_SERVERS = 2

CHECKS: tuple[CheckSpec, ...] = (
    spec(
        "ipv6.web.missing", "ipv6", Severity.LOW,
        en="Web server not reachable over IPv6", nb="Webtjeneren kan ikke nås over IPv6",
        fix_en="Publish an AAAA record for the web host and make sure it answers on IPv6.",
        fix_nb="Publiser en AAAA-post for webtjeneren og sørg for at den svarer over IPv6.",
        refs=(ref("2.2", "PR.IR-03", "RFC 8200; RFC 3596"),),
    ),
    spec(
        "ipv6.mail.missing", "ipv6", Severity.LOW,
        en="Mail server has no IPv6 address", nb="E-posttjeneren har ingen IPv6-adresse",
        fix_en="Give every MX host an AAAA record and accept mail over IPv6.",
        fix_nb="Gi alle MX-tjenere en AAAA-post og ta imot e-post over IPv6.",
        refs=(ref("2.2", "PR.IR-03", "RFC 8200; RFC 3596; RFC 5321 §5"),),
    ),
    spec(
        "ipv6.ns.missing", "ipv6", Severity.LOW,
        en="Name servers lack IPv6 addresses", nb="Navnetjenerne mangler IPv6-adresser",
        fix_en="Give at least two of the zone's name servers AAAA records.",
        fix_nb="Gi minst to av sonens navnetjenere AAAA-poster.",
        refs=(ref("2.2", "PR.IR-03", "RFC 8200; RFC 3596; RFC 3901"),),
    ),
)  # fmt: skip


async def _connect(ctx: TargetContext, address: str, port: int) -> tuple[str, str]:
    """TCP connect: ("open", ""), ("closed", reason) or ("timeout", reason)."""
    try:
        async with ctx.connection_slot(address):
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(address, port), ctx.config.probe_timeout
            )
    except TimeoutError:
        return "timeout", f"[{address}]:{port} timed out"
    except OSError as exc:
        return "closed", f"[{address}]:{port}: {exc.strerror or exc}"
    writer.close()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(writer.wait_closed(), 1)
    return "open", ""


async def _web(ctx: TargetContext) -> list[Finding]:
    a, aaaa = (await dns_facts.host_addresses(ctx, ctx.name)).answers
    evidence: dict[str, object] = {"a": a.to_evidence(), "aaaa": aaaa.to_evidence()}
    if aaaa.inconclusive:
        detail = f"AAAA look-up failed: {aaaa.rcode}"
        return [
            ctx.finding("ipv6.web.missing", Status.INCONCLUSIVE, evidence=evidence, detail=detail)
        ]
    if not aaaa.exists:
        if not a.exists:
            return []  # neither A nor AAAA: not a web host
        return [
            ctx.finding("ipv6.web.missing", Status.FAIL, evidence=evidence, detail="no AAAA record")
        ]
    ports = [ctx.config.ports["https"], ctx.config.ports["http"]]
    findings = []
    for address in aaaa.records:
        refusal = ctx.config.refusal_reason(address)
        if refusal is not None:
            findings.append(
                ctx.finding(
                    "ipv6.web.missing",
                    Status.INCONCLUSIVE,
                    address=address,
                    evidence=evidence,
                    detail=refusal,
                )  # fmt: skip
            )
            continue
        attempts: list[dict[str, object]] = []
        open_port: int | None = None
        for port in ports:
            state, reason = await _connect(ctx, address, port)
            attempts.append({"port": port, "state": state, "detail": reason})
            if state == "open":
                open_port = port
                break
        probed = {**evidence, "connects": attempts}
        if open_port is not None:
            findings.append(
                ctx.finding(
                    "ipv6.web.missing",
                    Status.PASS,
                    address=address,
                    port=open_port,
                    evidence=probed,
                )  # fmt: skip
            )
        elif any(a["state"] == "timeout" for a in attempts):
            findings.append(
                ctx.finding(
                    "ipv6.web.missing",
                    Status.INCONCLUSIVE,
                    address=address,
                    evidence=probed,
                    detail="connection attempts timed out",
                )  # fmt: skip
            )
        else:
            findings.append(
                ctx.finding(
                    "ipv6.web.missing",
                    Status.FAIL,
                    address=address,
                    evidence=probed,
                    detail="AAAA published but no web port answers on it",
                )  # fmt: skip
            )
    return findings


async def _mail(ctx: TargetContext) -> list[Finding]:
    servers = await dns_facts.mail_servers(ctx)
    if servers.inconclusive:
        return [
            ctx.finding(
                "ipv6.mail.missing",
                Status.INCONCLUSIVE,
                evidence={"mx": servers.answer.to_evidence()},
                detail="MX look-up failed",
            )  # fmt: skip
        ]
    findings = []
    for host in servers.hosts:
        evidence = {"mx": servers.answer.to_evidence(), "host": host.to_evidence()}
        if host.ipv6:
            findings.append(ctx.finding("ipv6.mail.missing", Status.PASS, evidence=evidence))
        elif host.inconclusive:
            findings.append(
                ctx.finding(
                    "ipv6.mail.missing",
                    Status.INCONCLUSIVE,
                    evidence=evidence,
                    detail=f"address look-up for {host.name} failed",
                )  # fmt: skip
            )
        else:
            findings.append(
                ctx.finding(
                    "ipv6.mail.missing",
                    Status.FAIL,
                    evidence=evidence,
                    detail=f"MX host {host.name} has no AAAA record",
                )  # fmt: skip
            )
    return findings


async def _name_servers(ctx: TargetContext) -> list[Finding]:
    servers = await dns_facts.name_servers(ctx)
    if servers is None or servers.inconclusive or not servers.hosts:
        return [
            ctx.finding(
                "ipv6.ns.missing",
                Status.INCONCLUSIVE,
                evidence={"ns": servers.answer.to_evidence() if servers else None},
                detail="the zone's name servers could not be looked up",
            )  # fmt: skip
        ]
    with_v6 = [h.name for h in servers.hosts if h.ipv6]
    needed = min(MIN_IPV6_NAME_SERVERS, len(servers.hosts))
    evidence = {
        "ns": servers.answer.to_evidence(),
        "hosts": [h.to_evidence() for h in servers.hosts],
    }
    if len(with_v6) >= needed:
        return [ctx.finding("ipv6.ns.missing", Status.PASS, evidence=evidence)]
    if any(h.inconclusive for h in servers.hosts):
        return [
            ctx.finding(
                "ipv6.ns.missing",
                Status.INCONCLUSIVE,
                evidence=evidence,
                detail="address look-ups for some name servers failed",
            )  # fmt: skip
        ]
    detail = f"{len(with_v6)} of {len(servers.hosts)} name servers have AAAA; {needed} needed"
    return [ctx.finding("ipv6.ns.missing", Status.FAIL, evidence=evidence, detail=detail)]


async def run(ctx: TargetContext) -> list[Finding]:
    """IPv6 checks; mail applies to names with MX, name servers to every name's zone."""
    if dns_facts.is_ip_literal(ctx.name):
        return []
    web, mail, ns = await asyncio.gather(_web(ctx), _mail(ctx), _name_servers(ctx))
    return [*web, *mail, *ns]
