"""Every write of the risk score: footprint, validation, scans, snapshots and disputes.

Views, API and commands call these functions; each checks permission through the tenancy
helpers, validates (django ValidationError naming the field and value), saves inside a
transaction and writes the audit log. Scans run through ``run_scan`` only, so a distributed
executor can replace the in-process one without touching callers.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from mps.core import audit
from mps.core.tenancy import Viewer, changeable, require_act_for
from mps.registry.platforms import Platform, published_platforms
from mps.riskscore import footprint
from mps.riskscore.footprint import AssetKind, AssetRef, FootprintError
from mps.riskscore.models import Asset, Dispute, Finding, ScanRun, ScoreSnapshot
from mps.scanner.catalogue import CATALOGUE
from mps.scanner.checks import FAMILIES
from mps.scanner.config import ScanConfig
from mps.scanner.model import Finding as ScanFinding
from mps.scanner.model import Status, TargetResult
from mps.scanner.runner import scan_sync

# A dispute explains a deviation for at most a year before it must be renewed (comply or
# explain; NSM Grunnprinsipper 1.2 asks for risk decisions to be revisited regularly).
MAX_DISPUTE_DAYS = 366
# Order of statuses when one scan reports the same key twice: the worst one is kept.
STATUS_RANK = {
    Status.INCONCLUSIVE: 0,
    Status.PASS: 1,
    Status.INFO: 2,
    Status.WARN: 3,
    Status.FAIL: 4,
}
PROBLEM = {Status.FAIL, Status.WARN}

# ---------------------------------------------------------------- scan configuration
# The network parameters of platform scans. Production uses the engine's defaults (public
# resolver, standard ports, no private addresses); tests and `mps demo` install the local test
# internet's configuration here.
_scan_config: ScanConfig | None = None


def set_scan_config(config: ScanConfig | None) -> None:
    """Install the ScanConfig used when a caller passes none (tests, the demo's test internet)."""
    global _scan_config
    _scan_config = config


def scan_config() -> ScanConfig:
    return _scan_config if _scan_config is not None else ScanConfig()


def _invalid(field: str, message: str, value: Any = None) -> ValidationError:
    return ValidationError({field: [message if value is None else f"{message} ({value!r})"]})


# ---------------------------------------------------------------- footprint
def _overlapping(org_id: int | None, kind: AssetKind, value: str) -> Asset | None:
    """Another organisation's verified asset that covers or is covered by this one."""
    others = Asset.objects.filter(status=Asset.Status.VERIFIED).exclude(organisation_id=org_id)
    candidate = AssetRef(kind, value)
    if kind in (AssetKind.DOMAIN, AssetKind.HOST):
        rows = others.filter(
            Q(value__in=footprint.candidate_parents(kind, value)) | Q(value__endswith="." + value),
            kind__in=[AssetKind.DOMAIN, AssetKind.HOST],
        )
    else:
        rows = others.filter(kind__in=[AssetKind.IP, AssetKind.CIDR])
    for row in rows.order_by("pk"):
        if footprint.overlap(candidate, [AssetRef(AssetKind(row.kind), row.value)]):
            return row
    return None


def _platforms() -> dict[str, Platform]:
    """Declared platform domain -> the published service that declares it (the first wins)."""
    out: dict[str, Platform] = {}
    for platform in published_platforms():
        out.setdefault(platform.domain, platform)
    return out


def _platform_for(
    kind: str, value: str, org_id: int, platforms: dict[str, Platform] | None = None
) -> Platform | None:
    """Another organisation's shared platform that this name is on, if any.

    A vendor's own names on its own platform stay the vendor's to claim.
    """
    if kind not in (AssetKind.DOMAIN, AssetKind.HOST):
        return None
    platform = footprint.platform_of(value, _platforms() if platforms is None else platforms)
    if platform is None or platform.vendor_id == org_id:
        return None
    return platform


def _on_platform(platform: Platform) -> str:
    return (
        f"On {platform.vendor_name}'s shared platform ({platform.service_name}, "
        f"{platform.domain}): the risk score counts it as the vendor's, not yours"
    )


def _covering_own_domain(org_id: int, kind: str, value: str) -> Asset | None:
    if kind not in (AssetKind.DOMAIN, AssetKind.HOST):
        return None
    parents = footprint.candidate_parents(AssetKind(kind), value)[1:]
    rows = Asset.objects.filter(
        organisation_id=org_id,
        kind=AssetKind.DOMAIN,
        status=Asset.Status.VERIFIED,
        value__in=parents,
    )
    for row in rows:
        if footprint.covers(
            AssetRef(AssetKind.DOMAIN, row.value), AssetRef(AssetKind(kind), value)
        ):
            return row
    return None


def normalise_or_error(kind: str, value: str) -> str:
    try:
        return footprint.normalise(kind, value)
    except FootprintError as exc:
        field = "kind" if "kind" in str(exc) else "value"
        raise ValidationError({field: [str(exc)]}) from None


@transaction.atomic
def do_add_asset(
    viewer: Viewer,
    organisation: Any,
    kind: str,
    value: str,
    *,
    status: str = Asset.Status.PENDING,
    source: str = "manual",
    via: str = "",
    platforms: dict[str, Platform] | None = None,
) -> Asset:
    """Add an asset to the footprint, awaiting validation (or verified if an own domain covers it)."""
    require_act_for(viewer, organisation)
    normalised = normalise_or_error(kind, value)
    if Asset.objects.filter(organisation=organisation, kind=kind, value=normalised).exists():
        raise _invalid("value", "This asset is already in the footprint", normalised)
    platform = _platform_for(kind, normalised, organisation.pk, platforms)
    if platform is not None and status != Asset.Status.SUGGESTED:
        raise _invalid("value", _on_platform(platform), normalised)
    clash = _overlapping(organisation.pk, AssetKind(kind), normalised)
    if clash is not None:
        raise _invalid(
            "value",
            f"Overlaps {clash.value} which another organisation has verified; "
            "ask the operator if it is yours",
            normalised,
        )
    asset = Asset(
        organisation=organisation,
        kind=kind,
        value=normalised,
        status=status,
        source=source,
        discovered_via=via,
        token=footprint.new_token() if kind in (AssetKind.DOMAIN, AssetKind.HOST) else "",
    )
    if platform is not None:  # a discovered name on a vendor's platform: shown, never scored
        asset.status = Asset.Status.VENDOR
        asset.platform_service_id = platform.service_id
    parent = _covering_own_domain(organisation.pk, kind, normalised)
    if parent is not None and status == Asset.Status.PENDING:
        _mark_verified(asset, Asset.Method.PARENT, f"covered by the verified domain {parent.value}")
    asset.save()
    audit.record(viewer.user, "riskscore.asset_add", asset, after=audit.snapshot(asset))
    return asset


def _mark_verified(asset: Asset, method: str, detail: str, note: str = "") -> None:
    now = timezone.now()
    asset.status = Asset.Status.VERIFIED
    asset.method = method
    asset.verified_at = now
    asset.last_checked_at = now
    asset.last_check_detail = detail[:500]
    if note:
        asset.note = note


def _verify_children(asset: Asset) -> None:
    """A verified domain covers its subdomains: pending hosts under it become verified."""
    if asset.kind != AssetKind.DOMAIN:
        return
    children = Asset.objects.filter(
        organisation_id=asset.organisation_id,
        status=Asset.Status.PENDING,
        kind__in=[AssetKind.DOMAIN, AssetKind.HOST],
        value__endswith="." + asset.value,
    )
    for child in children:
        before = audit.snapshot(child)
        _mark_verified(child, Asset.Method.PARENT, f"covered by the verified domain {asset.value}")
        child.save()
        audit.record(
            None, "riskscore.asset_verify", child, before=before, after=audit.snapshot(child)
        )


def do_verify_asset(
    viewer: Viewer,
    asset: Asset,
    method: str,
    *,
    note: str = "",
    config: ScanConfig | None = None,
) -> footprint.ValidationOutcome:
    """Check the proof of control now (DNS TXT or /.well-known/), or record the operator's word."""
    if not changeable(Asset, viewer).filter(pk=asset.pk).exists():
        raise PermissionDenied("You may not change this asset.")
    if asset.status == Asset.Status.SUGGESTED:
        raise _invalid("status", "Accept the suggestion before validating it")
    if asset.status == Asset.Status.VENDOR:
        raise _invalid("status", "This name is on a vendor's shared platform", asset.value)
    if method not in Asset.Method.values or method == Asset.Method.PARENT:
        raise _invalid("method", "Unknown validation method", method)
    clash = _overlapping(asset.organisation_id, AssetKind(asset.kind), asset.value)
    if clash is not None:
        raise _invalid(
            "value", "Another organisation has verified an overlapping asset", clash.value
        )
    if method == Asset.Method.OPERATOR:
        if not viewer.is_operator:
            raise PermissionDenied("Only the operator confirms assets without a technical proof.")
        if not note.strip():
            raise _invalid("note", "The operator's confirmation needs a note saying why")
        outcome = footprint.ValidationOutcome(True, method, "confirmed by the operator")
    else:
        if asset.kind not in (AssetKind.DOMAIN, AssetKind.HOST):
            raise _invalid(
                "method", "IP addresses and blocks are confirmed by the operator", method
            )
        outcome = footprint.check_sync(method, asset.value, asset.token, config or scan_config())
    with transaction.atomic():
        locked = Asset.objects.select_for_update().get(pk=asset.pk)
        before = audit.snapshot(locked)
        if outcome.verified:
            _mark_verified(locked, method, outcome.detail, note=note.strip())
        else:
            locked.last_checked_at = timezone.now()
            locked.last_check_detail = outcome.detail[:500]
        locked.save()
        action = "riskscore.asset_verify" if outcome.verified else "riskscore.asset_verify_failed"
        audit.record(viewer.user, action, locked, before=before, after=audit.snapshot(locked))
        if outcome.verified:
            _verify_children(locked)
    asset.refresh_from_db()
    return outcome


def attribute_platform_hosts() -> dict[str, int]:
    """Apply the register's shared platforms to every footprint (after a publication or
    withdrawal, and daily): names on another organisation's platform become the vendor's and
    leave the score; names whose platform is gone come back as suggestions for the agency to
    decide. Every change is audited, by the system.
    """
    platforms = _platforms()
    counts = {"to_vendor": 0, "back_to_agency": 0}
    names = Asset.objects.filter(kind__in=[AssetKind.DOMAIN, AssetKind.HOST]).exclude(
        status=Asset.Status.REJECTED
    )
    rows = names.values_list("pk", "organisation_id", "value", "status", "platform_service_id")
    moves: list[tuple[int, Platform | None]] = []
    for pk, org_id, value, status, service_id in rows.iterator():
        platform = _platform_for(AssetKind.DOMAIN, value, org_id, platforms)
        if platform is not None and (
            status != Asset.Status.VENDOR or service_id != platform.service_id
        ):
            moves.append((pk, platform))
        elif platform is None and status == Asset.Status.VENDOR:
            moves.append((pk, None))
    for pk, platform in moves:
        with transaction.atomic():
            asset = Asset.objects.select_for_update().get(pk=pk)
            before = audit.snapshot(asset)
            if platform is not None:
                asset.status = Asset.Status.VENDOR
                asset.platform_service_id = platform.service_id
                asset.verified_at = None
                counts["to_vendor"] += 1
            else:
                asset.status = Asset.Status.SUGGESTED
                asset.platform_service_id = None
                counts["back_to_agency"] += 1
            asset.save()
            audit.record(
                None,
                "riskscore.asset_platform",
                asset,
                before=before,
                after=audit.snapshot(asset),
            )
    return counts


def do_recheck_validations(
    config: ScanConfig | None = None, *, older_than: timedelta = timedelta(days=1)
) -> dict[str, int]:
    """Re-check DNS/well-known proofs; a proof that is definitely gone sends the asset back to pending.

    An inconclusive check (timeout, SERVFAIL) changes nothing but the time of the check, so a
    transient DNS outage never unverifies a footprint.
    """
    config = config or scan_config()
    cutoff = timezone.now() - older_than
    due = Asset.objects.filter(
        status=Asset.Status.VERIFIED,
        method__in=[Asset.Method.DNS_TXT, Asset.Method.WELL_KNOWN],
    ).filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lt=cutoff))
    counts = {"checked": 0, "still_valid": 0, "lost": 0, "inconclusive": 0}
    for asset in due.order_by("pk").iterator():
        outcome = footprint.check_sync(asset.method, asset.value, asset.token, config)
        counts["checked"] += 1
        with transaction.atomic():
            before = audit.snapshot(asset)
            asset.last_checked_at = timezone.now()
            asset.last_check_detail = outcome.detail[:500]
            if outcome.verified:
                counts["still_valid"] += 1
            elif outcome.inconclusive:
                counts["inconclusive"] += 1
            else:
                counts["lost"] += 1
                asset.status = Asset.Status.PENDING
                asset.verified_at = None
            asset.save()
            if not outcome.verified and not outcome.inconclusive:
                audit.record(
                    None,
                    "riskscore.asset_unverified",
                    asset,
                    before=before,
                    after=audit.snapshot(asset),
                )
    return counts


