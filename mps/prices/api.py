"""Prices in the API: price changes and alerts, SKU history, basket prices and index, paid prices.

Catalogue and baskets are reference data for every authenticated caller; paid prices are the
agency's own (or the operator's view). Reads only: the catalogue is imported with the CLI or
the operator's web form.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router

from mps.core.tenancy import get_visible_or_404, visible
from mps.organisations.models import Organisation
from mps.prices import actions, reports
from mps.prices.models import Basket, PriceSku

router = Router(tags=["prices"])
PREFIX = "/prices"


def _f(value: Any) -> float | None:
    return None if value is None else float(value)


@router.get("/changes")
def list_changes(request: HttpRequest, alerts_only: bool = False) -> dict[str, Any]:
    """Price changes newest first; `alert` marks rises above the threshold."""
    rows = reports.change_rows(limit=1000, only_alerts=alerts_only)
    return {
        "threshold_percent": float(actions.alert_threshold()),
        "changes": [
            {
                "sku": r.sku.pk if r.sku else None,
                "vendor": r.change.key.vendor,
                "sku_id": r.change.key.sku_id,
                "region": r.change.key.region,
                "price_type": r.change.key.price_type,
                "price_list": r.change.key.price_list,
                "currency": r.change.currency,
                "unit": r.change.unit,
                "day": r.change.day,
                "old_price": _f(r.change.old_price),
                "new_price": _f(r.change.new_price),
                "percent": _f(r.change.percent),
                "alert": r.alert,
            }
            for r in rows
        ],
    }


@router.get("/skus/{int:pricesku_id}")
def get_sku(request: HttpRequest, pricesku_id: int) -> dict[str, Any]:
    sku = get_visible_or_404(PriceSku, request.viewer, pk=pricesku_id)  # type: ignore[attr-defined]
    return {
        "id": sku.pk,
        "vendor": sku.vendor_name,
        "sku_id": sku.sku_id,
        "region": sku.region,
        "price_type": sku.price_type,
        "meter": sku.meter,
        "product": sku.product,
        "service": sku.service,
        "unit": sku.unit,
        "price_list": sku.price_list,
        "prices": [
            {
                "currency": p.currency,
                "unit_price": _f(p.unit_price),
                "tier_min_units": _f(p.tier_min_units),
                "effective_from": p.effective_from,
                "effective_to": p.effective_to,
            }
            for p in reports.sku_history(sku)
        ],
    }


@router.get("/baskets")
def list_baskets(request: HttpRequest) -> list[dict[str, Any]]:
    items = visible(Basket, request.viewer)  # type: ignore[attr-defined]
    return [
        {"id": b.pk, "name": b.name, "name_nb": b.name_nb, "description": b.description}
        for b in items
    ]


@router.get("/baskets/{int:basket_id}")
def get_basket(request: HttpRequest, basket_id: int, day: date | None = None) -> dict[str, Any]:
    """The basket's monthly price per vendor in NOK on `day` (default today) and the index."""
    basket = get_visible_or_404(Basket, request.viewer, pk=basket_id)  # type: ignore[attr-defined]
    report = reports.basket_report(basket, day or reports.default_day(timezone.localdate()))
    return {
        "id": basket.pk,
        "name": basket.name,
        "name_nb": basket.name_nb,
        "date": report.day,
        "currency": "NOK",
        "vendors": [
            {
                "vendor": p.vendor,
                "complete": p.complete,
                "missing": p.missing,
                "total_nok": round(float(p.total_nok), 2),
                "lines": [
                    {
                        "label": line.label,
                        "sku_id": line.sku_id,
                        "currency": line.currency,
                        "quantity": _f(line.quantity),
                        "unit_price": _f(line.unit_price),
                        "rate": _f(line.rate),
                        "rate_day": line.rate_day,
                        "cost_nok": round(float(line.cost_nok), 2),
                    }
                    for line in p.lines
                ],
                "index": [
                    {
                        "day": pt.day,
                        "total_nok": round(float(pt.total_nok), 2),
                        "index": round(float(pt.index), 2),
                        "price_points": round(float(pt.price_points), 2),
                        "fx_points": round(float(pt.fx_points), 2),
                    }
                    for pt in report.index.get(p.vendor, [])
                ],
            }
            for p in report.prices
        ],
    }


@router.get("/paid/{int:organisation_id}")
def get_paid(request: HttpRequest, organisation_id: int) -> dict[str, Any]:
    """What the agency paid per SKU against list prices: its own members and the operator only."""
    viewer = request.viewer  # type: ignore[attr-defined]
    org = get_visible_or_404(Organisation, viewer, pk=organisation_id)
    if org.kind != Organisation.Kind.AGENCY or not (
        viewer.is_operator or viewer.organisation_id == org.pk
    ):
        raise Http404("Not found")
    return {
        "organisation": org.pk,
        "rows": [
            {
                "provider": r.provider,
                "sku_id": r.sku_id,
                "currency": r.currency,
                "pricing_unit": r.pricing_unit,
                "quantity": r.quantity,
                "paid_unit_price": r.paid_unit_price,
                "focus_list_unit_price": r.focus_list_unit_price,
                "catalogue_unit_price": r.catalogue_unit_price,
                "catalogue_vendor": r.catalogue_vendor,
                "agreement_unit_price": r.agreement_unit_price,
                "agreement": r.agreement,
                "discount_percent": r.discount_percent,
                "last_day": r.last_day,
            }
            for r in reports.paid_rows(org)
        ],
    }
