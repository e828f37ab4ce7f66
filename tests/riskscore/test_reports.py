"""The national trend, grouped in SQL: each agency's last score in a week, averaged."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from mps.organisations.models import Organisation
from mps.organisations.orgnr import synthetic_orgnr
from mps.riskscore.models import ScoreSnapshot
from mps.riskscore.reports import national_picture, weekly_trend

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 2)


def agency(i: int, kind: str = "agency") -> Organisation:
    return Organisation.objects.create(name=f"Etat {i}", kind=kind, orgnr=synthetic_orgnr(700 + i))


def snap(org: Organisation, day: date, score: str | None, failing: list[str] | None = None) -> None:
    ScoreSnapshot.objects.create(
        organisation=org,
        date=day,
        score=None if score is None else Decimal(score),
        grade="C",
        method_version="t",
        failing_checks=failing or [],
    )


def test_each_agency_counts_once_a_week_with_its_last_score():
    orgs = [agency(i) for i in range(5)]
    for k, org in enumerate(orgs):
        snap(org, MONDAY, "10")  # replaced by the same week's later scores
        snap(org, MONDAY + timedelta(days=6), str(60 + k))  # Sunday: still the same week
        snap(org, MONDAY + timedelta(days=7), "90")  # next Monday: next week
    snap(orgs[0], MONDAY + timedelta(days=8), None)  # unscored days are ignored
    assert weekly_trend(MONDAY) == [
        (MONDAY, Decimal("62.0"), 5),
        (MONDAY + timedelta(days=7), Decimal("90.0"), 5),
    ]


def test_weeks_with_fewer_than_five_agencies_and_other_kinds_are_left_out():
    orgs = [agency(i) for i in range(4)] + [agency(9, kind="vendor")]
    for org in orgs:
        snap(org, MONDAY + timedelta(days=2), "70")
    assert weekly_trend(MONDAY) == []
    snap(agency(5), MONDAY + timedelta(days=3), "80")
    assert weekly_trend(MONDAY) == [(MONDAY, Decimal("72.0"), 5)]
    assert weekly_trend(MONDAY + timedelta(days=7)) == []


def test_common_findings_count_agencies_in_their_latest_snapshot_from_five_up():
    orgs = [agency(i) for i in range(6)]
    for k, org in enumerate(orgs):
        snap(org, MONDAY, "50", ["tls.no_tls13", "http.hsts.missing"])  # older: not counted
        snap(
            org,
            MONDAY + timedelta(days=1),
            "60",
            ["http.hsts.missing"] + (["dns.x"] if k < 4 else []),
        )
    snap(agency(9, kind="vendor"), MONDAY, "10", ["dns.x"])  # not an agency
    common = national_picture().common_findings
    assert [(check, n) for check, _title, n in common] == [("http.hsts.missing", 6)]
    assert common[0][1] != "http.hsts.missing"  # the catalogue's title
