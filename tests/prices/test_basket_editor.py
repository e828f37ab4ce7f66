"""The operator's basket editor: create, edit and delete baskets on the pages, all or nothing."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from mps.core.models import AuditEntry
from mps.prices.models import Basket, BasketLine, BasketMapping
from tests.prices.conftest import VENDOR


def formset(prefix: str, rows: list[dict[str, str]], extra: int = 3) -> dict[str, str]:
    """A formset's post: the given rows, then `extra` blank ones, as the page sends them."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + extra),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "100",
    }
    for number, row in enumerate(rows):
        data |= {f"{prefix}-{number}-{name}": value for name, value in row.items()}
    return data


def basket_post(lines=None, skus=None, **head: str) -> dict[str, str]:
    lines = (
        lines
        if lines is not None
        else [
            {"label": "vCPU", "quantity": "1460", "unit": "vCPU hours"},
            {"label": "Disk", "quantity": "100", "unit": "GB months"},
        ]
    )
    skus = (
        skus
        if skus is not None
        else [
            {"line": "vCPU", "vendor": VENDOR, "sku_id": "vcpu"},
            {"line": "Disk", "vendor": VENDOR, "match": "managed disk", "factor": "1"},
        ]
    )
    return (
        {"name_nb": "Liten webtjeneste", "name": "Small web service", "description": "2 vCPU"}
        | head
        | formset("lines", lines)
        | formset("skus", skus)
    )


@pytest.fixture
def prices(catalogue):
    """The sample catalogue, without the fixture's basket (the editor creates its own)."""
    catalogue.delete()
    return catalogue


def test_the_operator_creates_a_basket_and_its_page_prices_it_per_vendor_on_a_date(
    prices, world, login
):
    client = login(world.ola)
    page = client.get("/priser/kurver/ny/")
    assert page.status_code == 200 and 'name="lines-TOTAL_FORMS" value="3"' in page.content.decode()
    response = client.post("/priser/kurver/ny/", basket_post())
    basket = Basket.objects.get()
    assert response.status_code == 302 and response.url == f"/priser/kurv/{basket.pk}/"
    assert (basket.name, basket.name_nb, basket.description) == (
        "Small web service",
        "Liten webtjeneste",
        "2 vCPU",
    )
    assert [(x.label, x.quantity, x.unit) for x in basket.lines.all()] == [
        ("vCPU", Decimal(1460), "vCPU hours"),
        ("Disk", Decimal(100), "GB months"),
    ]
    disk = BasketMapping.objects.get(line__label="Disk")
    assert (disk.vendor_name, disk.sku_id, disk.match, disk.factor) == (
        VENDOR, "", "managed disk", Decimal(1)
    )  # fmt: skip
    priced = client.get(response.url, {"dato": "2024-09-02"}).content.decode()
    # 1460 h × 0.024 USD + 100 GB × 0.05 USD, in NOK at the rates of that day
    assert "Liten webtjeneste" in priced and f'<th scope="row">{VENDOR}' in priced
    assert "2024-09-02" in priced and "Not priced" not in priced and "Ikke priset" not in priced
    entry = AuditEntry.objects.get(action="prices.basket.create", actor=world.ola)
    assert entry.object_id == str(basket.pk) and entry.before is None
    assert [line["label"] for line in entry.after["lines"]] == ["vCPU", "Disk"]


def test_the_operator_edits_a_baskets_lines_and_the_audit_log_keeps_before_and_after(
    catalogue, world, login
):
    client = login(world.ola)
    page = client.get(f"/priser/kurver/{catalogue.pk}/endre/").content.decode()
    assert (
        'value="Small web service"' in page and 'value="5840"' in page and 'value="memory"' in page
    )
    post = basket_post(
        lines=[
            {"label": "vCPU", "quantity": "2920", "unit": "vCPU hours"},
            {"label": "RAM", "quantity": "11680", "unit": "GB hours"},
            {"label": "", "quantity": "", "unit": ""},  # an emptied row removes its line
        ],
        skus=[
            {"line": "vCPU", "vendor": VENDOR, "sku_id": "vcpu", "region": "norway-east"},
            {"line": "ram", "vendor": VENDOR, "match": "memory", "factor": "1,5"},
        ],
        name="Bigger web service",
    )
    response = client.post(f"/priser/kurver/{catalogue.pk}/endre/", post)
    assert response.status_code == 302
    catalogue.refresh_from_db()
    assert catalogue.name == "Bigger web service"
    assert [(x.label, x.quantity) for x in catalogue.lines.all()] == [
        ("vCPU", Decimal(2920)),
        ("RAM", Decimal(11680)),
    ]
    assert BasketMapping.objects.get(line__label="RAM").factor == Decimal("1.5")
    assert BasketMapping.objects.get(line__label="vCPU").region == "norway-east"
    entry = AuditEntry.objects.get(action="prices.basket.update")
    assert entry.before["name"] == "Small web service" and len(entry.before["lines"]) == 4
    assert entry.after["name"] == "Bigger web service" and len(entry.after["lines"]) == 2
    assert entry.after["lines"][0]["vendors"][VENDOR]["region"] == "norway-east"


