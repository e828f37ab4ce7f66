"""Forecast of the calendar year's cost with a band, and budget alerts (docs/costs.md).

The forecast is deliberately simple, so an agency can check it by hand:

    forecast = cost so far this year + days left × run rate

per billing currency: the run rate is the average daily effective cost (in the billing currency)
over the last RUN_RATE_DAYS days of data, and the days left are converted at the latest exchange
rate. The band is ± Z × s × √(months left), where s is the standard deviation of the last
BAND_MONTHS complete months' cost in NOK (monthly surprises taken as independent); with fewer
than three complete months the band is ± FALLBACK_BAND of the projected part.

Converting the same original-currency amounts at the budget's reference rates instead gives the
forecast "had the krone not moved"; when that one fits the budget and the real one does not, the
exchange rate alone pushes the agency over.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

import duckdb

RUN_RATE_DAYS = 90
BAND_MONTHS = 6
Z = 1.645  # two-sided 90 % band under a normal approximation
FALLBACK_BAND = 0.10
DAYS_PER_MONTH = 365.25 / 12
DECIMALS = 2


@dataclass(frozen=True)
class Forecast:
    year: int
    as_of: date  # the last day with data
    actual_nok: float  # this year up to as_of, as converted at import
    projected_nok: float  # the days left, at the latest rates
    forecast_nok: float
    low_nok: float
    high_nok: float
    days_left: int
    run_rate_nok_per_day: float
    forecast_at_reference_nok: float | None = None  # the same at the reference rates
    rates_now: dict[str, float] = field(default_factory=dict)
    rates_reference: dict[str, float] = field(default_factory=dict)

    @property
    def fx_effect_nok(self) -> float | None:
        if self.forecast_at_reference_nok is None:
            return None
        return round(self.forecast_nok - self.forecast_at_reference_nok, DECIMALS)


def _r(x: float) -> float:
    return round(x, DECIMALS)


def forecast_year(
    con: duckdb.DuckDBPyConnection,
    year: int | None = None,
    rates_now: dict[str, float] | None = None,
    rates_reference: dict[str, float] | None = None,
) -> Forecast | None:
    """The forecast for `year` (the year of the last data day when None); None without data."""
    last = con.execute("SELECT max(day) FROM daily").fetchone()
    if not last or last[0] is None:
        return None
    as_of: date = last[0]
    year = year or as_of.year
    year_end = date(year, 12, 31)
    if as_of > year_end:
        as_of = year_end
    rows = con.execute(
        "SELECT day, currency, sum(effective), sum(effective_nok) FROM daily "
        "WHERE day <= ? GROUP BY 1, 2",
        [as_of],
    ).fetchall()
    first_day = min((r[0] for r in rows), default=as_of)
    window_start = max(as_of - timedelta(days=RUN_RATE_DAYS - 1), first_day)
    window_days = (as_of - window_start).days + 1
    # A future year: every one of its days is still to come.
    days_left = max((year_end - max(as_of, date(year - 1, 12, 31))).days, 0)

    ytd_orig: dict[str, float] = defaultdict(float)
    actual_nok = 0.0
    window_orig: dict[str, float] = defaultdict(float)
    window_nok: dict[str, float] = defaultdict(float)
    months_nok: dict[str, float] = defaultdict(float)
    for day, currency, orig, nok in rows:
        if day.year == year:
            ytd_orig[currency] += orig
            actual_nok += nok
        if day >= window_start:
            window_orig[currency] += orig
            window_nok[currency] += nok
        months_nok[f"{day:%Y-%m}"] += nok

    now = dict(rates_now or {})
    for currency, orig in window_orig.items():
        if currency == "NOK":
            now[currency] = 1.0
        elif currency not in now:  # no published rate: the rate the window's rows were converted at
            now[currency] = window_nok[currency] / orig if orig else 0.0
    projected_orig = {c: v / window_days * days_left for c, v in window_orig.items()}
    projected = sum(v * now[c] for c, v in projected_orig.items())

    # Complete months: every month before as_of's, and as_of's own when as_of is its last day.
    current = f"{as_of:%Y-%m}"
    complete = [m for m in sorted(months_nok) if m < current]
    if (as_of + timedelta(days=1)).month != as_of.month:
        complete.append(current)
    recent = [months_nok[m] for m in complete[-BAND_MONTHS:]]
    if len(recent) >= 3:
        half = Z * statistics.stdev(recent) * math.sqrt(days_left / DAYS_PER_MONTH)
    else:
        half = FALLBACK_BAND * projected
    forecast = actual_nok + projected

    at_reference = None
    reference = dict(rates_reference or {})
    if rates_reference is not None:
        reference.setdefault("NOK", 1.0)
        total = 0.0
        for currency in set(ytd_orig) | set(projected_orig):
            rate = reference.get(currency, now.get(currency, 0.0))
            total += (ytd_orig.get(currency, 0.0) + projected_orig.get(currency, 0.0)) * rate
        at_reference = _r(total)
    return Forecast(
        year=year,
        as_of=as_of,
        actual_nok=_r(actual_nok),
        projected_nok=_r(projected),
        forecast_nok=_r(forecast),
        low_nok=_r(max(forecast - half, actual_nok)),
        high_nok=_r(forecast + half),
        days_left=days_left,
        run_rate_nok_per_day=_r(sum(v / window_days * now[c] for c, v in window_orig.items())),
        forecast_at_reference_nok=at_reference,
        rates_now={c: round(v, 6) for c, v in sorted(now.items())},
        rates_reference={c: round(v, 6) for c, v in sorted(reference.items())},
    )


class AlertKind(StrEnum):
    OVER_BUDGET = "over_budget"  # the forecast exceeds the budget
    FX_OVER_BUDGET = "fx_over_budget"  # …and at the reference rates it would not
    AT_RISK = "at_risk"  # the forecast fits, the top of its band does not


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    budget_nok: float
    amount_nok: float  # by how much the forecast (or the band's top) exceeds the budget


def budget_alerts(forecast: Forecast, budget_nok: float) -> list[Alert]:
    alerts = []
    if forecast.forecast_nok > budget_nok:
        alerts.append(
            Alert(AlertKind.OVER_BUDGET, budget_nok, _r(forecast.forecast_nok - budget_nok))
        )
        ref = forecast.forecast_at_reference_nok
        if ref is not None and ref <= budget_nok:
            alerts.append(
                Alert(AlertKind.FX_OVER_BUDGET, budget_nok, _r(forecast.forecast_nok - budget_nok))
            )
    elif forecast.high_nok > budget_nok:
        alerts.append(Alert(AlertKind.AT_RISK, budget_nok, _r(forecast.high_nok - budget_nok)))
    return alerts