@transaction.atomic
def do_decide_suggestion(viewer: Viewer, asset: Asset, accept: bool) -> Asset:
    """The organisation accepts a discovered name into its footprint, or rejects it."""
    if not changeable(Asset, viewer).filter(pk=asset.pk).exists():
        raise PermissionDenied("You may not change this asset.")
    if asset.status != Asset.Status.SUGGESTED:
        raise _invalid("status", "Only suggestions are accepted or rejected", asset.status)
    before = audit.snapshot(asset)
    if accept:
        asset.status = Asset.Status.PENDING
        parent = _covering_own_domain(asset.organisation_id, asset.kind, asset.value)
        if parent is not None:
            _mark_verified(
                asset, Asset.Method.PARENT, f"covered by the verified domain {parent.value}"
            )
    else:
        asset.status = Asset.Status.REJECTED
    asset.save()
    audit.record(
        viewer.user,
        "riskscore.suggestion_accept" if accept else "riskscore.suggestion_reject",
        asset,
        before=before,
        after=audit.snapshot(asset),
    )
    return asset


@transaction.atomic
def do_remove_asset(viewer: Viewer, asset: Asset) -> None:
    if not changeable(Asset, viewer).filter(pk=asset.pk).exists():
        raise PermissionDenied("You may not change this asset.")
    before = audit.snapshot(asset)
    audit.record(viewer.user, "riskscore.asset_remove", asset, before=before)
    asset.delete()


