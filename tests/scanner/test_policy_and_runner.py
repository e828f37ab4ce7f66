"""The address policy and the runner, end to end against the local test internet."""

import asyncio

from mps.scanner.model import Status
from mps.scanner.runner import scan, scan_sync
from tests.scanner.conftest import make_config, only


def test_loopback_target_is_refused_without_allow_private(internet, test_ca):
    site = internet.servers["absent.test"][1]  # its plain-HTTP server
    before = len(site.requests)
    config = make_config(internet, test_ca, allow_private=False)
    [result] = scan_sync(["absent.test"], config)
    finding = only(result, "tls.unavailable")
    assert finding.status is Status.INCONCLUSIVE
    assert "loopback" in finding.detail
    assert not [f for f in result.findings if f.check.startswith(("http.", "service."))]
    assert len(site.requests) == before


def test_allowed_networks_open_only_the_named_range(internet, test_ca):
    config = make_config(
        internet,
        test_ca,
        allow_private=False,
        allowed_networks=("127.10.0.0/16",),
        families=("tls",),
    )
    [result] = scan_sync(["good.test"], config)
    assert only(result, "tls.unavailable").status is Status.PASS


def test_results_stream_as_hosts_finish(internet, test_ca):
    config = make_config(internet, test_ca, families=("tls",), concurrency=2)
    seen: list[tuple[int, str]] = []

    async def collect():
        async for result in scan(
            ["good.test", "expired.test", "sha1.test"],
            config,
            progress=lambda n, r: seen.append((n, r.name)),
        ):
            assert result.findings

    asyncio.run(collect())
    assert [n for n, _ in seen] == [1, 2, 3]
    assert {name for _, name in seen} == {"good.test", "expired.test", "sha1.test"}


def test_unresolvable_name_gets_inconclusive_findings_not_a_crash(internet, test_ca):
    config = make_config(
        internet, test_ca, families=("tls",), resolver=("127.10.255.254", 5353), probe_timeout=0.5
    )
    [result] = scan_sync(["nowhere.invalid"], config)
    assert {f.status for f in result.findings} == {Status.INCONCLUSIVE}


def test_findings_serialise_to_json(results):
    import json

    doc = json.loads(json.dumps(results["good.test"].to_json()))
    assert doc["name"] == "good.test"
    assert all(f["observed_at"].endswith("+00:00") for f in doc["findings"])
