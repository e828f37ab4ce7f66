"""DNS check family against the test zones: each id passes and fails where it should."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mps.scanner.checks import dns as dns_checks
from mps.scanner.model import Severity, Status

from .conftest import DnsNet, only, run_family


def test_signed_zone_passes_both_dnssec_checks(dnsnet: DnsNet) -> None:
    findings = run_family(dns_checks, "good.test", dnsnet.config)
    assert only(findings, "dns.dnssec.missing").status == Status.PASS
    bogus = only(findings, "dns.dnssec.bogus")
    assert bogus.status == Status.PASS
    steps = bogus.evidence["chain"]
    assert [s["zone"] for s in steps] == ["test.", "good.test."]
    assert {a["dnssec"] for a in bogus.evidence["answers"]} == {"secure"}


def test_unsigned_zone_fails_dnssec_missing(dnsnet: DnsNet) -> None:
    findings = run_family(dns_checks, "www.unsigned.test", dnsnet.config)
    missing = only(findings, "dns.dnssec.missing")
    assert missing.status == Status.FAIL
    assert missing.severity == Severity.MEDIUM
    assert missing.evidence["zone"] == "unsigned.test"
    assert not [f for f in findings if f.check == "dns.dnssec.bogus"]


@pytest.mark.parametrize("name", ["bogus.test", "www.sigexpired.test"])
def test_broken_signatures_fail_dnssec_bogus(dnsnet: DnsNet, name: str) -> None:
    findings = run_family(dns_checks, name, dnsnet.config)
    assert only(findings, "dns.dnssec.bogus").status == Status.FAIL
    assert only(findings, "dns.dnssec.missing").status == Status.PASS


def test_caa_at_the_zone_passes_for_a_host_below_it(dnsnet: DnsNet) -> None:
    caa = only(run_family(dns_checks, "www.good.test", dnsnet.config), "dns.caa.missing")
    assert caa.status == Status.PASS
    assert any(a.get("records") for a in caa.evidence["answers"])


def test_zone_without_caa_fails(dnsnet: DnsNet) -> None:
    caa = only(run_family(dns_checks, "unsigned.test", dnsnet.config), "dns.caa.missing")
    assert caa.status == Status.FAIL


def test_two_name_servers_on_two_networks_pass(dnsnet: DnsNet) -> None:
    ns = only(run_family(dns_checks, "good.test", dnsnet.config), "dns.ns.single_point")
    assert ns.status == Status.PASS
    assert len(ns.evidence["networks"]) >= 2


def test_single_name_server_fails(dnsnet: DnsNet) -> None:
    ns = only(run_family(dns_checks, "unsigned.test", dnsnet.config), "dns.ns.single_point")
    assert ns.status == Status.FAIL
    assert "1 name server" in ns.detail


def test_two_name_servers_in_one_slash_24_fail(dnsnet: DnsNet) -> None:
    ns = only(run_family(dns_checks, "samenet.test", dnsnet.config), "dns.ns.single_point")
    assert ns.status == Status.FAIL
    assert ns.evidence["networks"] == ["127.20.5.0/24"]


def test_cname_to_an_existing_name_passes(dnsnet: DnsNet) -> None:
    cname = only(run_family(dns_checks, "shop.good.test", dnsnet.config), "dns.cname.dangling")
    assert cname.status == Status.PASS
    assert cname.evidence["answer"]["cnames"]


def test_cname_to_a_missing_name_fails_as_dangling(dnsnet: DnsNet) -> None:
    cname = only(run_family(dns_checks, "old.unsigned.test", dnsnet.config), "dns.cname.dangling")
    assert cname.status == Status.FAIL
    assert cname.severity == Severity.HIGH
    assert "app.removed-cloud.test" in cname.detail


def test_silent_resolver_makes_every_dns_check_inconclusive(dnsnet: DnsNet) -> None:
    config = replace(dnsnet.with_resolver(dnsnet.silent), probe_timeout=0.3)
    findings = run_family(dns_checks, "good.test", config)
    assert {f.check for f in findings} == {s.id for s in dns_checks.CHECKS}
    assert {f.status for f in findings} == {Status.INCONCLUSIVE}


def test_servfail_zone_makes_dns_checks_inconclusive_not_failed(dnsnet: DnsNet) -> None:
    findings = run_family(dns_checks, "servfail.test", dnsnet.config)
    assert findings
    assert {f.status for f in findings} == {Status.INCONCLUSIVE}


def test_ip_address_targets_get_no_dns_findings(dnsnet: DnsNet) -> None:
    assert run_family(dns_checks, "127.20.1.80", dnsnet.config) == []
