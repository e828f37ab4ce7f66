"""Cost benchmarks between agencies, from the relational CostMonth pre-aggregate (docs/costs.md).

KPIs over the last 12 months that any agency has data for: effective cost per employee, per
resident (municipalities), effective savings rate, tagged share and the shares of spend in Norway
and in the EEA (Norway included). Peers are the agencies in the same sector and size band
(mps.organisations.peers). A group of fewer than MIN_GROUP agencies with data is never shown:
with few agencies, percentiles would reveal one agency's figures. Other agencies are anonymous
unless they opted in (Organisation.peer_opt_in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Sum

from mps.costs.models import CostMonth
from mps.organisations.peers import size_band

MIN_GROUP = 5
WINDOW_MONTHS = 12
MUNICIPAL = {"municipality", "county_municipality"}


@dataclass(frozen=True)
class Kpis:
    organisation_id: int
    name: str
    named: bool  # opted in to be shown by name
    sector: str
    band: str
    effective_nok: float
    per_employee: float | None
    per_resident: float | None
    savings_rate: float | None
    tagged_share: float | None
    norway_share: float | None
    eea_share: float | None  # Norway and the rest of the EEA


KPI_NAMES = (
    "per_employee",
    "per_resident",
    "savings_rate",
    "tagged_share",
    "norway_share",
    "eea_share",
)


@dataclass
class KpiPosition:
    kpi: str
    own: float | None
    p25: float | None
    median: float | None
    p75: float | None
    n: int  # agencies in the group with this KPI
    rank_share: float | None  # share of those peers with a lower value
    values: list[tuple[str | None, float, bool]] = field(default_factory=list)  # (name, value, own)


@dataclass
class Benchmark:
    window: tuple[str, str] | None
    group_label: tuple[str, str] | None  # (sector, band)
    group_size: int
    shown: bool
    positions: list[KpiPosition]


def _shift(month: str, back: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + mon - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _ratio(a: float, b: float | None) -> float | None:
    return round(a / b, 4) if b else None


def all_kpis(sector: str | None = None) -> tuple[tuple[str, str] | None, list[Kpis]]:
    """Every agency's KPIs (of one sector when given) over the common 12-month window.

    Two queries: the latest month with data anywhere, then one grouped row per agency.
    """
    latest = CostMonth.objects.aggregate(m=Max("month"))["m"]
    if latest is None:
        return None, []
    window = (_shift(latest, WINDOW_MONTHS - 1), latest)
    months = CostMonth.objects.filter(month__gte=window[0], month__lte=window[1])
    if sector is not None:
        months = months.filter(organisation__sector=sector)
    rows = (
        months.values(
            "organisation_id",
            "organisation__name",
            "organisation__sector",
            "organisation__employees",
            "organisation__population",
            "organisation__peer_opt_in",
            "organisation__kind",
        )
        .annotate(
            effective=Sum("effective_nok"),
            list_ex=Sum("list_nok_ex_purchases"),
            eff_ex=Sum("effective_nok_ex_purchases"),
            tagged=Sum("tagged_nok"),
            norway=Sum("norway_nok"),
            eea=Sum("eea_nok"),
        )
        .order_by("organisation_id")
    )
    out = []
    for r in rows:
        if r["organisation__kind"] != "agency":
            continue
        sector = r["organisation__sector"] or ""
        employees, population = r["organisation__employees"], r["organisation__population"]
        effective = float(r["effective"] or 0)
        list_ex, eff_ex = float(r["list_ex"] or 0), float(r["eff_ex"] or 0)
        out.append(
            Kpis(
                organisation_id=r["organisation_id"],
                name=r["organisation__name"],
                named=bool(r["organisation__peer_opt_in"]),
                sector=sector,
                band=size_band(sector, employees, population),
                effective_nok=round(effective, 2),
                per_employee=_ratio(effective, employees),
                per_resident=_ratio(effective, population) if sector in MUNICIPAL else None,
                savings_rate=_ratio(list_ex - eff_ex, list_ex),
                tagged_share=_ratio(float(r["tagged"] or 0), effective),
                norway_share=_ratio(float(r["norway"] or 0), effective),
                eea_share=_ratio(float(r["norway"] or 0) + float(r["eea"] or 0), effective),
            )
        )
    return window, out


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (the 'inclusive' method)."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (pos - low), 4)


def position(organisation_id: int, group: list[Kpis], kpi: str) -> KpiPosition:
    own_row = next((k for k in group if k.organisation_id == organisation_id), None)
    own = getattr(own_row, kpi) if own_row else None
    having = [k for k in group if getattr(k, kpi) is not None]
    values = [getattr(k, kpi) for k in having]
    if len(values) < MIN_GROUP:
        return KpiPosition(kpi, own, None, None, None, len(values), None)
    others = [
        v for k, v in zip(having, values, strict=True) if k.organisation_id != organisation_id
    ]
    rank = (
        round(sum(v < own for v in others) / len(others), 4) if own is not None and others else None
    )
    listed = sorted(
        (
            (
                k.name if (k.named or k.organisation_id == organisation_id) else None,
                getattr(k, kpi),
                k.organisation_id == organisation_id,
            )
            for k in having
        ),
        key=lambda t: t[1],
    )
    return KpiPosition(
        kpi,
        own,
        percentile(values, 0.25),
        percentile(values, 0.5),
        percentile(values, 0.75),
        len(values),
        rank,
        listed,
    )


def benchmark_for(organisation: Any) -> Benchmark:
    sector = organisation.sector or ""
    window, everyone = all_kpis(sector)
    band = size_band(sector, organisation.employees, organisation.population)
    group = [k for k in everyone if k.sector == sector and k.band == band]
    shown = len(group) >= MIN_GROUP
    positions = [position(organisation.pk, group, kpi) for kpi in KPI_NAMES] if shown else []
    return Benchmark(window, (sector, band), len(group), shown, positions)
