"""Read side of the cost pages and the API: the agency's analyses from its daily aggregate.

Tenancy is the caller's check; these functions take an Organisation the viewer may see.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb

from mps.costs.actions import costs_dir, refresh_aggregates, store_key
from mps.costs.engine import aggregate, analyses, anomalies, forecast
from mps.costs.engine.decompose import MonthChange, month_over_month_aggregated
from mps.costs.engine.fx import MAX_RATE_AGE_DAYS, PRECEDENCE, shipped_table
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
    # Where the window's exchange rates come from (ExchangeRate.Source labels, Norges Bank first).
    rate_sources: list[str] = field(default_factory=list)

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
        foreign = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT currency FROM daily WHERE currency <> 'NOK' ORDER BY 1"
            ).fetchall()
        ]
        return Overview(
            months,
            window,
            analyses.month_by_provider(con, window),
            changes[-1] if changes else None,
            analyses.savings(con, window),
            analyses.commitments(con, window),
            analyses.shares(con, window),
            analyses.unconverted_rows(con),
            rate_sources(foreign, window) if window else [],
        )


def _month_days(window: tuple[str, str]) -> tuple[date, date]:
    first = date.fromisoformat(f"{window[0]}-01")
    after = date.fromisoformat(f"{window[1]}-01") + timedelta(days=31)
    return first - timedelta(days=MAX_RATE_AGE_DAYS), after.replace(day=1) - timedelta(days=1)


def _source_labels(codes: set[str]) -> list[str]:
    labels = dict(ExchangeRate.Source.choices)
    return [str(labels.get(c, c)) for c in sorted(codes, key=lambda c: PRECEDENCE.get(c, 99))]


def rate_sources(currencies: list[str], window: tuple[str, str]) -> list[str]:
    """The sources of the rates of `currencies` in the months of `window` (one query)."""
    if not currencies:
        return []
    first, last = _month_days(window)
    codes = set(
        ExchangeRate.objects.filter(currency__in=currencies, day__gte=first, day__lte=last)
        .values_list("source", flat=True)
        .distinct()
    )
    if not codes and not ExchangeRate.objects.exists():
        table = shipped_table()
        day = first
        while day <= last:
            codes.update(filter(None, (table.source_on(c, day) for c in currencies)))
            day += timedelta(days=1)
    return _source_labels(codes)


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
    # The source of each latest rate and of each reference rate (ExchangeRate.Source labels).
    sources_now: dict[str, str] = field(default_factory=dict)
    sources_reference: dict[str, str] = field(default_factory=dict)

    @property
    def rate_rows(self) -> list[tuple[str, float, str, float | None, str]]:
        """(currency, latest rate, its source, reference rate, its source) for the page."""
        if self.forecast is None:
            return []
        ref = self.forecast.rates_reference
        return [
            (c, r, self.sources_now.get(c, ""), ref.get(c), self.sources_reference.get(c, ""))
            for c, r in self.forecast.rates_now.items()
            if c != "NOK"
        ]


def _rates(currencies: list[str], day: date) -> tuple[dict[str, float], dict[str, str]]:
    """NOK per unit on `day` (the latest quote at most a week older) and each rate's source
    label, in one query.

    Falls back to the shipped rates while none have been imported.
    """
    if not currencies:
        return {}, {}
    rows = (
        ExchangeRate.objects.filter(
            currency__in=currencies,
            day__lte=day,
            day__gte=day - timedelta(days=MAX_RATE_AGE_DAYS),
        )
        .order_by("currency", "day")
        .values_list("currency", "nok_per_unit", "source")
    )
    out: dict[str, float] = {}
    sources: dict[str, str] = {}
    for currency, value, source in rows:  # the latest day wins
        out[currency] = float(value)
        sources[currency] = source
    if not out and not ExchangeRate.objects.exists():
        table = shipped_table()
        for currency in currencies:
            found = table.rate_on(currency, day)
            if found is not None:
                out[currency] = float(found[1])
                sources[currency] = table.source_on(currency, day) or ""
    labels = dict(ExchangeRate.Source.choices)
    return out, {c: str(labels.get(s, s)) for c, s in sources.items()}


def _forecast(
    org: Any, year: int | None, reference_date: date | None
) -> tuple[forecast.Forecast | None, dict[str, str], dict[str, str]]:
    with aggregates(org) as con:
        if con is None:
            return None, {}, {}
        currencies = [r[0] for r in con.execute("SELECT DISTINCT currency FROM daily").fetchall()]
        last = con.execute("SELECT max(day) FROM daily").fetchone()
        as_of = last[0] if last else None
        foreign = [c for c in currencies if c != "NOK"]
        now, sources_now = _rates(foreign, as_of) if as_of and foreign else ({}, {})
        reference, sources_reference = (
            _rates(foreign, reference_date) if reference_date else (None, {})
        )
        result = forecast.forecast_year(con, year, now, reference)
        return result, sources_now, sources_reference


def forecast_for(
    org: Any, year: int | None = None, reference_date: date | None = None
) -> forecast.Forecast | None:
    """The year's forecast; with `reference_date`, also at that day's exchange rates."""
    return _forecast(org, year, reference_date)[0]


def forecast_view(org: Any, year: int | None = None) -> ForecastView:
    if year is None:
        with aggregates(org) as con:
            last = con.execute("SELECT max(day) FROM daily").fetchone() if con else None
        year = last[0].year if last and last[0] else date.today().year
    budget = Budget.objects.filter(organisation=org, year=year).first()
    result, sources_now, sources_reference = _forecast(
        org, year, budget.reference_date if budget else None
    )
    alerts = forecast.budget_alerts(result, float(budget.amount_nok)) if result and budget else []
    return ForecastView(result, budget, alerts, sources_now, sources_reference)
