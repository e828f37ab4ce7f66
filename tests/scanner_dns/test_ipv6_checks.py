"""IPv6 check family. The reachability half needs ::1; it is skipped without IPv6 loopback."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mps.scanner.checks import ipv6
from mps.scanner.model import Status

from .conftest import DnsNet, only, run_family


def test_web_host_reachable_over_ipv6_passes(dnsnet: DnsNet) -> None:
    if not dnsnet.ipv6_loopback:
        pytest.skip("this machine cannot bind ::1, so IPv6 reachability cannot be shown")
    web = only(run_family(ipv6, "www.good.test", dnsnet.config), "ipv6.web.missing")
    assert web.status == Status.PASS
    assert web.address == "::1"
    assert web.port == dnsnet.config.ports["https"]


def test_aaaa_without_a_listening_web_port_fails(dnsnet: DnsNet) -> None:
    closed = dnsnet.config.ports["http"]
    config = replace(dnsnet.config, ports={**dnsnet.config.ports, "https": closed})
    web = only(run_family(ipv6, "www.good.test", config), "ipv6.web.missing")
    # Refused where ::1 exists; "cannot assign address" where it does not: a fail either way.
    assert web.status == Status.FAIL
    assert web.evidence["connects"]


def test_web_host_without_aaaa_fails(dnsnet: DnsNet) -> None:
    web = only(run_family(ipv6, "www.unsigned.test", dnsnet.config), "ipv6.web.missing")
    assert web.status == Status.FAIL
    assert web.detail == "no AAAA record"


def test_aaaa_outside_the_allowed_networks_is_not_contacted(dnsnet: DnsNet) -> None:
    config = replace(dnsnet.config, allowed_networks=("127.20.0.0/16",))
    web = only(run_family(ipv6, "www.good.test", config), "ipv6.web.missing")
    assert web.status == Status.INCONCLUSIVE
    assert "loopback" in web.detail


def test_mx_with_aaaa_passes(dnsnet: DnsNet) -> None:
    mail = only(run_family(ipv6, "good.test", dnsnet.config), "ipv6.mail.missing")
    assert mail.status == Status.PASS
    assert mail.evidence["host"]["ipv6"] == ["::1"]


def test_mx_without_aaaa_fails(dnsnet: DnsNet) -> None:
    mail = only(run_family(ipv6, "mail-plain.test", dnsnet.config), "ipv6.mail.missing")
    assert mail.status == Status.FAIL


def test_name_servers_with_aaaa_pass(dnsnet: DnsNet) -> None:
    ns = only(run_family(ipv6, "good.test", dnsnet.config), "ipv6.ns.missing")
    assert ns.status == Status.PASS


def test_name_servers_without_aaaa_fail(dnsnet: DnsNet) -> None:
    ns = only(run_family(ipv6, "samenet.test", dnsnet.config), "ipv6.ns.missing")
    assert ns.status == Status.FAIL
    assert "0 of 2" in ns.detail


def test_silent_resolver_makes_ipv6_checks_inconclusive(dnsnet: DnsNet) -> None:
    config = replace(dnsnet.with_resolver(dnsnet.silent), probe_timeout=0.3)
    findings = run_family(ipv6, "good.test", config)
    assert findings
    assert {f.status for f in findings} == {Status.INCONCLUSIVE}
