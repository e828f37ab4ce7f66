"""Cost analyses over the pre-aggregated daily table (mps.costs.engine.aggregate).

Every function takes a DuckDB connection that has the `daily` and `tags` tables and an optional
month range, and returns plain dataclasses. Definitions are in docs/costs.md; in short:

- spend is EffectiveCost (amortised: commitment purchases spread over the usage they cover);
- savings exclude Purchase rows: negotiated = List − Contracted, commitment = Contracted −
  Effective, and the effective savings rate is (List − Effective) / List;
- commitment utilisation = Used / (Used + Unused) commitment cost, coverage = committed usage /
  all usage of the services that have commitments (at list cost), when the columns are filled;
- untagged share and the residency shares are shares of effective cost in NOK.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from mps.costs.engine.decompose import month_over_month_aggregated
from mps.costs.engine.regions import Residency, residency

# Group-by names for breakdowns and the table columns they read.
DIMENSIONS: dict[str, str] = {
    "month": "month",
    "provider": "provider",
    "service_category": "service_category",
    "service": "service",
    "region": "region",
    "sub_account": "sub_account",
    "sku": "sku",
    "currency": "currency",
    "billing_currency": "currency",  # the CLI's name for it
    "charge_category": "charge_category",
}
DECIMALS = 2


class AnalysisError(ValueError):
    pass


def _r(value: float | None) -> float:
    return round(float(value or 0.0), DECIMALS)


def _where(months: tuple[str, str] | None, extra: str = "") -> tuple[str, list[str]]:
    clauses, params = [], []
    if months is not None:
        clauses.append("month BETWEEN ? AND ?")
        params += [months[0], months[1]]
    if extra:
        clauses.append(extra)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


@dataclass(frozen=True)
class Group:
    key: str | None
    billed_nok: float
    effective_nok: float
    list_nok: float
    original: dict[str, float] = field(default_factory=dict)  # currency -> billed cost

    @property
    def label(self) -> str:
        return self.key if self.key else "—"


def months(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT month FROM daily ORDER BY 1").fetchall()]


def breakdown(
    con: duckdb.DuckDBPyConnection,
    dimension: str,
    month_range: tuple[str, str] | None = None,
) -> list[Group]:
    """Billed, effective and list cost in NOK per value of one dimension, largest first.

    `tag:<key>` groups by the values of one tag key (from the monthly tags table; tag rows carry
    effective and list cost only).
    """
    if dimension.startswith("tag:"):
        key = dimension[4:]
        where, params = _where(month_range, "tag_key = ?")
        rows = con.execute(
            f"SELECT tag_value, sum(effective_nok), sum(list_nok) FROM tags{where} "  # noqa: S608 - fixed SQL, values bound
            "GROUP BY 1 ORDER BY 2 DESC, 1",
            [*params, key],
        ).fetchall()
        return [Group(r[0], 0.0, _r(r[1]), _r(r[2])) for r in rows]
    column = DIMENSIONS.get(dimension)
    if column is None:
        raise AnalysisError(f"unknown dimension {dimension!r}; choose from {', '.join(DIMENSIONS)}")
    where, params = _where(month_range)
    rows = con.execute(
        f"SELECT {column}, currency, sum(billed_nok), sum(effective_nok), sum(list_nok), "  # noqa: S608 - column from DIMENSIONS
        f"sum(billed) FROM daily{where} GROUP BY 1, 2",
        params,
    ).fetchall()
    groups: dict[str | None, list] = {}
    for key, currency, billed_nok, effective_nok, list_nok, billed in rows:
        g = groups.setdefault(key, [0.0, 0.0, 0.0, {}])
        g[0] += billed_nok
        g[1] += effective_nok
        g[2] += list_nok
        g[3][currency] = g[3].get(currency, 0.0) + billed
    out = [
        Group(key, _r(b), _r(e), _r(li), {c: _r(v) for c, v in sorted(orig.items())})
        for key, (b, e, li, orig) in groups.items()
    ]
    if dimension == "month":
        return sorted(out, key=lambda g: g.key or "")
    return sorted(out, key=lambda g: (-g.effective_nok, g.key or ""))


def tag_keys(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT tag_key FROM tags GROUP BY 1 ORDER BY sum(effective_nok) DESC, 1"
        ).fetchall()
    ]


@dataclass(frozen=True)
class MonthProvider:
    months: list[str]
    providers: list[str]
    effective_nok: dict[tuple[str, str], float]  # (month, provider) -> NOK
    billed_original: dict[
        tuple[str, str], dict[str, float]
    ]  # (month, provider) -> currency -> amount

    def month_total(self, month: str) -> float:
        return _r(sum(v for (m, _), v in self.effective_nok.items() if m == month))


def month_by_provider(
    con: duckdb.DuckDBPyConnection, month_range: tuple[str, str] | None = None
) -> MonthProvider:
    where, params = _where(month_range)
    rows = con.execute(
        f"SELECT month, provider, currency, sum(effective_nok), sum(billed) FROM daily{where} "  # noqa: S608 - fixed SQL
        "GROUP BY ALL ORDER BY 1, 2, 3",
        params,
    ).fetchall()
    nok: dict[tuple[str, str], float] = {}
    orig: dict[tuple[str, str], dict[str, float]] = {}
    for month, provider, currency, effective_nok, billed in rows:
        nok[(month, provider)] = nok.get((month, provider), 0.0) + effective_nok
        orig.setdefault((month, provider), {})[currency] = _r(billed)
    return MonthProvider(
        sorted({m for m, _ in nok}),
        sorted({p for _, p in nok}),
        {k: _r(v) for k, v in nok.items()},
        orig,
    )


@dataclass(frozen=True)
class Savings:
    list_nok: float
    contracted_nok: float
    effective_nok: float
    negotiated_nok: float  # List − Contracted
    commitment_nok: float  # Contracted − Effective
    effective_savings_rate: float | None  # (List − Effective) / List, purchases excluded


def savings(con: duckdb.DuckDBPyConnection, month_range: tuple[str, str] | None = None) -> Savings:
    where, params = _where(month_range, "coalesce(charge_category, '') <> 'Purchase'")
    listed, contracted, effective = con.execute(
        f"SELECT sum(list_nok), sum(contracted_nok), sum(effective_nok) FROM daily{where}",  # noqa: S608 - fixed SQL
        params,
    ).fetchone() or (0, 0, 0)
    listed, contracted, effective = (
        float(listed or 0),
        float(contracted or 0),
        float(effective or 0),
    )
    rate = (listed - effective) / listed if listed else None
    return Savings(
        _r(listed),
        _r(contracted),
        _r(effective),
        _r(listed - contracted),
        _r(contracted - effective),
        None if rate is None else round(rate, 4),
    )


@dataclass(frozen=True)
class Commitments:
    used_nok: float
    unused_nok: float
    utilisation: float | None  # Used / (Used + Unused); None without CommitmentDiscountStatus
    covered_list_nok: float
    eligible_list_nok: float
    coverage: float | None  # committed usage / usage of services with commitments, at list cost


def commitments(
    con: duckdb.DuckDBPyConnection, month_range: tuple[str, str] | None = None
) -> Commitments:
    where, params = _where(month_range)
    used, unused = con.execute(
        "SELECT sum(effective_nok) FILTER (WHERE commitment_status = 'Used'), "  # noqa: S608 - fixed SQL
        f"sum(effective_nok) FILTER (WHERE commitment_status = 'Unused') FROM daily{where}",
        params,
    ).fetchone() or (None, None)
    utilisation = None
    if used is not None or unused is not None:
        total = float(used or 0) + float(unused or 0)
        utilisation = round(float(used or 0) / total, 4) if total else None
    where_usage, params_usage = _where(month_range, "charge_category = 'Usage'")
    covered, eligible = (
        con.execute(
            "WITH u AS (SELECT * FROM daily" + where_usage + "), "  # noqa: S608 - fixed SQL
            "s AS (SELECT DISTINCT provider, service FROM u WHERE committed) "
            "SELECT sum(list_nok) FILTER (WHERE committed), sum(list_nok) "
            "FROM u JOIN s USING (provider, service)",
            params_usage,
        ).fetchone()
        or (None, None)
    )
    coverage = round(float(covered or 0) / float(eligible), 4) if eligible else None
    return Commitments(_r(used), _r(unused), utilisation, _r(covered), _r(eligible), coverage)


@dataclass(frozen=True)
class Shares:
    total_nok: float
    untagged_nok: float
    untagged_share: float | None
    residency_nok: dict[str, float]  # Residency value -> NOK
    residency_share: dict[str, float | None]
    unknown_regions: list[str]  # RegionIds not in the shipped table


def shares(con: duckdb.DuckDBPyConnection, month_range: tuple[str, str] | None = None) -> Shares:
    """Untagged share and the Norway / other EEA / non-EEA split of effective cost in NOK."""
    where, params = _where(month_range)
    rows = con.execute(
        f"SELECT region, tagged, sum(effective_nok) FROM daily{where} GROUP BY 1, 2",  # noqa: S608 - fixed SQL
        params,
    ).fetchall()
    total = untagged = 0.0
    by_class = {r.value: 0.0 for r in Residency}
    unknown: set[str] = set()
    for region, tagged, nok in rows:
        total += nok
        if not tagged:
            untagged += nok
        cls = residency(region)
        by_class[cls.value] += nok
        if cls == Residency.UNKNOWN and region:
            unknown.add(region)
    return Shares(
        _r(total),
        _r(untagged),
        round(untagged / total, 4) if total else None,
        {k: _r(v) for k, v in by_class.items()},
        {k: (round(v / total, 4) if total else None) for k, v in by_class.items()},
        sorted(unknown),
    )


@dataclass(frozen=True)
class MonthKpi:
    """One organisation-month for the relational pre-aggregate (benchmarks, overview card, the
    national picture). The effects split the change from the calendar month before and are None
    when the organisation has no data for that month (mps.costs.engine.decompose)."""

    month: str
    billed_nok: float
    effective_nok: float
    list_nok_ex_purchases: float
    effective_nok_ex_purchases: float
    tagged_nok: float
    norway_nok: float
    eea_nok: float
    non_eea_nok: float
    unknown_region_nok: float
    by_provider: dict[str, float] = field(default_factory=dict)  # effective NOK per provider
    by_service_category: dict[str, float] = field(default_factory=dict)
    usage_effect_nok: float | None = None
    price_effect_nok: float | None = None
    fx_effect_nok: float | None = None
    other_effect_nok: float | None = None


def previous_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year - 1:04d}-12" if mon == 1 else f"{year:04d}-{mon - 1:02d}"


def month_kpis(con: duckdb.DuckDBPyConnection) -> list[MonthKpi]:
    rows = con.execute(
        "SELECT month, region, sum(billed_nok), sum(effective_nok), "
        "sum(list_nok) FILTER (WHERE coalesce(charge_category, '') <> 'Purchase'), "
        "sum(effective_nok) FILTER (WHERE coalesce(charge_category, '') <> 'Purchase'), "
        "sum(effective_nok) FILTER (WHERE tagged) FROM daily GROUP BY 1, 2 ORDER BY 1"
    ).fetchall()
    acc: dict[str, dict[str, float]] = {}
    for month, region, billed, effective, list_ex, eff_ex, tagged in rows:
        a = acc.setdefault(month, dict.fromkeys(
            ("billed", "effective", "list_ex", "eff_ex", "tagged", *[r.value for r in Residency]), 0.0
        ))  # fmt: skip
        a["billed"] += billed or 0
        a["effective"] += effective or 0
        a["list_ex"] += list_ex or 0
        a["eff_ex"] += eff_ex or 0
        a["tagged"] += tagged or 0
        a[residency(region).value] += effective or 0
    providers: dict[str, dict[str, float]] = {}
    categories: dict[str, dict[str, float]] = {}
    for month, provider, category, nok in con.execute(
        "SELECT month, coalesce(provider, ''), coalesce(service_category, ''), "
        "sum(effective_nok) FROM daily GROUP BY 1, 2, 3"
    ).fetchall():
        by_p = providers.setdefault(month, {})
        by_p[provider] = by_p.get(provider, 0.0) + (nok or 0.0)
        by_c = categories.setdefault(month, {})
        by_c[category] = by_c.get(category, 0.0) + (nok or 0.0)
    # Only a change from the calendar month before: the national picture sums these per month.
    changes = {
        c.month: c
        for c in month_over_month_aggregated(con).months
        if c.previous_month == previous_month(c.month)
    }
    out = []
    for month, a in acc.items():
        change = changes.get(month)
        out.append(
            MonthKpi(
                month,
                _r(a["billed"]),
                _r(a["effective"]),
                _r(a["list_ex"]),
                _r(a["eff_ex"]),
                _r(a["tagged"]),
                _r(a["norway"]),
                _r(a["eea"]),
                _r(a["non_eea"]),
                _r(a["unknown"]),
                {k: _r(v) for k, v in sorted(providers.get(month, {}).items())},
                {k: _r(v) for k, v in sorted(categories.get(month, {}).items())},
                change.usage_effect_nok if change else None,
                change.price_effect_nok if change else None,
                change.fx_effect_nok if change else None,
                change.other_effect_nok if change else None,
            )
        )
    return out


def summary(
    con: duckdb.DuckDBPyConnection, by: list[str], month_range: tuple[str, str] | None = None
) -> list[dict[str, object]]:
    """Billed, effective and list cost in NOK per combination of dimensions (the CLI's shape)."""
    for name in by:
        if name not in DIMENSIONS:
            raise AnalysisError(f"unknown dimension {name!r}; choose from {', '.join(DIMENSIONS)}")
    if not by:
        raise AnalysisError("name at least one dimension")
    where, params = _where(month_range)
    keys = ", ".join(f"{DIMENSIONS[n]} AS {n}" for n in by)
    order = ", ".join(str(i + 1) for i in range(len(by)))
    rows = con.execute(
        f"SELECT {keys}, sum(billed_nok), sum(effective_nok), sum(list_nok) FROM daily{where} "  # noqa: S608 - names from DIMENSIONS
        f"GROUP BY {order} ORDER BY {order}",
        params,
    ).fetchall()
    width = len(by)
    return [
        {
            **{n: row[i] for i, n in enumerate(by)},
            "billed_cost": _r(row[width]),
            "effective_cost": _r(row[width + 1]),
            "list_cost": _r(row[width + 2]),
        }
        for row in rows
    ]


def unconverted_rows(con: duckdb.DuckDBPyConnection) -> int:
    """Billing rows left out of every amount because no exchange rate applied."""
    row = con.execute("SELECT coalesce(sum(unconverted_rows), 0) FROM daily").fetchone()
    return int(row[0]) if row else 0
