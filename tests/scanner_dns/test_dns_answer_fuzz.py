"""Hostile and random DNS replies: the client always returns a typed answer, never raises."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable, Iterator
from dataclasses import replace

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mps.scanner import dnsclient
from mps.scanner.config import ScanConfig
from mps.scanner.dnsclient import DnssecState
from mps.testnet.dns_server import DnsTestServer

from .conftest import DnsNet

FUZZ_ADDRESS = "127.20.0.56"


class Script:
    """What the scripted server answers; each test example replaces ``reply``."""

    def __init__(self) -> None:
        self.reply: Callable[[bytes], bytes | None] = lambda wire: None

    def __call__(self, wire: bytes) -> bytes | None:
        return self.reply(wire)


@pytest.fixture(scope="module")
def scripted(dnsnet: DnsNet) -> Iterator[tuple[Script, ScanConfig]]:
    script = Script()
    with DnsTestServer(None, FUZZ_ADDRESS, mode="scripted", responder=script) as server:
        yield script, replace(dnsnet.config, resolver=server.address, probe_timeout=0.2)


def ask(config: ScanConfig, name: str, rdtype: str, dnssec: bool) -> dnsclient.DnsAnswer:
    return asyncio.run(dnsclient.query(config, name, rdtype, dnssec=dnssec))


SAMPLES = {
    "A": ["192.0.2.1", "127.20.1.80"],
    "AAAA": ["::1", "2001:db8::1"],
    "CNAME": ["fuzz.good.test.", "loop.good.test.", "."],
    "TXT": ['"v=spf1 -all"', '"v=DMARC1; p=reject"', '""', '"a" "b"'],
    "MX": ["10 mail.good.test.", "0 ."],
    "SOA": ["ns1.test. h.test. 1 2 3 4 5"],
    "NSEC": ["z.good.test. A RRSIG NSEC"],
    "DNSKEY": ["257 3 13 " + "A" * 88],
    "DS": ["1 13 2 " + "ab" * 32],
    "RRSIG": ["A 13 3 300 20300101000000 20200101000000 1 good.test. " + "A" * 88],
}
NAMES = ["fuzz.good.test.", "loop.good.test.", "good.test.", "test.", "other.example."]

rrsets = st.lists(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(sorted(SAMPLES)), st.data()),
    max_size=6,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    garbage=st.binary(max_size=300),
    rdtype=st.sampled_from(["A", "TXT", "MX", "SOA"]),
    dnssec=st.booleans(),
)
def test_random_bytes_as_a_reply_give_an_error_answer(
    scripted: tuple[Script, ScanConfig], garbage: bytes, rdtype: str, dnssec: bool
) -> None:
    script, config = scripted
    # Keep the query id so the reply is taken as an answer and must be parsed.
    script.reply = lambda wire: wire[:2] + garbage
    answer = ask(config, "fuzz.good.test", rdtype, dnssec)
    assert isinstance(answer, dnsclient.DnsAnswer)
    assert answer.dnssec != DnssecState.SECURE


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sections=rrsets,
    rcode=st.sampled_from(
        [dns.rcode.NOERROR, dns.rcode.NXDOMAIN, dns.rcode.SERVFAIL, dns.rcode.REFUSED]
    ),
    truncated=st.booleans(),
    rdtype=st.sampled_from(["A", "TXT", "MX", "CNAME"]),
    dnssec=st.booleans(),
)
def test_random_well_formed_replies_give_a_typed_answer(
    scripted: tuple[Script, ScanConfig],
    sections: list[tuple[str, str, st.DataObject]],
    rcode: int,
    truncated: bool,
    rdtype: str,
    dnssec: bool,
) -> None:
    script, config = scripted
    built = []
    for name, kind, data in sections:
        text = data.draw(st.sampled_from(SAMPLES[kind]))
        built.append(dns.rrset.from_text(name, 300, "IN", kind, text))

    def reply(wire: bytes) -> bytes | None:
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        response.set_rcode(rcode)
        if truncated and len(wire) > 0 and wire[:2] != b"\x00\x00":
            response.flags |= dns.flags.TC
        for index, rrset in enumerate(built):
            (response.answer if index % 2 == 0 else response.authority).append(rrset)
        return response.to_wire()

    script.reply = reply
    answer = ask(config, "fuzz.good.test", rdtype, dnssec)
    assert isinstance(answer, dnsclient.DnsAnswer)
    # Nothing here is signed by the test anchor's key, so nothing may be called secure.
    assert answer.dnssec != DnssecState.SECURE
    if rcode in (dns.rcode.SERVFAIL, dns.rcode.REFUSED):
        assert answer.inconclusive


def test_reply_with_a_wrong_id_is_not_accepted(scripted: tuple[Script, ScanConfig]) -> None:
    script, config = scripted

    def wrong_id(wire: bytes) -> bytes:
        response = dns.message.make_response(dns.message.from_wire(wire))
        response.answer.append(dns.rrset.from_text("fuzz.good.test.", 300, "IN", "A", "192.0.2.66"))
        out = bytearray(response.to_wire())
        out[:2] = struct.pack("!H", (struct.unpack("!H", out[:2])[0] + 1) % 65536)
        return bytes(out)

    script.reply = wrong_id
    answer = ask(config, "fuzz.good.test", "A", False)
    assert answer.inconclusive
    assert "192.0.2.66" not in answer.records


def test_cname_loop_in_a_reply_ends(scripted: tuple[Script, ScanConfig]) -> None:
    script, config = scripted

    def loop(wire: bytes) -> bytes:
        response = dns.message.make_response(dns.message.from_wire(wire))
        response.answer.append(
            dns.rrset.from_text("fuzz.good.test.", 300, "IN", "CNAME", "loop.good.test.")
        )
        response.answer.append(
            dns.rrset.from_text("loop.good.test.", 300, "IN", "CNAME", "fuzz.good.test.")
        )
        return response.to_wire()

    script.reply = loop
    answer = ask(config, "fuzz.good.test", "A", True)
    assert answer.records == ()
    assert len(answer.cnames) <= 16


TXT_TEXT = st.one_of(
    st.lists(st.sampled_from(
        ["v=spf1", " ", "-all", "+all", "~all", "include:fuzz.test", "redirect=fuzz.test", "mx",
         "ip4:192.0.2.1", "ip4:300.1.1.1", "a:", "%{i}", "exists:x.fuzz.test", "é", "\\"]
    ), max_size=12).map("".join),
    st.lists(st.sampled_from(
        ["v=DMARC1", ";", " p=", "reject", "none", "quarantine", " pct=", "50", "101", " rua=",
         "mailto:a@fuzz.test", "x", "="]
    ), max_size=12).map("".join),
    st.text(max_size=80),
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(TXT_TEXT, max_size=3), mx=st.booleans())
def test_mail_checks_on_random_txt_records_give_clear_statuses(
    scripted: tuple[Script, ScanConfig], texts: list[str], mx: bool
) -> None:
    from mps.scanner.checks import email
    from mps.scanner.model import Status

    from .conftest import run_family

    script, config = scripted

    def reply(wire: bytes) -> bytes:
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        question = query.question[0]
        name = question.name.to_text()
        if question.rdtype == dns.rdatatype.SOA and name == "fuzz.test.":
            response.answer.append(dns.rrset.from_text(name, 300, "IN", "SOA", SAMPLES["SOA"][0]))
        elif question.rdtype == dns.rdatatype.TXT and texts:
            rdatas = [
                dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, [t.encode()[:255]])
                for t in texts
            ]
            response.answer.append(dns.rrset.from_rdata_list(question.name, 300, rdatas))
        elif question.rdtype == dns.rdatatype.MX and mx:
            response.answer.append(dns.rrset.from_text(name, 300, "IN", "MX", "10 127.20.0.1."))
        return response.to_wire()

    script.reply = reply
    findings = run_family(email, "fuzz.test", config)
    assert findings, "a zone apex is a mail domain: SPF and DMARC findings are expected"
    for finding in findings:
        assert finding.status in (Status.PASS, Status.FAIL, Status.INFO, Status.INCONCLUSIVE)
    spf = [f for f in findings if f.check == "email.spf.missing"]
    assert spf and spf[0].status in (Status.PASS, Status.FAIL)
