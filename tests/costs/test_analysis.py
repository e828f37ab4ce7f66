"""Summaries and the month-over-month split into usage, unit-price and exchange-rate effects."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mps.costs.engine import synthetic
from mps.costs.engine.decompose import _Item, decompose, month_over_month
from mps.costs.engine.ingest import ingest_file
from mps.costs.engine.summary import SummaryError, parse_by, summarise
from tests.costs.conftest import ORG
from tests.costs.focus_rows import row, write

KEY = ("Cloud", "VM", "sku", "Hours", "USD")


def item(quantity: float, price: float, rate: float) -> _Item:
    cost = quantity * price
    return _Item(cost=cost, nok=cost * rate, quantity=quantity)


def test_a_weaker_krone_alone_is_all_exchange_rate_effect():
    change = decompose(
        "2024-09", "2024-10", {KEY: item(100, 1.0, 10.0)}, {KEY: item(100, 1.0, 11.0)}
    )
    assert change.change_nok == 100.0
    assert (change.usage_effect_nok, change.price_effect_nok, change.fx_effect_nok) == (
        0.0,
        0.0,
        100.0,
    )


def test_more_hours_at_the_same_price_and_rate_is_usage():
    change = decompose(
        "2024-09", "2024-10", {KEY: item(100, 1.0, 10.0)}, {KEY: item(150, 1.0, 10.0)}
    )
    assert (change.usage_effect_nok, change.price_effect_nok, change.fx_effect_nok) == (
        500.0,
        0.0,
        0.0,
    )


def test_a_list_price_rise_is_unit_price_effect():
    change = decompose(
        "2024-09", "2024-10", {KEY: item(100, 1.0, 10.0)}, {KEY: item(100, 1.2, 10.0)}
    )
    assert (change.usage_effect_nok, change.price_effect_nok, change.fx_effect_nok) == (
        0.0,
        200.0,
        0.0,
    )


def test_new_and_discontinued_items_count_as_usage():
    other = ("Cloud", "DB", "sku2", "Hours", "USD")
    change = decompose(
        "2024-09", "2024-10", {KEY: item(10, 1.0, 10.0)}, {other: item(5, 2.0, 10.0)}
    )
    assert change.usage_effect_nok == pytest.approx(0.0)  # +100 new, −100 gone
    assert change.change_nok == 0.0


def test_charges_without_quantity_are_other_and_fx():
    tax = ("Cloud", "Tax", "", "", "EUR")
    change = decompose(
        "2024-09", "2024-10", {tax: _Item(10.0, 115.0, 0.0)}, {tax: _Item(12.0, 144.0, 0.0)}
    )
    assert change.other_effect_nok == pytest.approx(23.0)  # 2 EUR more at last month's 11.5
    assert change.fx_effect_nok == pytest.approx(6.0)  # 12 EUR × (12.0 − 11.5)


amounts = st.floats(min_value=0.0, max_value=1e6, allow_nan=False)
rates = st.floats(min_value=0.01, max_value=20.0)
items = st.dictionaries(
    st.tuples(st.sampled_from(["a", "b", "c"]), st.just("svc"), st.sampled_from(["s1", "s2"]), st.just("u"), st.sampled_from(["USD", "EUR", "NOK"])),
    st.tuples(amounts, st.floats(min_value=0.0, max_value=100.0), rates),
    max_size=6,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(before=items, after=items)
def test_the_effects_always_add_up_to_the_change(before, after):
    def build(raw):
        return {k: item(q, p, 1.0 if k[-1] == "NOK" else r) for k, (q, p, r) in raw.items()}

    change = decompose("2024-09", "2024-10", build(before), build(after))
    parts = (
        change.usage_effect_nok
        + change.price_effect_nok
        + change.fx_effect_nok
        + change.other_effect_nok
    )
    scale = max(1.0, abs(change.cost_nok), abs(change.previous_cost_nok))
    assert parts == pytest.approx(change.change_nok, abs=0.05 + 1e-9 * scale)


def test_price_rise_in_synthetic_data_shows_as_price_effect(tmp_path, costs_dir, fx):
    spec = synthetic.Spec(
        start=date(2024, 9, 1), days=61, resources=6, seed=7, price_rise=(date(2024, 10, 1), 1.10)
    )
    path = tmp_path / "two-months.csv"
    synthetic.write_csv(path, spec)
    assert ingest_file(path, costs_dir, ORG, fx).ok
    (change,) = month_over_month(costs_dir, ORG).months
    assert (change.previous_month, change.month) == ("2024-09", "2024-10")
    # A 10 % list-price rise on every SKU: the price effect is about a tenth of last month's cost.
    assert (
        0.07 * change.previous_cost_nok < change.price_effect_nok < 0.13 * change.previous_cost_nok
    )
    parts = (
        change.usage_effect_nok
        + change.price_effect_nok
        + change.fx_effect_nok
        + change.other_effect_nok
    )
    assert parts == pytest.approx(change.change_nok, abs=0.05)


def test_summary_totals_match_the_rows(tmp_path, costs_dir, fx):
    rows = [
        row(BilledCost="1", RegionId="eu-north-1"),
        row(BilledCost="2", RegionId="eu-west-1"),
        row(BilledCost="4", RegionId="eu-west-1", BillingCurrency="NOK"),
    ]
    ingest_file(write(tmp_path / "a.csv", rows), costs_dir, ORG, fx)
    _, usd = fx.rate_on("USD", date(2024, 9, 2))
    result = summarise(costs_dir, ORG, ["region"])
    billed = {r.group["region"]: r.billed_cost for r in result.rows}
    assert billed == {"eu-north-1": round(float(usd), 2), "eu-west-1": round(2 * float(usd) + 4, 2)}


def test_summary_refuses_a_currency_without_rates(costs_dir, fx):
    with pytest.raises(SummaryError, match="no exchange rates for AUD"):
        summarise(costs_dir, ORG, ["provider"], "AUD", fx)
    with pytest.raises(SummaryError, match="three-letter"):
        summarise(costs_dir, ORG, ["provider"], "N'OK", fx)


def test_by_must_name_known_dimensions():
    assert parse_by("provider, month") == ["provider", "month"]
    with pytest.raises(SummaryError, match="colour"):
        parse_by("provider,colour")


def test_messy_synthetic_export_imports_with_the_expected_warnings(tmp_path, costs_dir, fx):
    spec = synthetic.Spec(start=date(2024, 9, 1), days=3, resources=8, messy=True)
    path = tmp_path / "messy.csv.gz"
    rows = synthetic.write_csv(path, spec, gzip_level=1)
    result = ingest_file(path, costs_dir, ORG, fx)
    assert result.ok, result.errors
    assert result.rows == rows
    assert result.providers == ["Amazon Web Services", "Google Cloud", "Microsoft", "Nordsky"]
    warned = {(c.provider, c.column) for c in result.warning_counts}
    assert warned == {("Google Cloud", "RegionId"), ("Nordsky", "ContractedCost")}


def test_anomaly_day_stands_out_in_the_synthetic_data(tmp_path, costs_dir, fx):
    spike = date(2024, 9, 10)
    spec = synthetic.Spec(
        start=date(2024, 9, 1),
        days=20,
        resources=6,
        anomaly=(spike, "aws", "Amazon Simple Storage Service", 8.0),
    )
    path = tmp_path / "spike.csv"
    synthetic.write_csv(path, spec)
    ingest_file(path, costs_dir, ORG, fx)
    import duckdb

    from mps.costs.engine.query import connect

    con = connect(costs_dir, ORG)
    assert isinstance(con, duckdb.DuckDBPyConnection)
    daily = dict(
        con.execute(
            "SELECT x_mps_charge_date, sum(PricingQuantity) FROM billing "
            "WHERE ServiceName = 'Amazon Simple Storage Service' AND ChargeCategory = 'Usage' GROUP BY 1"
        ).fetchall()
    )
    normal = [v for d, v in daily.items() if d != spike]
    assert daily[spike] > 4 * max(normal)
