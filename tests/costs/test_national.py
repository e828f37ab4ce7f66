"""The national cost picture: sums over agencies for central functions and the operator only,
no group of fewer than five, a fixed number of queries whatever the number of agencies."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mps.costs import actions, national
from mps.costs.engine import synthetic
from mps.costs.models import CostMonth
from mps.organisations.models import Organisation
from tests.conftest import synthetic_orgnr
from tests.costs.test_pages import SPEC

PAGE = "/kostnader/nasjonalt/"
API = "/api/v1/costs/national"


def agencies(n: int, sector: str = "municipality", first: int = 0) -> list[Organisation]:
    return [
        Organisation.objects.create(
            name=f"Etat {first + i}",
            kind="agency",
            orgnr=synthetic_orgnr(1000 + first + i),
            sector=sector,
            employees=500,
        )
        for i in range(n)
    ]


def months(org: Organisation, amounts: dict[str, float], **kw) -> None:
    """CostMonth rows for `org`: NOK per month, split over providers given in `providers`."""
    providers = kw.pop("providers", {"Alpha": 1.0})
    for month, eff in amounts.items():
        CostMonth.objects.create(
            organisation=org,
            month=month,
            billed_nok=eff,
            effective_nok=eff,
            list_nok_ex_purchases=eff * kw.get("list_factor", 1.25),
            effective_nok_ex_purchases=eff,
            tagged_nok=eff * 0.75,
            norway_nok=eff * 0.5,
            eea_nok=eff * 0.3,
            non_eea_nok=eff * 0.2,
            by_provider={p: eff * share for p, share in providers.items()},
            by_service_category={"Compute": eff * 0.6, "Storage": eff * 0.4},
            usage_effect_nok=kw.get("usage"),
            price_effect_nok=kw.get("price"),
            fx_effect_nok=kw.get("fx"),
            other_effect_nok=kw.get("other"),
        )


def month_row(picture: national.National, month: str) -> national.MonthRow:
    return next(r for r in picture.months if r.month == month)


@pytest.fixture
def data_dir(settings, tmp_path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


@pytest.mark.django_db
def test_an_import_stores_the_provider_category_and_change_splits_per_month(
    world, data_dir, tmp_path
):
    path = tmp_path / "export.csv"
    synthetic.write_csv(path, SPEC)
    _record, result = actions.do_import_costs(None, world.eksempel, path)
    assert result.ok
    rows = {m.month: m for m in CostMonth.objects.filter(organisation=world.eksempel)}
    assert set(rows) == {"2024-08", "2024-09", "2024-10"}
    for m in rows.values():
        assert sorted(m.by_provider) == ["Amazon Web Services", "Microsoft"]
        assert sum(m.by_provider.values()) == pytest.approx(m.effective_nok, abs=0.05)
        assert sum(m.by_service_category.values()) == pytest.approx(m.effective_nok, abs=0.05)
    assert rows["2024-08"].fx_effect_nok is None  # no month before it
    october, september = rows["2024-10"], rows["2024-09"]
    effects = (
        october.usage_effect_nok,
        october.price_effect_nok,
        october.fx_effect_nok,
        october.other_effect_nok,
    )
    assert sum(effects) == pytest.approx(october.effective_nok - september.effective_nok, abs=0.1)
    assert october.price_effect_nok > 0  # the 10 % list-price rise of October


@pytest.mark.django_db
def test_a_central_function_sees_national_totals_equal_to_the_sum_of_cost_months(world, login):
    orgs = agencies(5) + agencies(2, sector="state", first=5)
    for i, org in enumerate(orgs):
        months(org, {"2024-09": 1000.0 * (i + 1), "2024-10": 1100.0 * (i + 1)})
    response = login(world.nina).get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    picture = national.national_picture()
    for month in ("2024-09", "2024-10"):
        expected = sum(
            CostMonth.objects.filter(month=month).values_list("effective_nok", flat=True)
        )
        assert month_row(picture, month).total.value == pytest.approx(expected)
        assert month_row(picture, month).total.organisations == 7
    assert picture.latest == "2024-10" and picture.reporting == 7 and picture.agencies == 9
    # 30 800 NOK in October: written the Norwegian way on the page, in a table and a chart.
    assert "30\u00a0800,00" in body and "<svg" in body and "<caption>" in body
    assert 'scope="row"' in body and "<script" not in body and "style=" not in body
    # Residency and savings rate over all agencies.
    assert picture.shares == {
        "untagged": 0.25,
        "norway": 0.5,
        "eea": 0.3,
        "non_eea": 0.2,
        "unknown": 0.0,
    }
    assert picture.savings_rate is not None and picture.savings_rate["p50"] == 0.2


@pytest.mark.django_db
def test_a_group_of_four_is_suppressed_and_a_group_of_five_is_shown(world, login):
    # Alpha: five agencies. Beta: four of the same. Gamma: one more agency.
    five = agencies(5)
    for org in five[:4]:
        months(org, {"2024-10": 1000.0}, providers={"Alpha": 0.5, "Beta": 0.5})
    months(five[4], {"2024-10": 1000.0}, providers={"Alpha": 1.0})
    (sixth,) = agencies(1, first=5)
    months(sixth, {"2024-10": 777.0}, providers={"Gamma": 1.0})
    picture = national.national_picture()
    row = month_row(picture, "2024-10")
    assert row.by_provider is not None
    assert row.by_provider.groups["Alpha"] == national.Cell(3000.0, 5)
    assert row.by_provider.groups["Beta"].suppressed
    assert row.by_provider.groups["Gamma"].suppressed
    # Beta and Gamma together cover five agencies: shown combined, never apart.
    assert row.by_provider.rest == national.Cell(2777.0, None)
    assert picture.providers == ["Alpha"]
    for client_body in (
        login(world.nina).get(PAGE).content.decode(),
        login(world.ola).get(API).content.decode(),
    ):
        assert "Beta" not in client_body and "Gamma" not in client_body
    assert "for få til å vises" in login(world.nina).get(PAGE).content.decode()


@pytest.mark.django_db
def test_four_agencies_show_no_national_figures_at_all(world, login):
    for org in agencies(4):
        months(org, {"2024-10": 1234.0})
    picture = national.national_picture()
    row = month_row(picture, "2024-10")
    assert row.total.suppressed and row.by_provider is None
    assert picture.shares is None and picture.savings_rate is None
    assert picture.window_total.suppressed
    api = login(world.nina).get(API).json()
    assert api["months"][-1]["effective_cost"] == {
        "nok": None,
        "organisations": None,
        "suppressed": True,
    }
    assert "1234" not in login(world.nina).get(PAGE).content.decode().replace("\u00a0", "")


@pytest.mark.django_db
def test_a_small_group_beside_one_large_group_hides_both(world):
    """The total minus the only shown group would give the small group's figure away."""
    for org in agencies(5):
        months(org, {"2024-10": 100.0})
    for org in agencies(4, sector="state", first=5):
        months(org, {"2024-10": 10.0})
    picture = national.national_picture()
    by_sector = {s.sector: s.cell for s in picture.sectors}
    assert by_sector["municipality"].suppressed and by_sector["state"].suppressed
    assert picture.sector_rest == national.Cell(540.0, None)
    assert picture.window_total == national.Cell(540.0, 9)


