"""The national picture: how agencies decided on each agreement, by sector.

Aggregates over all agencies, for the operator (with the names of those who opted out) and
for central functions (counts only, with small groups suppressed). A fixed number of
queries whatever the number of agencies or agreements.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from mps.agreements.models import FrameworkAgreement, Membership

#: Sectors shown as rows, in order; "other" agencies are counted in totals only.
SECTORS = ("state", "municipality", "county_municipality")
#: Central functions see no count drawn from fewer organisations than this (foundation contract).
MIN_GROUP = 5
#: Chart geometry (SVG user units): label column, bar length, row height.
CHART_LABEL_WIDTH = 190
CHART_BAR_WIDTH = 420
CHART_ROW_HEIGHT = 26


@dataclass
class SectorCounts:
    sector: str
    total: int  # agencies of this sector in the register
    joined: int = 0
    opted_out: int = 0
    undecided: int = 0

    @property
    def no_answer(self) -> int:
        return max(self.total - self.joined - self.opted_out - self.undecided, 0)

    @property
    def suppressed(self) -> bool:
        return self.total < MIN_GROUP


@dataclass
class Segment:
    css: str
    x: float
    width: float
    count: int
    label: str


@dataclass
class ChartRow:
    y: int
    label: str
    segments: list[Segment]
    text: str


@dataclass
class AgreementPicture:
    agreement: FrameworkAgreement
    sectors: list[SectorCounts]
    opted_out: list[Membership] = field(default_factory=list)
    chart: list[ChartRow] = field(default_factory=list)
    chart_height: int = 0


def national_picture(*, include_names: bool) -> list[AgreementPicture]:
    agreements = list(FrameworkAgreement.objects.order_by("-period_start", "name"))
    from mps.organisations.models import Organisation

    totals = dict(
        Organisation.objects.filter(kind="agency")
        .values_list("sector")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, str, str], int] = {}
    rows = (
        Membership.objects.filter(agency__kind="agency")
        .values_list("agreement_id", "agency__sector", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for agreement_id, sector, status, n in rows:
        counts[(agreement_id, sector, status)] = n
    names: dict[int, list[Membership]] = {}
    if include_names:
        for m in (
            Membership.objects.filter(status=Membership.Status.OPTED_OUT)
            .select_related("agency")
            .order_by("agency__name")
        ):
            names.setdefault(m.agreement_id, []).append(m)
    pictures = []
    for agreement in agreements:
        sectors = [
            SectorCounts(
                sector=sector,
                total=totals.get(sector, 0),
                joined=counts.get((agreement.pk, sector, "joined"), 0),
                opted_out=counts.get((agreement.pk, sector, "opted_out"), 0),
                undecided=counts.get((agreement.pk, sector, "undecided"), 0),
            )
            for sector in SECTORS
        ]
        if not include_names:
            sectors = [
                s if not s.suppressed else SectorCounts(sector=s.sector, total=s.total)
                for s in sectors
            ]
        picture = AgreementPicture(
            agreement=agreement, sectors=sectors, opted_out=names.get(agreement.pk, [])
        )
        picture.chart, picture.chart_height = _chart(sectors, include_names)
        pictures.append(picture)
    return pictures


def _chart(sectors: list[SectorCounts], show_small: bool) -> tuple[list[ChartRow], int]:
    from mps.organisations.models import Organisation

    labels = dict(Organisation.Sector.choices)
    rows: list[ChartRow] = []
    for i, s in enumerate(sectors):
        y = i * CHART_ROW_HEIGHT
        segments: list[Segment] = []
        if s.total and (show_small or not s.suppressed):
            x = float(CHART_LABEL_WIDTH)
            for css, count, label in (
                ("bar-joined", s.joined, "joined"),
                ("bar-opted-out", s.opted_out, "opted_out"),
                ("bar-undecided", s.undecided + s.no_answer, "undecided"),
            ):
                width = CHART_BAR_WIDTH * count / s.total
                segments.append(
                    Segment(css=css, x=round(x, 1), width=round(width, 1), count=count, label=label)
                )
                x += width
        rows.append(
            ChartRow(
                y=y,
                label=str(labels.get(s.sector, s.sector)),
                segments=segments,
                text=f"{s.joined}/{s.opted_out}/{s.undecided + s.no_answer}",
            )
        )
    return rows, len(sectors) * CHART_ROW_HEIGHT
