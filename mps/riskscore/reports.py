"""Read side of the risk score: an organisation's report, its peers, and the national picture.

Aggregates for central functions live here and never return private detail: no group of fewer
than ``MIN_GROUP`` organisations is shown, and drill-down stops at the grade.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone

from mps.core.tenancy import get_visible_or_404, may_see_evidence
from mps.organisations.models import Organisation
from mps.riskscore import scoring
from mps.riskscore.models import Asset, Dispute, Finding, ScoreSnapshot
from mps.scanner.catalogue import CATALOGUE
from mps.scanner.model import METHOD_VERSION, Severity, Status

METHOD = f"{scoring.SCORING_VERSION}+scanner.{METHOD_VERSION}"
# Issue 4: no aggregate over fewer than 5 organisations is ever shown.
MIN_GROUP = 5
SCORED_STATUSES = ("pass", "fail", "warn", "info")
SEVERITY_ORDER = [str(s) for s in Severity]


@dataclass
class DeductionView:
    """A deduction with the finding it comes from, for pages, the API and ``mps score --json``."""

    deduction: scoring.Deduction
    finding_id: int
    address: str
    port: int
    title_nb: str
    title_en: str

    def to_json(self) -> dict[str, Any]:
        return self.deduction.to_json() | {
            "finding": self.finding_id,
            "address": self.address or None,
            "port": self.port or None,
            "title": self.title_en,
        }


@dataclass
class Report:
    organisation_id: int
    result: scoring.ScoreResult
    confidence: Decimal | None
    assets_verified: int
    open_findings: int
    deductions: list[DeductionView] = field(default_factory=list)
    fixes: list[scoring.Fix] = field(default_factory=list)
    computed_at: datetime = field(default_factory=timezone.now)

    def to_json(self) -> dict[str, Any]:
        return {
            "method_version": self.result.method_version,
            "score": None if self.result.score is None else float(self.result.score),
            "grade": self.result.grade,
            "confidence": None if self.confidence is None else float(self.confidence),
            "assets_verified": self.assets_verified,
            "open_findings": self.open_findings,
            "factors": {f.factor: f.to_json() for f in self.result.factors},
            "deductions": [d.to_json() for d in self.deductions],
            "top_fixes": [f.to_json() for f in self.fixes],
            "computed_at": self.computed_at.isoformat(),
        }


def organisation_for(viewer: Any, organisation_id: int) -> tuple[Organisation, bool]:
    """The organisation whose risk score the viewer asks for, and whether it sees the evidence.

    Its own organisation and the operator see everything; a central function sees an agency's
    grade, and its evidence only under an operator's grant; anyone else gets a 404.
    """
    org = get_visible_or_404(Organisation, viewer, pk=organisation_id)
    if may_see_evidence(viewer, org):
        return org, True
    if viewer.is_central and org.kind == Organisation.Kind.AGENCY:
        return org, False
    raise Http404("Not found")


def waived_finding_ids(organisation_id: int, today: date | None = None) -> set[int]:
    """Findings taken out of the score by an approved, unexpired dispute of a waiving kind."""
    today = today or timezone.localdate()
    return set(
        Dispute.objects.filter(
            organisation_id=organisation_id,
            status=Dispute.Status.APPROVED,
            kind__in=Dispute.WAIVING_KINDS,
            expires_on__gte=today,
        ).values_list("finding_id", flat=True)
    )


def scored_findings(organisation_id: int) -> list[tuple[scoring.ScoredFinding, tuple[str, int]]]:
    """The organisation's measured findings on verified assets, as the scoring engine sees them."""
    waived = waived_finding_ids(organisation_id)
    rows = Finding.objects.filter(
        organisation_id=organisation_id,
        asset__status=Asset.Status.VERIFIED,
        status__in=SCORED_STATUSES,
    ).values_list("pk", "target", "check_id", "factor", "severity", "status", "address", "port")
    out = []
    for pk, target, check, factor, severity, status, address, port in rows:
        item = scoring.ScoredFinding(
            key=str(pk),
            asset=target,
            check=check,
            factor=factor,
            severity=Severity(severity),
            status=Status(status),
            waived=pk in waived,
        )
        out.append((item, (address, port)))
    return out


