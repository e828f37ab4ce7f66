"""DNS checks: DNSSEC validated from the configured trust anchor, CAA, name-server
redundancy and dangling CNAMEs. Every look-up goes through the configured resolver."""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

import dns.name

from mps.scanner import dns_facts, dnsclient
from mps.scanner.checks._spec import ref, spec
from mps.scanner.context import TargetContext, network_of
from mps.scanner.dns_facts import is_ip_literal
from mps.scanner.dnsclient import DnssecState
from mps.scanner.model import CheckSpec, Finding, Severity, Status

# RFC 2182 §5: at least two name servers, on different networks, for every zone.
MIN_NAME_SERVERS = 2
MIN_NAME_SERVER_NETWORKS = 2

CHECKS: tuple[CheckSpec, ...] = (
    spec(
        "dns.dnssec.missing", "dns", Severity.MEDIUM,
        en="The zone is not signed with DNSSEC", nb="Sonen er ikke signert med DNSSEC",
        fix_en="Sign the zone with DNSSEC and publish its DS record in the parent zone.",
        fix_nb="Signer sonen med DNSSEC og publiser DS-posten i foreldresonen.",
        refs=(ref("2.3", "PR.DS-02", "RFC 4033; RFC 4035"),),
    ),
    spec(
        "dns.dnssec.bogus", "dns", Severity.HIGH,
        en="DNSSEC signatures do not validate", nb="DNSSEC-signaturene validerer ikke",
        fix_en="Re-sign the zone, check signature expiry and that the DS in the parent "
        "matches a published DNSKEY; validating resolvers cannot reach the domain now.",
        fix_nb="Signer sonen på nytt, kontroller utløpstid for signaturer og at DS i "
        "foreldresonen samsvarer med en publisert DNSKEY; validerende navnetjenere når "
        "ikke domenet nå.",
        refs=(ref("2.3", "PR.DS-02", "RFC 4035 §5"),),
    ),
    spec(
        "dns.caa.missing", "dns", Severity.LOW,
        en="No CAA record limits which CAs may issue certificates",
        nb="Ingen CAA-post begrenser hvilke CA-er som kan utstede sertifikater",
        fix_en="Publish CAA records naming the certificate authorities you use.",
        fix_nb="Publiser CAA-poster som angir sertifikatutstederne dere bruker.",
        refs=(ref("2.3", "PR.PS-01", "RFC 8659"),),
    ),
    spec(
        "dns.ns.single_point", "dns", Severity.MEDIUM,
        en="Name servers are a single point of failure",
        nb="Navnetjenerne er et enkeltpunkt for feil",
        fix_en="Use at least two name servers on different networks (not one /24).",
        fix_nb="Bruk minst to navnetjenere i ulike nettverk (ikke samme /24).",
        refs=(ref("2.2", "PR.IR-03", "RFC 2182 §5"),),
    ),
    spec(
        "dns.cname.dangling", "dns", Severity.HIGH,
        en="CNAME points to a name that does not exist (takeover risk)",
        nb="CNAME peker til et navn som ikke finnes (fare for overtakelse)",
        fix_en="Remove the CNAME or recreate the resource it points to before someone "
        "else claims it.",
        fix_nb="Fjern CNAME-posten eller gjenopprett ressursen den peker til før noen "
        "andre tar den.",
        refs=(ref("1.2", "ID.AM-08", "RFC 1034 §3.6.2; NCSC guidance on subdomain takeover"),),
    ),
)  # fmt: skip


async def _dnssec(ctx: TargetContext) -> list[Finding]:
    zone = await dns_facts.zone(ctx)
    if zone.apex is None:
        detail = "the zone of the name could not be determined"
        return [
            ctx.finding(
                cid,
                Status.INCONCLUSIVE,
                evidence={"soa": zone.answer.to_evidence()},
                detail=detail,
            )  # fmt: skip
            for cid in ("dns.dnssec.missing", "dns.dnssec.bogus")
        ]
    # Validate the zone's SOA (always present) and the name's own addresses.
    soa, address = await asyncio.gather(
        dnsclient.query(ctx.config, zone.apex, "SOA", dnssec=True),
        dnsclient.query(ctx.config, ctx.name, "A", dnssec=True),
    )
    chain = await dnsclient.chain_of_trust(ctx.config, zone.apex)
    evidence: dict[str, Any] = {
        "zone": zone.apex,
        "chain": chain.steps,
        "answers": [soa.to_evidence(), address.to_evidence()],
    }
    states = {soa.dnssec, address.dnssec} if not address.inconclusive else {soa.dnssec}
    details = (chain.detail, soa.dnssec_detail, address.dnssec_detail)
    detail = "; ".join(dict.fromkeys(d for d in details if d))
    if DnssecState.BOGUS in states or chain.state == DnssecState.BOGUS:
        return [
            ctx.finding("dns.dnssec.missing", Status.PASS, evidence=evidence, detail="signed"),
            ctx.finding("dns.dnssec.bogus", Status.FAIL, evidence=evidence, detail=detail),
        ]
    if DnssecState.INSECURE in (chain.state, soa.dnssec):
        # An unsigned zone has no signatures to be bogus: only "missing" applies.
        return [ctx.finding("dns.dnssec.missing", Status.FAIL, evidence=evidence, detail=detail)]
    if chain.state == DnssecState.SECURE and states == {DnssecState.SECURE}:
        return [
            ctx.finding("dns.dnssec.missing", Status.PASS, evidence=evidence),
            ctx.finding("dns.dnssec.bogus", Status.PASS, evidence=evidence),
        ]
    detail = detail or "validation could not be completed"
    return [
        ctx.finding(cid, Status.INCONCLUSIVE, evidence=evidence, detail=detail)
        for cid in ("dns.dnssec.missing", "dns.dnssec.bogus")
    ]