def test_a_bad_line_is_refused_naming_the_line_field_and_value_and_nothing_is_saved(
    catalogue, world, login
):
    client = login(world.ola)
    before = list(BasketLine.objects.values_list("label", "quantity").order_by("pk"))
    post = basket_post(
        lines=[
            {"label": "vCPU", "quantity": "1460", "unit": "vCPU hours"},
            {"label": "Disk", "quantity": "-5", "unit": "GB months"},
        ],
        name="Renamed",
    )
    response = client.post(f"/priser/kurver/{catalogue.pk}/endre/", post)
    page = response.content.decode()
    assert response.status_code == 400 and 'role="alert"' in page
    # line 2, its label, the field and the value (pages are in bokmål unless English is chosen)
    assert "Linje 2 «Disk», mengde «-5»: må være et positivt tall." in page
    catalogue.refresh_from_db()
    assert catalogue.name == "Small web service"
    assert list(BasketLine.objects.values_list("label", "quantity").order_by("pk")) == before
    assert not AuditEntry.objects.filter(action__startswith="prices.basket.update").exists()


def test_a_quantity_that_is_not_a_number_or_a_sku_row_for_no_line_is_named_with_its_row(
    prices, world, login
):
    client = login(world.ola)
    post = basket_post(
        lines=[{"label": "vCPU", "quantity": "mange", "unit": "vCPU hours"}],
        skus=[{"line": "vCPU", "vendor": VENDOR, "sku_id": "vcpu"}],
    )
    page = client.post("/priser/kurver/ny/", post).content.decode()
    assert "Linje 1, mengde «mange»: ikke et tall." in page
    post = basket_post(
        lines=[{"label": "vCPU", "quantity": "1460", "unit": "vCPU hours"}],
        skus=[
            {"line": "vCPU", "vendor": VENDOR, "sku_id": "vcpu"},
            {"line": "GPU", "vendor": VENDOR, "sku_id": "gpu", "factor": "0"},
        ],
    )
    response = client.post("/priser/kurver/ny/", post)
    assert response.status_code == 400
    assert "SKU-rad 2, linje «GPU»: ingen linje i kurven har dette navnet." in (
        response.content.decode()
    )
    post = basket_post(
        lines=[{"label": "vCPU", "quantity": "1460", "unit": "vCPU hours"}],
        skus=[{"line": "vCPU", "vendor": VENDOR, "sku_id": "vcpu", "factor": "0"}],
    )
    page = client.post("/priser/kurver/ny/", post).content.decode()
    assert f"Linje 1 «vCPU», leverandør «{VENDOR}», faktor «0»: må være et positivt tall." in page
    assert 'id="id_skus-0-factor_error"' in page  # beside the SKU row's factor, too
    assert Basket.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="prices.basket", actor=world.ola)


def test_a_second_basket_may_not_take_an_existing_name(catalogue, world, login):
    response = login(world.ola).post("/priser/kurver/ny/", basket_post(name="small web SERVICE"))
    assert response.status_code == 400
    assert "«small web SERVICE» er allerede navnet på en annen kurv" in response.content.decode()
    assert Basket.objects.count() == 1


def test_the_operator_deletes_a_basket_after_a_confirmation_page(catalogue, world, login):
    client = login(world.ola)
    page = client.get(f"/priser/kurver/{catalogue.pk}/slett/")
    assert page.status_code == 200 and '<form method="post">' in page.content.decode()
    assert Basket.objects.count() == 1  # seeing the page deletes nothing
    response = client.post(f"/priser/kurver/{catalogue.pk}/slett/")
    assert response.status_code == 302 and response.url == "/priser/kurver/"
    assert Basket.objects.count() == 0 and BasketLine.objects.count() == 0
    entry = AuditEntry.objects.get(action="prices.basket.delete")
    assert entry.before["name"] == "Small web service" and entry.after is None
    assert entry.object_id == str(catalogue.pk)


