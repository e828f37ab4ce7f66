"""Cloud costs in the API: summaries and analyses of an organisation's FOCUS data, imports.

An organisation's costs are visible to its own members and the operator only. Everything is read
from the pre-aggregated tables (docs/costs.md), except summaries in a currency other than NOK,
which convert the billing rows at each charge date's rate.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from mps.core.tenancy import get_visible_or_404, visible
from mps.costs import actions, national, reports
from mps.costs import benchmark as bench
from mps.costs.engine.analyses import AnalysisError
from mps.costs.engine.summary import SummaryError
from mps.costs.models import CostImport
from mps.organisations.models import Organisation

router = Router(tags=["costs"])
PREFIX = "/costs"


def _organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    viewer = request.viewer  # type: ignore[attr-defined]
    org = get_visible_or_404(Organisation, viewer, pk=organisation_id)
    if viewer.is_operator or viewer.organisation_id == org.pk:
        return org
    raise Http404("Not found")


def _months(start: str | None, end: str | None) -> tuple[str, str] | None:
    if not start and not end:
        return None
    return (start or "0000-00", end or "9999-99")


@router.get("/organisations/{int:organisation_id}/summary", response=dict)
def summary(
    request: HttpRequest,
    organisation_id: int,
    by: str = "provider,month",
    currency: str = "NOK",
) -> dict[str, Any]:
    """Billed, effective and list cost per group: the shape of `mps costs summary --json`."""
    org = _organisation(request, organisation_id)
    names = [n.strip() for n in by.split(",") if n.strip()]
    if currency.strip().upper() != "NOK":
        try:
            return actions.cost_summary(org, names, currency).to_dict()
        except SummaryError as exc:
            raise HttpError(422, str(exc)) from None
    with reports.aggregates(org) as con:
        if con is None:
            return {"currency": "NOK", "rows": []}
        try:
            from mps.costs.engine.analyses import summary as aggregate_summary

            rows = aggregate_summary(con, names)
        except AnalysisError as exc:
            raise HttpError(422, str(exc)) from None
    return {"currency": "NOK", "rows": rows}


@router.get("/organisations/{int:organisation_id}/analyses", response=dict)
def analyses(request: HttpRequest, organisation_id: int) -> dict[str, Any]:
    """The overview: last 12 months' savings, commitments, shares, and the latest change split."""
    org = _organisation(request, organisation_id)
    view = reports.overview(org)
    mp = view.by_month_provider
    return {
        "currency": "NOK",
        "months": list(view.month_range) if view.month_range else None,
        "month_by_provider": [
            {"month": m, "provider": p, "effective_cost": v}
            for (m, p), v in sorted(mp.effective_nok.items())
        ]
        if mp
        else [],
        "last_change": asdict(view.last_change) if view.last_change else None,
        "savings": asdict(view.savings) if view.savings else None,
        "commitments": asdict(view.commitments) if view.commitments else None,
        "shares": asdict(view.shares) if view.shares else None,
    }


@router.get("/organisations/{int:organisation_id}/breakdown", response=dict)
def breakdown(
    request: HttpRequest,
    organisation_id: int,
    dimension: str = "service",
    start: str | None = None,
    end: str | None = None,
) -> dict[str, Any]:
    """Cost per value of one dimension (or `tag:<key>`), largest first."""
    org = _organisation(request, organisation_id)
    try:
        _months_, _keys, groups = reports.breakdown(org, dimension, _months(start, end))
    except AnalysisError as exc:
        raise HttpError(422, str(exc)) from None
    return {"currency": "NOK", "dimension": dimension, "groups": [asdict(g) for g in groups]}


@router.get("/organisations/{int:organisation_id}/anomalies", response=list[dict])
def anomalies(request: HttpRequest, organisation_id: int) -> list[dict[str, Any]]:
    org = _organisation(request, organisation_id)
    return [
        {**asdict(a), "day": a.day.isoformat(), "excess_nok": a.excess_nok}
        for a in reports.anomaly_list(org)
    ]


@router.get("/organisations/{int:organisation_id}/forecast", response=dict)
def forecast(request: HttpRequest, organisation_id: int) -> dict[str, Any]:
    org = _organisation(request, organisation_id)
    view = reports.forecast_view(org)
    f = view.forecast
    return {
        "forecast": {**asdict(f), "as_of": f.as_of.isoformat(), "fx_effect_nok": f.fx_effect_nok}
        if f
        else None,
        "budget": {
            "year": view.budget.year,
            "amount_nok": float(view.budget.amount_nok),
            "reference_date": view.budget.reference_date.isoformat(),
        }
        if view.budget
        else None,
        "alerts": [asdict(a) for a in view.alerts],
    }


class BudgetIn(Schema):
    year: int
    amount_nok: Decimal
    reference_date: date
    note: str = ""


@router.put("/organisations/{int:organisation_id}/budget", response=dict)
def set_budget(request: HttpRequest, organisation_id: int, payload: BudgetIn) -> dict[str, Any]:
    """Set the organisation's budget for a year (members who may write, and the operator)."""
    org = _organisation(request, organisation_id)
    budget = actions.do_set_budget(
        request.user, org, payload.year, payload.amount_nok, payload.reference_date, payload.note
    )
    return {
        "year": budget.year,
        "amount_nok": float(budget.amount_nok),
        "reference_date": budget.reference_date.isoformat(),
        "note": budget.note,
    }


@router.get("/organisations/{int:organisation_id}/benchmark", response=dict)
def benchmark(request: HttpRequest, organisation_id: int) -> dict[str, Any]:
    """The organisation's position among its peers (groups under 5 agencies are not shown)."""
    org = _organisation(request, organisation_id)
    result = bench.benchmark_for(org)
    return {
        "window": list(result.window) if result.window else None,
        "sector": result.group_label[0] if result.group_label else None,
        "size_band": result.group_label[1] if result.group_label else None,
        "group_size": result.group_size,
        "shown": result.shown,
        "kpis": [
            {
                **{k: v for k, v in asdict(p).items() if k != "values"},
                "values": [{"name": n, "value": v, "own": o} for n, v, o in p.values],
            }
            for p in result.positions
        ],
    }


@router.get("/national", response=dict, summary="National cost picture")
def national_picture(request: HttpRequest) -> dict[str, Any]:
    """Sums over agencies for central functions and the operator; others get 404.

    The figures of the national cost page: effective cost per month (24 months) in all, per
    provider and per service category; per sector over the last 12 months; the month-over-month
    change split into usage, unit price and exchange rate; percentiles of the effective savings
    rate; untagged and residency shares; agencies reporting and the latest month of their data.
    A group of fewer than 5 organisations has `suppressed: true` and no figures; provider and
    category groups that small are not named, only combined in `rest` (itself at least 5).
    """
    viewer = request.viewer  # type: ignore[attr-defined]
    if not (viewer.is_central or viewer.is_operator):
        raise Http404("Not found")
    return national.national_picture().to_json()


@router.get("/imports", response=list[dict])
def imports(request: HttpRequest, limit: int = 100) -> list[dict[str, Any]]:
    """Cost imports the caller may see, newest first."""
    viewer = request.viewer  # type: ignore[attr-defined]
    rows = visible(CostImport, viewer).order_by("-created_at")[: max(1, min(limit, 500))]
    return [
        {
            "id": r.pk,
            "organisation_id": r.organisation_id,
            "file_name": r.file_name,
            "outcome": r.outcome,
            "focus_version": r.focus_version,
            "rows": r.rows,
            "errors": r.error_count,
            "created_at": r.created_at.isoformat(),
        }
        for r in rows
    ]
