"""Issue 3's "Done when": every check id passes somewhere and fails somewhere on the test internet.

The TLS, web and service families are checked here over the session's scan of the web world;
the DNS, e-mail and IPv6 families have the same matrix in
tests/scanner_dns/test_runner_integration.py. Together they must cover the whole catalogue.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mps.scanner.catalogue import CATALOGUE, family_check_ids
from mps.scanner.checks import FAMILIES
from mps.scanner.model import Status

TESTS = Path(__file__).resolve().parents[1]
WEB_FAMILIES = ("tls", "http", "services")


def _ids(families: set[str]) -> set[str]:
    return {
        cid
        for f in FAMILIES
        if f.__name__.rsplit(".", 1)[-1] in families
        for cid in family_check_ids(f)
    }


WEB_IDS = sorted(_ids(set(WEB_FAMILIES)))
# Checks whose "bad" outcome is a warning or information rather than a failure.
BAD_OUTCOME = {"tls.cert.expiring": Status.WARN, "email.mta_sts.missing": Status.INFO}


def _observed(results) -> dict[str, set[Status]]:
    seen: dict[str, set[Status]] = {}
    for result in results.values():
        for finding in result.findings:
            seen.setdefault(finding.check, set()).add(finding.status)
    return seen


@pytest.fixture(scope="module")
def observed(results) -> dict[str, set[Status]]:
    return _observed(results)


@pytest.mark.parametrize("check_id", WEB_IDS)
def test_every_web_tls_and_service_check_passes_on_some_host(observed, check_id):
    assert Status.PASS in observed.get(check_id, set())


@pytest.mark.parametrize("check_id", WEB_IDS)
def test_every_web_tls_and_service_check_fails_on_some_host(observed, check_id):
    assert BAD_OUTCOME.get(check_id, Status.FAIL) in observed.get(check_id, set())


def _dns_matrix_ids() -> set[str]:
    """Ids the DNS-side matrix test covers: its OWN_IDS, read from the module's families."""
    source = (TESTS / "scanner_dns" / "test_runner_integration.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    [own] = [
        node
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "OWN_IDS" for t in node.targets)
    ]
    names = {n.id for n in ast.walk(own.value) if isinstance(n, ast.Name)}
    by_alias = {"dns_checks": "dns", "email": "email", "ipv6": "ipv6"}
    return _ids({by_alias[n] for n in names if n in by_alias})


def test_the_two_matrices_cover_the_whole_catalogue():
    covered = set(WEB_IDS) | _dns_matrix_ids()
    assert sorted(set(CATALOGUE) - covered) == []
