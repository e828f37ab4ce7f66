"""What an agency actually paid per SKU (FOCUS ContractedUnitPrice) against list prices.

Reads the agency's billing rows through mps.costs.engine.query (DuckDB over its Parquet). Per
provider, SkuId, billing currency and pricing unit: the quantity, the quantity-weighted
ContractedUnitPrice and ListUnitPrice, and the catalogue's list price on the last charge day,
converted into the billing currency through NOK when the catalogue quotes another currency, and
the same for a framework agreement's price list when the catalogue holds one for the SKU.
Only Usage rows with a positive PricingQuantity count: purchases and credits have no unit price.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mps.costs.engine.fx import FxTable
from mps.costs.engine.query import connect
from mps.prices.engine.basket import Catalogue
from mps.prices.engine.history import price_on

# Longest list shown: the SKUs with the highest contracted cost first.
MAX_SKUS = 200


@dataclass(frozen=True)
class PaidRow:
    provider: str
    sku_id: str
    currency: str
    pricing_unit: str
    quantity: float
    contracted_cost: float
    paid_unit_price: float  # quantity-weighted ContractedUnitPrice
    focus_list_unit_price: float | None  # quantity-weighted ListUnitPrice from the same rows
    catalogue_unit_price: float | None  # catalogue list price per base unit, in `currency`
    catalogue_vendor: str
    last_day: date | None
    agreement_unit_price: float | None = None  # an agreement's price per base unit, in `currency`
    agreement: str = ""  # that agreement's reference

    @property
    def reference_price(self) -> float | None:
        """The price compared against: the agreement's, else the catalogue's, else the export's list."""
        for price in (
            self.agreement_unit_price,
            self.catalogue_unit_price,
            self.focus_list_unit_price,
        ):
            if price is not None:
                return price
        return None

    @property
    def discount_percent(self) -> float | None:
        """How far below the reference price the agency paid (negative: above it)."""
        ref = self.reference_price
        if not ref:
            return None
        return (ref - self.paid_unit_price) / ref * 100


def _sql() -> str:
    return (
        "SELECT x_mps_provider_name, SkuId, BillingCurrency, coalesce(PricingUnit, ''), "
        "sum(PricingQuantity), sum(ContractedUnitPrice * PricingQuantity), "
        "sum(ContractedUnitPrice * PricingQuantity) / sum(PricingQuantity), "
        "sum(ListUnitPrice * PricingQuantity) FILTER (WHERE ListUnitPrice IS NOT NULL) "
        "/ nullif(sum(PricingQuantity) FILTER (WHERE ListUnitPrice IS NOT NULL), 0), "
        "max(CAST(ChargePeriodStart AS DATE)) "
        "FROM billing WHERE ChargeCategory = 'Usage' AND SkuId IS NOT NULL AND SkuId <> '' "
        "AND PricingQuantity > 0 AND ContractedUnitPrice IS NOT NULL "
        "GROUP BY ALL ORDER BY 6 DESC, 2 LIMIT ?"
    )


def paid_vs_list(
    costs_dir: Path,
    org: str,
    catalogue: Catalogue | Callable[[set[str]], Catalogue],
    fx: FxTable,
) -> list[PaidRow]:
    """One row per SKU the organisation was billed for; [] when it has no billing data.

    `catalogue` may be a function of the billed SKU ids, so a caller loads only those prices.
    """
    con = connect(costs_dir, org)
    if con is None:
        return []
    try:
        rows = con.execute(_sql(), [MAX_SKUS]).fetchall()
    finally:
        con.close()
    if not isinstance(catalogue, Catalogue):
        catalogue = catalogue({row[1] for row in rows})
    by_sku: dict[str, list] = {}
    agreed: dict[str, list] = {}
    for key in catalogue.skus():
        if key.price_type.startswith("Consumption"):
            (agreed if key.price_list else by_sku).setdefault(key.sku_id, []).append(key)
    out = []
    for provider, sku, currency, unit, qty, cost, paid, listed, last_day in rows:
        catalogue_price, vendor = _catalogue_price(
            catalogue, by_sku.get(sku, []), currency, last_day, fx
        )
        agreement_price, agreement_key = _catalogue_price(
            catalogue, agreed.get(sku, []), currency, last_day, fx
        )
        out.append(
            PaidRow(
                provider=provider or "",
                sku_id=sku,
                currency=currency,
                pricing_unit=unit,
                quantity=float(qty),
                contracted_cost=float(cost),
                paid_unit_price=float(paid),
                focus_list_unit_price=None if listed is None else float(listed),
                catalogue_unit_price=catalogue_price,
                catalogue_vendor=vendor,
                last_day=last_day,
                agreement_unit_price=agreement_price,
                agreement=agreement_key,
            )
        )
    return out


def _catalogue_price(
    catalogue: Catalogue, keys: list, currency: str, day: date | None, fx: FxTable
) -> tuple[float | None, str]:
    if day is None:
        return None, ""
    for key in sorted(keys, key=lambda k: (k.vendor, k.region, k.meter)):
        record = price_on(catalogue.records(key), day)
        if record is None:
            continue
        price = record.per_base_unit
        if record.currency != currency:
            there, home = fx.rate_on(record.currency, day), fx.rate_on(currency, day)
            if there is None or home is None:
                continue
            price = price * there[1] / home[1]
        return float(price), (key.price_list or key.vendor)
    return None, ""
