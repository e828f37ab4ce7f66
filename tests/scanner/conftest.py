"""The local test internet for the scanner tests: one set of servers and one scan per session."""

from __future__ import annotations

import pytest

from mps.scanner.config import ScanConfig
from mps.scanner.model import Status, TargetResult
from mps.scanner.runner import scan_sync
from mps.testnet.ca import TestCA
from mps.testnet.internet import LocalInternet
from mps.testnet.world import WebWorld, build_web_world

# Families engineer A owns; the DNS/e-mail/IPv6 families are tested in tests/scanner_dns/.
MY_FAMILIES = ("tls", "http", "services")
HOSTILE = ("slow.test", "endless.test", "loop.test", "hostile-services.test")


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return TestCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="session")
def internet(test_ca: TestCA):
    net = LocalInternet()
    world = build_web_world(net, test_ca)
    yield world
    net.close()


def make_config(world: WebWorld, ca: TestCA, **overrides) -> ScanConfig:
    options = {
        "allow_private": True,
        "ca_file": ca.root_pem_path,
        "ports": world.ports,
        "static_hosts": world.static_hosts(),
        "families": MY_FAMILIES,
        "probe_timeout": 2.0,
        "host_deadline": 20.0,
        # All test hosts share 127.10.0.0/24; the real-world per-network limit would serialise them.
        "per_network_concurrency": 1000,
    }
    options.update(overrides)
    return ScanConfig(**options)


@pytest.fixture(scope="session")
def config(internet: WebWorld, test_ca: TestCA) -> ScanConfig:
    return make_config(internet, test_ca)


@pytest.fixture(scope="session")
def results(internet: WebWorld, config: ScanConfig) -> dict[str, TargetResult]:
    """Every well-behaved host scanned once; tests read their findings from here."""
    names = [n for n in internet.hosts if n not in HOSTILE]
    return {r.name: r for r in scan_sync(names, config)}


def statuses(result: TargetResult, check_id: str) -> set[Status]:
    found = {f.status for f in result.findings if f.check == check_id}
    assert found, f"{result.name}: no finding for {check_id}"
    return found


def only(result: TargetResult, check_id: str):
    matches = [f for f in result.findings if f.check == check_id]
    assert len(matches) == 1, f"{result.name}: expected one {check_id}, got {len(matches)}"
    return matches[0]
