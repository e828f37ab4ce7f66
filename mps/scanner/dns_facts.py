"""DNS facts about a target shared by the dns, email and ipv6 families, looked up once.

Each function memoises on the TargetContext, so the zone, name servers and MX hosts are
asked for once per target however many checks need them.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, field
from typing import Any

import dns.exception
import dns.name

from mps.scanner import dnsclient
from mps.scanner.context import TargetContext

# Politeness and bounded work: hosts beyond these counts are not examined.
MAX_NS_HOSTS = 8
MAX_MX_HOSTS = 5  # RFC 5321 leaves the count open; five covers any sane mail set-up


@dataclass
class HostAddresses:
    """A named server (NS or MX) and its addresses as answered."""

    name: str
    ipv4: list[str] = field(default_factory=list)
    ipv6: list[str] = field(default_factory=list)
    answers: list[dnsclient.DnsAnswer] = field(default_factory=list)

    @property
    def inconclusive(self) -> bool:
        return any(a.inconclusive for a in self.answers)

    def to_evidence(self) -> dict[str, Any]:
        return {"name": self.name, "ipv4": self.ipv4, "ipv6": self.ipv6}


@dataclass
class Zone:
    """The zone that holds the target: its apex and whether the target is that apex."""

    apex: str | None
    answer: dnsclient.DnsAnswer

    @property
    def target_is_apex(self) -> bool:
        return self.apex is not None


@dataclass
class ServerSet:
    """NS or MX hosts with addresses, plus the answer that named them."""

    answer: dnsclient.DnsAnswer
    hosts: list[HostAddresses] = field(default_factory=list)
    null_mx: bool = False  # RFC 7505: "MX 0 ." says the domain accepts no mail

    @property
    def inconclusive(self) -> bool:
        return self.answer.inconclusive


def is_ip_literal(name: str) -> bool:
    """True for a target given as an address: the DNS-based families do not apply."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _name(text: str) -> str:
    return dns.name.from_text(text).to_text(omit_final_dot=True).lower()


async def host_addresses(ctx: TargetContext, host: str) -> HostAddresses:
    """A and AAAA of ``host`` through the configured resolver."""

    async def lookup() -> HostAddresses:
        a, aaaa = await asyncio.gather(
            dnsclient.query(ctx.config, host, "A"), dnsclient.query(ctx.config, host, "AAAA")
        )
        return HostAddresses(host, list(a.records), list(aaaa.records), [a, aaaa])

    return await ctx.memo(f"dns:host:{host}", lookup)


async def zone(ctx: TargetContext) -> Zone:
    """Apex of the target's zone (None when the look-up failed)."""

    async def lookup() -> Zone:
        apex, answer = await dnsclient.zone_of(ctx.config, ctx.name)
        return Zone(_name(apex) if apex else None, answer)

    return await ctx.memo("dns:zone", lookup)


async def is_zone_apex(ctx: TargetContext) -> bool | None:
    found = await zone(ctx)
    if found.apex is None:
        return None
    return found.apex == _name(ctx.name)


async def name_servers(ctx: TargetContext) -> ServerSet | None:
    """NS hosts of the target's zone with their addresses; None if the zone is unknown."""
    found = await zone(ctx)
    if found.apex is None:
        return None
    apex = found.apex

    async def lookup() -> ServerSet:
        answer = await dnsclient.query(ctx.config, apex, "NS")
        names = sorted({_name(r) for r in answer.records})[:MAX_NS_HOSTS]
        hosts = await asyncio.gather(*(host_addresses(ctx, n) for n in names))
        return ServerSet(answer, list(hosts))

    return await ctx.memo("dns:ns", lookup)


async def mail_servers(ctx: TargetContext) -> ServerSet:
    """MX hosts of the target in preference order (RFC 5321 §5.1), with addresses."""

    async def lookup() -> ServerSet:
        answer = await dnsclient.query(ctx.config, ctx.name, "MX")
        entries: list[tuple[int, str]] = []
        null_mx = False
        for record in answer.records:
            preference, _, exchange = record.partition(" ")
            if exchange.strip() == ".":
                null_mx = True
                continue
            try:
                entries.append((int(preference), _name(exchange.strip())))
            except (ValueError, dns.exception.DNSException):
                continue
        names = list(dict.fromkeys(n for _, n in sorted(entries)))[:MAX_MX_HOSTS]
        hosts = await asyncio.gather(*(host_addresses(ctx, n) for n in names))
        return ServerSet(answer, list(hosts), null_mx=null_mx and not names)

    return await ctx.memo("dns:mx", lookup)