def _certificate_names(asset: Asset) -> list[str]:
    names: list[str] = []
    rows = Finding.objects.filter(asset=asset, check_id__startswith="tls.cert.").values_list(
        "evidence", flat=True
    )
    for evidence in rows:
        if isinstance(evidence, dict):
            for value in (
                evidence.get("names"),
                evidence.get("leaf", {}).get("names")
                if isinstance(evidence.get("leaf"), dict)
                else None,
            ):
                if isinstance(value, list):
                    names += [str(v) for v in value]
    return names


def do_discover(viewer: Viewer, asset: Asset, config: ScanConfig | None = None) -> list[Asset]:
    """Suggest related names for a verified domain (DNS and certificates seen); the agency decides."""
    require_act_for(viewer, asset.organisation)
    if asset.kind != AssetKind.DOMAIN or asset.status != Asset.Status.VERIFIED:
        raise _invalid("asset", "Discovery starts from a verified domain", asset.value)
    found = asyncio.run(footprint.discover(asset.value, config or scan_config()))
    found += footprint.names_from_certificates(_certificate_names(asset), asset.value)
    existing = set(
        Asset.objects.filter(organisation_id=asset.organisation_id).values_list("value", flat=True)
    )
    created = []
    platforms = _platforms()  # read once for every suggestion
    for suggestion in footprint.dedupe(found):
        if suggestion.value in existing:
            continue
        if _overlapping(asset.organisation_id, suggestion.kind, suggestion.value) is not None:
            continue
        created.append(
            do_add_asset(
                viewer,
                asset.organisation,
                suggestion.kind,
                suggestion.value,
                status=Asset.Status.SUGGESTED,
                source=suggestion.source,
                via=suggestion.via,
                platforms=platforms,
            )
        )
        existing.add(suggestion.value)
    return created


