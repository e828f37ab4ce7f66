"""Web checks against sites with header sets from excellent to absent."""

import pytest

from mps.scanner.model import Status
from tests.scanner.conftest import only, statuses

PASS, FAIL = Status.PASS, Status.FAIL

WEB_CHECKS = [
    "http.no_https_redirect",
    "http.hsts.missing",
    "http.hsts.short",
    "http.csp.missing",
    "http.csp.unsafe",
    "http.xcto.missing",
    "http.framing.missing",
    "http.referrer_policy.missing",
    "http.cookie.insecure",
    "http.version_disclosed",
    "http.security_txt.missing",
    "http.security_txt.invalid",
]


@pytest.mark.parametrize("check", WEB_CHECKS)
def test_excellent_site_passes_every_web_check(results, check):
    assert statuses(results["good.test"], check) == {PASS}


@pytest.mark.parametrize(
    "check",
    [
        "http.no_https_redirect",
        "http.hsts.missing",
        "http.csp.missing",
        "http.xcto.missing",
        "http.framing.missing",
        "http.referrer_policy.missing",
        "http.cookie.insecure",
        "http.version_disclosed",
        "http.security_txt.missing",
    ],
)
def test_site_without_security_headers_fails(results, check):
    assert statuses(results["absent.test"], check) == {FAIL}


@pytest.mark.parametrize(
    "check",
    [
        "http.hsts.short",
        "http.csp.unsafe",
        "http.framing.missing",
        "http.cookie.insecure",
        "http.security_txt.invalid",
    ],
)
def test_site_with_weak_settings_fails(results, check):
    assert statuses(results["weak.test"], check) == {FAIL}


def test_short_hsts_reports_the_max_age(results):
    assert "max-age=86400" in only(results["weak.test"], "http.hsts.short").detail


def test_unsafe_csp_names_the_problem(results):
    problems = only(results["weak.test"], "http.csp.unsafe").evidence["problems"]
    assert any("unsafe-inline" in p for p in problems)
    assert any("unsafe-eval" in p for p in problems)
    assert any("wildcard" in p for p in problems)


def test_cookie_without_samesite_is_reported_by_name(results):
    assert "sid: no SameSite" in only(results["weak.test"], "http.cookie.insecure").detail


def test_version_disclosure_records_product_and_version(results):
    software = only(results["absent.test"], "http.version_disclosed").evidence["software"]
    assert {"product": "Apache", "version": "2.4.41", "source": "server header"} in software
    assert {"product": "PHP", "version": "7.4.3", "source": "x-powered-by header"} in software


def test_expired_security_txt_is_invalid(results):
    finding = only(results["weak.test"], "http.security_txt.invalid")
    assert any("expired" in p for p in finding.evidence["problems"])


def test_http_only_site_fails_hsts_and_headers_from_the_plain_page(results):
    result = results["httponly.test"]
    assert statuses(result, "http.hsts.missing") == {FAIL}
    assert statuses(result, "http.no_https_redirect") == {FAIL}
    assert only(result, "http.xcto.missing").port == 14080


def test_redirect_evidence_shows_the_hops(results):
    chain = only(results["good.test"], "http.no_https_redirect").evidence["chain"]
    assert chain[0]["status"] == 301
    assert any(line.startswith("Location: https://good.test") for line in chain[0]["headers"])


def test_host_without_web_gets_no_web_findings(results):
    assert not [f for f in results["nothing.test"].findings if f.check.startswith("http.")]
