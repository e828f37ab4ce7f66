"""The national cost picture for central functions and the operator (docs/costs.md).

Figures summed over agencies from the relational CostMonth pre-aggregate only — never one
agency's billing rows, and never a figure over fewer than MIN_GROUP organisations (the rule of
the benchmarks, mps.costs.benchmark). Where groups split a shown total (providers, service
categories, sectors), the groups too small to show are combined into one remainder, and that
remainder must itself cover at least MIN_GROUP organisations; if it does not, the smallest
shown groups join it until it does. Otherwise the total minus the shown groups would give a
small group's figure away.

Five queries whatever the number of agencies, the sums done by the database: each agency's
latest month, the agency count, per-month totals and change effects, per-agency sums over the
12-month window (sectors, savings rates, shares), and the provider and category splits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Sum

from mps.costs.benchmark import MIN_GROUP, WINDOW_MONTHS, percentile
from mps.costs.models import CostMonth
from mps.organisations.models import Organisation

MONTHS = 24  # months of totals shown
PERCENTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
RESIDENCY = ("norway", "eea", "non_eea", "unknown")
EFFECTS = ("usage", "price", "fx", "other")
AGENCY = Organisation.Kind.AGENCY.value


def shift(month: str, back: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _r(value: float) -> float:
    return round(value, 2)


@dataclass
class Cell:
    """A sum over `organisations` organisations; both None when the group is too small. A
    remainder of small groups combined has a value but no count (it covers at least MIN_GROUP)."""

    value: float | None
    organisations: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None


HIDDEN = Cell(None, None)


@dataclass
class Split:
    """A shown total split into groups, with the remainder of the groups too small to show."""

    groups: dict[str, Cell]  # every group, small ones as HIDDEN
    rest: Cell | None  # the small groups combined (None when every group is shown)


@dataclass(frozen=True)
class Group:
    """One group's sum, its number of organisations and, for a small group, which they are."""

    amount: float
    organisations: int
    members: frozenset[int] = frozenset()  # only needed for groups under MIN_GROUP


def split(total: float, groups: dict[str, Group]) -> Split:
    """The groups of a shown total; small ones hidden and combined in the remainder, which must
    cover MIN_GROUP organisations (else the smallest shown groups join it)."""
    hidden = {key for key, g in groups.items() if g.organisations < MIN_GROUP}
    shown = sorted(
        (key for key in groups if key not in hidden),
        key=lambda k: (groups[k].organisations, groups[k].amount, k),
    )
    small = {org for key in hidden for org in groups[key].members}
    # A shown group has at least MIN_GROUP organisations, so one joining is always enough.
    if hidden and len(small) < MIN_GROUP and shown:
        hidden.add(shown.pop(0))
    cells = {
        key: HIDDEN if key in hidden else Cell(_r(g.amount), g.organisations)
        for key, g in groups.items()
    }
    rest = None
    if hidden:
        covered = len(small) >= MIN_GROUP or any(
            groups[k].organisations >= MIN_GROUP for k in hidden
        )
        amount = _r(total - sum(c.value or 0.0 for c in cells.values()))
        # The remainder's organisations are not counted: at least MIN_GROUP by construction.
        rest = Cell(amount, None) if covered else HIDDEN
    return Split(cells, rest)


@dataclass
class MonthRow:
    month: str
    organisations: int
    total: Cell
    by_provider: Split | None  # None when the month's total is not shown
    by_category: Split | None
    change: Cell  # the change from the month before, agencies with data in both months
    effects: dict[str, float | None]  # usage, price, fx, other (NOK), None when suppressed


@dataclass
class SectorRow:
    sector: str  # Organisation.Sector value, "" for none
    cell: Cell  # effective cost over the 12-month window


