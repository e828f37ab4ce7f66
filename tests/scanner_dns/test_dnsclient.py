"""The DNS client against the test DNS server: typed answers, DNSSEC states, failures."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path

import pytest

from mps.scanner import dnsclient
from mps.scanner.dnsclient import DnssecState

from .conftest import DnsNet


def ask(config, name: str, rdtype: str, *, dnssec: bool = False) -> dnsclient.DnsAnswer:
    return asyncio.run(dnsclient.query(config, name, rdtype, dnssec=dnssec))


def test_answer_carries_records_and_txt_strings(dnsnet: DnsNet) -> None:
    answer = ask(dnsnet.config, "good.test", "TXT")
    assert answer.rcode == "NOERROR"
    assert answer.strings == ("v=spf1 mx ip4:127.20.1.0/24 -all",)
    assert not answer.inconclusive


def test_cname_chain_is_followed_and_recorded(dnsnet: DnsNet) -> None:
    answer = ask(dnsnet.config, "shop.good.test", "A")
    assert answer.records == ("127.20.1.80",)
    assert answer.cnames == ("shop.good.test. CNAME www.good.test.",)


def test_signed_zone_answer_validates_as_secure(dnsnet: DnsNet) -> None:
    answer = ask(dnsnet.config, "www.good.test", "A", dnssec=True)
    assert answer.dnssec == DnssecState.SECURE
    assert answer.signatures, "the RRSIG must be kept as evidence"


def test_signed_denial_of_existence_validates(dnsnet: DnsNet) -> None:
    answer = ask(dnsnet.config, "nothing-here.good.test", "A", dnssec=True)
    assert answer.nxdomain
    assert answer.dnssec == DnssecState.SECURE


def test_unsigned_zone_is_insecure(dnsnet: DnsNet) -> None:
    answer = ask(dnsnet.config, "www.unsigned.test", "A", dnssec=True)
    assert answer.dnssec == DnssecState.INSECURE


@pytest.mark.parametrize("zone", ["bogus.test", "sigexpired.test"])
def test_broken_or_expired_signatures_are_bogus(dnsnet: DnsNet, zone: str) -> None:
    answer = ask(dnsnet.config, zone, "A", dnssec=True)
    assert answer.dnssec == DnssecState.BOGUS
    assert "DNSKEY" in answer.dnssec_detail


def test_validation_uses_the_configured_anchor_not_record_presence(
    dnsnet: DnsNet, tmp_path: Path
) -> None:
    # A trust anchor for a different key: the signed zone has all its records, yet the
    # chain cannot be built, so it must not be called secure.
    wrong = tmp_path / "anchor.txt"
    wrong.write_text("test. 300 IN DS 1 13 2 " + "ab" * 32 + "\n")
    answer = ask(replace(dnsnet.config, trust_anchor_file=wrong), "www.good.test", "A", dnssec=True)
    assert answer.dnssec == DnssecState.BOGUS


def test_without_a_trust_anchor_validation_is_indeterminate(dnsnet: DnsNet) -> None:
    config = replace(dnsnet.config, trust_anchor_file=None)
    answer = ask(config, "www.good.test", "A", dnssec=True)
    assert answer.dnssec == DnssecState.INDETERMINATE


def test_bad_trust_anchor_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "anchor.txt"
    path.write_text("; comment\ntest. 300 IN A 127.0.0.1\n")
    with pytest.raises(ValueError, match=r"anchor.txt, line 2: type A is neither DS nor DNSKEY"):
        dnsclient.load_trust_anchors(path)


def test_chain_of_trust_records_each_step(dnsnet: DnsNet) -> None:
    chain = asyncio.run(dnsclient.chain_of_trust(dnsnet.config, "good.test."))
    assert chain.state == DnssecState.SECURE
    assert [step["zone"] for step in chain.steps] == ["test.", "good.test."]
    assert all(step["dnskey"] for step in chain.steps)


def test_hosts_validating_one_zone_at_once_share_a_single_walk(dnsnet: DnsNet) -> None:
    import datetime as dt

    def fresh_config():  # the clock is part of the cache key: a new one misses the cache
        now = dt.datetime.now(dt.UTC)
        return replace(dnsnet.config, ports=dict(dnsnet.config.ports), now=now)

    async def walks(config, count: int) -> list[dnsclient.ChainResult]:
        return await asyncio.gather(
            *(dnsclient.chain_of_trust(config, "good.test.") for _ in range(count))
        )

    before = dnsnet.server.queries
    asyncio.run(walks(fresh_config(), 1))
    one_walk = dnsnet.server.queries - before
    before = dnsnet.server.queries
    results = asyncio.run(walks(fresh_config(), 20))
    assert dnsnet.server.queries - before == one_walk
    assert {r.state for r in results} == {DnssecState.SECURE}


def test_silent_resolver_gives_a_timed_out_answer_not_an_exception(dnsnet: DnsNet) -> None:
    config = replace(dnsnet.with_resolver(dnsnet.silent), probe_timeout=0.3)
    started = time.monotonic()
    answer = ask(config, "good.test", "A", dnssec=True)
    assert answer.timed_out and answer.inconclusive
    assert answer.rcode == "TIMEOUT"
    assert answer.dnssec == DnssecState.INDETERMINATE
    assert time.monotonic() - started < 2


def test_servfail_resolver_gives_an_inconclusive_answer(dnsnet: DnsNet) -> None:
    answer = ask(dnsnet.with_resolver(dnsnet.servfail), "good.test", "A")
    assert answer.rcode == "SERVFAIL"
    assert answer.inconclusive and not answer.timed_out


def test_malformed_question_is_an_error_answer(dnsnet: DnsNet) -> None:
    answer = ask(dnsnet.config, "a" * 70 + ".test", "A")
    assert answer.rcode == "ERROR"
    assert answer.inconclusive


def test_unknown_record_type_is_an_error_answer(dnsnet: DnsNet) -> None:
    answer = ask(dnsnet.config, "good.test", "NOTATYPE")
    assert answer.rcode == "ERROR"


def test_static_hosts_come_before_dns(dnsnet: DnsNet) -> None:
    config = replace(dnsnet.config, static_hosts={"www.good.test": ["127.20.9.9"]})
    assert asyncio.run(dnsclient.addresses(config, "www.good.test")) == ["127.20.9.9"]
    assert asyncio.run(dnsclient.addresses(dnsnet.config, "www.good.test")) == [
        "127.20.1.80",
        "::1",
    ]


def test_zone_of_a_cname_owner_is_its_own_zone(dnsnet: DnsNet) -> None:
    apex, _ = asyncio.run(dnsclient.zone_of(dnsnet.config, "old.unsigned.test"))
    assert apex == "unsigned.test."


def test_evidence_is_json_ready(dnsnet: DnsNet) -> None:
    import json

    evidence = ask(dnsnet.config, "www.good.test", "A", dnssec=True).to_evidence()
    text = json.dumps(evidence)
    assert '"dnssec": "secure"' in text


def test_unsigned_delegation_records_the_verified_ds_denial(dnsnet: DnsNet) -> None:
    chain = asyncio.run(dnsclient.chain_of_trust(dnsnet.config, "unsigned.test."))
    assert chain.state == DnssecState.INSECURE
    assert chain.steps[-1]["ds_denial"] == "signed denial verified"


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("shop.good.test", DnssecState.SECURE),  # CNAME and target both in a signed zone
        ("alias.unsigned.test", DnssecState.INSECURE),  # unsigned CNAME into a signed zone
        ("alias.bogus.test", DnssecState.BOGUS),  # bogus CNAME into a signed zone
    ],
)
def test_every_cname_on_the_way_is_validated(dnsnet: DnsNet, name: str, state: str) -> None:
    answer = ask(dnsnet.config, name, "A", dnssec=True)
    assert answer.records == ("127.20.1.80",)
    assert answer.dnssec == state
