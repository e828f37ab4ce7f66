"""E-mail check family: SPF, DMARC, parked domains, STARTTLS at the MX, MTA-STS."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from mps.scanner.checks import email
from mps.scanner.model import Status
from mps.testnet import zones
from mps.testnet.smtp import SmtpTestServer

from .conftest import DnsNet, only, run_family


def test_well_configured_domain_passes_every_mail_check(dnsnet: DnsNet) -> None:
    findings = run_family(email, "good.test", dnsnet.config)
    for check in (
        "email.spf.missing",
        "email.spf.invalid",
        "email.spf.permissive",
        "email.spf.too_many_lookups",
        "email.dmarc.missing",
        "email.dmarc.invalid",
        "email.dmarc.policy_none",
        "email.mta_sts.missing",
    ):
        assert only(findings, check).status == Status.PASS, check
    spf = only(findings, "email.spf.missing")
    assert spf.evidence["spf"] == ["v=spf1 mx ip4:127.20.1.0/24 -all"]
    assert "email.parked.unprotected" not in {f.check for f in findings}


def test_starttls_with_a_trusted_certificate_passes(dnsnet: DnsNet) -> None:
    findings = run_family(email, "good.test", dnsnet.config)
    starttls = only(findings, "email.starttls.missing", zones.MX_GOOD)
    assert starttls.status == Status.PASS
    assert starttls.port == dnsnet.config.ports["smtp"]
    assert starttls.evidence["banner"].startswith("220 mail.good.test")
    cert = only(findings, "email.starttls.cert_invalid", zones.MX_GOOD)
    assert cert.status == Status.PASS
    assert cert.evidence["certificate_pem"].startswith("-----BEGIN CERTIFICATE-----")


def test_mx_without_starttls_fails(dnsnet: DnsNet) -> None:
    findings = run_family(email, "mail-plain.test", dnsnet.config)
    starttls = only(findings, "email.starttls.missing", zones.MX_PLAIN)
    assert starttls.status == Status.FAIL
    assert "STARTTLS" not in starttls.evidence["ehlo"]
    assert not [f for f in findings if f.check == "email.starttls.cert_invalid"]


def test_self_signed_mx_certificate_fails_with_its_pem_as_evidence(dnsnet: DnsNet) -> None:
    findings = run_family(email, "mail-badcert.test", dnsnet.config)
    assert only(findings, "email.starttls.missing", zones.MX_BADCERT).status == Status.PASS
    cert = only(findings, "email.starttls.cert_invalid", zones.MX_BADCERT)
    assert cert.status == Status.FAIL
    assert "self-signed" in cert.detail or "self signed" in cert.detail
    assert "BEGIN CERTIFICATE" in cert.evidence["certificate_pem"]


def test_unreachable_mx_is_inconclusive(dnsnet: DnsNet) -> None:
    config = replace(
        dnsnet.config, ports={**dnsnet.config.ports, "smtp": dnsnet.config.ports["http"]}
    )
    findings = run_family(email, "mail-plain.test", config)
    assert only(findings, "email.starttls.missing", zones.MX_PLAIN).status == Status.INCONCLUSIVE


@pytest.mark.parametrize("mode", ["silent", "endless"])
def test_hostile_mx_leaves_starttls_inconclusive_and_the_dns_checks_measured(
    dnsnet: DnsNet, mode: str
) -> None:
    # A second SMTP server on the MX's address that never greets (or never stops greeting).
    with SmtpTestServer(zones.MX_PLAIN, mode=mode) as hostile:
        config = replace(
            dnsnet.config, ports={**dnsnet.config.ports, "smtp": hostile.port}, probe_timeout=0.5
        )
        started = time.monotonic()
        findings = run_family(email, "mail-plain.test", config)
    assert time.monotonic() - started < 5
    starttls = only(findings, "email.starttls.missing", zones.MX_PLAIN)
    assert starttls.status == Status.INCONCLUSIVE
    assert not [f for f in findings if f.check == "email.starttls.cert_invalid"]
    assert only(findings, "email.spf.permissive").status == Status.FAIL


def test_missing_spf_and_dmarc_fail(dnsnet: DnsNet) -> None:
    findings = run_family(email, "unsigned.test", dnsnet.config)
    assert only(findings, "email.spf.missing").status == Status.FAIL
    assert only(findings, "email.dmarc.missing").status == Status.FAIL


def test_plus_all_is_permissive(dnsnet: DnsNet) -> None:
    spf = only(run_family(email, "mail-plain.test", dnsnet.config), "email.spf.permissive")
    assert spf.status == Status.FAIL
    assert spf.evidence["all"] == "+"


def test_spf_syntax_error_is_invalid_and_names_the_term(dnsnet: DnsNet) -> None:
    spf = only(run_family(email, "mail-badcert.test", dnsnet.config), "email.spf.invalid")
    assert spf.status == Status.FAIL
    assert "foo:bar" in spf.detail


def test_two_spf_records_are_invalid(dnsnet: DnsNet) -> None:
    spf = only(run_family(email, "two.spf-loop.test", dnsnet.config), "email.spf.invalid")
    assert spf.status == Status.FAIL
    assert "2 SPF records" in spf.detail


def test_twelve_lookups_across_includes_fail_the_limit(dnsnet: DnsNet) -> None:
    findings = run_family(email, "spf-many.test", dnsnet.config)
    lookups = only(findings, "email.spf.too_many_lookups")
    assert lookups.status == Status.FAIL
    assert lookups.evidence["lookups"] == 11  # counting stops once past the limit
    assert "inc2.spf-many.test" in lookups.evidence["records"]


def test_include_loop_ends_and_fails_the_limit(dnsnet: DnsNet) -> None:
    lookups = only(run_family(email, "spf-loop.test", dnsnet.config), "email.spf.too_many_lookups")
    assert lookups.status == Status.FAIL


def test_dmarc_p_none_fails_policy(dnsnet: DnsNet) -> None:
    dmarc = only(run_family(email, "mail-plain.test", dnsnet.config), "email.dmarc.policy_none")
    assert dmarc.status == Status.FAIL
    assert dmarc.evidence["policy"] == "none"


def test_dmarc_pct_below_100_fails_policy(dnsnet: DnsNet) -> None:
    dmarc = only(run_family(email, "spf-many.test", dnsnet.config), "email.dmarc.policy_none")
    assert dmarc.status == Status.FAIL
    assert dmarc.evidence["pct"] == 50


def test_dmarc_with_unknown_policy_is_invalid(dnsnet: DnsNet) -> None:
    dmarc = only(run_family(email, "mail-badcert.test", dnsnet.config), "email.dmarc.invalid")
    assert dmarc.status == Status.FAIL
    assert "block" in dmarc.detail


def test_parked_domain_with_spf_dash_all_and_dmarc_reject_passes(dnsnet: DnsNet) -> None:
    findings = run_family(email, "parked.test", dnsnet.config)
    assert only(findings, "email.parked.unprotected").status == Status.PASS
    assert "email.starttls.missing" not in {f.check for f in findings}


def test_parked_domain_with_soft_spf_and_no_dmarc_fails(dnsnet: DnsNet) -> None:
    parked = only(run_family(email, "parked-bad.test", dnsnet.config), "email.parked.unprotected")
    assert parked.status == Status.FAIL
    assert parked.evidence["null_mx"] is True
    assert "SPF" in parked.detail and "DMARC" in parked.detail


def test_missing_mta_sts_is_information_only(dnsnet: DnsNet) -> None:
    sts = only(run_family(email, "mail-plain.test", dnsnet.config), "email.mta_sts.missing")
    assert sts.status == Status.INFO


def test_host_name_without_mx_gets_no_mail_findings(dnsnet: DnsNet) -> None:
    assert run_family(email, "www.good.test", dnsnet.config) == []


def test_servfail_makes_mail_checks_inconclusive(dnsnet: DnsNet) -> None:
    findings = run_family(email, "good.test", dnsnet.with_resolver(dnsnet.servfail))
    assert findings
    assert {f.status for f in findings} == {Status.INCONCLUSIVE}