# ---------------------------------------------------------------- scanning
def scan_names(asset: Asset) -> list[str]:
    """What the scanner measures for an asset: its name, its address, or each address of a block."""
    if asset.kind == AssetKind.CIDR:
        network = ipaddress.ip_network(asset.value)
        if network.version == 6:
            return []  # an IPv6 block cannot be enumerated; its hosts are added by name
        if network.num_addresses == 1:
            return [str(network.network_address)]
        return [str(ip) for ip in network.hosts()]
    return [asset.value]


Executor = Callable[[Sequence[str], ScanConfig], Iterable[TargetResult]]


def in_process_executor(names: Sequence[str], config: ScanConfig) -> Iterable[TargetResult]:
    return scan_sync(names, config)


_executor: Executor = in_process_executor


def set_executor(executor: Executor | None) -> None:
    """Swap how scans execute (the distributed scanner installs its own); None restores in-process."""
    global _executor
    _executor = executor or in_process_executor


def _worst(findings: Iterable[ScanFinding]) -> dict[tuple[str, str, int], ScanFinding]:
    merged: dict[tuple[str, str, int], ScanFinding] = {}
    for f in findings:
        key = (f.check, f.address or "", f.port or 0)
        if key not in merged or STATUS_RANK[f.status] > STATUS_RANK[merged[key].status]:
            merged[key] = f
    return merged