@pytest.mark.django_db
def test_sectors_are_shown_with_their_number_of_agencies(world):
    for org in agencies(5):
        months(org, {"2024-10": 100.0})
    for org in agencies(6, sector="state", first=5):
        months(org, {"2024-10": 10.0})
    for org in agencies(2, sector="county_municipality", first=11):
        months(org, {"2024-10": 1.0})
    for org in agencies(3, sector="", first=13):
        months(org, {"2024-10": 1.0})
    by_sector = {s.sector: s.cell for s in national.national_picture().sectors}
    assert by_sector["municipality"] == national.Cell(500.0, 5)
    assert by_sector["state"] == national.Cell(60.0, 6)
    assert by_sector["county_municipality"].suppressed and by_sector[""].suppressed
    assert national.national_picture().sector_rest == national.Cell(5.0, None)


@pytest.mark.django_db
def test_the_exchange_rate_effect_is_summed_over_agencies_with_both_months(world):
    orgs = agencies(6)
    for org in orgs[:5]:
        months(org, {"2024-09": 900.0})
        months(org, {"2024-10": 1000.0}, usage=40.0, price=20.0, fx=30.0, other=10.0)
    months(orgs[5], {"2024-10": 5000.0})  # new this month: not in the change
    row = month_row(national.national_picture(), "2024-10")
    assert row.change == national.Cell(500.0, 5)
    assert row.effects == {"usage": 200.0, "price": 100.0, "fx": 150.0, "other": 50.0}
    assert month_row(national.national_picture(), "2024-09").change.suppressed


