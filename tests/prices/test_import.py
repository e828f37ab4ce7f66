"""`mps prices import`: all or nothing, idempotent, operator only; alerts and basket commands."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from mps.core.models import AuditEntry
from mps.prices import actions
from mps.prices.models import ListPrice, PriceSku
from tests.prices.samples import CSV_HEADER, CSV_TEXT, azure_item, azure_page


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_csv_import_prints_what_it_stored_as_json(db, tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text(CSV_TEXT)
    out = json.loads(run("prices", "import", str(path), "--vendor", "Example Cloud", "--json"))
    assert out["ok"] and out["format"] == "csv" and out["records"] == 5
    assert out["skus_created"] == 4 and out["prices_created"] == 5
    assert PriceSku.objects.count() == 4 and ListPrice.objects.count() == 5


def test_importing_the_same_file_twice_changes_nothing(db, tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text(CSV_TEXT)
    run("prices", "import", str(path), "--vendor", "Example Cloud")
    before = list(ListPrice.objects.values_list("pk", "unit_price").order_by("pk"))
    out = json.loads(run("prices", "import", str(path), "--vendor", "Example Cloud", "--json"))
    assert out["prices_created"] == 0 and out["prices_unchanged"] == 5 and out["skus_created"] == 0
    assert list(ListPrice.objects.values_list("pk", "unit_price").order_by("pk")) == before


def test_a_corrected_price_for_the_same_day_updates_the_stored_one(db, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(CSV_HEADER + "a,A,,,1 Hour,USD,1,2024-01-01,\n")
    run("prices", "import", str(path), "--vendor", "V")
    path.write_text(CSV_HEADER + "a,A,,,1 Hour,USD,1.5,2024-01-01,\n")
    out = json.loads(run("prices", "import", str(path), "--vendor", "V", "--json"))
    assert out["prices_updated"] == 1
    assert ListPrice.objects.get().unit_price == 1.5


def test_a_rejected_file_stores_nothing_and_names_row_column_and_value(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(CSV_TEXT + "x,X,,,1 Hour,USD,abc,2024-01-01,\n")
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("prices", "import", str(path), "--vendor", "V", stdout=out)
    assert caught.value.returncode == 1
    assert "bad.csv, row 7, unit_price 'abc': not a number" in out.getvalue()
    assert PriceSku.objects.count() == 0 and ListPrice.objects.count() == 0


def test_an_azure_retail_prices_page_imports_under_a_vendor_organisation(world, tmp_path):
    path = tmp_path / "azure.json"
    path.write_text(azure_page([azure_item()]))
    out = json.loads(run("prices", "import", str(path), "--vendor", world.vendor.orgnr, "--json"))
    assert out["format"] == "azure" and out["vendor"] == "Skyleverandør AS"
    sku = PriceSku.objects.get()
    assert sku.vendor == world.vendor and sku.region == "norwayeast" and sku.unit == "1 Hour"
    assert AuditEntry.objects.filter(action="prices.import").exists()


def test_the_format_can_be_forced_and_a_missing_file_is_a_bad_argument(db, tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(azure_page([azure_item()]))
    assert json.loads(
        run("prices", "import", str(path), "--vendor", "A", "--format", "azure", "--json")
    )["ok"]
    with pytest.raises(CommandError) as caught:
        run("prices", "import", str(tmp_path / "nope.csv"), "--vendor", "A")
    assert caught.value.returncode == 2


def test_only_the_operator_changes_the_catalogue(world, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(CSV_TEXT)
    for user in (world.alice, world.vera, world.nina):
        with pytest.raises(PermissionDenied):
            actions.do_import_prices(user, "V", path)
    assert actions.do_import_prices(world.ola, "V", path).ok


def test_alerts_list_rises_above_the_threshold(db, tmp_path, settings):
    path = tmp_path / "p.csv"
    path.write_text(CSV_TEXT)
    run("prices", "import", str(path), "--vendor", "V")
    out = json.loads(run("prices", "alerts", "--alerts-only", "--json"))
    assert out["threshold_percent"] == 10
    assert [(c["sku_id"], c["percent"]) for c in out["changes"]] == [("vcpu", 20.0)]
    settings.PRICE_ALERT_PERCENT = 25
    assert json.loads(run("prices", "alerts", "--alerts-only", "--json"))["changes"] == []


def test_the_basket_command_prices_a_basket_per_vendor_in_nok(catalogue):
    out = json.loads(run("prices", "basket", "small web service", "--date", "2024-09-02", "--json"))
    assert out["currency"] == "NOK" and out["vendors"][0]["vendor"] == "Example Cloud"
    assert out["vendors"][0]["complete"] and out["vendors"][0]["total_nok"] > 0
    with pytest.raises(CommandError):
        run("prices", "basket", "no such basket")


def _agreement():
    from datetime import date

    from mps.agreements.models import FrameworkAgreement

    return FrameworkAgreement.objects.create(
        name="Skytjenester",
        reference="CIPS-2025",
        period_start=date(2025, 1, 1),
        period_end=date(2029, 1, 1),
    )


def test_an_agreements_price_list_is_kept_apart_from_the_list_prices(db, tmp_path):
    agreement = _agreement()
    path = tmp_path / "p.csv"
    path.write_text(CSV_HEADER + "a,A,,,1 Hour,USD,1,2024-01-01,\n")
    run("prices", "import", str(path), "--vendor", "V")
    path.write_text(CSV_HEADER + "a,A,,,1 Hour,USD,0.9,2024-01-01,\n")
    out = json.loads(
        run("prices", "import", str(path), "--vendor", "V", "--agreement", "cips-2025", "--json")
    )
    assert out["price_list"] == "CIPS-2025" and out["skus_created"] == 1
    skus = {s.price_list: s for s in PriceSku.objects.all()}
    assert set(skus) == {"", "CIPS-2025"} and skus["CIPS-2025"].agreement == agreement
    assert skus[""].prices.get().unit_price == 1  # the list price is untouched


def test_an_unknown_agreement_reference_is_a_bad_argument(db, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(CSV_TEXT)
    with pytest.raises(CommandError) as caught:
        run("prices", "import", str(path), "--vendor", "V", "--agreement", "NOPE")
    assert caught.value.returncode == 2 and PriceSku.objects.count() == 0


BASKET_JSON = {
    "name": "Static site",
    "description": "1 vCPU and 50 GB egress",
    "lines": [
        {
            "label": "vCPU",
            "quantity": 730,
            "unit": "vCPU hours",
            "vendors": {"Example Cloud": {"sku_id": "vcpu"}},
        },
        {
            "label": "Egress",
            "quantity": 50,
            "unit": "GB",
            "vendors": {"Example Cloud": {"match": "transfer"}},
        },
    ],
}


def test_a_basket_defined_in_json_is_priced_and_a_second_definition_replaces_it(db, tmp_path):
    from mps.prices.models import Basket

    prices = tmp_path / "p.csv"
    prices.write_text(CSV_TEXT)
    run("prices", "import", str(prices), "--vendor", "Example Cloud")
    path = tmp_path / "basket.json"
    path.write_text(json.dumps(BASKET_JSON))
    assert "2 lines" in run("prices", "basket-define", str(path))
    priced = json.loads(run("prices", "basket", "Static site", "--date", "2024-09-02", "--json"))
    assert priced["vendors"][0]["complete"]
    path.write_text(json.dumps(BASKET_JSON | {"lines": BASKET_JSON["lines"][:1]}))
    run("prices", "basket-define", str(path))
    assert Basket.objects.get().lines.count() == 1


def test_a_basket_file_with_problems_names_each_by_its_json_path(db, tmp_path):
    bad = {"name": "", "lines": [{"label": "x", "quantity": -1, "unit": "h", "vendors": {"V": {}}}]}
    path = tmp_path / "basket.json"
    path.write_text(json.dumps(bad))
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("prices", "basket-define", str(path), stdout=out)
    assert caught.value.returncode == 1
    text = out.getvalue()
    assert "$.name" in text and "$.lines[0].quantity" in text and "give sku_id or match" in text


def test_an_import_that_brings_a_rise_above_the_threshold_mails_the_operator_once(world, tmp_path):
    from django.core import mail

    path = tmp_path / "p.csv"
    path.write_text(CSV_TEXT)
    out = json.loads(run("prices", "import", str(path), "--vendor", "Example Cloud", "--json"))
    assert [(a["sku_id"], a["percent"]) for a in out["alerts"]] == [("vcpu", 20.0)]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ola@example.test"]
    assert "vcpu" in mail.outbox[0].body and "0.02 → 0.024 USD" in mail.outbox[0].body
    again = json.loads(run("prices", "import", str(path), "--vendor", "Example Cloud", "--json"))
    assert again["alerts"] == [] and len(mail.outbox) == 1


AZURE_QUERY = "https://prices.azure.com:443/api/retail/prices?$filter=serviceName%20eq%20%27Virtual%20Machines%27"


def _azure_pages(tmp_path, sizes=(2, 2, 1)):
    """A Retail Prices query's result saved page by page: page-1.json, page-2.json …"""
    paths, done = [], 0
    for number, size in enumerate(sizes, start=1):
        items = [azure_item(skuId=f"SKU/{done + i:04d}") for i in range(size)]
        done += size
        link = f"{AZURE_QUERY}&$skip={done}" if number < len(sizes) else None
        path = tmp_path / f"page-{number}.json"
        path.write_text(azure_page(items, link))
        paths.append(path)
    return paths


