"""Read side of the cost pages and the API: the agency's analyses from its daily aggregate.

Tenancy is the caller's check; these functions take an Organisation the viewer may see.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb

from mps.costs.actions import costs_dir, refresh_aggregates, store_key
from mps.costs.engine import aggregate, analyses, anomalies, forecast
from mps.costs.engine.decompose import MonthChange, month_over_month_aggregated
from mps.costs.engine.fx import MAX_RATE_AGE_DAYS, shipped_table
from mps.costs.engine.store import OrgStore
from mps.costs.models import Budget, ExchangeRate

# The overview shows this many recent months.
OVERVIEW_MONTHS = 12
# Anomalies listed on the page (newest first).
ANOMALIES_SHOWN = 50


@contextmanager
def aggregates(org: Any) -> Iterator[duckdb.DuckDBPyConnection | None]:
    con = aggregate.connect(costs_dir(), store_key(org))
    if con is None and OrgStore(costs_dir(), store_key(org)).has_data():
        # Data imported before the aggregates existed: build them once, then read them.
        refresh_aggregates(org)
        con = aggregate.connect(costs_dir(), store_key(org))
    try:
        yield con
    finally:
        if con is not None:
            con.close()


def recent_range(months: list[str], n: int = OVERVIEW_MONTHS) -> tuple[str, str] | None:
    return (months[-n:][0], months[-1]) if months else None


@dataclass
class Overview:
    months: list[str]
    month_range: tuple[str, str] | None
    by_month_provider: analyses.MonthProvider | None
    last_change: MonthChange | None
    savings: analyses.Savings | None
    commitments: analyses.Commitments | None
    shares: analyses.Shares | None
    unconverted_rows: int = 0

    @property
    def has_data(self) -> bool:
        return bool(self.months)


def overview(org: Any) -> Overview:
    with aggregates(org) as con:
        if con is None:
            return Overview([], None, None, None, None, None, None)
        months = analyses.months(con)
        window = recent_range(months)
        changes = month_over_month_aggregated(con).months
        return Overview(
            months,
            window,
            analyses.month_by_provider(con, window),
            changes[-1] if changes else None,
            analyses.savings(con, window),
            analyses.commitments(con, window),
            analyses.shares(con, window),
            analyses.unconverted_rows(con),
        )


def breakdown(
    org: Any, dimension: str, month_range: tuple[str, str] | None
) -> tuple[list[str], list[str], list[analyses.Group]]:
    """(months with data, tag keys, groups)."""
    with aggregates(org) as con:
        if con is None:
            return [], [], []
        return (
            analyses.months(con),
            analyses.tag_keys(con),
            analyses.breakdown(con, dimension, month_range),
        )


def anomaly_list(org: Any) -> list[anomalies.Anomaly]:
    """The spikes found when the aggregate was last built (newest first)."""
    return aggregate.read_anomalies(costs_dir(), store_key(org))[:ANOMALIES_SHOWN]


@dataclass
class ForecastView:
    forecast: forecast.Forecast | None
    budget: Budget | None
    alerts: list[forecast.Alert]


def _rates(currencies: list[str], day: date) -> dict[str, float]:
    """NOK per unit on `day` (the latest quote at most a week older), in one query.

    Falls back to the shipped Norges Bank rates while none have been imported.
    """
    if not currencies:
        return {}
    rows = (
        ExchangeRate.objects.filter(
            currency__in=currencies,
            day__lte=day,
            day__gte=day - timedelta(days=MAX_RATE_AGE_DAYS),
        )
        .order_by("currency", "day")
        .values_list("currency", "nok_per_unit")
    )
    out = {currency: float(value) for currency, value in rows}  # the latest day wins
    if not out and not ExchangeRate.objects.exists():
        table = shipped_table()
        for currency in currencies:
            found = table.rate_on(currency, day)
            if found is not None:
                out[currency] = float(found[1])
    return out


def forecast_for(
    org: Any, year: int | None = None, reference_date: date | None = None
) -> forecast.Forecast | None:
    """The year's forecast; with `reference_date`, also at that day's exchange rates."""
    with aggregates(org) as con:
        if con is None:
            return None
        currencies = [r[0] for r in con.execute("SELECT DISTINCT currency FROM daily").fetchall()]
        last = con.execute("SELECT max(day) FROM daily").fetchone()
        as_of = last[0] if last else None
        foreign = [c for c in currencies if c != "NOK"]
        now = _rates(foreign, as_of) if as_of and foreign else {}
        reference = _rates(foreign, reference_date) if reference_date else None
        return forecast.forecast_year(con, year, now, reference)


def forecast_view(org: Any, year: int | None = None) -> ForecastView:
    if year is None:
        with aggregates(org) as con:
            last = con.execute("SELECT max(day) FROM daily").fetchone() if con else None
        year = last[0].year if last and last[0] else date.today().year
    budget = Budget.objects.filter(organisation=org, year=year).first()
    result = forecast_for(org, year, budget.reference_date if budget else None)
    alerts = forecast.budget_alerts(result, float(budget.amount_nok)) if result and budget else []
    return ForecastView(result, budget, alerts)