@pytest.mark.django_db
def test_freshness_counts_agencies_by_their_latest_month(world, login):
    for org in agencies(6):
        months(org, {"2024-09": 1.0, "2024-10": 1.0})
    for org in agencies(2, first=6):
        months(org, {"2024-08": 1.0})
    picture = national.national_picture()
    fresh = dict(picture.freshness)
    assert fresh["2024-10"] == 6 and fresh["2024-09"] == 0 and fresh["2024-08"] is None
    api = login(world.nina).get(API).json()
    assert api["agencies_reporting"] == 8
    assert {"latest_month": "2024-08", "agencies": None, "suppressed": True} in api["freshness"]


@pytest.mark.django_db
def test_the_api_returns_the_figures_of_the_page(world, login):
    orgs = agencies(6)
    for i, org in enumerate(orgs):
        months(org, {"2024-09": 100.0 * (i + 1), "2024-10": 200.0 * (i + 1)})
    response = login(world.nina).get(API)
    assert response.status_code == 200
    data = response.json()
    picture = national.national_picture()
    assert data == picture.to_json()
    by_month = {m["month"]: m for m in data["months"]}
    assert by_month["2024-10"]["effective_cost"]["nok"] == 4200.0
    assert by_month["2024-10"]["by_provider"]["groups"] == [
        {"name": "Alpha", "nok": 4200.0, "organisations": 6, "suppressed": False}
    ]
    assert data["by_sector"] == [
        {"sector": "municipality", "nok": 6300.0, "organisations": 6, "suppressed": False}
    ]
    document = login(world.nina).get("/api/v1/openapi.json").json()
    assert API in document["paths"]


@pytest.mark.django_db
def test_agencies_and_vendors_are_refused_the_national_picture(world, login):
    for org in agencies(5):
        months(org, {"2024-10": 100.0})
    for user in (world.alice, world.rolf, world.vera):
        client = login(user)
        assert client.get(PAGE).status_code == 404
        assert client.get(API).status_code == 404
    for user in (world.nina, world.ola):
        assert login(user).get(PAGE).status_code == 200


@pytest.mark.django_db
def test_the_menu_offers_national_costs_to_central_functions_and_the_operator(world, login):
    assert "/kostnader/nasjonalt/" in login(world.nina).get("/").content.decode()
    assert "/kostnader/nasjonalt/" in login(world.ola).get("/").content.decode()
    assert "/kostnader/nasjonalt/" not in login(world.alice).get("/").content.decode()
    response = login(world.nina).get("/kostnader/")
    assert response.status_code == 302 and response["Location"] == PAGE


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_the_page_and_api_run_as_many_queries_for_50_agencies_as_for_5(world, login):
    client = login(world.nina)
    for org in agencies(5):
        months(org, {f"2024-{m:02d}": 100.0 for m in range(1, 13)}, fx=1.0, usage=1.0)
    few = (_queries(client, PAGE), _queries(client, API))
    for org in agencies(45, sector="state", first=5):
        months(org, {f"2024-{m:02d}": 100.0 for m in range(1, 13)}, fx=1.0, usage=1.0)
    many = (_queries(client, PAGE), _queries(client, API))
    assert few == many
    # Session and user, then the five national queries (none per agency).
    assert many[0] <= 8
    by_month = defaultdict(float)
    for month, eff in CostMonth.objects.values_list("month", "effective_nok"):
        by_month[month] += eff
    picture = national.national_picture()
    assert {r.month: r.total.value for r in picture.months} == dict(by_month)
