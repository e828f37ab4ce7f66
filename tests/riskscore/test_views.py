"""Pages and API of the risk score: agency view, explain, footprint, disputes, national picture."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mps.core.tenancy import viewer_for
from mps.organisations.models import Organisation
from mps.organisations.orgnr import synthetic_orgnr
from mps.riskscore import actions, charts
from mps.riskscore.models import Asset, Dispute, Finding, ScoreSnapshot
from mps.testnet import https
from tests.riskscore.conftest import DNS_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def network(risknet):
    actions.set_scan_config(risknet.only("http", "tls"))
    risknet.set_profile("eksempel.test", https.absent())
    yield risknet
    actions.set_scan_config(None)
    risknet.set_profile("eksempel.test", https.absent())


def scanned(world):
    asset = actions.do_add_asset(viewer_for(world.alice), world.eksempel, "domain", "eksempel.test")
    Asset.objects.filter(pk=asset.pk).update(token=DNS_TOKEN)
    asset.refresh_from_db()
    actions.do_verify_asset(viewer_for(world.alice), asset, "dns_txt")
    actions.run_scan(world.eksempel)
    return asset


def fake_findings(org, n_assets, per_asset=20, prefix="h"):
    now = timezone.now()
    assets = Asset.objects.bulk_create(
        Asset(
            organisation=org,
            kind="host",
            value=f"{prefix}{i}.{org.pk}.test",
            status="verified",
            last_scanned_at=now,
        )
        for i in range(n_assets)
    )
    Finding.objects.bulk_create(
        Finding(
            organisation=org, asset=a, check_id=f"http.x{j}", factor="web", severity="low",
            status="fail" if j % 3 == 0 else "pass", target=a.value, state="new" if j % 3 == 0 else "ok",
            observed_at=now, first_seen=now, method_version="x",
        )
        for a in assets
        for j in range(per_asset)
    )  # fmt: skip
    for d in range(10):
        ScoreSnapshot.objects.update_or_create(
            organisation=org, date=timezone.localdate() - timedelta(days=d),
            defaults={"score": Decimal(80 + d % 5), "grade": "B", "method_version": "x"},
        )  # fmt: skip


def test_the_agency_sees_its_grade_factors_fixes_and_findings_in_norwegian(world, login):
    scanned(world)
    page = login(world.alice).get(
        f"/risiko/virksomhet/{world.eksempel.pk}/", HTTP_ACCEPT_LANGUAGE="nb"
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "<desc" in body  # chart with a text alternative
    snap = ScoreSnapshot.objects.get(organisation=world.eksempel)
    assert f"{snap.score}".replace(".", ",") in body  # bokmål decimal comma
    assert Finding.objects.filter(check_id="http.hsts.missing").get().pk
    assert "/risiko/funn/" in body


def test_the_agency_page_needs_a_constant_number_of_queries(world, login):
    client = login(world.alice)
    fake_findings(world.eksempel, 2)
    url = f"/risiko/virksomhet/{world.eksempel.pk}/"
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    fake_findings(world.eksempel, 40, prefix="big")
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
    assert len(large) <= 20


def test_explain_lists_deductions_that_add_up(world, login):
    scanned(world)
    page = login(world.alice).get(f"/risiko/virksomhet/{world.eksempel.pk}/forklaring/")
    assert page.status_code == 200
    assert "http.hsts.missing" in page.content.decode()


def test_another_agency_cannot_see_the_risk_pages(world, login):
    scanned(world)
    client = login(world.bob)
    assert client.get(f"/risiko/virksomhet/{world.eksempel.pk}/").status_code == 404
    finding = Finding.objects.filter(status="fail").first()
    assert client.get(f"/risiko/funn/{finding.pk}/").status_code == 404
    assert client.get("/risiko/nasjonalt/").status_code == 404


def test_a_central_function_sees_the_grade_but_not_the_evidence(world, login):
    scanned(world)
    client = login(world.nina)
    page = client.get(f"/risiko/virksomhet/{world.eksempel.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "/risiko/funn/" not in body and "http.hsts.missing" not in body
    assert client.get(f"/risiko/virksomhet/{world.eksempel.pk}/forklaring/").status_code == 404
    api = client.get(f"/api/v1/riskscore/organisations/{world.eksempel.pk}")
    assert api.status_code == 200 and "deductions" not in api.json() and api.json()["grade"]


def test_the_national_picture_never_shows_a_group_of_fewer_than_five(world, login):
    today = timezone.localdate()
    for i in range(6):
        org = Organisation.objects.create(
            name=f"Kommune {i}", kind="agency", orgnr=synthetic_orgnr(100 + i), sector="municipality",
            county="Agder" if i < 5 else "Finnmark", population=10_000,
        )  # fmt: skip
        ScoreSnapshot.objects.create(
            organisation=org, date=today, score=Decimal(95 - i * 5), grade="ABCDF"[min(i, 4)],
            confidence=Decimal("1.00"), method_version="x",
        )  # fmt: skip
    page = login(world.nina).get("/risiko/nasjonalt/")
    assert page.status_code == 200
    picture = page.context["picture"]
    by_county = {r.label: r for r in picture.by_county}
    assert not by_county["Agder"].suppressed and by_county["Agder"].organisations == 5
    assert by_county["Finnmark"].suppressed and by_county["Finnmark"].grades == {}
    api = login(world.nina).get("/api/v1/riskscore/national").json()
    finnmark = next(r for r in api["by_county"] if r["label"] == "Finnmark")
    assert finnmark["organisations"] is None and finnmark["suppressed"]


def test_adding_an_invalid_name_in_the_footprint_form_says_what_is_wrong(world, login):
    page = login(world.alice).post(
        f"/risiko/virksomhet/{world.eksempel.pk}/fotavtrykk/",
        {"kind": "domain", "value": "ex ample.no"},
    )
    assert page.status_code == 400
    assert "ex ample.no" in page.content.decode()


def test_from_fix_to_updated_grade_through_the_web_dispute_and_retest(world, login, network):
    scanned(world)
    client = login(world.alice)
    finding = Finding.objects.get(check_id="http.hsts.missing")
    before = ScoreSnapshot.objects.get(organisation=world.eksempel).score
    response = client.post(
        f"/risiko/funn/{finding.pk}/",
        {
            "kind": "false_positive",
            "justification": "HSTS is set",
            "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    network.set_profile("eksempel.test", https.excellent())
    response = client.post(f"/risiko/funn/{finding.pk}/test-pa-nytt/")
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.RESOLVED
    assert ScoreSnapshot.objects.get(organisation=world.eksempel).score > before


def test_the_api_gives_score_deductions_and_retest(world, login, network):
    scanned(world)
    client = login(world.alice)
    data = client.get(f"/api/v1/riskscore/organisations/{world.eksempel.pk}").json()
    assert data["grade"] and data["deductions"]
    assert sum(Decimal(str(d["points"])) for d in data["deductions"]) == Decimal(100) - Decimal(
        str(data["score"])
    )
    finding = Finding.objects.get(check_id="http.hsts.missing")
    network.set_profile("eksempel.test", https.excellent())
    result = client.post(
        f"/api/v1/riskscore/findings/{finding.pk}/retest", content_type="application/json"
    ).json()
    assert result["passed"] is True and result["score"] > data["score"]


def test_the_api_refuses_a_bad_asset_with_a_problem_naming_the_value(world, login):
    response = login(world.alice).post(
        f"/api/v1/riskscore/organisations/{world.eksempel.pk}/assets",
        data=json.dumps({"kind": "domain", "value": "-bad-.no"}),
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    assert "-bad-.no" in response.content.decode()


def test_the_overview_card_shows_the_latest_grade(world, login):
    scanned(world)
    page = login(world.alice).get("/")
    assert (
        "Cyber Risk Score" in page.content.decode()
        or "risikoscore" in page.content.decode().lower()
    )


def test_charts_carry_a_title_a_description_and_the_numbers():
    chart = charts.bars([("A", 3), ("B <x>", 1)], "Grades", "A: 3, B: 1")
    assert "<title" in chart.svg and "<desc" in chart.svg and "&lt;x&gt;" in chart.svg
    assert chart.rows == [("A", "3"), ("B <x>", "1")]
    assert '<th scope="row">B &lt;x&gt;</th><td class="num">1</td>' in chart.rows_html
    assert "style=" not in chart.svg
