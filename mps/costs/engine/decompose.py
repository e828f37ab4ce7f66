"""Month-over-month change in NOK split into usage, unit-price and exchange-rate effects.

Answers "how much of our cost rise is the krone?" (issue 6, "Currency"). Per item — provider,
service, SKU price, pricing unit and billing currency — with quantity Q, cost C in the billing
currency, unit price p = C / Q and effective rate r = NOK / C, the change N1 − N0 = Q1·p1·r1 −
Q0·p0·r0 is split in sequence (usage first, then price, then rate):

    usage = (Q1 − Q0) · p0 · r0      price = Q1 · (p1 − p0) · r0      fx = C1 · (r1 − r0)

which adds up exactly. Items new this month count as usage at last month's rate of their
currency (plus fx for the rate change); items gone count as negative usage. Charges without a
pricing quantity (taxes, credits, fees) have no unit price: their change in the billing currency
is reported as `other`, their rate change as fx. Rows without an exchange rate are left out.
The measure is EffectiveCost (amortised), so commitment purchases are spread over the usage.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mps.costs.engine.query import connect

# Money is reported to the øre.
DECIMALS = 2


@dataclass(frozen=True)
class MonthChange:
    month: str
    previous_month: str
    previous_cost_nok: float
    cost_nok: float
    change_nok: float
    usage_effect_nok: float
    price_effect_nok: float
    fx_effect_nok: float
    other_effect_nok: float


@dataclass
class Decomposition:
    measure: str
    months: list[MonthChange]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


@dataclass
class _Item:
    cost: float = 0.0  # billing currency
    nok: float = 0.0
    quantity: float = 0.0


ItemKey = tuple[str, ...]


def month_over_month(costs_dir: Path, org: str) -> Decomposition:
    """The change of each month against the month before, for every month with data."""
    con = connect(costs_dir, org)
    if con is None:
        return Decomposition("EffectiveCost", [])
    try:
        rows = con.execute(
            "SELECT strftime(ChargePeriodStart, '%Y-%m') AS month, x_mps_provider_name, "
            "coalesce(ServiceName, ''), coalesce(SkuPriceId, SkuId, ''), coalesce(PricingUnit, ''), "
            "BillingCurrency, sum(EffectiveCost), sum(x_mps_effective_cost_nok), sum(PricingQuantity) "
            "FROM billing WHERE x_mps_fx_rate IS NOT NULL AND EffectiveCost IS NOT NULL "
            "GROUP BY ALL"
        ).fetchall()
    finally:
        con.close()
    return _from_rows(rows)


def month_over_month_aggregated(con: Any) -> Decomposition:
    """The same split read from the pre-aggregated daily table (mps.costs.engine.aggregate)."""
    rows = con.execute(
        "SELECT month, provider, coalesce(service, ''), coalesce(sku, ''), "
        "coalesce(pricing_unit, ''), currency, sum(effective), sum(effective_nok), sum(quantity) "
        "FROM daily GROUP BY ALL HAVING count(*) FILTER (WHERE rows > unconverted_rows) > 0"
    ).fetchall()
    return _from_rows(rows)


def _from_rows(rows: list[Any]) -> Decomposition:
    by_month: dict[str, dict[ItemKey, _Item]] = defaultdict(dict)
    for month, *key_parts, cost, nok, quantity in rows:
        by_month[month][tuple(str(k) for k in key_parts)] = _Item(
            float(cost), float(nok), float(quantity or 0.0)
        )
    months = sorted(by_month)
    changes = [
        decompose(previous, month, by_month[previous], by_month[month])
        for previous, month in zip(months, months[1:], strict=False)
    ]
    return Decomposition("EffectiveCost", changes)


def _currency_rates(items: dict[ItemKey, _Item]) -> dict[str, float]:
    cost: dict[str, float] = defaultdict(float)
    nok: dict[str, float] = defaultdict(float)
    for key, item in items.items():
        cost[key[-1]] += item.cost
        nok[key[-1]] += item.nok
    return {cur: nok[cur] / cost[cur] for cur in cost if cost[cur]}


def decompose(
    previous_month: str,
    month: str,
    before: dict[ItemKey, _Item],
    after: dict[ItemKey, _Item],
) -> MonthChange:
    rates0 = _currency_rates(before)
    usage = price = fx = other = 0.0
    for key in before.keys() | after.keys():
        currency = key[-1]
        old, new = before.get(key), after.get(key)
        if new is None:
            assert old is not None
            usage -= old.nok
            continue
        r1 = new.nok / new.cost if new.cost else rates0.get(currency, 1.0)
        if old is None:
            r0 = rates0.get(currency, r1)
            usage += new.cost * r0
            fx += new.cost * (r1 - r0)
            continue
        r0 = old.nok / old.cost if old.cost else rates0.get(currency, r1)
        fx += new.cost * (r1 - r0)
        if old.quantity and new.quantity:
            p0 = old.cost / old.quantity
            p1 = new.cost / new.quantity
            usage += (new.quantity - old.quantity) * p0 * r0
            price += new.quantity * (p1 - p0) * r0
        else:
            other += (new.cost - old.cost) * r0
        # An item with cost 0 in a month has NOK 0 too, so borrowing the currency's rate for it
        # keeps N = C · r and the effects still add up exactly.
    total0 = sum(i.nok for i in before.values())
    total1 = sum(i.nok for i in after.values())
    return MonthChange(
        month=month,
        previous_month=previous_month,
        previous_cost_nok=round(total0, DECIMALS),
        cost_nok=round(total1, DECIMALS),
        change_nok=round(total1 - total0, DECIMALS),
        usage_effect_nok=round(usage, DECIMALS),
        price_effect_nok=round(price, DECIMALS),
        fx_effect_nok=round(fx, DECIMALS),
        other_effect_nok=round(other, DECIMALS),
    )
