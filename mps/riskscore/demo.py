"""Demo data for the risk score: footprints, measurements, a year of history, one open dispute.

Two modes. When the demo has started a local test internet it puts its ScanConfig in
``ctx.extra["riskscore_scan_config"]`` and the names each agency owns there in
``ctx.extra["riskscore_hosts"]`` (orgnr -> names); those agencies are scanned for real. Every
other agency gets findings drawn from a seeded random posture, written through the same
``record_result`` path as real scans but marked ``"generated": "demo"`` in their evidence, and its
snapshots are flagged ``generated`` so the pages say the history is not measured.
Idempotent: agencies that already have a footprint are left alone.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from mps.core.actions import do_grant_evidence
from mps.core.models import EvidenceGrant
from mps.core.tenancy import viewer_for
from mps.registry.demo import platform_domain
from mps.riskscore import actions, scoring
from mps.riskscore.footprint import FootprintError, expected_record, new_token, normalise_name
from mps.riskscore.models import Asset, Dispute, Finding, ScoreSnapshot
from mps.riskscore.reports import METHOD
from mps.scanner.catalogue import CATALOGUE
from mps.scanner.model import Finding as ScanFinding
from mps.scanner.model import Severity, Status, TargetResult

ORDER = 40
# Share of agencies per security posture (our guess at a realistic spread, not a measurement).
POSTURES = (("good", 0.3), ("average", 0.5), ("poor", 0.2))
# Chance that a check fails, per posture and severity (demo assumption).
FAIL_CHANCE: dict[str, dict[Severity, float]] = {
    "good": {Severity.CRITICAL: 0.003, Severity.HIGH: 0.02, Severity.MEDIUM: 0.08, Severity.LOW: 0.2, Severity.INFO: 0.3},
    "average": {Severity.CRITICAL: 0.01, Severity.HIGH: 0.06, Severity.MEDIUM: 0.25, Severity.LOW: 0.45, Severity.INFO: 0.5},
    "poor": {Severity.CRITICAL: 0.04, Severity.HIGH: 0.15, Severity.MEDIUM: 0.45, Severity.LOW: 0.65, Severity.INFO: 0.7},
}  # fmt: skip
# Families measured on the web host (www.<domain>); the domain itself gets every check.
WEB_HOST_FACTORS = {"tls", "web", "services", "software", "ipv6"}
HISTORY_WEEKS = 52
DEMO_NOTE = "Demo: confirmed by the operator (fictitious validation)."


def _slug(name: str) -> str:
    base = re.sub(r"\s+kommune$", "", name.strip(), flags=re.IGNORECASE).lower()
    base = re.sub(r"[^a-z0-9æøåäöüéè-]+", "-", base).strip("-")
    return base


def domain_for(org: Any) -> str | None:
    """A plausible domain: the registered website's host, or <name>.kommune.no for municipalities."""
    website = (org.website or "").strip()
    if website:
        host = urlsplit(website if "//" in website else f"//{website}").hostname or ""
        host = host.removeprefix("www.")
        try:
            return normalise_name(host)
        except FootprintError:
            pass
    if org.sector == "municipality":
        try:
            return normalise_name(f"{_slug(org.name)}.kommune.no")
        except FootprintError:
            return None
    return None


def _posture(rng: random.Random) -> str:
    roll, acc = rng.random(), 0.0
    for name, share in POSTURES:
        acc += share
        if roll < acc:
            return name
    return POSTURES[-1][0]


def _generated_result(
    name: str, factors: set[str] | None, rng: random.Random, posture: str, when: Any
) -> TargetResult:
    findings = []
    for spec in CATALOGUE.values():
        if factors is not None and spec.factor not in factors:
            continue
        failed = rng.random() < FAIL_CHANCE[posture][spec.severity]
        status = (
            (Status.INFO if spec.severity == Severity.INFO else Status.FAIL)
            if failed
            else Status.PASS
        )
        findings.append(
            ScanFinding(
                check=spec.id, status=status, severity=spec.severity, target=name,
                evidence={"generated": "demo"}, observed_at=when,
                detail="Generated demo data, not measured." if failed else "",
            )
        )  # fmt: skip
    return TargetResult(name=name, findings=findings, started_at=when, finished_at=when)


