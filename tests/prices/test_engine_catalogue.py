"""The price catalogue readers: generic CSV and Azure Retail Prices JSON, all or nothing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from mps.prices.engine.catalogue import (
    PriceFileError,
    base_unit,
    parse_azure,
    parse_csv,
    unit_multiplier,
)
from tests.prices.samples import CSV_HEADER, CSV_TEXT, azure_item, azure_page


def test_the_generic_csv_gives_one_record_per_row_with_its_unit_and_currency():
    parsed = parse_csv(CSV_TEXT, "Example Cloud", "prices.csv")
    assert len(parsed.records) == 5
    first = parsed.records[0]
    assert first.key.vendor == "Example Cloud" and first.key.sku_id == "vcpu"
    assert first.key.region == "norway-east" and first.key.price_type == "Consumption"
    assert first.unit_price == Decimal("0.020") and first.currency == "USD"
    assert first.effective_from == date(2024, 1, 1) and first.effective_to is None


def test_a_price_per_hundred_units_is_divided_down_to_one_base_unit():
    disk = parse_csv(CSV_TEXT, "V", "p.csv").records[3]
    assert disk.per_base_unit == Decimal("0.05")
    assert unit_multiplier("100 Hours") == 100 and unit_multiplier("10K Transactions") == 10_000
    assert unit_multiplier("Hour") == 1 and base_unit("100 GB/Month") == "GB/Month"


def test_csv_errors_name_file_row_column_and_value_and_reject_the_whole_file():
    bad = CSV_TEXT + "x,X,,,1 Hour,KRONER,1,2024-01-01,\ny,Y,,,1 Hour,USD,cheap,2024-13-01,\n"
    with pytest.raises(PriceFileError) as caught:
        parse_csv(bad, "V", "bad.csv")
    issues = caught.value.issues
    assert [(i.row, i.column, i.value) for i in issues] == [
        (7, "currency", "KRONER"),
        (8, "unit_price", "cheap"),
        (8, "effective_from", "2024-13-01"),
    ]
    assert all(i.file == "bad.csv" for i in issues)
    assert "bad.csv, row 7, currency 'KRONER'" in str(issues[0])


def test_a_missing_required_column_or_an_unknown_one_is_reported_on_the_header_row():
    text = "sku_id,product,unit,currency,price,effective_from\nA,B,1 Hour,USD,1,2024-01-01\n"
    with pytest.raises(PriceFileError) as caught:
        parse_csv(text, "V", "h.csv")
    assert {(i.row, i.column) for i in caught.value.issues} == {(1, "unit_price"), (1, "price")}


def test_an_end_before_the_start_and_a_negative_price_are_errors():
    text = (
        CSV_HEADER + "a,A,,,1 Hour,USD,-1,2024-01-01,\nb,B,,,1 Hour,USD,1,2024-05-01,2024-04-01\n"
    )
    with pytest.raises(PriceFileError) as caught:
        parse_csv(text, "V", "e.csv")
    assert [(i.row, i.column) for i in caught.value.issues] == [
        (2, "unit_price"),
        (3, "effective_to"),
    ]


def test_two_prices_for_the_same_sku_and_day_make_the_file_ambiguous():
    text = CSV_HEADER + "a,A,,,1 Hour,USD,1,2024-01-01,\na,A,,,1 Hour,USD,2,2024-01-01,\n"
    with pytest.raises(PriceFileError) as caught:
        parse_csv(text, "V", "d.csv")
    assert caught.value.issues[0].row == 3


def test_an_azure_retail_prices_page_reads_retail_price_region_meter_and_unit():
    text = azure_page(
        [azure_item(), azure_item(retailPrice=0.11, effectiveStartDate="2024-08-01T00:00:00Z")],
        "https://prices.azure.com/api/retail/prices?$skip=100",
    )
    parsed = parse_azure(text, "Microsoft Azure", "azure.json")
    assert parsed.format == "azure" and len(parsed.records) == 2
    record = parsed.records[0]
    assert record.key.sku_id == "DZH318Z0BQ4L/0070" and record.key.region == "norwayeast"
    assert record.key.meter == "D2s v5" and record.key.price_type == "Consumption"
    assert record.product == "Virtual Machines Dsv5 Series D2s v5"
    assert record.service == "Virtual Machines" and record.unit == "1 Hour"
    assert record.unit_price == Decimal("0.096") and record.effective_from == date(2024, 2, 1)


def test_an_azure_reservation_keeps_its_term_in_the_price_type():
    item = azure_item(
        type="Reservation", reservationTerm="1 Year", retailPrice=500, unitOfMeasure="1 Hour"
    )
    record = parse_azure(azure_page([item]), "Microsoft Azure", "r.json").records[0]
    assert record.key.price_type == "Reservation 1 Year"


def test_saved_lists_of_azure_pages_and_bare_item_lists_are_accepted():
    pages = json.dumps(
        [json.loads(azure_page([azure_item()])), json.loads(azure_page([azure_item(skuId="X/1")]))]
    )
    assert len(parse_azure(pages, "A", "pages.json").records) == 2
    assert len(parse_azure(json.dumps([azure_item()]), "A", "items.json").records) == 1


def test_azure_items_with_missing_fields_or_bad_values_reject_the_file():
    items = [
        azure_item(),
        azure_item(currencyCode="XYZ"),
        azure_item(skuId=None),
        azure_item(retailPrice="n/a"),
    ]
    with pytest.raises(PriceFileError) as caught:
        parse_azure(azure_page(items), "A", "bad.json")
    assert [(i.row, i.column) for i in caught.value.issues] == [
        (2, "currencyCode"),
        (3, "skuId"),
        (4, "retailPrice"),
    ]


def test_json_that_is_not_a_retail_prices_response_is_refused():
    with pytest.raises(PriceFileError):
        parse_azure("{not json", "A", "x.json")
    with pytest.raises(PriceFileError) as caught:
        parse_azure('{"value": []}', "A", "x.json")
    assert caught.value.issues[0].column == "Items"


def _page(source, items, link):
    from mps.prices.engine.catalogue import AzurePage

    return AzurePage(source, items, link, f"digest of {source}")


Q = "https://prices.azure.com/api/retail/prices?$filter=x&$skip="


def test_a_whole_chain_of_pages_passes_in_any_order():
    from mps.prices.engine.catalogue import check_page_chain

    pages = [_page("c", 50, None), _page("b", 100, Q + "200"), _page("a", 100, Q + "100")]
    assert check_page_chain(pages) == []


def test_overlapping_pages_two_last_pages_and_a_link_without_skip_are_named():
    from mps.prices.engine.catalogue import check_page_chain

    pages = [
        _page("a", 100, Q + "100"),
        _page("b", 100, Q + "150"),
        _page("c", 10, None),
        _page("d", 20, None),
        _page("e", 100, Q.replace("&$skip=", "")),
    ]
    problems = {i.file: i.problem for i in check_page_chain(pages)}
    assert "overlap those of a" in problems["b"]
    assert "a second last page" in problems["d"]
    assert "no $skip" in problems["e"]
    assert set(problems) == {"b", "d", "e"}


def test_one_page_results_of_separate_queries_need_not_chain_but_may_not_repeat():
    from mps.prices.engine.catalogue import AzurePage, check_page_chain

    assert check_page_chain([_page("a", 3, None), _page("b", 4, None)]) == []
    same = [AzurePage("a", 3, None, "x"), AzurePage("b", 3, None, "x")]
    assert [i.file for i in check_page_chain(same)] == ["b"]


def test_a_json_array_of_linked_pages_in_one_file_is_checked_as_a_chain():
    pages = json.dumps(
        [
            json.loads(azure_page([azure_item()], Q + "1")),
            json.loads(azure_page([azure_item(skuId="X/1")], Q + "3")),  # item 2 is missing
            json.loads(azure_page([azure_item(skuId="X/2")])),
        ]
    )
    with pytest.raises(PriceFileError) as caught:
        parse_azure(pages, "A", "pages.json")
    [issue] = caught.value.issues
    assert issue.file == "pages.json (page 2)" and issue.column == "NextPageLink"
