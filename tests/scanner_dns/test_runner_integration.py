"""The DNS, e-mail and IPv6 families inside the shared runner, with hostile resolvers."""

from __future__ import annotations

import json
import time
from dataclasses import replace

from mps.scanner.catalogue import CATALOGUE
from mps.scanner.checks import dns as dns_checks
from mps.scanner.checks import email, ipv6
from mps.scanner.model import Status
from mps.scanner.runner import scan_sync

from .conftest import DnsNet

FAMILIES = ("dns", "email", "ipv6")
OWN_IDS = {s.id for family in (dns_checks, email, ipv6) for s in family.CHECKS}


def test_every_own_check_id_is_in_the_catalogue_with_texts_and_references() -> None:
    for check_id in OWN_IDS:
        spec = CATALOGUE[check_id]
        assert spec.title_nb and spec.title_en and spec.remediation_nb and spec.remediation_en
        assert spec.references and all(r.nsm and r.nist_csf and r.standard for r in spec.references)


def test_runner_scans_a_good_and_a_bad_domain_and_output_is_json(dnsnet: DnsNet) -> None:
    config = replace(dnsnet.config, families=FAMILIES)
    results = {r.name: r for r in scan_sync(["good.test", "unsigned.test"], config)}
    good = results["good.test"]
    # Without IPv6 loopback the MX's ::1 address cannot be probed: inconclusive, not failed.
    reachable = [f for f in good.findings if dnsnet.ipv6_loopback or f.address != "::1"]
    assert {f.status for f in reachable} == {Status.PASS}
    bad = {f.check: f.status for f in results["unsigned.test"].findings}
    assert bad["dns.dnssec.missing"] == Status.FAIL
    assert bad["email.spf.missing"] == Status.FAIL
    json.dumps([r.to_json() for r in results.values()])


def test_every_own_check_id_both_passes_and_fails_somewhere(dnsnet: DnsNet) -> None:
    config = replace(dnsnet.config, families=FAMILIES)
    names = [
        "good.test", "www.good.test", "shop.good.test", "unsigned.test", "old.unsigned.test",
        "bogus.test", "samenet.test", "mail-plain.test", "mail-badcert.test", "spf-many.test",
        "parked.test", "parked-bad.test",
    ]  # fmt: skip
    seen: dict[str, set[Status]] = {}
    for result in scan_sync(names, config):
        for finding in result.findings:
            seen.setdefault(finding.check, set()).add(finding.status)
    for check_id in OWN_IDS:
        expected = {
            Status.PASS,
            Status.INFO if check_id == "email.mta_sts.missing" else Status.FAIL,
        }
        if check_id == "ipv6.web.missing" and not dnsnet.ipv6_loopback:
            expected = {Status.FAIL}  # a pass needs a listener on ::1
        assert expected <= seen.get(check_id, set()), check_id


def test_silent_resolver_run_ends_within_its_deadline_all_inconclusive(dnsnet: DnsNet) -> None:
    config = replace(
        dnsnet.with_resolver(dnsnet.silent), families=FAMILIES, probe_timeout=0.3,
        host_deadline=5.0,
    )  # fmt: skip
    started = time.monotonic()
    results = scan_sync(["good.test", "mail-plain.test"], config)
    assert time.monotonic() - started < 10
    statuses = {f.status for r in results for f in r.findings}
    assert statuses == {Status.INCONCLUSIVE}


def test_target_addresses_are_looked_up_once_for_all_families(dnsnet: DnsNet, monkeypatch) -> None:
    from collections import Counter

    from mps.scanner import dnsclient

    asked: Counter[tuple[str, str, bool]] = Counter()
    real_query = dnsclient.query

    async def counting(config, name, rdtype, *, dnssec=False):
        asked[(name.rstrip(".").lower(), rdtype, dnssec)] += 1
        return await real_query(config, name, rdtype, dnssec=dnssec)

    monkeypatch.setattr(dnsclient, "query", counting)
    [result] = scan_sync(["www.good.test"], replace(dnsnet.config, families=FAMILIES))
    assert result.addresses
    assert asked[("www.good.test", "A", False)] == 1
    assert asked[("www.good.test", "AAAA", False)] == 1