@dataclass
class National:
    latest: str | None
    window: tuple[str, str] | None  # the 12 months of the shares, sectors and savings rates
    agencies: int  # agencies on the platform
    reporting: int  # agencies with any cost data
    months: list[MonthRow]
    providers: list[str]  # shown in at least one month
    categories: list[str]
    sectors: list[SectorRow]
    sector_rest: Cell | None
    savings_rate: dict[str, float] | None  # percentile label -> rate, None under MIN_GROUP
    savings_rate_agencies: int
    window_total: Cell
    shares: dict[str, float] | None  # untagged and residency shares of effective cost
    # Agencies whose latest month is each of the last 12 months ("" for earlier); None: 1 to 4.
    freshness: list[tuple[str, int | None]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        def cell(c: Cell) -> dict[str, Any]:
            return {"nok": c.value, "organisations": c.organisations, "suppressed": c.suppressed}

        def parts(s: Split | None) -> dict[str, Any] | None:
            if s is None:
                return None
            return {
                "groups": [{"name": k, **cell(v)} for k, v in s.groups.items() if not v.suppressed],
                "groups_too_small": sum(1 for v in s.groups.values() if v.suppressed),
                "rest": cell(s.rest) if s.rest else None,
            }

        return {
            "currency": "NOK",
            "min_group": MIN_GROUP,
            "latest_month": self.latest,
            "window": list(self.window) if self.window else None,
            "agencies": self.agencies,
            "agencies_reporting": self.reporting,
            "months": [
                {
                    "month": m.month,
                    "organisations": m.organisations if not m.total.suppressed else None,
                    "effective_cost": cell(m.total),
                    "by_provider": parts(m.by_provider),
                    "by_service_category": parts(m.by_category),
                    "change": cell(m.change),
                    "effects": m.effects,
                }
                for m in self.months
            ],
            "by_sector": [{"sector": s.sector, **cell(s.cell)} for s in self.sectors],
            "by_sector_rest": cell(self.sector_rest) if self.sector_rest else None,
            "window_effective_cost": cell(self.window_total),
            "effective_savings_rate": {
                "agencies": self.savings_rate_agencies
                if self.savings_rate_agencies >= MIN_GROUP
                else None,
                "percentiles": self.savings_rate,
            },
            "shares": self.shares,
            "freshness": [
                {"latest_month": m or None, "agencies": n, "suppressed": n is None}
                for m, n in self.freshness
            ],
        }


def _count(n: int) -> int | None:
    """A count of organisations: 0 is shown, 1 to MIN_GROUP - 1 is not."""
    return n if n == 0 or n >= MIN_GROUP else None


def _freshness(latest_per_org: dict[int, str], latest: str) -> list[tuple[str, int | None]]:
    """How many agencies' data ends in each of the last 12 months, and earlier ("")."""
    counts: dict[str, int] = defaultdict(int)
    oldest = shift(latest, WINDOW_MONTHS - 1)
    for month in latest_per_org.values():
        counts[month if month >= oldest else ""] += 1
    rows = [(shift(latest, k), _count(counts.get(shift(latest, k), 0))) for k in range(12)]
    return [*rows, ("", _count(counts.get("", 0)))]


# Per month and provider / service category: the sum, the number of agencies and, for groups
# under MIN_GROUP, their ids. A row without the split (built before it existed) counts as the
# unnamed group "". PostgreSQL and SQLite spell the JSON functions differently.
SPLIT_SQL = {
    "sqlite": """
        SELECT cm.month, j.key, SUM(j.value), COUNT(*),
            CASE WHEN COUNT(*) < %(min)s THEN group_concat(cm.organisation_id) END
        FROM {cm} cm JOIN {org} o ON o.id = cm.organisation_id,
            json_each(CASE WHEN cm.{col} IS NULL OR cm.{col} IN ('', '{{}}')
                THEN json_object('', cm.effective_nok) ELSE cm.{col} END) j
        WHERE o.kind = %(kind)s AND cm.month >= %(first)s AND cm.month <= %(last)s
        GROUP BY cm.month, j.key""",
    "postgresql": """
        SELECT cm.month, j.key, SUM(j.value::double precision), COUNT(*),
            CASE WHEN COUNT(*) < %(min)s THEN string_agg(cm.organisation_id::text, ',') END
        FROM {cm} cm JOIN {org} o ON o.id = cm.organisation_id
        CROSS JOIN LATERAL jsonb_each_text(CASE WHEN cm.{col} IS NULL OR cm.{col} = '{{}}'::jsonb
            THEN jsonb_build_object('', cm.effective_nok) ELSE cm.{col} END) j
        WHERE o.kind = %(kind)s AND cm.month >= %(first)s AND cm.month <= %(last)s
        GROUP BY cm.month, j.key""",
}


def _splits(
    first: str, last: str
) -> tuple[dict[str, dict[str, Group]], dict[str, dict[str, Group]]]:
    """Provider and service-category groups per month: one query, summed by the database."""
    quote = connection.ops.quote_name
    template = SPLIT_SQL[connection.vendor]
    names = {"cm": quote(CostMonth._meta.db_table), "org": quote(Organisation._meta.db_table)}
    sql = " UNION ALL ".join(
        f"SELECT '{dim}', * FROM ({template.format(col=quote(col), **names)}) {dim}"  # noqa: S608 - names from the models, values bound
        for dim, col in (("p", "by_provider"), ("c", "by_service_category"))
    )
    params = {"min": MIN_GROUP, "kind": AGENCY, "first": first, "last": last}
    out: dict[str, dict[str, dict[str, Group]]] = {"p": defaultdict(dict), "c": defaultdict(dict)}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for dim, month, key, amount, count, ids in cursor.fetchall():
            members = frozenset(int(i) for i in str(ids).split(",")) if ids else frozenset()
            out[dim][month][key or "—"] = Group(float(amount or 0.0), int(count), members)
    return out["p"], out["c"]


def national_picture(months: int = MONTHS) -> National:
    """Every figure of the national cost page and API (five queries, summed by the database)."""
    latest_per_org = dict(
        CostMonth.objects.filter(organisation__kind=AGENCY)
        .values("organisation_id")
        .annotate(last=Max("month"))
        .values_list("organisation_id", "last")
    )
    agencies = Organisation.objects.filter(kind=AGENCY).count()
    if not latest_per_org:
        return National(None, None, agencies, 0, [], [], [], [], None, None, 0, HIDDEN, None, [])
    latest = max(latest_per_org.values())
    first, window_start = shift(latest, months - 1), shift(latest, WINDOW_MONTHS - 1)
    in_range = CostMonth.objects.filter(organisation__kind=AGENCY, month__lte=latest)
    per_month = {
        r["month"]: r
        for r in in_range.filter(month__gte=first)
        .values("month")
        .annotate(
            total=Sum("effective_nok"),
            n=Count("organisation_id"),
            usage=Sum("usage_effect_nok"),
            price=Sum("price_effect_nok"),
            fx=Sum("fx_effect_nok"),
            other=Sum("other_effect_nok"),
            moved=Count("usage_effect_nok"),  # agencies with data for the month before too
        )
        .order_by("month")
    }
    per_org = list(
        in_range.filter(month__gte=window_start)
        .values("organisation_id", "organisation__sector")
        .annotate(
            eff=Sum("effective_nok"),
            list_ex=Sum("list_nok_ex_purchases"),
            eff_ex=Sum("effective_nok_ex_purchases"),
            tagged=Sum("tagged_nok"),
            norway=Sum("norway_nok"),
            eea=Sum("eea_nok"),
            non_eea=Sum("non_eea_nok"),
            unknown=Sum("unknown_region_nok"),
        )
        .order_by()
    )
    providers, categories = _splits(first, latest)

    month_rows = []
    named_providers: set[str] = set()
    named_categories: set[str] = set()
    first_with_data = min(per_month)
    for month in (shift(latest, k) for k in range(months - 1, -1, -1)):
        if month < first_with_data:
            continue
        r = per_month.get(month, {})
        n = int(r.get("n") or 0)
        month_total = float(r.get("total") or 0.0)
        shown = n >= MIN_GROUP
        by_p = split(month_total, providers.get(month, {})) if shown else None
        by_c = split(month_total, categories.get(month, {})) if shown else None
        for parts, names in ((by_p, named_providers), (by_c, named_categories)):
            if parts is not None:
                names.update(k for k, c in parts.groups.items() if not c.suppressed)
        if int(r.get("moved") or 0) >= MIN_GROUP:
            sums = [_r(float(r[k] or 0.0)) for k in EFFECTS]
            change = Cell(_r(sum(sums)), int(r["moved"]))
            effects: dict[str, float | None] = dict(zip(EFFECTS, sums, strict=True))
        else:
            change, effects = HIDDEN, dict.fromkeys(EFFECTS)
        total_cell = Cell(_r(month_total), n) if shown else HIDDEN
        month_rows.append(MonthRow(month, n, total_cell, by_p, by_c, change, effects))

    window = dict.fromkeys(("eff", "tagged", *RESIDENCY), 0.0)
    sectors: dict[str, list[tuple[int, float]]] = defaultdict(list)
    rates = []
    for r in per_org:
        for key in window:
            window[key] += float(r[key] or 0.0)
        sectors[r["organisation__sector"] or ""].append((r["organisation_id"], float(r["eff"])))
        list_ex, eff_ex = float(r["list_ex"] or 0.0), float(r["eff_ex"] or 0.0)
        if list_ex > 0:
            rates.append((list_ex - eff_ex) / list_ex)
    reporting_in_window = len(per_org)
    window_shown = reporting_in_window >= MIN_GROUP
    sector_groups = {
        key: Group(sum(a for _o, a in orgs), len(orgs), frozenset(o for o, _a in orgs))
        for key, orgs in sectors.items()
    }
    sector_split = split(window["eff"], sector_groups) if window_shown else None
    order = [value for value, _label in Organisation.Sector.choices]
    sector_rows = [
        SectorRow(key, sector_split.groups[key] if sector_split else HIDDEN)
        for key in sorted(sectors, key=lambda k: (order.index(k) if k in order else len(order), k))
    ]
    rate_pct = (
        {f"p{round(q * 100)}": percentile(rates, q) for q in PERCENTILES}
        if len(rates) >= MIN_GROUP
        else None
    )
    shares = None
    if window_shown and window["eff"]:
        eff = window["eff"]
        shares = {"untagged": round(1 - window["tagged"] / eff, 4)} | {
            key: round(window[key] / eff, 4) for key in RESIDENCY
        }
    return National(
        latest=latest,
        window=(window_start, latest),
        agencies=agencies,
        reporting=len(latest_per_org),
        months=month_rows,
        providers=sorted(named_providers),
        categories=sorted(named_categories),
        sectors=sector_rows,
        sector_rest=sector_split.rest if sector_split else None,
        savings_rate=rate_pct,
        savings_rate_agencies=len(rates),
        window_total=Cell(_r(window["eff"]), reporting_in_window) if window_shown else HIDDEN,
        shares=shares,
        freshness=_freshness(latest_per_org, latest),
    )