def _backfill(org: Any, current: Decimal | None, rng: random.Random, today: Any) -> None:
    """Weekly generated snapshots for the past year, drifting towards today's score."""
    if current is None:
        return
    start = max(Decimal(0), min(Decimal(100), current - Decimal(rng.randint(-6, 14))))
    rows = []
    for week in range(HISTORY_WEEKS, 0, -1):
        day = today - timedelta(weeks=week)
        share = Decimal(HISTORY_WEEKS - week) / HISTORY_WEEKS
        noise = Decimal(rng.uniform(-1.5, 1.5)).quantize(Decimal("0.01"))
        value = max(
            Decimal(0), min(Decimal(100), start + (current - start) * share + noise)
        ).quantize(Decimal("0.01"))
        rows.append(
            ScoreSnapshot(
                organisation=org, date=day, score=value, grade=scoring.grade_for(value) or "",
                confidence=Decimal("1.00"), method_version=METHOD, generated=True,
            )
        )  # fmt: skip
    ScoreSnapshot.objects.bulk_create(rows, ignore_conflicts=True)


def _history_states(org: Any, rng: random.Random, now: Any) -> None:
    """Open findings were first seen weeks ago; some passing checks were fixed along the way."""
    first = now - timedelta(days=rng.randint(20, 120))
    Finding.objects.filter(organisation=org, state=Finding.State.NEW).update(
        state=Finding.State.OPEN, first_seen=first
    )
    passing = list(
        Finding.objects.filter(organisation=org, status="pass").values_list("pk", flat=True)
    )
    fixed = rng.sample(passing, k=min(len(passing), rng.randint(2, 8)))
    for pk in fixed:
        days = rng.choice([3, 7, 14, 30, 60])
        Finding.objects.filter(pk=pk).update(
            state=Finding.State.RESOLVED, first_seen=first, resolved_at=first + timedelta(days=days)
        )


def _demo_dispute(org: Any, user: Any) -> None:
    finding = (
        Finding.objects.filter(organisation=org, status="fail", severity__in=["medium", "low"])
        .order_by("check_id")
        .first()
    )
    if finding is None or finding.disputes.exists():
        return
    Dispute.objects.create(
        organisation=org, finding=finding, kind=Dispute.Kind.COMPENSATING,
        justification="Handled by our reverse proxy in front of the service (demo).",
        expires_on=timezone.localdate() + timedelta(days=180), created_by=user,
    )  # fmt: skip


def _demo_grant(ctx: Any) -> None:
    """The operator has opened one measured agency's evidence to the central function."""
    operator = ctx.users.get("ola")
    measured = [a for a in ctx.agencies if a.orgnr in ctx.extra.get("riskscore_hosts", {})]
    if operator is None or ctx.central is None or len(measured) < 2:
        return
    subject = measured[1]
    if EvidenceGrant.objects.filter(grantee=ctx.central, subject=subject).exists():
        return
    do_grant_evidence(
        viewer_for(operator),
        ctx.central,
        subject,
        "Demo: oppfølging av en sårbarhetsvarsling fra NSM (fiktiv).",
        ctx.today + timedelta(days=90),
    )


def _await_validation(org: Any, name: str, token: str) -> None:
    """The agency's second domain, added but not validated; its token is the one in DNS now.

    The test internet is new on every start, with a new token, so an asset still awaiting
    validation takes the current one (a validated one is left alone).
    """
    asset, created = Asset.objects.get_or_create(
        organisation=org,
        kind=Asset.Kind.DOMAIN,
        value=normalise_name(name),
        defaults={"status": Asset.Status.PENDING, "token": token},
    )
    if not created and asset.status == Asset.Status.PENDING and asset.token != token:
        Asset.objects.filter(pk=asset.pk).update(token=token)


# Agencies measured for real on the demo's local test internet (the demo agency comes first).
REAL_AGENCIES = 6
NETWORKS = (30, 40, 50, 60, 70)  # 127.<n>.0.0/16 tried in turn for the local test internet
ASCII = str.maketrans(
    {"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ü": "u", "é": "e", "è": "e"}
)


