"""Workload baskets priced per vendor in NOK on a date, and the price index over time.

A basket is a list of lines ("vCPU hours", 1460 a month); for each vendor a line maps to one SKU
(by id, or the first SKU whose product, service or meter contains a match text) and a factor
converting the line's quantity into the SKU's base unit. The cost of a line on day t is

    q · factor · p(t) · r(t)

with p the SKU's list price per base unit in its currency and r NOK per unit of that currency on
t (Norges Bank's rate, else the ECB cross rate via the euro; the latest earlier rate on weekends
and holidays). Between a base day 0 and t the
change C(t) − C(0) splits exactly into

    list-price effect = Σ q·f · (p(t) − p(0)) · (r(0) + r(t)) / 2
    exchange-rate effect = Σ q·f · (r(t) − r(0)) · (p(0) + p(t)) / 2

(midpoint weights, so neither effect is measured "first"); the index is 100 · C(t) / C(0) and
its two parts are 100 · effect / C(0). docs/prices.md has a worked example.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from mps.costs.engine.fx import FxTable
from mps.prices.engine.catalogue import PriceRecord, SkuKey
from mps.prices.engine.history import price_on

# Money is shown to the øre; indices to one decimal.
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Mapping:
    """How one basket line is bought from one vendor."""

    vendor: str
    sku_id: str = ""
    region: str = ""
    match: str = ""
    factor: Decimal = Decimal(1)


@dataclass(frozen=True)
class Line:
    label: str
    quantity: Decimal  # per month
    unit: str
    mappings: tuple[Mapping, ...] = ()

    def mapping_for(self, vendor: str) -> Mapping | None:
        return next((m for m in self.mappings if m.vendor == vendor), None)


@dataclass(frozen=True)
class Basket:
    name: str
    lines: tuple[Line, ...]

    @property
    def vendors(self) -> list[str]:
        return sorted({m.vendor for line in self.lines for m in line.mappings})


@dataclass(frozen=True)
class LinePrice:
    label: str
    sku_id: str
    unit: str
    currency: str
    quantity: Decimal  # in the SKU's base unit
    unit_price: Decimal  # per base unit, in `currency`
    rate: Decimal  # NOK per unit of currency
    rate_day: date
    rate_source: str = ""  # mps.costs.engine.fx.SOURCE_NORGES_BANK or SOURCE_ECB; "" for NOK

    @property
    def cost(self) -> Decimal:
        return self.quantity * self.unit_price

    @property
    def cost_nok(self) -> Decimal:
        return self.cost * self.rate


@dataclass
class BasketPrice:
    vendor: str
    day: date
    lines: list[LinePrice] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # labels with no SKU, price or rate

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def total_nok(self) -> Decimal:
        return sum((line.cost_nok for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class IndexPoint:
    day: date
    total_nok: Decimal
    index: Decimal  # 100 on the base day
    price_effect_nok: Decimal
    fx_effect_nok: Decimal
    price_points: Decimal  # index points from list prices
    fx_points: Decimal  # index points from exchange rates


class Catalogue:
    """List prices grouped per SKU, answering 'which SKU does this mapping mean'."""

    def __init__(self, records: Iterable[PriceRecord]) -> None:
        self._by_key: dict[SkuKey, list[PriceRecord]] = {}
        for record in records:
            self._by_key.setdefault(record.key, []).append(record)
        self._by_vendor: dict[str, list[SkuKey]] = {}
        for key in self._by_key:
            if not key.price_list and key.price_type.startswith("Consumption"):
                self._by_vendor.setdefault(key.vendor, []).append(key)
        self._resolved: dict[Mapping, SkuKey | None] = {}

    def skus(self) -> list[SkuKey]:
        return list(self._by_key)

    def records(self, key: SkuKey) -> list[PriceRecord]:
        return self._by_key.get(key, [])

    def resolve(self, mapping: Mapping) -> SkuKey | None:
        """The consumption list-price SKU the mapping names (lowest key when several regions match).

        Remembered per mapping: an index over 25 months asks the same question 25 times.
        """
        if mapping not in self._resolved:
            self._resolved[mapping] = self._resolve(mapping)
        return self._resolved[mapping]

    def _resolve(self, mapping: Mapping) -> SkuKey | None:
        candidates = []
        needle = mapping.match.casefold()
        for key in self._by_vendor.get(mapping.vendor, []):
            records = self._by_key[key]
            if mapping.region and key.region != mapping.region:
                continue
            if mapping.sku_id:
                if key.sku_id == mapping.sku_id:
                    candidates.append(key)
            elif needle:
                first = records[0]
                text = " ".join((first.product, first.service, key.meter)).casefold()
                if needle in text:
                    candidates.append(key)
        return min(candidates, key=lambda k: (k.region, k.sku_id, k.meter)) if candidates else None


def price_basket(
    basket: Basket, vendor: str, catalogue: Catalogue, fx: FxTable, day: date
) -> BasketPrice:
    """What the basket costs a month from `vendor` at the list prices and rates of `day`."""
    result = BasketPrice(vendor, day)
    for line in basket.lines:
        mapping = line.mapping_for(vendor)
        key = catalogue.resolve(mapping) if mapping else None
        record = price_on(catalogue.records(key), day) if key else None
        rate = fx.rate_on(record.currency, day) if record else None
        if mapping is None or record is None or rate is None:
            result.missing.append(line.label)
            continue
        result.lines.append(
            LinePrice(
                label=line.label,
                sku_id=record.key.sku_id,
                unit=record.unit,
                currency=record.currency,
                quantity=line.quantity * mapping.factor,
                unit_price=record.per_base_unit,
                rate=rate[1],
                rate_day=rate[0],
                rate_source=fx.source_on(record.currency, day) or "",
            )
        )
    return result


def decompose(base: BasketPrice, later: BasketPrice) -> tuple[Decimal, Decimal]:
    """(list-price effect, exchange-rate effect) in NOK between two pricings of one basket."""
    before = {line.label: line for line in base.lines}
    price_effect = fx_effect = Decimal(0)
    for line in later.lines:
        old = before.get(line.label)
        if old is None or old.currency != line.currency:
            continue
        q = line.quantity
        price_effect += q * (line.unit_price - old.unit_price) * (old.rate + line.rate) / 2
        fx_effect += q * (line.rate - old.rate) * (old.unit_price + line.unit_price) / 2
    return price_effect, fx_effect


def price_index(
    basket: Basket,
    vendor: str,
    catalogue: Catalogue,
    fx: FxTable,
    days: Sequence[date],
    pricer: Callable[..., BasketPrice] = price_basket,
) -> list[IndexPoint]:
    """The index on each day against the first day on which the basket could be fully priced.

    Days before that, or on which a line cannot be priced, are left out: an index of a partly
    priced basket would mix a price rise with a missing line.
    """
    points: list[IndexPoint] = []
    base: BasketPrice | None = None
    for day in days:
        priced = pricer(basket, vendor, catalogue, fx, day)
        if not priced.complete or not priced.lines:
            continue
        if base is None:
            base = priced
        c0 = base.total_nok
        if c0 == 0:
            continue
        p_eff, f_eff = decompose(base, priced)
        points.append(
            IndexPoint(
                day=day,
                total_nok=priced.total_nok,
                index=100 * priced.total_nok / c0,
                price_effect_nok=p_eff,
                fx_effect_nok=f_eff,
                price_points=100 * p_eff / c0,
                fx_points=100 * f_eff / c0,
            )
        )
    return points


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s month to `last`'s."""
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
