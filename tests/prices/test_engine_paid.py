"""What an agency paid per SKU, read from its FOCUS data, against catalogue and export list prices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mps.costs.engine.fx import FxTable, Rate, shipped_table
from mps.costs.engine.ingest import ingest_file
from mps.prices.engine.basket import Catalogue
from mps.prices.engine.catalogue import parse_csv
from mps.prices.engine.paid import paid_vs_list
from tests.costs.focus_rows import row, write
from tests.prices.samples import CSV_HEADER

ORG = "974760673"


@pytest.fixture
def costs_dir(tmp_path):
    path = tmp_path / "costs"
    path.mkdir()
    return path


def test_the_paid_unit_price_is_the_quantity_weighted_contracted_unit_price(tmp_path, costs_dir):
    rows = [
        row(),  # 10 h at 0.09 contracted, 0.10 list
        row(
            ChargePeriodStart="2024-09-03T00:00:00Z",
            ChargePeriodEnd="2024-09-04T00:00:00Z",
            PricingQuantity="30",
            ContractedUnitPrice="0.08",
            ContractedCost="2.4",
            BilledCost="2.4",
            EffectiveCost="2.4",
            ListCost="3.0",
        ),
    ]
    result = ingest_file(write(tmp_path / "f.csv", rows), costs_dir, ORG, shipped_table())
    assert result.ok, result.errors
    catalogue = Catalogue(
        parse_csv(
            CSV_HEADER + "sku-vm,VM,,,1 Hour,USD,0.11,2024-01-01,\n", "Example Cloud", "c.csv"
        ).records
    )
    [paid] = paid_vs_list(costs_dir, ORG, catalogue, shipped_table())
    assert paid.sku_id == "sku-vm" and paid.currency == "USD" and paid.quantity == 40
    assert paid.paid_unit_price == pytest.approx((10 * 0.09 + 30 * 0.08) / 40)
    assert paid.focus_list_unit_price == pytest.approx(0.10)
    assert (
        paid.catalogue_unit_price == pytest.approx(0.11)
        and paid.catalogue_vendor == "Example Cloud"
    )
    assert paid.discount_percent == pytest.approx((0.11 - 0.0825) / 0.11 * 100)
    assert paid.last_day == date(2024, 9, 3)


def test_a_catalogue_price_in_another_currency_is_converted_through_nok(tmp_path, costs_dir):
    ingest_file(write(tmp_path / "f.csv", [row()]), costs_dir, ORG, shipped_table())
    fx = FxTable.from_rates(
        [Rate("USD", date(2024, 9, 2), Decimal(10)), Rate("EUR", date(2024, 9, 2), Decimal(12))]
    )
    catalogue = Catalogue(
        parse_csv(CSV_HEADER + "sku-vm,VM,,,100 Hours,EUR,10,2024-01-01,\n", "V", "c.csv").records
    )
    [paid] = paid_vs_list(costs_dir, ORG, catalogue, fx)
    assert paid.catalogue_unit_price == pytest.approx(0.1 * 12 / 10)


def test_without_a_catalogue_price_the_exports_own_list_price_is_the_reference(tmp_path, costs_dir):
    ingest_file(write(tmp_path / "f.csv", [row()]), costs_dir, ORG, shipped_table())
    [paid] = paid_vs_list(costs_dir, ORG, Catalogue([]), shipped_table())
    assert paid.catalogue_unit_price is None and paid.reference_price == pytest.approx(0.1)
    assert paid.discount_percent == pytest.approx(10)


def test_an_organisation_without_billing_data_has_no_rows(costs_dir):
    assert paid_vs_list(costs_dir, ORG, Catalogue([]), shipped_table()) == []


def test_an_agreement_price_is_the_reference_before_the_list_price(tmp_path, costs_dir):
    import dataclasses

    ingest_file(write(tmp_path / "f.csv", [row()]), costs_dir, ORG, shipped_table())
    listed = parse_csv(
        CSV_HEADER + "sku-vm,VM,,,1 Hour,USD,0.11,2024-01-01,\n", "V", "c.csv"
    ).records
    agreed = [
        dataclasses.replace(
            r, key=dataclasses.replace(r.key, price_list="CIPS"), unit_price=Decimal("0.085")
        )
        for r in listed
    ]
    [paid] = paid_vs_list(costs_dir, ORG, Catalogue(listed + agreed), shipped_table())
    assert paid.catalogue_unit_price == pytest.approx(0.11)
    assert paid.agreement_unit_price == pytest.approx(0.085) and paid.agreement == "CIPS"
    assert paid.discount_percent == pytest.approx(
        (0.085 - 0.09) / 0.085 * 100
    )  # paid above the agreement


def test_agreement_prices_are_not_used_to_price_baskets():
    import dataclasses

    from mps.prices.engine.basket import Mapping

    listed = parse_csv(CSV_HEADER + "vm,VM,,,1 Hour,USD,0.11,2024-01-01,\n", "V", "c.csv").records
    agreed = [
        dataclasses.replace(r, key=dataclasses.replace(r.key, price_list="CIPS")) for r in listed
    ]
    assert Catalogue(agreed).resolve(Mapping("V", sku_id="vm")) is None
    assert Catalogue(listed + agreed).resolve(Mapping("V", sku_id="vm")).price_list == ""
