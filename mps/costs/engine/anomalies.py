"""Daily cost spikes per service, found with robust statistics, and what drove each one.

For every provider × service, each day's effective cost in NOK is compared with the days before
it (a trailing window, missing days counted as 0): with m the median and MAD the median absolute
deviation of the window, the day's score is (cost − m) / (1.4826 · MAD). 1.4826 · MAD estimates
the standard deviation of normally distributed costs, and neither the median nor the MAD is moved
by the spikes themselves. A day is a spike when its score is at least THRESHOLD and its cost is
at least MIN_EXCESS_NOK above the median. The scale has a floor (FLOOR_SHARE of the median) so a
perfectly flat history does not turn a few øre into a spike.

For each of SKU, sub-account and region, the value whose cost on the day rose most above its own
median over the same window is found ("which SKU/region/sub-account grew"). The driver is the
most specific of these (SKU, then sub-account, then region) that explains at least DRIVER_SHARE
of the excess, else the one with the largest rise.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb

WINDOW_DAYS = 28
MIN_HISTORY_DAYS = 14
THRESHOLD = 5.0
MAD_TO_SIGMA = 1.4826
FLOOR_SHARE = 0.05
MIN_EXCESS_NOK = 100.0
# Most specific first: the first whose top value explains DRIVER_SHARE of the excess is the driver.
DRIVER_DIMENSIONS = ("sku", "sub_account", "region")
DRIVER_SHARE = 0.8


@dataclass(frozen=True)
class Driver:
    dimension: str  # sku, region or sub_account
    value: str
    cost_nok: float
    median_nok: float

    @property
    def increase_nok(self) -> float:
        return round(self.cost_nok - self.median_nok, 2)


@dataclass(frozen=True)
class Anomaly:
    day: date
    provider: str
    service: str
    cost_nok: float
    median_nok: float
    mad_nok: float
    score: float
    driver: Driver | None
    drivers: list[Driver] = field(default_factory=list)  # the top one per dimension

    @property
    def excess_nok(self) -> float:
        return round(self.cost_nok - self.median_nok, 2)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["day"] = self.day.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Anomaly:
        drivers = [Driver(**d) for d in data["drivers"]]
        driver = Driver(**data["driver"]) if data["driver"] else None
        fields = {k: v for k, v in data.items() if k not in ("day", "driver", "drivers")}
        return cls(day=date.fromisoformat(data["day"]), driver=driver, drivers=drivers, **fields)


def robust_score(history: list[float], value: float) -> tuple[float, float, float]:
    """(median, MAD, score) of `value` against `history`."""
    median = statistics.median(history)
    mad = statistics.median(abs(x - median) for x in history)
    scale = max(MAD_TO_SIGMA * mad, FLOOR_SHARE * abs(median), 1e-9)
    return median, mad, (value - median) / scale


def find(
    con: duckdb.DuckDBPyConnection,
    *,
    since: date | None = None,
    threshold: float = THRESHOLD,
    min_excess_nok: float = MIN_EXCESS_NOK,
) -> list[Anomaly]:
    """Spikes on or after `since` (all days when None), newest first.

    Daily totals per service are scanned first (small); the SKU, sub-account and region detail
    is read only for the spike days.
    """
    rows = con.execute(
        "SELECT provider, coalesce(service, ''), day, sum(effective_nok) FROM daily GROUP BY ALL"
    ).fetchall()
    totals: dict[tuple[str, str], dict[date, float]] = defaultdict(dict)
    for provider, service, day, nok in rows:
        totals[(provider, service)][day] = nok
    found: list[Anomaly] = []
    for (provider, service), series in totals.items():
        first = min(series)
        for day in sorted(series):
            if (day - first).days < MIN_HISTORY_DAYS or (since and day < since):
                continue
            history = [
                series.get(day - timedelta(days=k), 0.0)
                for k in range(1, WINDOW_DAYS + 1)
                if day - timedelta(days=k) >= first
            ]
            median, mad, score = robust_score(history, series[day])
            if score < threshold or series[day] - median < min_excess_nok:
                continue
            drivers = _drivers(con, provider, service, day, len(history))
            excess = series[day] - median
            top = next(
                (d for d in drivers if d.increase_nok >= DRIVER_SHARE * excess),
                max(drivers, key=lambda d: d.increase_nok, default=None),
            )
            found.append(
                Anomaly(
                    day,
                    provider,
                    service,
                    round(series[day], 2),
                    round(median, 2),
                    round(mad, 2),
                    round(score, 1),
                    top,
                    drivers,
                )  # fmt: skip
            )
    return sorted(found, key=lambda a: (a.day, a.excess_nok), reverse=True)


def _drivers(
    con: duckdb.DuckDBPyConnection, provider: str, service: str, day: date, history_days: int
) -> list[Driver]:
    """Per dimension, the value whose cost on `day` rose most above its median before it."""
    start = day - timedelta(days=history_days)
    rows = con.execute(
        "SELECT day, coalesce(sku, ''), coalesce(sub_account, ''), coalesce(region, ''), "
        "sum(effective_nok) FROM daily WHERE provider = ? AND coalesce(service, '') = ? "
        "AND day BETWEEN ? AND ? GROUP BY ALL",
        [provider, service, start, day],
    ).fetchall()
    parts: dict[str, dict[str, dict[date, float]]] = {
        dim: defaultdict(lambda: defaultdict(float)) for dim in DRIVER_DIMENSIONS
    }
    for row_day, sku, sub, region, nok in rows:
        for dim, value in zip(DRIVER_DIMENSIONS, (sku, sub, region), strict=True):
            parts[dim][value][row_day] += nok
    drivers = []
    for dim in DRIVER_DIMENSIONS:
        best = None
        for value, values in parts[dim].items():
            own = [values.get(day - timedelta(days=k), 0.0) for k in range(1, history_days + 1)]
            d = Driver(dim, value, round(values.get(day, 0.0), 2), round(statistics.median(own), 2))
            if best is None or d.increase_nok > best.increase_nok:
                best = d
        if best is not None:
            drivers.append(best)
    return drivers