def prepare(ctx: Any) -> Callable[[], None]:
    """Start the local test internet for a few agencies so the demo scans them for real.

    Installs its ScanConfig for the demo process, so "re-test now" in the served demo measures
    the same hosts. Returns the function that stops it.
    """
    from mps.scanner.config import ScanConfig
    from mps.testnet.demo_world import start_demo_internet

    first = ctx.extra.get("demo_agency")
    chosen = [first] if first is not None else []
    chosen += [a for a in ctx.agencies if a.pk != getattr(first, "pk", None)][
        : REAL_AGENCIES - len(chosen)
    ]
    slugs = {org.orgnr: _slug(org.name).translate(ASCII) for org in chosen}
    # The demo agency's second domain, with its validation token already in DNS: the footprint
    # journey ("validate a domain") then runs against real DNS, as an agency's would.
    token = new_token()
    challenges = {first.orgnr: expected_record(token)} if first is not None else {}
    # Its DNS also points a self-service portal at a vendor's shared platform (declared in the
    # service register's demo): discovery attributes that name to the vendor, not the agency.
    extra = {}
    if first is not None and ctx.vendors:
        platform = platform_domain(ctx.vendors[0])
        extra[first.orgnr] = (f"portal CNAME {slugs[first.orgnr]}.{platform}.",)
    internet = None
    for network in NETWORKS:  # another demo (or test run) on this machine may hold the first
        try:
            internet = start_demo_internet(
                Path(ctx.data_dir) / "demo-internet",
                slugs,
                network,
                challenges=challenges,
                extra_records=extra,
            )
            break
        except OSError as exc:
            ctx.log(f"local test internet: 127.{network}.0.0/16 is taken ({exc.strerror})")
    if internet is None:
        ctx.log("local test internet not started: every agency's measurements are generated")
        return lambda: None
    config = ScanConfig(**internet.scan_settings())
    ctx.extra["riskscore_scan_config"] = config
    ctx.extra["riskscore_hosts"] = internet.names
    ctx.extra["riskscore_unclaimed"] = {
        orgnr: (name, token) for orgnr, name in internet.unclaimed.items()
    }
    actions.set_scan_config(config)
    ctx.log(
        f"local test internet: {len(slugs)} agencies' hosts on 127.30.0.0/16, measured for real"
    )

    def stop() -> None:
        actions.set_scan_config(None)
        internet.close()

    return stop


def load(ctx: Any) -> None:
    config = ctx.extra.get("riskscore_scan_config")
    real_hosts: dict[str, list[str]] = (
        ctx.extra.get("riskscore_hosts", {}) if config is not None else {}
    )
    today = ctx.today
    now = timezone.now()
    done = set(Asset.objects.values_list("organisation_id", flat=True).distinct())
    created = 0
    for org in ctx.agencies:
        if org.pk in done:
            continue
        rng = random.Random(f"riskscore-{org.orgnr}")
        names = real_hosts.get(org.orgnr or "")
        domain = domain_for(org)
        if not names and domain is None:
            continue
        with transaction.atomic():
            assets = []
            for index, name in enumerate(names or [domain, f"www.{domain}"]):
                kind = Asset.Kind.DOMAIN if index == 0 else Asset.Kind.HOST
                asset, _ = Asset.objects.get_or_create(
                    organisation=org, kind=kind, value=normalise_name(name),
                    defaults={"status": Asset.Status.VERIFIED, "method": Asset.Method.OPERATOR, "note": DEMO_NOTE, "verified_at": now, "last_checked_at": now},
                )  # fmt: skip
                assets.append(asset)
            if names:
                actions.run_scan(org, assets, config, trigger="demo", snapshot=False)
            else:
                posture = _posture(rng)
                for asset in assets:
                    factors = None if asset.kind == Asset.Kind.DOMAIN else WEB_HOST_FACTORS
                    result = _generated_result(
                        asset.value, factors, random.Random(asset.value), posture, now
                    )
                    actions.record_result(asset, result)
                    Asset.objects.filter(pk=asset.pk).update(
                        last_scanned_at=now - timedelta(days=rng.choice([0, 1, 2, 3, 9]))
                    )
                _history_states(org, rng, now)
            snap = actions.take_snapshot(org, today)
            if not names:
                ScoreSnapshot.objects.filter(pk=snap.pk).update(generated=True)
            _backfill(org, snap.score, rng, today)
        created += 1
    demo_agency = ctx.extra.get("demo_agency")
    if demo_agency is not None:
        _demo_dispute(demo_agency, ctx.users.get("kari"))
    _demo_grant(ctx)
    for org in ctx.agencies:
        unclaimed = ctx.extra.get("riskscore_unclaimed", {}).get(org.orgnr or "")
        if unclaimed is not None:
            _await_validation(org, *unclaimed)
            ctx.log(
                f"risk score: {org.name}'s domain {unclaimed[0]} awaits validation; its DNS TXT"
                " record is published on the local test internet (footprint page, DNS TXT)"
            )
    ctx.log(f"risk score: {created} agencies given a footprint, measurements and a year of history")