def _apply(
    row: Finding | None, f: ScanFinding, asset: Asset, run: ScanRun | None
) -> Finding | None:
    """The row after observing ``f``, or None when nothing changes (an idempotent re-write)."""
    spec = CATALOGUE.get(f.check)
    factor = spec.factor if spec else "software"
    if row is not None and row.observed_at == f.observed_at and row.status == str(f.status):
        return None
    if row is None:
        row = Finding(
            organisation_id=asset.organisation_id,
            asset=asset,
            check_id=f.check,
            address=f.address or "",
            port=f.port or 0,
            status=str(Status.INCONCLUSIVE),
            state=Finding.State.OK,
        )
    row.factor = factor
    row.target = f.target[:253]
    row.method_version = f"scanner.{_method_version()}"
    row.last_run = run
    if f.status == Status.INCONCLUSIVE:
        row.last_inconclusive_at = f.observed_at
        if row.pk is None:
            row.severity = str(f.severity)
            row.observed_at = f.observed_at
            row.detail = f.detail
            row.evidence = f.evidence
        return row
    was_problem = row.status in (Status.FAIL, Status.WARN)
    row.status = str(f.status)
    row.severity = str(f.severity)
    row.evidence = f.evidence
    row.detail = f.detail
    row.observed_at = f.observed_at
    if f.status in PROBLEM:
        row.last_seen = f.observed_at
        if row.state == Finding.State.RESOLVED:
            row.state = Finding.State.REOPENED
            row.resolved_at = None
        elif was_problem or row.state in (Finding.State.NEW, Finding.State.REOPENED):
            row.state = Finding.State.OPEN
        else:
            row.state = Finding.State.NEW
            row.first_seen = f.observed_at
    elif row.state in (Finding.State.NEW, Finding.State.OPEN, Finding.State.REOPENED):
        row.state = Finding.State.RESOLVED
        row.resolved_at = f.observed_at
    elif row.state != Finding.State.RESOLVED:
        row.state = Finding.State.OK
    return row


def _method_version() -> str:
    from mps.scanner.model import METHOD_VERSION

    return METHOD_VERSION


FINDING_FIELDS = (
    "factor", "target", "method_version", "last_run", "status", "severity", "evidence", "detail",
    "observed_at", "last_seen", "state", "resolved_at", "first_seen", "last_inconclusive_at",
)  # fmt: skip


