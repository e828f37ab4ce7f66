"""Authoritative DNS server for the local test internet, which also plays the resolver.

Scans send every question to one resolver address, so this server answers for all test
zones itself and behaves like a recursive resolver towards the scanner: it follows CNAMEs
across zones, answers DS questions from the parent zone, and returns the RRSIG/NSEC records
when the DO bit is set (RFC 4035 §3.1) without validating them. That keeps the test
internet to one process and no root, at the cost of not exercising real delegation.

Modes: ``normal``, ``silent`` (never answers: a hostile or dead resolver), ``servfail``,
and ``scripted`` (a function writes each reply: fuzzing and hand-made hostile answers).
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

from mps.testnet.ca import TestCA
from mps.testnet.smtp import SmtpTestServer
from mps.testnet.zones import (
    MX_BADCERT,
    MX_GOOD,
    MX_PLAIN,
    RESOLVER_ADDRESS,
    SERVFAIL_RESOLVER_ADDRESS,
    SILENT_RESOLVER_ADDRESS,
    BuiltZones,
    build_zones,
)

# RFC 1035 §4.2.1: plain UDP replies are limited to 512 bytes without EDNS.
CLASSIC_UDP_LIMIT = 512
# Longest CNAME chain this "resolver" follows before giving up with SERVFAIL.
MAX_CNAME_CHAIN = 8
MODES = ("normal", "silent", "servfail", "scripted")
# A scripted server hands each query's wire bytes to a function and sends what it returns.
Responder = Callable[[bytes], bytes | None]


class DnsTestServer:
    """UDP + TCP DNS server on one loopback address, run in a background thread."""

    __test__ = False

    def __init__(
        self,
        zones: BuiltZones | None,
        host: str,
        port: int = 0,
        *,
        mode: str = "normal",
        responder: Responder | None = None,
        delay: float = 0.0,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode: {mode!r} is not one of {MODES}")
        if mode == "normal" and zones is None:
            raise ValueError("zones: a normal server needs zones to serve")
        if (mode == "scripted") != (responder is not None):
            raise ValueError("responder: needed by, and only by, mode='scripted'")
        self.responder = responder
        self.delay = delay  # seconds added before every reply: a simulated round trip
        self.zones = zones
        self.host = host
        self.port = port
        self.mode = mode
        self.queries = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._transport: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.base_events.Server | None = None

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    def __enter__(self) -> DnsTestServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name=f"dns-{self.host}")
        self._thread.daemon = True
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._bind(), loop).result(timeout=10)

    def stop(self) -> None:
        if self._loop is None:
            return
        loop = self._loop

        async def _close() -> None:
            if self._transport is not None:
                self._transport.close()
            if self._tcp is not None:
                self._tcp.close()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._tcp.wait_closed(), 2)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(_close(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=5)
        if loop.is_running():  # the thread did not stop in time (interpreter shutdown)
            self._loop = None
            return
        loop.close()
        self._loop = None

    async def _bind(self) -> None:
        loop = asyncio.get_running_loop()
        last_error: OSError | None = None
        for _ in range(10):  # port 0: UDP picks a port, TCP must get the same one
            try:
                transport, _ = await loop.create_datagram_endpoint(
                    lambda: _Udp(self), local_addr=(self.host, self.port)
                )
            except OSError as exc:
                last_error = exc
                continue
            port = transport.get_extra_info("sockname")[1]
            try:
                self._tcp = await asyncio.start_server(self._serve_tcp, self.host, port)
            except OSError as exc:
                transport.close()
                last_error = exc
                if self.port:
                    break
                continue
            self._transport = transport
            self.port = port
            return
        raise OSError(f"DNS test server: cannot bind {self.host}:{self.port}: {last_error}")

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                header = await asyncio.wait_for(reader.readexactly(2), 10)
                wire = await asyncio.wait_for(
                    reader.readexactly(struct.unpack("!H", header)[0]), 10
                )
                reply = self.handle(wire, udp=False)
                if reply is None:
                    continue
                if self.delay > 0:
                    await asyncio.sleep(self.delay)
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    def handle(self, wire: bytes, *, udp: bool) -> bytes | None:
        """Turn a query in wire format into a reply in wire format (None: stay silent)."""
        self.queries += 1
        if self.mode == "silent":
            return None
        if self.responder is not None:
            try:
                return self.responder(wire)
            except Exception:  # a broken script must not kill the server thread
                return None
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return _formerr(wire)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.RA
        if self.mode == "servfail" or not query.question or self.zones is None:
            response.set_rcode(dns.rcode.SERVFAIL if query.question else dns.rcode.FORMERR)
            return response.to_wire()
        question = query.question[0]
        want_dnssec = bool(query.ednsflags & dns.flags.DO)
        _answer(self.zones, response, question.name, question.rdtype, want_dnssec)
        limit = CLASSIC_UDP_LIMIT if query.edns < 0 else max(query.payload, CLASSIC_UDP_LIMIT)
        try:
            return response.to_wire(max_size=limit if udp else 65535)
        except dns.exception.TooBig:
            truncated = dns.message.make_response(query)
            truncated.flags |= dns.flags.TC | dns.flags.RA
            return truncated.to_wire()


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: DnsTestServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        reply = self.server.handle(data, udp=True)
        if reply is None or self.transport is None:
            return
        if self.server.delay > 0:
            asyncio.get_running_loop().call_later(
                self.server.delay, self.transport.sendto, reply, addr
            )
        else:
            self.transport.sendto(reply, addr)


def _formerr(wire: bytes) -> bytes | None:
    """A bare FORMERR header echoing the query id (RFC 1035 §4.1.1), if there is an id."""
    if len(wire) < 2:
        return None
    # id, flags QR|RCODE=FORMERR, zero counts
    return wire[:2] + struct.pack("!HHHHH", 0x8001, 0, 0, 0, 0)


def _zone_for(
    zones: BuiltZones, name: dns.name.Name, rdtype: dns.rdatatype.RdataType
) -> dns.zone.Zone | None:
    """Deepest zone holding ``name``; DS at a zone apex comes from the parent (RFC 4035 §3.1.4.1)."""
    best: dns.zone.Zone | None = None
    for origin, zone in zones.zones.items():
        if not name.is_subdomain(origin):
            continue
        if rdtype == dns.rdatatype.DS and name == origin and origin != dns.name.root:
            continue
        if best is None or len(origin) > len(best.origin):  # type: ignore[arg-type]
            best = zone
    return best


def _rrsets(
    zone: dns.zone.Zone, name: dns.name.Name, rdtype: dns.rdatatype.RdataType, dnssec: bool
) -> Iterator[dns.rrset.RRset]:
    """The RRset of ``rdtype`` at ``name`` and, with DNSSEC, its covering RRSIGs."""
    node = zone.get_node(name)
    if node is None:
        return
    rdataset = node.get_rdataset(dns.rdataclass.IN, rdtype)
    if rdataset is None:
        return
    rrset = dns.rrset.RRset(name, dns.rdataclass.IN, rdtype)
    rrset.update(rdataset)
    yield rrset
    if dnssec:
        sigs = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, rdtype)
        if sigs is not None:
            sigset = dns.rrset.RRset(name, dns.rdataclass.IN, dns.rdatatype.RRSIG, rdtype)
            sigset.update(sigs)
            yield sigset


def _negative(
    zone: dns.zone.Zone, response: dns.message.Message, name: dns.name.Name, dnssec: bool
) -> None:
    """Authority section of a negative answer: SOA, and with DNSSEC the NSEC that matches
    or covers ``name`` (RFC 4035 §3.1.3), with their signatures."""
    origin = zone.origin
    assert origin is not None
    response.authority.extend(_rrsets(zone, origin, dns.rdatatype.SOA, dnssec))
    if not dnssec:
        return
    owner = origin
    for candidate in sorted(zone.nodes):
        absolute = candidate.derelativize(origin)
        if absolute <= name:
            owner = absolute
    response.authority.extend(_rrsets(zone, owner, dns.rdatatype.NSEC, dnssec))


def _answer(
    zones: BuiltZones,
    response: dns.message.Message,
    qname: dns.name.Name,
    rdtype: dns.rdatatype.RdataType,
    dnssec: bool,
) -> None:
    """Fill ``response`` the way a resolver would after asking the authoritative servers."""
    name = qname
    for _ in range(MAX_CNAME_CHAIN):
        zone = _zone_for(zones, name, rdtype)
        if zone is None:
            response.set_rcode(dns.rcode.NXDOMAIN if name != qname else dns.rcode.REFUSED)
            return
        if zone.origin in zones.servfail:
            response.set_rcode(dns.rcode.SERVFAIL)
            return
        found = list(_rrsets(zone, name, rdtype, dnssec))
        if found:
            response.answer.extend(found)
            return
        cname = list(_rrsets(zone, name, dns.rdatatype.CNAME, dnssec))
        if cname and rdtype != dns.rdatatype.CNAME:
            response.answer.extend(cname)
            name = cname[0][0].target
            continue
        if zone.get_node(name) is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        _negative(zone, response, name, dnssec)
        return
    response.set_rcode(dns.rcode.SERVFAIL)  # CNAME chain too long or looping


@dataclass
class DnsMailWorld:
    """The DNS and mail half of the local test internet, running (see ``start_dns_mail_world``)."""

    zones: BuiltZones
    anchor_path: Path
    resolver: DnsTestServer
    silent: DnsTestServer
    servfail: DnsTestServer
    smtp: list[SmtpTestServer] = field(default_factory=list)

    @property
    def smtp_port(self) -> int:
        return self.smtp[0].port

    def scan_settings(self) -> dict[str, Any]:
        """Keyword arguments for ``ScanConfig``: resolver, trust anchor and SMTP port."""
        return {
            "resolver": self.resolver.address,
            "trust_anchor_file": self.anchor_path,
            "ports": {"smtp": self.smtp_port},
        }

    def stop(self) -> None:
        for smtp in reversed(self.smtp):
            smtp.stop()
        for dns_server in (self.servfail, self.silent, self.resolver):
            dns_server.stop()


def start_dns_mail_world(
    directory: Path, ca: TestCA, *, smtp_on_ipv6_loopback: bool = False, dns_delay: float = 0.0
) -> DnsMailWorld:
    """Build and sign the zones, write the trust anchor into ``directory`` and start the
    resolver, the hostile resolvers and the SMTP servers (certificates from ``ca``)."""
    built = build_zones()
    anchor = built.write_anchor(Path(directory) / "trust-anchor.txt")
    good = ca.issue(["mail.good.test"], key="ec256")
    selfsigned = ca.issue(["mail.mail-badcert.test"], key="ec256", self_signed=True)
    started: list[DnsTestServer | SmtpTestServer] = []
    try:
        servers = [
            DnsTestServer(built, RESOLVER_ADDRESS, delay=dns_delay),
            DnsTestServer(None, SILENT_RESOLVER_ADDRESS, mode="silent"),
            DnsTestServer(None, SERVFAIL_RESOLVER_ADDRESS, mode="servfail"),
        ]
        for dns_server in servers:
            dns_server.start()
            started.append(dns_server)
        first = SmtpTestServer(
            MX_GOOD, hostname="mail.good.test", chain_path=good.chain_path,
            key_path=good.key_path,
        )  # fmt: skip
        first.start()
        started.append(first)
        smtp = [
            first,
            SmtpTestServer(MX_PLAIN, first.port, hostname="mail.mail-plain.test"),
            SmtpTestServer(
                MX_BADCERT,
                first.port,
                hostname="mail.mail-badcert.test",
                chain_path=selfsigned.chain_path,
                key_path=selfsigned.key_path,
            ),  # fmt: skip
        ]
        if smtp_on_ipv6_loopback:
            smtp.append(
                SmtpTestServer(
                    "::1",
                    first.port,
                    hostname="mail.good.test",
                    chain_path=good.chain_path,
                    key_path=good.key_path,
                )  # fmt: skip
            )
        for server in smtp[1:]:
            server.start()
            started.append(server)
    except BaseException:
        for item in reversed(started):
            item.stop()
        raise
    return DnsMailWorld(built, anchor, servers[0], servers[1], servers[2], smtp)
