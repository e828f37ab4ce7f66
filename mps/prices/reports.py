"""Reads for pages, API and CLI: the catalogue from the database handed to the engine.

The catalogue is reference data and small (thousands of prices, not millions), so each report
loads it once into engine objects; billing rows stay in Parquet (mps.costs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max

from mps.costs import actions as costs_actions
from mps.costs.engine.fx import FxTable, shipped_table
from mps.costs.models import ExchangeRate
from mps.prices.actions import alert_threshold
from mps.prices.engine import basket as engine_basket
from mps.prices.engine.catalogue import PriceRecord, SkuKey
from mps.prices.engine.history import PriceChange, changes
from mps.prices.engine.paid import PaidRow, paid_vs_list
from mps.prices.models import Basket, ListPrice, PriceSku

# Months of history in a basket's index.
INDEX_MONTHS = 24


_RECORD_FIELDS = (
    "sku__vendor_name",
    "sku__sku_id",
    "sku__region",
    "sku__price_type",
    "sku__meter",
    "sku__price_list",
    "sku__product",
    "sku__service",
    "sku__unit",
    "currency",
    "unit_price",
    "effective_from",
    "effective_to",
    "tier_min_units",
)


def records(prices: Any = None) -> list[PriceRecord]:
    """Engine records from plain rows (no model instances: a full cloud price list is big)."""
    rows = (ListPrice.objects.all() if prices is None else prices).values_list(*_RECORD_FIELDS)
    keys: dict[tuple[str, ...], SkuKey] = {}
    out = []
    for (
        vendor,
        sku_id,
        region,
        ptype,
        meter,
        plist,
        product,
        service,
        unit,
        *price,
    ) in rows.iterator(chunk_size=5000):
        ident = (vendor, sku_id, region, ptype, meter, plist)
        key = keys.get(ident)
        if key is None:
            key = keys[ident] = SkuKey(*ident)
        currency, unit_price, start, end, tier = price
        out.append(PriceRecord(key, product, service, unit, currency, unit_price, start, end, tier))
    return out


def changed_records() -> list[PriceRecord]:
    """Prices of the SKUs that have more than one: the only ones that can show a change."""
    several = (
        ListPrice.objects.values("sku_id").annotate(n=Count("id")).filter(n__gt=1).values("sku_id")
    )
    return records(ListPrice.objects.filter(sku_id__in=several))


def fx_table() -> FxTable:
    return costs_actions.fx_table()


@dataclass(frozen=True)
class ChangeRow:
    change: PriceChange
    sku: PriceSku | None
    alert: bool


def change_rows(limit: int = 200, only_alerts: bool = False) -> list[ChangeRow]:
    """Price changes newest first, each with its SKU row and whether it is an alert."""
    threshold = alert_threshold()
    chosen: list[tuple[PriceChange, bool]] = []
    for change in changes(changed_records()):
        alert = change.is_alert(threshold)
        if only_alerts and not alert:
            continue
        chosen.append((change, alert))
        if len(chosen) >= limit:
            break
    ids = {change.key.sku_id for change, _ in chosen}
    skus = (
        {
            s.key: s
            for s in PriceSku.objects.filter(sku_id__in=ids).only(
                "id",
                "vendor_name",
                "sku_id",
                "region",
                "price_type",
                "meter",
                "price_list",
                "product",
            )
        }
        if ids
        else {}
    )
    return [ChangeRow(change, skus.get(change.key), alert) for change, alert in chosen]


def sku_history(sku: PriceSku) -> list[ListPrice]:
    return list(sku.prices.order_by("currency", "tier_min_units", "effective_from"))


def sku_changes(sku: PriceSku) -> list[PriceChange]:
    return changes(p.record() for p in sku.prices.select_related("sku"))


def engine_basket_for(basket: Basket) -> engine_basket.Basket:
    lines = []
    for line in basket.lines.prefetch_related("mappings"):
        mappings = tuple(
            engine_basket.Mapping(m.vendor_name, m.sku_id, m.region, m.match, m.factor)
            for m in line.mappings.all()
        )
        lines.append(engine_basket.Line(line.label, line.quantity, line.unit, mappings))
    return engine_basket.Basket(basket.name, tuple(lines))


@dataclass
class BasketReport:
    basket: Basket
    day: date
    prices: list[engine_basket.BasketPrice]
    index: dict[str, list[engine_basket.IndexPoint]]

    @property
    def cheapest(self) -> str | None:
        complete = [p for p in self.prices if p.complete and p.lines]
        return min(complete, key=lambda p: p.total_nok).vendor if complete else None


def basket_report(basket: Basket, day: date, months: int = INDEX_MONTHS) -> BasketReport:
    spec = engine_basket_for(basket)
    cat = engine_basket.Catalogue(
        records(ListPrice.objects.filter(sku__vendor_name__in=spec.vendors, sku__price_list=""))
    )
    fx = fx_table()
    prices = [engine_basket.price_basket(spec, vendor, cat, fx, day) for vendor in spec.vendors]
    months_index = day.year * 12 + day.month - 1 - months
    first = date(months_index // 12, months_index % 12 + 1, 1)
    days = [*engine_basket.month_starts(first, day), day]
    days = sorted({d for d in days if d <= day})
    index = {
        vendor: engine_basket.price_index(spec, vendor, cat, fx, days) for vendor in spec.vendors
    }
    return BasketReport(basket, day, prices, index)


def paid_rows(organisation: Any) -> list[PaidRow]:
    def prices_of(sku_ids: set[str]) -> engine_basket.Catalogue:
        return engine_basket.Catalogue(records(ListPrice.objects.filter(sku__sku_id__in=sku_ids)))

    return paid_vs_list(
        costs_actions.costs_dir(), costs_actions.store_key(organisation), prices_of, fx_table()
    )


def money(value: Decimal | float | None, places: int = 2) -> str:
    if value is None:
        return "–"
    return f"{Decimal(str(value)):,.{places}f}".replace(",", "\u00a0")


def sku_key_text(key: SkuKey) -> str:
    return " · ".join(p for p in (key.vendor, key.sku_id, key.region, key.price_type) if p)


def last_rate_day() -> date | None:
    """The newest exchange-rate day known: pages default to it when today has no rate yet."""
    newest = ExchangeRate.objects.aggregate(day=Max("day"))["day"]
    return newest or _shipped_last_day()


def _shipped_last_day() -> date | None:
    return shipped_table().last_day


def default_day(today: date) -> date:
    newest = last_rate_day()
    return min(today, newest) if newest else today