def test_several_saved_azure_pages_import_as_one_import_in_any_order(db, tmp_path):
    first, second, last = _azure_pages(tmp_path)
    out = json.loads(
        run(
            "prices",
            "import",
            str(last),
            str(first),
            str(second),
            "--vendor",
            "Microsoft Azure",
            "--json",
        )  # fmt: skip
    )
    assert out["ok"] and out["records"] == 5 and out["skus_created"] == 5
    assert out["files"] == ["page-3.json", "page-1.json", "page-2.json"]
    assert PriceSku.objects.count() == 5
    entry = AuditEntry.objects.get(action="prices.import")
    assert entry.after["files"] == out["files"]


def test_a_page_given_twice_is_refused_naming_the_file_and_nothing_is_imported(db, tmp_path):
    first, second, last = _azure_pages(tmp_path)
    copy = tmp_path / "page-2-again.json"
    copy.write_text(second.read_text())
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "prices", "import", str(first), str(second), str(copy), str(last),
            "--vendor", "Microsoft Azure", stdout=out,
        )  # fmt: skip
    assert caught.value.returncode == 1
    assert "page-2-again.json, row 0, NextPageLink" in out.getvalue()
    assert "the same page as page-2.json (a page given twice)" in out.getvalue()
    assert PriceSku.objects.count() == 0 and ListPrice.objects.count() == 0


