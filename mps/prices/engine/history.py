"""Price-change history per SKU and the alert when a list price rises more than a threshold.

A change is a step between two consecutive effective prices of the same SKU, currency and tier;
the change in percent is (new − old) / old × 100. Prices in different currencies are never
compared with each other (a currency switch is not a price change).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mps.prices.engine.catalogue import PriceRecord, SkuKey

DEFAULT_THRESHOLD_PERCENT = Decimal(10)


@dataclass(frozen=True)
class PriceChange:
    key: SkuKey
    currency: str
    tier_min_units: Decimal
    day: date
    old_price: Decimal
    new_price: Decimal
    unit: str

    @property
    def percent(self) -> Decimal | None:
        if self.old_price == 0:
            return None
        return (self.new_price - self.old_price) / self.old_price * 100

    def is_alert(self, threshold_percent: Decimal) -> bool:
        """A rise of more than the threshold (from zero to a price is always one)."""
        if self.new_price <= self.old_price:
            return False
        pct = self.percent
        return pct is None or pct > threshold_percent


def series(records: Iterable[PriceRecord]) -> dict[tuple[SkuKey, str, Decimal], list[PriceRecord]]:
    """Prices grouped per (SKU, currency, tier) in effective-date order."""
    grouped: dict[tuple[SkuKey, str, Decimal], list[PriceRecord]] = defaultdict(list)
    for record in records:
        grouped[(record.key, record.currency, record.tier_min_units)].append(record)
    for items in grouped.values():
        items.sort(key=lambda r: r.effective_from)
    return dict(grouped)


def changes(records: Iterable[PriceRecord]) -> list[PriceChange]:
    """Every change of price, newest first."""
    found: list[PriceChange] = []
    for (key, currency, tier), items in series(records).items():
        for before, after in zip(items, items[1:], strict=False):
            if after.unit_price != before.unit_price:
                found.append(
                    PriceChange(
                        key, currency, tier, after.effective_from,
                        before.unit_price, after.unit_price, after.unit,
                    )
                )  # fmt: skip
    found.sort(key=lambda ch: (ch.day, ch.key.vendor, ch.key.sku_id), reverse=True)
    return found


def alerts(
    records: Iterable[PriceRecord], threshold_percent: Decimal = DEFAULT_THRESHOLD_PERCENT
) -> list[PriceChange]:
    return [ch for ch in changes(records) if ch.is_alert(threshold_percent)]


def price_on(records: Iterable[PriceRecord], day: date) -> PriceRecord | None:
    """The price of one SKU in effect on `day`: the latest start on or before it, unless ended.

    Only the lowest tier counts (a basket's quantity is a monthly total, priced at the entry tier).
    """
    best: PriceRecord | None = None
    for record in records:
        if record.effective_from > day or (record.effective_to and day >= record.effective_to):
            continue
        if best is None or (record.tier_min_units, -record.effective_from.toordinal()) < (
            best.tier_min_units,
            -best.effective_from.toordinal(),
        ):
            best = record
    return best
