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