def organisation_report(organisation: Any, *, with_fixes: bool = True) -> Report:
    """Score, grade, confidence, every deduction with its finding, and the top three fixes."""
    pairs = scored_findings(organisation.pk)
    items = [p[0] for p in pairs]
    where = {p[0].key: p[1] for p in pairs}
    result = scoring.score(items)
    last = list(
        Asset.objects.filter(organisation=organisation, status=Asset.Status.VERIFIED).values_list(
            "last_scanned_at", flat=True
        )
    )
    deductions = []
    for d in result.deductions:
        spec = CATALOGUE.get(d.check)
        address, port = where[d.key]
        deductions.append(
            DeductionView(
                d,
                int(d.key),
                address,
                port,
                spec.title_nb if spec else d.check,
                spec.title_en if spec else d.check,
            )
        )
    open_count = sum(1 for i in items if i.status in (Status.FAIL, Status.WARN) and not i.waived)
    return Report(
        organisation_id=organisation.pk,
        result=result,
        confidence=scoring.confidence(last, timezone.now()),
        assets_verified=len(last),
        open_findings=open_count,
        deductions=deductions,
        fixes=scoring.top_fixes(items) if with_fixes else [],
    )


def time_to_remediate(organisation_id: int) -> dict[str, float | None]:
    """Median days from first seen to resolved, per severity (the patching cadence)."""
    rows = Finding.objects.filter(
        organisation_id=organisation_id, resolved_at__isnull=False, first_seen__isnull=False
    ).values_list("severity", "first_seen", "resolved_at")
    days: dict[str, list[float]] = defaultdict(list)
    for severity, first, resolved in rows:
        days[severity].append((resolved - first).total_seconds() / 86400)
    return {
        s: round(statistics.median(days[s]), 1) if days.get(s) else None
        for s in SEVERITY_ORDER
        if s != "info"
    }


def history(organisation_id: int, days: int = 365) -> list[ScoreSnapshot]:
    since = timezone.localdate() - timedelta(days=days)
    return list(
        ScoreSnapshot.objects.filter(organisation_id=organisation_id, date__gte=since)
        .defer("failing_checks")
        .order_by("date")
    )


# ---------------------------------------------------------------- peers and national picture
def latest_snapshots(org_filter: Q | None = None) -> list[ScoreSnapshot]:
    """The newest scored snapshot of each organisation (``org_filter``: on Organisation fields).

    One index seek per organisation (newest date first, stop at the first scored row) rather
    than grouping a year of daily rows: the national view reads this on every request.
    """
    orgs = (
        Organisation.objects.all()
        if org_filter is None
        else Organisation.objects.filter(org_filter)
    )
    last = (
        ScoreSnapshot.objects.filter(organisation_id=OuterRef("pk"), score__isnull=False)
        .order_by("-date")
        .values("pk")[:1]
    )
    pks = [pk for pk in orgs.annotate(last=Subquery(last)).values_list("last", flat=True) if pk]
    return list(
        ScoreSnapshot.objects.filter(pk__in=pks)
        .select_related("organisation")
        .order_by("organisation_id")
    )


@dataclass
class PeerPosition:
    group: str
    size: int
    percentile: int | None  # share of peers (0-100) scoring at or below this organisation
    named: list[tuple[str, Decimal]] = field(default_factory=list)  # opted-in peers only
    distribution: dict[str, int] = field(default_factory=dict)


def peer_position(organisation: Any) -> PeerPosition:
    """Percentile among the same sector and size band; names only of organisations that opted in."""
    band = organisation.size_band
    group = f"{organisation.get_sector_display() or '-'} / {band}"
    snaps = latest_snapshots(Q(sector=organisation.sector, kind=Organisation.Kind.AGENCY))
    peers = [s for s in snaps if s.organisation.size_band == band]
    mine = next((s for s in peers if s.organisation_id == organisation.pk), None)
    if len(peers) < MIN_GROUP or mine is None:
        return PeerPosition(group, len(peers), None)
    below = sum(1 for s in peers if s.score <= mine.score)
    grades = Counter(s.grade for s in peers)
    named = sorted(
        ((s.organisation.name, s.score) for s in peers if s.organisation.peer_opt_in),
        key=lambda x: -x[1],
    )
    return PeerPosition(
        group,
        len(peers),
        round(100 * below / len(peers)),
        named if organisation.peer_opt_in else [],
        {g: grades.get(g, 0) for g in "ABCDF"},
    )


@dataclass
class GroupRow:
    label: str
    organisations: int
    grades: dict[str, int]
    suppressed: bool  # fewer than MIN_GROUP organisations: counts withheld


