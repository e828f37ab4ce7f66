"""Price pages: changes and alerts, SKU history, basket prices and index, paid prices; who sees what."""

from __future__ import annotations

import json

import pytest

from mps.costs.actions import do_import_costs
from mps.prices.models import PriceSku
from tests.costs.focus_rows import row, write
from tests.prices.samples import CSV_TEXT


def test_every_logged_in_user_sees_the_price_changes_with_the_alert(
    catalogue, world, login, django_assert_max_num_queries
):
    client = login(world.vera)
    with django_assert_max_num_queries(12):
        page = client.get("/priser/").content.decode()
    assert "vcpu" in page and ("20.0 %" in page or "20,0 %" in page)
    assert "Alert" in page or "Varsel" in page
    assert 'enctype="multipart/form-data"' not in page  # only the operator imports


def test_anonymous_visitors_are_sent_to_log_in(client, catalogue):
    assert client.get("/priser/").status_code == 302


def test_the_operator_imports_a_price_file_on_the_page(world, login, tmp_path, data_dir):
    client = login(world.ola)
    path = tmp_path / "p.csv"
    path.write_text(CSV_TEXT)
    with path.open("rb") as f:
        response = client.post("/priser/", {"file": f, "vendor": "Example Cloud", "format": "csv"})
    assert response.status_code == 302 and PriceSku.objects.count() == 4
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV_TEXT + "x,X,,,1 Hour,USD,abc,2024-01-01,\n")
    with bad.open("rb") as f:
        response = client.post("/priser/", {"file": f, "vendor": "Example Cloud"})
    assert response.status_code == 400 and "abc" in response.content.decode()


def test_others_may_not_import(world, login, tmp_path, data_dir):
    path = tmp_path / "p.csv"
    path.write_text(CSV_TEXT)
    for user in (world.alice, world.vera):
        with path.open("rb") as f:
            assert login(user).post("/priser/", {"file": f, "vendor": "X"}).status_code == 403
    assert PriceSku.objects.count() == 0


def test_a_skus_page_lists_its_history_and_changes(
    catalogue, world, login, django_assert_max_num_queries
):
    sku = PriceSku.objects.get(sku_id="vcpu")
    client = login(world.alice)
    with django_assert_max_num_queries(10):
        page = client.get(f"/priser/sku/{sku.pk}/").content.decode()
    assert "2024-07-01" in page and "0.024" in page.replace(",", ".")


def test_the_basket_page_shows_prices_per_vendor_a_chart_and_the_index(
    catalogue, world, login, django_assert_max_num_queries
):
    client = login(world.ola)
    with django_assert_max_num_queries(14):
        response = client.get(f"/priser/kurv/{catalogue.pk}/", {"dato": "2024-12-02"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('role="img"') == 2 and '<th scope="row">Example Cloud' in page
    assert "2024-07-01" in page  # the month of the price rise is in the index table
    assert client.get("/priser/kurver/").status_code == 200


def test_an_agency_sees_what_it_paid_against_list_prices(
    catalogue, world, login, tmp_path, django_assert_max_num_queries
):
    _, result = do_import_costs(
        None, world.eksempel, write(tmp_path / "f.csv", [row(SkuId="vcpu")])
    )
    assert result.ok
    client = login(world.rolf)
    assert client.get("/priser/betalt/").url == f"/priser/betalt/{world.eksempel.pk}/"
    with django_assert_max_num_queries(8):
        page = client.get(f"/priser/betalt/{world.eksempel.pk}/").content.decode()
    assert "vcpu" in page and "Example Cloud" in page


def test_paid_prices_are_private_to_the_agency_and_the_operator(catalogue, world, login, tmp_path):
    do_import_costs(None, world.annen, write(tmp_path / "f.csv", [row(SkuId="secret-sku")]))
    url = f"/priser/betalt/{world.annen.pk}/"
    for user in (world.alice, world.vera, world.nina):
        assert login(user).get(url).status_code == 404
        assert login(user).get(f"/api/v1/prices/paid/{world.annen.pk}").status_code == 404
    assert "secret-sku" in login(world.ola).get(url).content.decode()
    assert login(world.ola).get("/priser/betalt/").status_code == 200
    assert login(world.vera).get("/priser/betalt/").status_code == 404


def test_the_api_gives_changes_skus_and_basket_prices(catalogue, world, login):
    client = login(world.alice)
    changes = client.get("/api/v1/prices/changes?alerts_only=true").json()
    assert [c["sku_id"] for c in changes["changes"]] == ["vcpu"] and changes["changes"][0]["alert"]
    sku = changes["changes"][0]["sku"]
    assert len(client.get(f"/api/v1/prices/skus/{sku}").json()["prices"]) == 2
    assert client.get("/api/v1/prices/baskets").json()[0]["name"] == "Small web service"
    basket = client.get(f"/api/v1/prices/baskets/{catalogue.pk}?day=2024-12-02").json()
    vendor = basket["vendors"][0]
    assert vendor["complete"] and vendor["index"][0]["index"] == 100.0
    last = vendor["index"][-1]
    assert last["index"] == pytest.approx(100 + last["price_points"] + last["fx_points"], abs=0.02)
    assert client.get("/api/v1/prices/skus/999999").status_code == 404
    assert json.loads(client.get("/api/v1/prices/paid/999999").content)["status"] == 404


def test_the_operator_overview_card_lists_the_price_rise(catalogue, world, login):
    page = login(world.ola).get("/").content.decode()
    assert "vcpu" in page


def test_the_operator_uploads_several_azure_pages_as_one_import_and_a_repeat_is_refused(
    world, login, tmp_path, data_dir
):
    from tests.prices.test_import import _azure_pages

    client = login(world.ola)
    first, second, last = _azure_pages(tmp_path)
    with first.open("rb") as a, second.open("rb") as b, second.open("rb") as again:
        response = client.post("/priser/", {"file": [a, b, again], "vendor": "Microsoft Azure"})
    page = response.content.decode()
    assert response.status_code == 400 and "page-2.json" in page and "NextPageLink" in page
    assert PriceSku.objects.count() == 0
    with first.open("rb") as a, second.open("rb") as b, last.open("rb") as c:
        response = client.post("/priser/", {"file": [c, a, b], "vendor": "Microsoft Azure"})
    assert response.status_code == 302 and PriceSku.objects.count() == 5
    assert "multiple" in client.get("/priser/").content.decode()
