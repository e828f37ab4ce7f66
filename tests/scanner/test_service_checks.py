"""Exposed services (TCP connect + banner) and software version disclosure."""

import pytest

from mps.scanner.checks.services import SERVICES
from mps.scanner.model import Status
from tests.scanner.conftest import only, statuses


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_listening_risky_service_fails(results, service):
    finding = only(results["services.test"], f"service.exposed.{service}")
    assert finding.status is Status.FAIL
    assert finding.evidence["state"] == "open"


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_closed_risky_port_passes(results, service):
    assert statuses(results["good.test"], f"service.exposed.{service}") == {Status.PASS}


def test_banner_is_recorded_as_evidence(results):
    finding = only(results["services.test"], "service.exposed.ftp")
    assert finding.evidence["banner"].startswith("220 ProFTPD 1.3.5")


def test_software_versions_from_banners_are_recorded(results):
    finding = only(results["services.test"], "software.version_disclosed")
    assert finding.status is Status.FAIL
    found = {(s["product"], s["version"]) for s in finding.evidence["software"]}
    assert ("ProFTPD", "1.3.5") in found
    assert ("MySQL", "5.7.33") in found


def test_software_versions_from_headers_are_recorded(results):
    finding = only(results["absent.test"], "software.version_disclosed")
    assert finding.status is Status.FAIL
    assert {"Apache", "PHP"} <= {s["product"] for s in finding.evidence["software"]}


def test_site_without_versions_passes_software_disclosure(results):
    assert statuses(results["good.test"], "software.version_disclosed") == {Status.PASS}
