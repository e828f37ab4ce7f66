"""Cost totals grouped by provider, month, service and so on, in NOK or another currency.

`month` is the calendar month (UTC) of ChargePeriodStart; each row converts at the rate of its
charge date (issue 6, CLI contract for `mps costs summary`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mps.costs.engine.columns import nok_column
from mps.costs.engine.fx import HOME_CURRENCY, FxTable
from mps.costs.engine.query import connect

# Group-by names of the CLI contract and the stored columns they read.
DIMENSIONS: dict[str, str] = {
    "provider": "x_mps_provider_name",
    "month": "strftime(ChargePeriodStart, '%Y-%m')",
    "service_category": "ServiceCategory",
    "service": "ServiceName",
    "region": "RegionId",
    "sub_account": "SubAccountId",
    "billing_currency": "BillingCurrency",
}
MEASURES = (
    ("billed_cost", "BilledCost"),
    ("effective_cost", "EffectiveCost"),
    ("list_cost", "ListCost"),
)
# Money is reported to the øre/cent.
DECIMALS = 2


class SummaryError(ValueError):
    pass


@dataclass(frozen=True)
class SummaryRow:
    group: dict[str, str | None]
    billed_cost: float
    effective_cost: float
    list_cost: float

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.group,
            "billed_cost": self.billed_cost,
            "effective_cost": self.effective_cost,
            "list_cost": self.list_cost,
        }


@dataclass
class Summary:
    currency: str
    by: list[str]
    rows: list[SummaryRow] = field(default_factory=list)
    unconverted_rows: int = 0  # billing rows without an exchange rate, left out of the totals

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "rows": [row.to_dict() for row in self.rows],
            "unconverted_rows": self.unconverted_rows,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def parse_by(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in DIMENSIONS]
    if not names or unknown:
        raise SummaryError(
            f"--by {text!r}: unknown dimension(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(DIMENSIONS)}"
        )
    return names


def summarise(
    costs_dir: Path,
    org: str,
    by: list[str],
    currency: str = HOME_CURRENCY,
    fx: FxTable | None = None,
) -> Summary:
    """Totals of billed, effective and list cost per group, converted to `currency`."""
    currency = currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise SummaryError(f"--currency {currency!r} is not a three-letter ISO 4217 code")
    for name in by:
        if name not in DIMENSIONS:
            raise SummaryError(f"unknown dimension {name!r}; choose from {', '.join(DIMENSIONS)}")
    if currency != HOME_CURRENCY and (fx is None or currency not in fx.currencies):
        raise SummaryError(f"no exchange rates for {currency}; import them with `mps fx import`")
    result = Summary(currency, list(by))
    con = connect(costs_dir, org, fx if currency != HOME_CURRENCY else None)
    if con is None:
        return result
    try:
        if currency == HOME_CURRENCY:
            source = "billing"
            factor = "1.0"
            amounts = {m: f"{nok_column(col)}" for m, col in MEASURES}
        else:
            # NOK to the target currency at the same charge-date rate; rows already billed in the
            # target currency keep their original amounts.
            source = (
                "billing LEFT JOIN fx_daily AS t ON t.currency = "
                f"'{currency}' AND t.day = billing.x_mps_charge_date"
            )
            factor = "1.0 / t.rate"
            amounts = {
                m: f"CASE WHEN BillingCurrency = '{currency}' THEN {col} ELSE {nok_column(col)} * {factor} END"
                for m, col in MEASURES
            }
        keys = [f"{DIMENSIONS[name]} AS {name}" for name in by]
        converted = "x_mps_fx_rate IS NOT NULL"
        if currency != HOME_CURRENCY:
            converted += f" AND (t.rate IS NOT NULL OR BillingCurrency = '{currency}')"
        sums = [
            f"round(sum({expr}) FILTER (WHERE {converted}), {DECIMALS}) AS {m}"
            for m, expr in amounts.items()
        ]
        select = ", ".join([*keys, *sums, f"count(*) FILTER (WHERE NOT ({converted}))"])
        rows = con.execute(
            f"SELECT {select} FROM {source} GROUP BY ALL "  # noqa: S608 - identifiers quoted by q(), values by lit()
            f"ORDER BY {', '.join(str(i + 1) for i in range(len(by)))}"
        ).fetchall()
    finally:
        con.close()
    width = len(by)
    for row in rows:
        group = {name: (None if row[i] is None else str(row[i])) for i, name in enumerate(by)}
        billed, effective, listed, unconverted = row[width:]
        result.unconverted_rows += int(unconverted)
        if billed is None and effective is None and listed is None:
            continue  # a group where no row could be converted
        result.rows.append(
            SummaryRow(group, float(billed or 0), float(effective or 0), float(listed or 0))
        )
    return result
