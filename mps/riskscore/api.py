"""The risk score in the API: score with every deduction, history, footprint, findings, disputes.

Reads are scoped by the tenancy rule (central functions get the grade, not the evidence);
writes call the action layer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from mps.core.tenancy import get_visible_or_404, visible
from mps.organisations.models import Organisation
from mps.riskscore import actions, reports
from mps.riskscore.models import Asset, Dispute, Finding

router = Router(tags=["riskscore"])
PREFIX = "/riskscore"


def _organisation(request: HttpRequest, organisation_id: int) -> tuple[Organisation, bool]:
    return reports.organisation_for(request.viewer, organisation_id)  # type: ignore[attr-defined]


class AssetOut(Schema):
    id: int
    organisation_id: int
    kind: str
    value: str
    display: str
    status: str
    method: str
    token: str
    verified_at: Any = None
    last_checked_at: Any = None
    last_check_detail: str
    last_scanned_at: Any = None
    source: str
    discovered_via: str


class AssetIn(Schema):
    kind: str
    value: str


class VerifyIn(Schema):
    method: str
    note: str = ""


class SuggestionDecisionIn(Schema):
    accept: bool


class FindingOut(Schema):
    id: int
    organisation_id: int
    asset_id: int
    check_id: str
    factor: str
    severity: str
    status: str
    state: str
    target: str
    address: str
    port: int
    evidence: dict[str, Any]
    detail: str
    first_seen: Any = None
    last_seen: Any = None
    resolved_at: Any = None
    observed_at: Any = None
    method_version: str


class DisputeIn(Schema):
    kind: str
    justification: str
    expires_on: date


class DisputeOut(Schema):
    id: int
    organisation_id: int
    finding_id: int
    kind: str
    justification: str
    expires_on: date
    status: str
    reason: str
    retest_detail: str


class DecisionIn(Schema):
    approve: bool
    reason: str


class SnapshotOut(Schema):
    date: date
    score: float | None
    grade: str
    confidence: float | None
    tls: float | None
    web: float | None
    email: float | None
    dns: float | None
    ipv6: float | None
    services: float | None
    software: float | None
    method_version: str
    generated: bool


@router.get("/organisations/{int:organisation_id}", response=dict)
def organisation_score(request: HttpRequest, organisation_id: int) -> dict[str, Any]:
    """Score, grade, method version, confidence, factors and every deduction with its finding."""
    org, full = _organisation(request, organisation_id)
    report = reports.organisation_report(org, with_fixes=full)
    data = {"organisation": {"id": org.pk, "orgnr": org.orgnr, "name": org.name}} | report.to_json()
    if not full:  # central functions: the grade, not the evidence
        data = {
            k: data[k]
            for k in (
                "organisation",
                "method_version",
                "score",
                "grade",
                "confidence",
                "computed_at",
            )
        }
    return data


@router.get("/organisations/{int:organisation_id}/history", response=list[SnapshotOut])
def organisation_history(request: HttpRequest, organisation_id: int, days: int = 365):
    org, _full = _organisation(request, organisation_id)
    return reports.history(org.pk, days=max(1, min(days, 3660)))


@router.get("/organisations/{int:organisation_id}/assets", response=list[AssetOut])
@paginate
def organisation_assets(request: HttpRequest, organisation_id: int):
    org, full = _organisation(request, organisation_id)
    if not full:
        raise Http404("Not found")
    return visible(Asset, request.viewer).filter(organisation=org).order_by("kind", "value")  # type: ignore[attr-defined]


@router.post("/organisations/{int:organisation_id}/assets", response={201: AssetOut})
def add_asset(request: HttpRequest, organisation_id: int, payload: AssetIn):
    org, full = _organisation(request, organisation_id)
    if not full:
        raise Http404("Not found")
    return Status(201, actions.do_add_asset(request.viewer, org, payload.kind, payload.value))  # type: ignore[attr-defined]


@router.post("/organisations/{int:organisation_id}/scan", response=dict)
def scan_organisation(request: HttpRequest, organisation_id: int) -> dict[str, Any]:
    """Scan the verified footprint now; returns the run and the new score."""
    org, full = _organisation(request, organisation_id)
    if not full:
        raise Http404("Not found")
    run = actions.do_scan(request.viewer, org)  # type: ignore[attr-defined]
    report = reports.organisation_report(org, with_fixes=False)
    return {
        "run": run.pk,
        "status": run.status,
        "findings_written": run.findings_recorded,
        "score": None if report.result.score is None else float(report.result.score),
        "grade": report.result.grade,
    }


@router.get("/organisations/{int:organisation_id}/findings", response=list[FindingOut])
@paginate
def organisation_findings(request: HttpRequest, organisation_id: int, state: str | None = None):
    org, full = _organisation(request, organisation_id)
    if not full:
        raise Http404("Not found")
    rows = visible(Finding, request.viewer).filter(organisation=org)  # type: ignore[attr-defined]
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("pk")


@router.get("/assets/{int:asset_id}", response=AssetOut)
def get_asset(request: HttpRequest, asset_id: int):
    return get_visible_or_404(Asset, request.viewer, pk=asset_id)  # type: ignore[attr-defined]


@router.post("/assets/{int:asset_id}/verify", response=dict)
def verify_asset(request: HttpRequest, asset_id: int, payload: VerifyIn) -> dict[str, Any]:
    asset = get_visible_or_404(Asset, request.viewer, pk=asset_id)  # type: ignore[attr-defined]
    outcome = actions.do_verify_asset(request.viewer, asset, payload.method, note=payload.note)  # type: ignore[attr-defined]
    return outcome.to_json()


@router.post("/assets/{int:asset_id}/decision", response=AssetOut)
def decide_suggestion(request: HttpRequest, asset_id: int, payload: SuggestionDecisionIn):
    asset = get_visible_or_404(Asset, request.viewer, pk=asset_id)  # type: ignore[attr-defined]
    return actions.do_decide_suggestion(request.viewer, asset, payload.accept)  # type: ignore[attr-defined]


@router.delete("/assets/{int:asset_id}", response={204: None})
def remove_asset(request: HttpRequest, asset_id: int):
    asset = get_visible_or_404(Asset, request.viewer, pk=asset_id)  # type: ignore[attr-defined]
    actions.do_remove_asset(request.viewer, asset)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get("/findings/{int:finding_id}", response=FindingOut)
def get_finding(request: HttpRequest, finding_id: int):
    return get_visible_or_404(Finding, request.viewer, pk=finding_id)  # type: ignore[attr-defined]


@router.post("/findings/{int:finding_id}/retest", response=dict)
def retest_finding(request: HttpRequest, finding_id: int) -> dict[str, Any]:
    """Re-scan the asset now; a passing re-test closes the finding and its open disputes."""
    item = get_visible_or_404(Finding, request.viewer, pk=finding_id)  # type: ignore[attr-defined]
    outcome = actions.do_retest(request.viewer, item)  # type: ignore[attr-defined]
    report = reports.organisation_report(item.organisation, with_fixes=False)
    return {
        "passed": outcome.passed,
        "status": outcome.status,
        "detail": outcome.detail,
        "run": outcome.run_id,
        "closed_disputes": outcome.closed_disputes,
        "score": None if report.result.score is None else float(report.result.score),
        "grade": report.result.grade,
    }


@router.post("/findings/{int:finding_id}/disputes", response={201: DisputeOut})
def open_dispute(request: HttpRequest, finding_id: int, payload: DisputeIn):
    item = get_visible_or_404(Finding, request.viewer, pk=finding_id)  # type: ignore[attr-defined]
    dispute = actions.do_open_dispute(
        request.viewer,  # type: ignore[attr-defined]
        item,
        payload.kind,
        payload.justification,
        payload.expires_on,
    )
    return Status(201, dispute)


@router.get("/disputes/{int:dispute_id}", response=DisputeOut)
def get_dispute(request: HttpRequest, dispute_id: int):
    return get_visible_or_404(Dispute, request.viewer, pk=dispute_id)  # type: ignore[attr-defined]


@router.post("/disputes/{int:dispute_id}/decision", response=DisputeOut)
def decide_dispute(request: HttpRequest, dispute_id: int, payload: DecisionIn):
    dispute = get_visible_or_404(Dispute, request.viewer, pk=dispute_id)  # type: ignore[attr-defined]
    return actions.do_decide_dispute(request.viewer, dispute, payload.approve, payload.reason)  # type: ignore[attr-defined]


@router.get("/national", response=dict)
def national(request: HttpRequest) -> dict[str, Any]:
    """The national picture (central functions and the operator): only groups of 5 or more."""
    viewer = request.viewer  # type: ignore[attr-defined]
    if not (viewer.is_central or viewer.is_operator):
        raise Http404("Not found")
    p = reports.national_picture()

    def groups(rows: list[reports.GroupRow]) -> list[dict[str, Any]]:
        return [
            {
                "label": r.label,
                "organisations": None if r.suppressed else r.organisations,
                "grades": r.grades,
                "suppressed": r.suppressed,
            }
            for r in rows
        ]

    return {
        "organisations": p.organisations,
        "grades": p.grades,
        "by_sector": groups(p.by_sector),
        "by_county": groups(p.by_county),
        "common_findings": [
            {"check": c, "title": t, "organisations": n} for c, t, n in p.common_findings
        ],
        "trend": [
            {"week": w.isoformat(), "average": float(a), "organisations": n} for w, a, n in p.trend
        ],
        "fresh_share": None if p.fresh_share is None else float(p.fresh_share),
    }