@dataclass
class National:
    organisations: int
    by_sector: list[GroupRow]
    by_county: list[GroupRow]
    common_findings: list[tuple[str, str, int]]  # check, title, organisations affected
    trend: list[tuple[date, Decimal, int]]  # week, average score, organisations
    fresh_share: Decimal | None
    grades: dict[str, int]
    # Each agency's latest snapshot (the page lists their grades; the API does not).
    snapshots: list[ScoreSnapshot] = field(default_factory=list, repr=False)


def _group(rows: list[tuple[str, str]]) -> list[GroupRow]:
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for label, grade in rows:
        groups[label or "-"][grade] += 1
    out = []
    for label in sorted(groups):
        total = sum(groups[label].values())
        hidden = total < MIN_GROUP
        out.append(
            GroupRow(
                label,
                total,
                {} if hidden else {g: groups[label].get(g, 0) for g in "ABCDF"},
                hidden,
            )
        )
    return out


# A week boundary as a query parameter: PostgreSQL needs the type, SQLite compares ISO text.
DATE_PARAM = {"sqlite": "%s", "postgresql": "CAST(%s AS date)"}


def weekly_trend(since: date, until: date | None = None) -> list[tuple[date, Decimal, int]]:
    """Per week (Monday to Sunday): the average over agencies of each one's last score in that
    week, and how many agencies had one; weeks with fewer than MIN_GROUP are left out.

    One index seek per agency and week (newest scored snapshot in the week) instead of reading
    a year of daily rows: the national view asks for this on every request.
    """
    until = until or timezone.localdate()
    first = since - timedelta(days=since.weekday())
    weeks = []
    start = first
    while start <= until:
        weeks.append((start, start + timedelta(days=7)))
        start += timedelta(days=7)
    param = DATE_PARAM[connection.vendor]
    values = ", ".join(f"({param}, {param})" for _ in weeks)
    snap = connection.ops.quote_name(ScoreSnapshot._meta.db_table)
    org = connection.ops.quote_name(Organisation._meta.db_table)
    # PostgreSQL would otherwise inline the sub-query twice (once for SUM, once for COUNT).
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    sql = f"""
        WITH weeks(start, stop) AS (VALUES {values}),
        last_in_week AS {materialized}(
            SELECT w.start AS start, (
                SELECT s.score FROM {snap} s
                WHERE s.organisation_id = o.id AND s.date >= w.start AND s.date < w.stop
                    AND s.date >= {param} AND s.score IS NOT NULL
                ORDER BY s.date DESC LIMIT 1
            ) AS score
            FROM weeks w CROSS JOIN {org} o
            WHERE o.kind = %s
        )
        SELECT start, SUM(score), COUNT(score) FROM last_in_week
        GROUP BY start
        ORDER BY start
    """  # noqa: S608 - table names from the models, values bound
    params: list[str] = [d.isoformat() for pair in weeks for d in pair]
    params += [since.isoformat(), Organisation.Kind.AGENCY.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out = []
    for week_start, total, count in rows:
        if count < MIN_GROUP:
            continue
        day = week_start if isinstance(week_start, date) else date.fromisoformat(str(week_start))
        average = (Decimal(str(total)) / count).quantize(Decimal("0.1"))
        out.append((day, average, count))
    return out


def national_picture(weeks: int = 26) -> National:
    """Grade distribution by sector and county, common findings, trend and freshness.

    Only counts over at least MIN_GROUP organisations; no organisation's evidence.
    """
    snaps = latest_snapshots(Q(kind=Organisation.Kind.AGENCY))
    grades = Counter(s.grade for s in snaps)
    sectors = {value: str(label) for value, label in Organisation.Sector.choices}
    by_sector = _group([(sectors.get(s.organisation.sector, ""), s.grade) for s in snaps])
    by_county = _group([(s.organisation.county, s.grade) for s in snaps])
    affected = Counter(check for snap in snaps for check in set(snap.failing_checks or ()))
    common_rows = [
        (check, CATALOGUE[check].title_en if check in CATALOGUE else check, n)
        for check, n in sorted(affected.items(), key=lambda item: (-item[1], item[0]))
        if n >= MIN_GROUP
    ][:10]
    trend = weekly_trend(timezone.localdate() - timedelta(weeks=weeks))
    fresh = None
    if snaps:
        values = [s.confidence for s in snaps if s.confidence is not None]
        if len(values) >= MIN_GROUP:
            fresh = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"))
    total = len(snaps)
    return National(
        organisations=total,
        by_sector=by_sector,
        by_county=by_county,
        common_findings=common_rows,
        trend=trend,
        fresh_share=fresh,
        grades={g: grades.get(g, 0) for g in "ABCDF"} if total >= MIN_GROUP else {},
        snapshots=snaps,
    )
