"""Footprint, validation, scans, history, scores and disputes against the local test internet."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mps.core.models import AuditEntry
from mps.core.tenancy import viewer_for
from mps.riskscore import actions, reports
from mps.riskscore.models import Asset, Dispute, Finding, ScanRun, ScoreSnapshot
from mps.scanner.model import Finding as ScanFinding
from mps.scanner.model import Severity, Status, TargetResult
from mps.testnet import https
from tests.riskscore.conftest import DNS_TOKEN, WELL_KNOWN_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def network(risknet):
    actions.set_scan_config(risknet.config)
    risknet.set_profile("eksempel.test", https.absent())
    risknet.set_token("eksempel.test", WELL_KNOWN_TOKEN)
    yield risknet
    actions.set_scan_config(None)
    risknet.set_profile("eksempel.test", https.absent())


def v(user):
    return viewer_for(user)


def verified_domain(world, value="eksempel.test", org=None, user=None):
    user = user or world.alice
    asset = actions.do_add_asset(v(user), org or world.eksempel, "domain", value)
    Asset.objects.filter(pk=asset.pk).update(token=DNS_TOKEN)
    asset.refresh_from_db()
    outcome = actions.do_verify_asset(v(user), asset, "dns_txt")
    assert outcome.verified, outcome.detail
    asset.refresh_from_db()
    return asset


# ---------------------------------------------------------------- footprint
def test_an_idn_domain_is_stored_as_punycode(world):
    asset = actions.do_add_asset(v(world.alice), world.eksempel, "domain", "Bærum.Kommune.no.")
    assert asset.value == "xn--brum-voa.kommune.no"
    assert asset.display == "bærum.kommune.no"
    assert asset.status == Asset.Status.PENDING and asset.token


def test_an_invalid_name_is_refused_with_the_field_named(world):
    with pytest.raises(ValidationError) as info:
        actions.do_add_asset(v(world.alice), world.eksempel, "domain", "bad name.no")
    assert "value" in info.value.message_dict
    assert "bad name.no" in info.value.message_dict["value"][0]


def test_a_name_under_another_organisations_verified_domain_is_refused(world):
    verified_domain(world, org=world.annen, user=world.bob)
    with pytest.raises(ValidationError, match="another organisation has verified"):
        actions.do_add_asset(v(world.alice), world.eksempel, "host", "www.eksempel.test")


def test_a_read_only_user_cannot_add_assets(world):
    with pytest.raises(PermissionDenied):
        actions.do_add_asset(v(world.rolf), world.eksempel, "domain", "eksempel.test")


def test_dns_txt_validation_verifies_the_domain_and_is_audited(world):
    asset = verified_domain(world)
    assert asset.status == Asset.Status.VERIFIED and asset.method == "dns_txt"
    assert AuditEntry.objects.filter(
        action="riskscore.asset_verify", object_id=str(asset.pk)
    ).exists()


def test_a_wrong_dns_token_leaves_the_asset_pending_and_says_why(world):
    asset = actions.do_add_asset(v(world.alice), world.eksempel, "domain", "eksempel.test")
    outcome = actions.do_verify_asset(v(world.alice), asset, "dns_txt")
    asset.refresh_from_db()
    assert not outcome.verified
    assert asset.status == Asset.Status.PENDING
    assert "_mps-challenge.eksempel.test" in asset.last_check_detail


def test_well_known_validation_reads_the_file_from_the_site(world, network):
    asset = actions.do_add_asset(v(world.alice), world.eksempel, "host", "www.eksempel.test")
    Asset.objects.filter(pk=asset.pk).update(token=WELL_KNOWN_TOKEN)
    asset.refresh_from_db()
    assert actions.do_verify_asset(v(world.alice), asset, "well_known").verified
    network.set_token("eksempel.test", "something-else")
    other = actions.do_add_asset(v(world.alice), world.eksempel, "host", "eksempel.test")
    Asset.objects.filter(pk=other.pk).update(token=WELL_KNOWN_TOKEN)
    other.refresh_from_db()
    outcome = actions.do_verify_asset(v(world.alice), other, "well_known")
    assert not outcome.verified and "does not hold the token" in outcome.detail


def test_a_verified_domain_covers_its_subdomains(world):
    actions.do_add_asset(v(world.alice), world.eksempel, "host", "mail.eksempel.test")
    verified_domain(world)
    pending_then_verified = Asset.objects.get(value="mail.eksempel.test")
    assert pending_then_verified.status == Asset.Status.VERIFIED
    assert pending_then_verified.method == "parent"
    later = actions.do_add_asset(v(world.alice), world.eksempel, "host", "www.eksempel.test")
    assert later.status == Asset.Status.VERIFIED


def test_only_the_operator_confirms_without_a_technical_proof_and_needs_a_note(world):
    asset = actions.do_add_asset(v(world.alice), world.eksempel, "ip", "127.40.1.1")
    with pytest.raises(PermissionDenied):
        actions.do_verify_asset(v(world.alice), asset, "operator", note="trust me")
    with pytest.raises(ValidationError, match="note"):
        actions.do_verify_asset(v(world.ola), asset, "operator", note=" ")
    assert actions.do_verify_asset(
        v(world.ola), asset, "operator", note="RIPE record checked"
    ).verified
    asset.refresh_from_db()
    assert asset.note == "RIPE record checked"


def test_revalidation_unverifies_a_removed_token_but_not_on_a_dns_outage(world, network):
    asset = verified_domain(world)
    Asset.objects.filter(pk=asset.pk).update(last_checked_at=timezone.now() - timedelta(days=2))
    silent = replace(
        network.config,
        resolver=("127.40.0.54", 53),
        probe_timeout=0.3,
        ports=dict(network.config.ports),
    )
    counts = actions.do_recheck_validations(silent)
    asset.refresh_from_db()
    assert counts["inconclusive"] == 1 and asset.status == Asset.Status.VERIFIED
    Asset.objects.filter(pk=asset.pk).update(
        token="rotated", last_checked_at=timezone.now() - timedelta(days=2)
    )
    counts = actions.do_recheck_validations()
    asset.refresh_from_db()
    assert counts["lost"] == 1 and asset.status == Asset.Status.PENDING


def test_discovery_suggests_related_names_that_the_agency_accepts_or_rejects(world):
    domain = verified_domain(world)
    created = actions.do_discover(v(world.alice), domain)
    values = {a.value: a for a in created}
    assert {
        "mail.eksempel.test",
        "www.eksempel.test",
        "spf.leverandor.test",
        "portal.hosting.test",
    } <= set(values)
    assert all(a.status == Asset.Status.SUGGESTED for a in created)
    accepted = actions.do_decide_suggestion(v(world.alice), values["mail.eksempel.test"], True)
    assert accepted.status == Asset.Status.VERIFIED  # covered by the verified domain
    rejected = actions.do_decide_suggestion(v(world.alice), values["spf.leverandor.test"], False)
    assert rejected.status == Asset.Status.REJECTED


# ---------------------------------------------------------------- scans and history
def test_a_scan_stores_findings_and_a_rescan_never_duplicates_them(world):
    verified_domain(world)
    run = actions.run_scan(world.eksempel)
    assert run.status == ScanRun.Status.DONE and run.findings_recorded > 0
    hsts = Finding.objects.get(check_id="http.hsts.missing")
    assert hsts.status == "fail" and hsts.state == Finding.State.NEW and hsts.first_seen
    count = Finding.objects.count()
    actions.run_scan(world.eksempel)
    assert Finding.objects.count() == count
    hsts.refresh_from_db()
    assert hsts.state == Finding.State.OPEN


def test_writing_the_same_result_twice_changes_nothing(world):
    asset = verified_domain(world)
    result = TargetResult(
        name="eksempel.test",
        findings=[
            ScanFinding(
                "http.hsts.missing",
                Status.FAIL,
                Severity.MEDIUM,
                "eksempel.test",
                "127.40.1.1",
                14443,
            )
        ],
    )
    assert actions.record_result(asset, result) == 1
    assert actions.record_result(asset, result) == 0
    assert Finding.objects.filter(asset=asset).count() == 1


def test_an_inconclusive_probe_never_resolves_or_opens_a_finding(world):
    asset = verified_domain(world)
    fail = ScanFinding(
        "http.hsts.missing", Status.FAIL, Severity.MEDIUM, "eksempel.test", "127.40.1.1", 14443
    )
    actions.record_result(asset, TargetResult("eksempel.test", [fail]))
    later = ScanFinding(
        "http.hsts.missing",
        Status.INCONCLUSIVE,
        Severity.MEDIUM,
        "eksempel.test",
        "127.40.1.1",
        14443,
    )
    actions.record_result(asset, TargetResult("eksempel.test", [later]))
    row = Finding.objects.get()
    assert row.status == "fail" and row.state == Finding.State.NEW and row.last_inconclusive_at


def test_a_fixed_finding_is_resolved_and_reopened_when_it_comes_back(world, network):
    verified_domain(world)
    config = network.only("http")
    actions.run_scan(world.eksempel, config=config)
    network.set_profile("eksempel.test", https.excellent())
    actions.run_scan(world.eksempel, config=config)
    hsts = Finding.objects.get(check_id="http.hsts.missing")
    assert hsts.status == "pass" and hsts.state == Finding.State.RESOLVED and hsts.resolved_at
    network.set_profile("eksempel.test", https.absent())
    actions.run_scan(world.eksempel, config=config)
    hsts.refresh_from_db()
    assert hsts.state == Finding.State.REOPENED
    ttr = reports.time_to_remediate(world.eksempel.pk)
    assert set(ttr) == {"critical", "high", "medium", "low"}


def test_pending_assets_are_neither_scanned_nor_scored(world):
    actions.do_add_asset(v(world.alice), world.eksempel, "domain", "eksempel.test")
    run = actions.run_scan(world.eksempel)
    assert run.assets_scanned == 0 and not Finding.objects.exists()
    assert reports.organisation_report(world.eksempel).result.score is None


def test_the_report_explains_every_lost_point_and_stores_a_snapshot(world):
    verified_domain(world)
    actions.run_scan(world.eksempel)
    report = reports.organisation_report(world.eksempel)
    assert report.result.grade is not None
    assert (
        sum((d.deduction.points for d in report.deductions), Decimal(0))
        == 100 - report.result.score
    )
    assert report.confidence == Decimal("1.00")
    assert len(report.fixes) == 3
    snap = ScoreSnapshot.objects.get(organisation=world.eksempel, date=timezone.localdate())
    assert snap.score == report.result.score and snap.web == report.result.factor("web").score
    assert snap.method_version == reports.METHOD


# ---------------------------------------------------------------- disputes
def open_dispute(world, check="http.hsts.missing", kind="false_positive", user=None):
    finding = Finding.objects.get(check_id=check)
    return actions.do_open_dispute(
        v(user or world.alice),
        finding,
        kind,
        "We send HSTS from the load balancer",
        timezone.localdate() + timedelta(days=90),
    )


def test_retest_closes_the_dispute_when_the_fix_is_live_and_the_grade_updates(world, network):
    verified_domain(world)
    actions.run_scan(world.eksempel, config=network.only("http"))
    before = reports.organisation_report(world.eksempel).result.score
    dispute = open_dispute(world)
    network.set_profile("eksempel.test", https.excellent())
    outcome = actions.do_retest(v(world.alice), dispute.finding)
    dispute.refresh_from_db()
    assert outcome.passed and outcome.closed_disputes == 1
    assert dispute.status == Dispute.Status.RESOLVED
    snap = ScoreSnapshot.objects.get(organisation=world.eksempel, date=timezone.localdate())
    assert snap.score > before
    assert AuditEntry.objects.filter(action="riskscore.dispute_retest").exists()


def test_a_failing_retest_leaves_the_dispute_for_the_operator(world, network):
    verified_domain(world)
    actions.run_scan(world.eksempel, config=network.only("http"))
    dispute = open_dispute(world)
    outcome = actions.do_retest(v(world.alice), dispute.finding)
    dispute.refresh_from_db()
    assert not outcome.passed and dispute.status == Dispute.Status.OPEN and dispute.retest_detail


def test_an_approved_false_positive_leaves_the_score_and_an_accepted_risk_stays(world, network):
    verified_domain(world)
    actions.run_scan(world.eksempel, config=network.only("http"))
    base = reports.organisation_report(world.eksempel).result.score
    fp = open_dispute(world)
    with pytest.raises(PermissionDenied):
        actions.do_decide_dispute(v(world.alice), fp, True, "mine")
    actions.do_decide_dispute(v(world.ola), fp, True, "Verified HSTS at the edge")
    waived = reports.organisation_report(world.eksempel).result.score
    assert waived > base
    risk = open_dispute(world, check="http.csp.missing", kind="accepted_risk")
    actions.do_decide_dispute(v(world.ola), risk, True, "Legacy app, replaced in 2027")
    assert reports.organisation_report(world.eksempel).result.score == waived


def test_a_dispute_needs_a_justification_and_an_expiry_within_a_year(world, network):
    verified_domain(world)
    actions.run_scan(world.eksempel, config=network.only("http"))
    finding = Finding.objects.get(check_id="http.hsts.missing")
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="justification"):
        actions.do_open_dispute(
            v(world.alice), finding, "false_positive", " ", today + timedelta(days=3)
        )
    with pytest.raises(ValidationError, match="expires_on"):
        actions.do_open_dispute(v(world.alice), finding, "false_positive", "x", today)
    with pytest.raises(ValidationError, match="expires_on"):
        actions.do_open_dispute(
            v(world.alice), finding, "false_positive", "x", today + timedelta(days=400)
        )
    with pytest.raises(PermissionDenied):
        actions.do_open_dispute(
            v(world.bob), finding, "false_positive", "x", today + timedelta(days=3)
        )


def test_an_expired_approval_counts_again(world, network):
    verified_domain(world)
    actions.run_scan(world.eksempel, config=network.only("http"))
    base = reports.organisation_report(world.eksempel).result.score
    dispute = open_dispute(world)
    actions.do_decide_dispute(v(world.ola), dispute, True, "ok")
    Dispute.objects.filter(pk=dispute.pk).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    assert reports.organisation_report(world.eksempel).result.score == base
