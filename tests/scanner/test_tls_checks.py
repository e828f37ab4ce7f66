"""TLS checks against the local test internet: each id passes on a good host and fails on a bad one."""

import pytest

from mps.scanner.model import Severity, Status
from mps.scanner.runner import scan_sync
from tests.scanner.conftest import make_config, only, statuses

PASS, FAIL = Status.PASS, Status.FAIL


def test_https_on_a_good_host_is_available(results):
    assert statuses(results["good.test"], "tls.unavailable") == {PASS}


def test_plain_http_without_https_fails_tls_unavailable(results):
    finding = only(results["httponly.test"], "tls.unavailable")
    assert finding.status is FAIL
    assert finding.evidence["http_port"] == "open"


def test_address_without_any_web_service_is_informational(results):
    assert statuses(results["nothing.test"], "tls.unavailable") == {Status.INFO}


@pytest.mark.parametrize(
    ("check", "host"),
    [
        ("tls.protocol.sslv3", "legacy.test"),
        ("tls.protocol.tls10", "legacy.test"),
        ("tls.protocol.tls10", "tls10.test"),
        ("tls.protocol.tls11", "legacy.test"),
        ("tls.no_tls13", "tls12only.test"),
        ("tls.no_tls13", "legacy.test"),
        ("tls.cipher.weak", "legacy.test"),
        ("tls.no_forward_secrecy", "nofs.test"),
        ("tls.no_forward_secrecy", "legacy.test"),
    ],
)
def test_legacy_protocols_and_ciphers_fail(results, check, host):
    assert statuses(results[host], check) == {FAIL}


@pytest.mark.parametrize(
    "check",
    [
        "tls.protocol.sslv3",
        "tls.protocol.tls10",
        "tls.protocol.tls11",
        "tls.no_tls13",
        "tls.cipher.weak",
        "tls.no_forward_secrecy",
    ],
)
def test_modern_server_passes_protocol_and_cipher_checks(results, check):
    assert statuses(results["good.test"], check) == {PASS}


def test_tls10_only_server_passes_tls11_and_forward_secrecy(results):
    result = results["tls10.test"]
    assert statuses(result, "tls.protocol.tls11") == {PASS}
    assert statuses(result, "tls.protocol.sslv3") == {PASS}
    assert statuses(result, "tls.no_forward_secrecy") == {PASS}
    assert statuses(result, "tls.cipher.weak") == {PASS}


def test_sslv3_is_detected_although_local_openssl_cannot_speak_it(results):
    finding = only(results["legacy.test"], "tls.protocol.sslv3")
    assert finding.evidence["version"] == "SSL 3.0"


def test_weak_cipher_evidence_names_the_suite_and_weakness(results):
    finding = only(results["legacy.test"], "tls.cipher.weak")
    assert finding.evidence["cipher"] == "TLS_RSA_WITH_RC4_128_SHA"
    assert finding.evidence["weakness"] == "RC4"


def test_legacy_server_certificate_is_read_from_the_cleartext_handshake(results):
    finding = only(results["legacy.test"], "tls.cert.expired")
    assert finding.status is PASS
    assert finding.evidence["source"] == "cleartext Certificate message"


@pytest.mark.parametrize(
    ("check", "host"),
    [
        ("tls.cert.expired", "expired.test"),
        ("tls.cert.not_yet_valid", "notyet.test"),
        ("tls.cert.hostname_mismatch", "wronghost.test"),
        ("tls.cert.untrusted", "selfsigned.test"),
        ("tls.cert.incomplete_chain", "incomplete.test"),
        ("tls.cert.weak_key", "rsa1024.test"),
        ("tls.cert.weak_signature", "sha1.test"),
    ],
)
def test_defective_certificates_fail(results, check, host):
    assert statuses(results[host], check) == {FAIL}


@pytest.mark.parametrize(
    "check",
    [
        "tls.cert.expired",
        "tls.cert.not_yet_valid",
        "tls.cert.expiring",
        "tls.cert.hostname_mismatch",
        "tls.cert.untrusted",
        "tls.cert.incomplete_chain",
        "tls.cert.weak_key",
        "tls.cert.weak_signature",
    ],
)
def test_valid_certificate_passes_certificate_checks(results, check):
    assert statuses(results["good.test"], check) == {PASS}


def test_ec256_key_is_not_weak(results):
    assert statuses(results["ec.test"], "tls.cert.weak_key") == {PASS}


def test_certificate_expiring_within_14_days_warns(results):
    finding = only(results["expiring.test"], "tls.cert.expiring")
    assert finding.status is Status.WARN
    assert finding.severity is Severity.MEDIUM


def test_certificate_expiring_within_30_days_is_information(results):
    assert statuses(results["expiring30.test"], "tls.cert.expiring") == {Status.INFO}


def test_certificate_evidence_carries_the_pem_chain(results):
    finding = only(results["good.test"], "tls.cert.untrusted")
    chain = finding.evidence["chain_pem"]
    assert len(chain) == 2
    assert chain[0].startswith("-----BEGIN CERTIFICATE-----")


def test_incomplete_chain_leaves_trust_inconclusive(results):
    assert statuses(results["incomplete.test"], "tls.cert.untrusted") == {Status.INCONCLUSIVE}


def test_chain_from_an_unknown_root_is_untrusted(internet, test_ca):
    config = make_config(internet, test_ca, ca_file=None, families=("tls",))
    [result] = scan_sync(["good.test"], config)
    finding = only(result, "tls.cert.untrusted")
    assert finding.status is FAIL
    assert "unknown root" in finding.detail


def test_fixed_clock_moves_certificate_into_expiry_window(internet, test_ca, results):
    not_after = only(results["good.test"], "tls.cert.expired").evidence["not_after"]
    import datetime as dt

    now = dt.datetime.fromisoformat(not_after) - dt.timedelta(days=3)
    config = make_config(internet, test_ca, now=now, families=("tls",))
    [result] = scan_sync(["good.test"], config)
    assert statuses(result, "tls.cert.expiring") == {Status.WARN}
    assert statuses(result, "tls.cert.expired") == {PASS}