def test_agencies_and_vendors_see_baskets_but_may_not_create_edit_or_delete_them(
    catalogue, world, login
):
    for user in (world.alice, world.rolf, world.vera, world.nina):
        client = login(user)
        assert client.get(f"/priser/kurv/{catalogue.pk}/").status_code == 200
        listing = client.get("/priser/kurver/").content.decode()
        assert "Small web service" in listing and "/endre/" not in listing
        assert client.get("/priser/kurver/ny/").status_code == 403
        assert client.post("/priser/kurver/ny/", basket_post(name="Mine")).status_code == 403
        for action in ("endre", "slett"):
            url = f"/priser/kurver/{catalogue.pk}/{action}/"
            assert client.get(url).status_code == 403
            assert client.post(url, basket_post(name="Mine")).status_code == 403
        assert client.get("/priser/kurver/999999/endre/").status_code == 404
    assert list(Basket.objects.values_list("name", flat=True)) == ["Small web service"]
    assert catalogue.lines.count() == 4
    assert (
        not AuditEntry.objects.filter(action__startswith="prices.basket.")
        .exclude(action="prices.basket.create")
        .exists()
    )


def test_the_operator_sees_edit_links_and_the_editor_asks_no_more_queries_for_more_lines(
    catalogue, world, login, django_assert_max_num_queries
):
    client = login(world.ola)
    assert f"/priser/kurver/{catalogue.pk}/endre/" in client.get("/priser/kurver/").content.decode()
    assert "/priser/kurver/ny/" in client.get("/priser/kurver/").content.decode()
    with django_assert_max_num_queries(8):
        assert client.get(f"/priser/kurver/{catalogue.pk}/endre/").status_code == 200


def test_every_field_of_the_editor_has_a_label_and_every_error_its_id(catalogue, world, login):
    """What axe checks in CI (tests/a11y), checked here too: labels, and aria-describedby targets."""
    client = login(world.ola)
    bad = basket_post(lines=[{"label": "vCPU", "quantity": "-1", "unit": ""}])
    fields = 0
    for page in (
        client.get(f"/priser/kurver/{catalogue.pk}/endre/").content.decode(),
        client.post("/priser/kurver/ny/", bad).content.decode(),
        client.get(f"/priser/kurver/{catalogue.pk}/slett/").content.decode(),
    ):
        ids = set(
            re.findall(r"<(?:input(?! type=\"hidden\")|textarea)[^>]*\bid=\"([^\"]+)\"", page)
        )
        labelled = set(re.findall(r'<label for="([^"]+)"', page))
        assert ids - labelled == set()
        fields += len(ids)
        for described in re.findall(r'aria-describedby="([^"]+)"', page):
            assert all(f'id="{ref}"' in page for ref in described.split())
    assert fields > 2 * (3 + 7 * 3 + 6 * 5)  # both editors' fields were seen


def test_every_problem_on_the_page_is_named_at_once(prices, world, login):
    post = basket_post(
        lines=[
            {"label": "vCPU", "quantity": "mange", "unit": "vCPU hours"},
            {"label": "Disk", "quantity": "-5", "unit": ""},
        ],
        skus=[
            {"line": "vCPU", "vendor": VENDOR, "sku_id": "vcpu", "factor": "x"},
            {"line": "Disk", "vendor": VENDOR, "factor": "0"},
        ],
        name="",
    )
    page = login(world.ola).post("/priser/kurver/ny/", post).content.decode()
    summary = page[page.index('id="problems"') : page.index("</div>", page.index('id="problems"'))]
    for problem in (
        "Linje 1, mengde «mange»: ikke et tall.",
        "SKU-rad 1, faktor «x»: ikke et tall.",
        "Linje 2 «Disk», mengde «-5»: må være et positivt tall.",
        "Linje 2 «Disk»: enheten må fylles ut.",
        f"Linje 2 «Disk», leverandør «{VENDOR}»: oppgi en SKU-id eller en søketekst.",
        f"Linje 2 «Disk», leverandør «{VENDOR}», faktor «0»: må være et positivt tall.",
    ):
        assert problem in summary
    assert summary.count("<li>") == 7  # and the English name, required
    assert Basket.objects.count() == 0