def _update_rows(rows: list[Finding]) -> None:
    """UPDATE many findings with one executemany: Django's bulk_update builds a CASE per field
    and row, which costs ~1 s per 60 rows in expression handling alone."""
    fields = [Finding._meta.get_field(name) for name in FINDING_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(Finding._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608 - names from the model, values bound
    params = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@transaction.atomic
def record_result(asset: Asset, result: TargetResult, run: ScanRun | None = None) -> int:
    """Write one target's findings for an asset, idempotently (keyed by asset+check+address+port).

    Returns the number of rows created or changed; writing the same result again changes none.
    """
    merged = _worst(result.findings)
    existing = {
        (r.check_id, r.address, r.port): r
        for r in Finding.objects.select_for_update().filter(
            asset=asset, check_id__in={k[0] for k in merged}
        )
    }
    created, updated = [], []
    for key, f in merged.items():
        row = existing.get(key)
        new = _apply(row, f, asset, run)
        if new is None:
            continue
        (updated if new.pk else created).append(new)
    Finding.objects.bulk_create(created)
    if updated:
        _update_rows(updated)
    if any(f.status != Status.INCONCLUSIVE for f in result.findings):
        Asset.objects.filter(pk=asset.pk).update(last_scanned_at=result.finished_at)
    return len(created) + len(updated)


def run_scan(
    organisation: Any,
    assets: Sequence[Asset] | None = None,
    config: ScanConfig | None = None,
    *,
    actor: Any = None,
    trigger: str = "manual",
    snapshot: bool = True,
) -> ScanRun:
    """Scan verified assets of one organisation now and store the results and today's score.

    The one place scans execute; ``set_executor`` swaps the in-process engine for another.
    """
    from mps.riskscore.reports import METHOD

    config = config or scan_config()
    if assets is None:
        assets = list(Asset.objects.filter(organisation=organisation, status=Asset.Status.VERIFIED))
    assets = [a for a in assets if a.status == Asset.Status.VERIFIED]
    run = ScanRun.objects.create(
        organisation=organisation,
        trigger=trigger,
        started_at=timezone.now(),
        method_version=METHOD,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    by_name: dict[str, Asset] = {}
    for asset in assets:
        for name in scan_names(asset):
            by_name.setdefault(name, asset)
    recorded = 0
    try:
        for result in _executor(list(by_name), config):
            asset = by_name.get(result.name) or by_name.get(result.name.lower().rstrip("."))
            if asset is not None:
                recorded += record_result(asset, result, run)
    except Exception as exc:  # the run is recorded as failed; what was written stays
        run.status = ScanRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
    else:
        run.status = ScanRun.Status.DONE
    run.finished_at = timezone.now()
    run.assets_scanned = len(assets)
    run.findings_recorded = recorded
    run.save()
    if snapshot:
        take_snapshot(organisation)
    return run


def do_scan(viewer: Viewer, organisation: Any, config: ScanConfig | None = None) -> ScanRun:
    """A user asks for a scan of their organisation's verified footprint now."""
    require_act_for(viewer, organisation)
    run = run_scan(organisation, config=config, actor=viewer.user, trigger="user")
    audit.record(viewer.user, "riskscore.scan", run, after=audit.snapshot(run))
    return run


def family_of(check_id: str) -> str | None:
    for family in FAMILIES:
        if any(spec.id == check_id for spec in family.CHECKS):
            return str(family.__name__.rsplit(".", 1)[-1])
    return None


# ---------------------------------------------------------------- snapshots
def take_snapshot(organisation: Any, day: date | None = None) -> ScoreSnapshot:
    """Store (or replace) the organisation's score for ``day`` (today by default)."""
    from mps.riskscore.reports import organisation_report

    report = organisation_report(organisation, with_fixes=False)
    day = day or timezone.localdate()
    values: dict[str, Any] = {
        "score": report.result.score,
        "grade": report.result.grade or "",
        "confidence": report.confidence,
        "assets": report.assets_verified,
        "open_findings": report.open_findings,
        "method_version": report.result.method_version,
        "failing_checks": sorted({d.deduction.check for d in report.deductions}),
        "generated": False,
    }
    for factor in report.result.factors:
        values[factor.factor] = factor.score
    snap, _ = ScoreSnapshot.objects.update_or_create(
        organisation=organisation, date=day, defaults=values
    )
    return snap


# ---------------------------------------------------------------- disputes
def _active_dispute(finding: Finding) -> Dispute | None:
    return finding.disputes.filter(
        status__in=[Dispute.Status.OPEN, Dispute.Status.APPROVED]
    ).first()


@transaction.atomic
def do_open_dispute(
    viewer: Viewer, finding: Finding, kind: str, justification: str, expires_on: date | None
) -> Dispute:
    """Dispute a finding with a justification and an expiry date (comply or explain)."""
    require_act_for(viewer, finding.organisation)
    if kind not in Dispute.Kind.values:
        raise _invalid("kind", "Unknown kind of dispute", kind)
    if not (justification or "").strip():
        raise _invalid("justification", "Say why: a dispute needs a justification")
    today = timezone.localdate()
    if expires_on is None:
        raise _invalid("expires_on", "A dispute needs an expiry date")
    if expires_on <= today:
        raise _invalid(
            "expires_on", "The expiry date must be in the future", expires_on.isoformat()
        )
    if expires_on > today + timedelta(days=MAX_DISPUTE_DAYS):
        raise _invalid(
            "expires_on",
            f"At most {MAX_DISPUTE_DAYS} days ahead; renew it then",
            expires_on.isoformat(),
        )
    if finding.status not in (Status.FAIL, Status.WARN):
        raise _invalid("finding", "Only failing findings can be disputed", finding.status)
    if _active_dispute(finding) is not None:
        raise _invalid("finding", "This finding already has an open or approved dispute")
    dispute = Dispute.objects.create(
        organisation_id=finding.organisation_id,
        finding=finding,
        kind=kind,
        justification=justification.strip(),
        expires_on=expires_on,
        created_by=viewer.user if getattr(viewer.user, "is_authenticated", False) else None,
    )
    audit.record(viewer.user, "riskscore.dispute_open", dispute, after=audit.snapshot(dispute))
    return dispute


@dataclasses.dataclass
class RetestOutcome:
    passed: bool
    status: str
    detail: str
    run_id: int
    closed_disputes: int


def do_retest(viewer: Viewer, finding: Finding, config: ScanConfig | None = None) -> RetestOutcome:
    """Re-scan the finding's asset at once (only the check's family); close it if it now passes."""
    require_act_for(viewer, finding.organisation)
    asset = finding.asset
    if asset.status != Asset.Status.VERIFIED:
        raise _invalid("asset", "Only verified assets are scanned", asset.value)
    config = config or scan_config()
    family = family_of(finding.check_id)
    if family is not None:
        config = dataclasses.replace(config, families=(family,), ports=dict(config.ports))
    run = run_scan(finding.organisation, [asset], config, actor=viewer.user, trigger="retest")
    finding.refresh_from_db()
    passed = finding.status in (Status.PASS, Status.INFO)
    closed = 0
    with transaction.atomic():
        for dispute in finding.disputes.select_for_update().filter(status=Dispute.Status.OPEN):
            before = audit.snapshot(dispute)
            dispute.retest_at = timezone.now()
            dispute.retest_detail = f"{finding.status}: {finding.detail}"[:2000]
            if passed:
                dispute.status = Dispute.Status.RESOLVED
                dispute.decided_at = dispute.retest_at
                dispute.reason = "re-test passed"
                closed += 1
            dispute.save()
            audit.record(
                viewer.user,
                "riskscore.dispute_retest",
                dispute,
                before=before,
                after=audit.snapshot(dispute),
            )
        audit.record(
            viewer.user,
            "riskscore.retest",
            finding,
            after={"status": finding.status, "run": run.pk},
        )
    return RetestOutcome(passed, finding.status, finding.detail, run.pk, closed)


@transaction.atomic
def do_decide_dispute(viewer: Viewer, dispute: Dispute, approve: bool, reason: str) -> Dispute:
    """The operator approves or rejects a dispute, with a reason."""
    if not (viewer.is_operator and viewer.can_write):
        raise PermissionDenied("Only the operator decides disputes.")
    if dispute.status != Dispute.Status.OPEN:
        raise _invalid("status", "Only open disputes can be decided", dispute.status)
    if not (reason or "").strip():
        raise _invalid("reason", "A decision needs a reason")
    before = audit.snapshot(dispute)
    dispute.status = Dispute.Status.APPROVED if approve else Dispute.Status.REJECTED
    dispute.reason = reason.strip()
    dispute.decided_by = viewer.user
    dispute.decided_at = timezone.now()
    dispute.save()
    audit.record(
        viewer.user,
        "riskscore.dispute_decide",
        dispute,
        before=before,
        after=audit.snapshot(dispute),
    )
    take_snapshot(dispute.organisation)
    return dispute


@transaction.atomic
def do_withdraw_dispute(viewer: Viewer, dispute: Dispute) -> Dispute:
    require_act_for(viewer, dispute.organisation)
    if dispute.status not in (Dispute.Status.OPEN, Dispute.Status.APPROVED):
        raise _invalid("status", "This dispute is already closed", dispute.status)
    before = audit.snapshot(dispute)
    dispute.status = Dispute.Status.WITHDRAWN
    dispute.save()
    audit.record(
        viewer.user,
        "riskscore.dispute_withdraw",
        dispute,
        before=before,
        after=audit.snapshot(dispute),
    )
    return dispute


def now() -> datetime:
    return timezone.now()
