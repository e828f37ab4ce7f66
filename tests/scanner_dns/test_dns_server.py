"""The test DNS server itself: it must behave like a resolver and survive bad queries."""

from __future__ import annotations

import asyncio
import socket
import struct

import dns.message
import dns.query
import dns.rcode
import pytest

from mps.scanner import dnsclient
from mps.testnet.dns_server import DnsTestServer
from mps.testnet.zones import build_zones

from .conftest import DnsNet


def test_oversized_answer_is_truncated_over_udp_and_complete_over_tcp(dnsnet: DnsNet) -> None:
    host, port = dnsnet.config.resolver  # type: ignore[misc]
    query = dns.message.make_query("big.good.test", "TXT", use_edns=0, payload=1232)
    udp = dns.query.udp(query, host, port=port, timeout=2)
    assert udp.flags & dns.flags.TC
    tcp = dns.query.tcp(query, host, port=port, timeout=2)
    assert len(tcp.answer[0][0].strings) == 6


def test_client_falls_back_to_tcp_when_truncated(dnsnet: DnsNet) -> None:
    answer = asyncio.run(dnsclient.query(dnsnet.config, "big.good.test", "TXT", dnssec=True))
    assert answer.strings == ("x" * 1500,)
    assert answer.dnssec == dnsclient.DnssecState.SECURE


def test_ds_question_is_answered_from_the_parent_zone(dnsnet: DnsNet) -> None:
    host, port = dnsnet.config.resolver  # type: ignore[misc]
    reply = dns.query.udp(dns.message.make_query("good.test", "DS"), host, port=port, timeout=2)
    assert reply.answer and reply.answer[0].rdtype == dns.rdatatype.DS


def test_garbage_query_gets_formerr_and_server_keeps_answering(dnsnet: DnsNet) -> None:
    host, port = dnsnet.config.resolver  # type: ignore[misc]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        sock.sendto(b"\x12\x34garbage", (host, port))
        reply, _ = sock.recvfrom(512)
    assert reply[:2] == b"\x12\x34"
    assert struct.unpack("!H", reply[2:4])[0] & 0xF == dns.rcode.FORMERR
    again = dns.query.udp(dns.message.make_query("good.test", "A"), host, port=port, timeout=2)
    assert again.rcode() == dns.rcode.NOERROR


def test_names_outside_the_test_zones_are_refused(dnsnet: DnsNet) -> None:
    host, port = dnsnet.config.resolver  # type: ignore[misc]
    reply = dns.query.udp(dns.message.make_query("example.com", "A"), host, port=port, timeout=2)
    assert reply.rcode() == dns.rcode.REFUSED


def test_tcp_client_that_sends_half_a_message_does_not_block_others(dnsnet: DnsNet) -> None:
    host, port = dnsnet.config.resolver  # type: ignore[misc]
    with socket.create_connection((host, port), timeout=2) as stuck:
        stuck.sendall(b"\x00\x40\x01")  # announces 64 bytes, sends one
        reply = dns.query.tcp(dns.message.make_query("good.test", "A"), host, port=port, timeout=2)
    assert reply.rcode() == dns.rcode.NOERROR


def test_server_rejects_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="mode"):
        DnsTestServer(None, "127.20.0.57", mode="chaos")


def test_server_stops_and_frees_its_port() -> None:
    server = DnsTestServer(build_zones(), "127.20.0.58")
    server.start()
    port = server.port
    server.stop()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.20.0.58", port))
