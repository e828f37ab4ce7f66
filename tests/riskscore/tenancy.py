"""Private risk score objects of a victim organisation for the tenancy walk."""

from datetime import timedelta

from django.utils import timezone

from mps.core.models import EvidenceGrant
from mps.riskscore.models import Asset, Dispute, Finding, ScanRun, ScoreSnapshot


def victim_objects(world):
    now = timezone.now()
    asset = Asset.objects.create(
        organisation=world.annen,
        kind="domain",
        value="annen.test",
        status="verified",
        method="operator",
        note="CANARY asset note",
        verified_at=now,
        last_scanned_at=now,
    )
    run = ScanRun.objects.create(organisation=world.annen, started_at=now, method_version="x")
    finding = Finding.objects.create(
        organisation=world.annen,
        asset=asset,
        check_id="http.hsts.missing",
        factor="web",
        severity="medium",
        status="fail",
        target="annen.test",
        address="127.40.1.2",
        port=443,
        evidence={"headers": ["CANARY evidence"]},
        detail="CANARY detail",
        state="new",
        first_seen=now,
        last_seen=now,
        observed_at=now,
        method_version="x",
        last_run=run,
    )
    Dispute.objects.create(
        organisation=world.annen,
        finding=finding,
        kind="false_positive",
        justification="CANARY justification",
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    ScoreSnapshot.objects.create(
        organisation=world.annen, date=timezone.localdate(), score=85, grade="B", method_version="x"
    )
    # A grant owned by a victim (the walk's victims are an agency and a vendor, so the grantee
    # here is the vendor): no attacker, the central function included, may see or end it.
    EvidenceGrant.objects.create(
        grantee=world.other_vendor,
        subject=world.annen,
        reason="CANARY grant reason",
        expires_on=timezone.localdate() + timedelta(days=30),
    )
