"""Hostile servers never hang or crash a run: it ends within its deadline, with inconclusive findings."""

import time
import types

from mps.scanner import runner
from mps.scanner.checks import tls
from mps.scanner.model import Status
from mps.scanner.runner import scan_sync
from tests.scanner.conftest import HOSTILE, make_config, only, statuses

INCONCLUSIVE = Status.INCONCLUSIVE


def _scan(internet, test_ca, names, **overrides):
    config = make_config(internet, test_ca, probe_timeout=1.0, host_deadline=8.0, **overrides)
    started = time.monotonic()
    results = {r.name: r for r in scan_sync(names, config)}
    return results, time.monotonic() - started


def test_hostile_hosts_finish_within_the_host_deadline(internet, test_ca):
    results, elapsed = _scan(internet, test_ca, list(HOSTILE))
    assert set(results) == set(HOSTILE)
    assert elapsed < 8.0 + 2.0


def test_stalled_tls_handshake_is_inconclusive_not_fail(internet, test_ca):
    results, _ = _scan(internet, test_ca, ["slow.test"], families=("tls",))
    result = results["slow.test"]
    assert statuses(result, "tls.unavailable") == {INCONCLUSIVE}
    assert statuses(result, "tls.cert.expired") == {INCONCLUSIVE}
    assert not [f for f in result.findings if f.status in (Status.PASS, Status.FAIL)]


def test_one_byte_per_second_server_is_cut_off_and_inconclusive(internet, test_ca):
    results, elapsed = _scan(internet, test_ca, ["slow.test"], families=("http",))
    finding = only(results["slow.test"], "http.no_https_redirect")
    assert finding.status is INCONCLUSIVE
    assert elapsed < 8.0


def test_endless_headers_are_refused_as_inconclusive(internet, test_ca):
    results, _ = _scan(internet, test_ca, ["endless.test"], families=("http",))
    finding = only(results["endless.test"], "http.no_https_redirect")
    assert finding.status is INCONCLUSIVE
    assert finding.evidence["error"]


def test_redirect_loop_is_detected_and_inconclusive(internet, test_ca):
    results, _ = _scan(internet, test_ca, ["loop.test"], families=("http",))
    finding = only(results["loop.test"], "http.hsts.missing")
    assert finding.status is INCONCLUSIVE
    assert "redirect loop" in finding.detail


def test_slow_banner_service_is_still_reported_open(internet, test_ca):
    results, _ = _scan(internet, test_ca, ["hostile-services.test"], families=("services",))
    assert statuses(results["hostile-services.test"], "service.exposed.ftp") == {Status.FAIL}


def test_host_deadline_turns_unfinished_checks_inconclusive(internet, test_ca):
    config = make_config(
        internet, test_ca, probe_timeout=30.0, host_deadline=1.0, families=("tls",)
    )
    started = time.monotonic()
    [result] = scan_sync(["slow.test"], config)
    assert time.monotonic() - started < 3.0
    ids = {f.check for f in result.findings}
    assert ids == {spec.id for spec in tls.CHECKS}
    assert {f.status for f in result.findings} == {INCONCLUSIVE}
    assert "deadline" in result.findings[0].detail


def test_run_deadline_ends_the_run_with_every_target_reported(internet, test_ca):
    names = list(HOSTILE) * 3 + ["good.test"]
    config = make_config(
        internet,
        test_ca,
        probe_timeout=30.0,
        host_deadline=30.0,
        run_deadline=1.5,
        concurrency=4,
        families=("tls",),
    )
    started = time.monotonic()
    results = scan_sync(names, config)
    assert time.monotonic() - started < 4.0
    assert len(results) == len(names)
    tls_ids = {spec.id for spec in tls.CHECKS}
    for result in results:
        if result.name in ("slow.test", "hostile-services.test"):
            assert {f.check for f in result.findings} == tls_ids
            assert {f.status for f in result.findings} == {INCONCLUSIVE}


def test_a_crashing_check_family_yields_inconclusive_and_the_run_goes_on(
    internet, test_ca, monkeypatch
):
    async def broken(ctx):
        raise RuntimeError("bug in a check")

    fake = types.SimpleNamespace(__name__="mps.scanner.checks.tls", CHECKS=tls.CHECKS, run=broken)
    monkeypatch.setattr(runner, "FAMILIES", (fake,))
    config = make_config(internet, test_ca, families=None)
    results = scan_sync(["good.test", "absent.test"], config)
    assert len(results) == 2
    finding = only(results[0], "tls.unavailable")
    assert finding.status is INCONCLUSIVE
    assert "RuntimeError: bug in a check" in finding.detail