def test_a_missing_page_breaks_the_chain_and_the_page_after_the_gap_is_named(db, tmp_path):
    first, _, third, fourth = _azure_pages(tmp_path, sizes=(2, 2, 2, 1))
    out = json.loads(
        run_rejected(
            "prices", "import", str(first), str(third), str(fourth), "--vendor", "A", "--json"
        )
    )
    assert not out["ok"] and PriceSku.objects.count() == 0
    [problem] = out["errors"]
    assert problem["file"] == "page-3.json" and problem["column"] == "NextPageLink"
    assert "items 3–4 (after page-1.json) were not given" in problem["problem"]


def test_a_last_page_not_given_leaves_the_chain_open(db, tmp_path):
    first, second, _ = _azure_pages(tmp_path)
    out = json.loads(
        run_rejected("prices", "import", str(first), str(second), "--vendor", "A", "--json")
    )
    [problem] = out["errors"]
    assert problem["file"] == "page-2.json" and problem["value"].endswith("$skip=4")
    assert "no page holding them was given" in problem["problem"]


def test_pages_of_another_query_or_mixed_formats_are_refused(db, tmp_path):
    first, second, last = _azure_pages(tmp_path)
    second.write_text(second.read_text().replace("Virtual%20Machines", "Storage"))
    out = json.loads(
        run_rejected(
            "prices", "import", str(first), str(second), str(last), "--vendor", "A", "--json"
        )
    )
    assert out["errors"][0]["file"] == "page-2.json"
    assert "another query than page-1.json's" in out["errors"][0]["problem"]
    csv = tmp_path / "p.csv"
    csv.write_text(CSV_TEXT)
    with pytest.raises(CommandError) as caught:
        run("prices", "import", str(first), str(csv), "--vendor", "A")
    assert caught.value.returncode == 2


def run_rejected(*args: str) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=out)
    assert caught.value.returncode == 1
    return out.getvalue()


def test_a_basket_file_may_give_the_bokmal_name_and_a_redefinition_keeps_it(db, tmp_path):
    from mps.prices.models import Basket

    path = tmp_path / "basket.json"
    path.write_text(json.dumps(BASKET_JSON | {"name_nb": "Statisk nettsted"}))
    run("prices", "basket-define", str(path))
    path.write_text(json.dumps(BASKET_JSON | {"description": "changed"}))
    run("prices", "basket-define", str(path))
    basket = Basket.objects.get()
    assert (basket.name_nb, basket.description) == ("Statisk nettsted", "changed")
    assert (
        AuditEntry.objects.get(action="prices.basket.update").before["description"]
        == (BASKET_JSON["description"])
    )