async def _caa(ctx: TargetContext) -> Finding:
    """RFC 8659 §3: the relevant CAA set is found by climbing from the name to its parents."""
    name = dns.name.from_text(ctx.name)
    tried = []
    while len(name.labels) > 2:  # stop before the TLD (name.labels includes the root label)
        answer = await dnsclient.query(ctx.config, name.to_text(), "CAA")
        tried.append(answer.to_evidence())
        if answer.inconclusive:
            return ctx.finding(
                "dns.caa.missing", Status.INCONCLUSIVE, evidence={"answers": tried},
                detail=f"CAA look-up for {name} failed: {answer.rcode}",
            )  # fmt: skip
        if answer.exists:
            return ctx.finding("dns.caa.missing", Status.PASS, evidence={"answers": tried})
        name = name.parent()
    return ctx.finding(
        "dns.caa.missing", Status.FAIL, evidence={"answers": tried},
        detail="no CAA record at the name or any parent below the top-level domain",
    )  # fmt: skip


def _network(address: str) -> str | None:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return network_of(address)


async def _name_servers(ctx: TargetContext) -> Finding:
    servers = await dns_facts.name_servers(ctx)
    if servers is None or servers.inconclusive or not servers.answer.exists:
        answer = servers.answer.to_evidence() if servers else None
        return ctx.finding(
            "dns.ns.single_point", Status.INCONCLUSIVE, evidence={"ns": answer},
            detail="the zone's NS records could not be looked up",
        )  # fmt: skip
    networks = {
        net
        for host in servers.hosts
        for address in host.ipv4 + host.ipv6
        if (net := _network(address)) is not None
    }
    evidence = {
        "ns": servers.answer.to_evidence(),
        "hosts": [h.to_evidence() for h in servers.hosts],
        "networks": sorted(networks),
    }
    if len(servers.hosts) < MIN_NAME_SERVERS:
        return ctx.finding(
            "dns.ns.single_point", Status.FAIL, evidence=evidence,
            detail=f"{len(servers.hosts)} name server(s); RFC 2182 asks for at least two",
        )  # fmt: skip
    if not networks and any(h.inconclusive for h in servers.hosts):
        return ctx.finding(
            "dns.ns.single_point", Status.INCONCLUSIVE, evidence=evidence,
            detail="addresses of the name servers could not be looked up",
        )  # fmt: skip
    if len(networks) < MIN_NAME_SERVER_NETWORKS:
        return ctx.finding(
            "dns.ns.single_point", Status.FAIL, evidence=evidence,
            detail="all name servers are in one network (/24 or /64)",
        )  # fmt: skip
    return ctx.finding("dns.ns.single_point", Status.PASS, evidence=evidence)


async def _dangling(ctx: TargetContext) -> Finding:
    answer = (await dns_facts.host_addresses(ctx, ctx.name)).answers[0]  # the A look-up
    evidence = {"answer": answer.to_evidence()}
    if answer.inconclusive:
        return ctx.finding(
            "dns.cname.dangling", Status.INCONCLUSIVE, evidence=evidence,
            detail=f"look-up failed: {answer.rcode}",
        )  # fmt: skip
    if not answer.cnames:
        return ctx.finding("dns.cname.dangling", Status.PASS, evidence=evidence, detail="no CNAME")
    if answer.nxdomain:
        return ctx.finding(
            "dns.cname.dangling", Status.FAIL, evidence=evidence,
            detail=f"{answer.cnames[-1]} does not exist (NXDOMAIN)",
        )  # fmt: skip
    return ctx.finding("dns.cname.dangling", Status.PASS, evidence=evidence)


async def run(ctx: TargetContext) -> list[Finding]:
    """All DNS checks for one name; look-ups shared with the email and ipv6 families."""
    if is_ip_literal(ctx.name):
        return []  # an address has no zone, NS or CAA of its own
    dnssec, caa, ns, dangling = await asyncio.gather(
        _dnssec(ctx), _caa(ctx), _name_servers(ctx), _dangling(ctx)
    )
    return [*dnssec, caa, ns, dangling]
