"""Analyses on the pre-aggregated daily table: breakdowns, savings, commitments, shares,
anomalies, forecast and budget alerts, each on a small hand-made FOCUS file with exact numbers."""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from math import sqrt

import pytest

from mps.costs.engine import aggregate, analyses, anomalies, forecast, synthetic
from mps.costs.engine.decompose import month_over_month, month_over_month_aggregated
from mps.costs.engine.ingest import ingest_file
from mps.costs.engine.regions import Residency, country, residency
from tests.costs.conftest import ORG
from tests.costs.focus_rows import row, write


def nok(**changes: str) -> dict[str, str]:
    """A NOK row: amounts in NOK convert at 1, so expected totals are the cells themselves."""
    return row(BillingCurrency="NOK", ContractedUnitPrice="", ListUnitPrice="", **changes)


def money(billed: float, listed: float | None = None, contracted: float | None = None,
          effective: float | None = None) -> dict[str, str]:  # fmt: skip
    effective = billed if effective is None else effective
    return {
        "BilledCost": str(billed),
        "ListCost": str(listed if listed is not None else billed),
        "ContractedCost": str(contracted if contracted is not None else billed),
        "EffectiveCost": str(effective),
    }


def load(tmp_path, costs_dir, fx, rows):
    result = ingest_file(write(tmp_path / "export.csv", rows), costs_dir, ORG, fx)
    assert result.ok, result.errors
    info = aggregate.build(costs_dir, ORG)
    assert info is not None
    con = aggregate.connect(costs_dir, ORG)
    assert con is not None
    return con


def day_row(day: date, amount: float, **changes: str) -> dict[str, str]:
    start = f"{day.isoformat()}T00:00:00Z"
    end = f"{(day + timedelta(days=1)).isoformat()}T00:00:00Z"
    bp_start = f"{day:%Y-%m}-01T00:00:00Z"
    nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nok(
        ChargePeriodStart=start,
        ChargePeriodEnd=end,
        BillingPeriodStart=bp_start,
        BillingPeriodEnd=f"{nxt.isoformat()}T00:00:00Z",
        **money(amount),
        **changes,
    )


def test_regions_map_to_norway_other_eea_and_outside():
    assert residency("norwayeast") == Residency.NORWAY
    assert residency(" NorwayWest ") == Residency.NORWAY
    assert residency("eu-north-1") == Residency.EEA and country("eu-north-1") == "SE"
    assert residency("europe-north1") == Residency.EEA and country("europe-north1") == "FI"
    assert residency("eu-stockholm-1") == Residency.EEA
    assert residency("eu-central-2") == Residency.NON_EEA  # Zürich: not in the EEA
    assert residency("us-east-1") == Residency.NON_EEA
    assert residency(None) == Residency.UNKNOWN and residency("mars-1") == Residency.UNKNOWN


def test_breakdowns_give_nok_and_original_currency_per_group(tmp_path, costs_dir, fx):
    con = load(
        tmp_path,
        costs_dir,
        fx,
        [
            nok(**money(100), RegionId="norwayeast", SubAccountId="a", Tags='{"team": "web"}'),
            nok(**money(50), RegionId="norwayeast", SubAccountId="b", Tags='{"team": "data"}'),
            nok(**money(30), RegionId="eu-north-1", SubAccountId="a", Tags='{" team ": "web"}'),
            row(**money(2), ProviderName="Other Cloud", RegionId="us-east-1", Tags=""),
        ],
    )
    _, usd = fx.rate_on("USD", date(2024, 9, 2))
    by_provider = analyses.breakdown(con, "provider")
    assert [(g.key, g.billed_nok, g.original) for g in by_provider] == [
        ("Example Cloud", 180.0, {"NOK": 180.0}),
        ("Other Cloud", round(2 * float(usd), 2), {"USD": 2.0}),
    ]
    by_region = {g.key: g.effective_nok for g in analyses.breakdown(con, "region")}
    assert by_region["norwayeast"] == 150.0 and by_region["eu-north-1"] == 30.0
    by_sub = {g.key: g.effective_nok for g in analyses.breakdown(con, "sub_account")}
    assert by_sub["a"] == 130.0 and by_sub["b"] == 50.0
    assert analyses.tag_keys(con) == ["team"]
    by_team = {g.key: g.effective_nok for g in analyses.breakdown(con, "tag:team")}
    assert by_team == {"web": 130.0, "data": 50.0}  # the key " team " was trimmed at import
    assert [g.key for g in analyses.breakdown(con, "month")] == ["2024-09"]
    with pytest.raises(analyses.AnalysisError):
        analyses.breakdown(con, "colour")


def test_savings_split_negotiated_and_commitment_and_leave_out_purchases(tmp_path, costs_dir, fx):
    con = load(
        tmp_path,
        costs_dir,
        fx,
        [
            nok(**money(0, 100, 90, 60), PricingCategory="Committed", CommitmentDiscountId="c1",
                CommitmentDiscountStatus="Used", CommitmentDiscountCategory="Usage"),
            nok(**money(45, 50, 45, 45)),
            nok(**money(30, 40, 40, 0), ChargeCategory="Purchase", ChargeFrequency="Recurring",
                CommitmentDiscountId="c1", CommitmentDiscountCategory="Usage"),
        ],
    )  # fmt: skip
    s = analyses.savings(con)
    assert (s.list_nok, s.contracted_nok, s.effective_nok) == (150.0, 135.0, 105.0)
    assert (s.negotiated_nok, s.commitment_nok) == (15.0, 30.0)
    assert s.effective_savings_rate == 0.3  # (150 − 105) / 150


def test_commitment_utilisation_and_coverage(tmp_path, costs_dir, fx):
    committed = {"CommitmentDiscountId": "c1", "CommitmentDiscountCategory": "Usage"}
    con = load(
        tmp_path,
        costs_dir,
        fx,
        [
            nok(**money(0, 100, 90, 60), PricingCategory="Committed",
                CommitmentDiscountStatus="Used", **committed),
            nok(**money(0, 0, 20, 20), PricingCategory="Committed",
                CommitmentDiscountStatus="Unused", **committed),
            nok(**money(100, 100, 100, 100)),  # the same service, not covered
            nok(**money(70), ServiceName="Object Storage", ServiceCategory="Storage"),
        ],
    )  # fmt: skip
    c = analyses.commitments(con)
    assert (c.used_nok, c.unused_nok, c.utilisation) == (60.0, 20.0, 0.75)
    assert (c.covered_list_nok, c.eligible_list_nok, c.coverage) == (100.0, 200.0, 0.5)


def test_without_commitment_columns_there_is_no_utilisation(tmp_path, costs_dir, fx):
    con = load(tmp_path, costs_dir, fx, [nok(**money(10))])
    c = analyses.commitments(con)
    assert c.utilisation is None and c.coverage is None


def test_untagged_and_residency_shares(tmp_path, costs_dir, fx):
    con = load(
        tmp_path,
        costs_dir,
        fx,
        [
            nok(**money(100), RegionId="norwayeast"),
            nok(**money(50), RegionId="eu-north-1", Tags=""),
            nok(**money(30), RegionId="us-east-1", Tags="{}"),
            nok(**money(20), RegionId="mars-1"),
        ],
    )
    s = analyses.shares(con)
    assert s.total_nok == 200.0
    assert (s.untagged_nok, s.untagged_share) == (80.0, 0.4)  # empty and {} are untagged
    assert s.residency_share == {"norway": 0.5, "eea": 0.25, "non_eea": 0.15, "unknown": 0.1}
    assert s.unknown_regions == ["mars-1"]
    (kpi,) = analyses.month_kpis(con)
    assert (kpi.month, kpi.effective_nok, kpi.tagged_nok, kpi.norway_nok, kpi.eea_nok) == (
        "2024-09", 200.0, 120.0, 100.0, 50.0,
    )  # fmt: skip
    assert (kpi.non_eea_nok, kpi.unknown_region_nok) == (30.0, 20.0)


def test_a_daily_spike_is_found_with_its_driver(tmp_path, costs_dir, fx):
    first = date(2024, 9, 1)
    rows = [
        day_row(first + timedelta(days=i), 95 if i % 2 else 105, SkuPriceId="sku-a")
        for i in range(30)
    ]
    spike_day = first + timedelta(days=24)
    rows.append(day_row(spike_day, 900, SkuPriceId="sku-b", ResourceId="vm-2"))
    con = load(tmp_path, costs_dir, fx, rows)
    (found,) = anomalies.find(con)
    assert (found.day, found.service, found.cost_nok) == (spike_day, "Virtual Machines", 1005.0)
    # 24 days before it alternate 105/95: median 100, MAD 5, scale 1.4826 × 5.
    assert (found.median_nok, found.mad_nok) == (100.0, 5.0)
    assert found.score == round(905 / (1.4826 * 5), 1)
    assert found.driver is not None
    assert (found.driver.dimension, found.driver.value, found.driver.increase_nok) == (
        "sku", "sku-b", 900.0,
    )  # fmt: skip
    assert anomalies.find(con, since=spike_day + timedelta(days=1)) == []
    # Found once when the aggregate was built; the pages read that file.
    assert aggregate.read_anomalies(costs_dir, ORG) == [found]


def test_flat_costs_have_no_anomalies(tmp_path, costs_dir, fx):
    rows = [day_row(date(2024, 9, 1) + timedelta(days=i), 100) for i in range(30)]
    assert anomalies.find(load(tmp_path, costs_dir, fx, rows)) == []


def quarter_rows() -> list[dict[str, str]]:
    """Q1 2024 at 10 NOK a day in January, 20 in February and 30 in March."""
    first = date(2024, 1, 1)
    out = []
    for i in range(91):
        day = first + timedelta(days=i)
        out.append(day_row(day, {1: 10, 2: 20, 3: 30}[day.month]))
    return out


def test_forecast_is_actual_plus_run_rate_with_a_band(tmp_path, costs_dir, fx):
    con = load(tmp_path, costs_dir, fx, quarter_rows())
    f = forecast.forecast_year(con)
    assert f is not None
    assert (f.year, f.as_of, f.days_left) == (2024, date(2024, 3, 31), 275)
    assert f.actual_nok == 1820.0  # 31·10 + 29·20 + 31·30
    # Run rate over the last 90 days (2 Jan – 31 Mar): (30·10 + 29·20 + 31·30) / 90.
    assert f.projected_nok == round(1810 / 90 * 275, 2) == 5530.56
    assert f.forecast_nok == 7350.56
    half = 1.645 * statistics.stdev([310, 580, 930]) * sqrt(275 / (365.25 / 12))
    assert f.high_nok == round(1820 + 1810 / 90 * 275 + half, 2)
    assert f.low_nok == round(1820 + 1810 / 90 * 275 - half, 2)
    over = forecast.budget_alerts(f, 7000)
    assert [(a.kind, a.amount_nok) for a in over] == [(forecast.AlertKind.OVER_BUDGET, 350.56)]
    risk = forecast.budget_alerts(f, 7400)
    assert [a.kind for a in risk] == [forecast.AlertKind.AT_RISK]
    assert forecast.budget_alerts(f, 100_000) == []
    # A later year has all its days to come, at the same run rate.
    later = forecast.forecast_year(con, 2025)
    assert (later.actual_nok, later.days_left) == (0.0, 365)
    assert later.forecast_nok == round(1810 / 90 * 365, 2)


def test_the_exchange_rate_alone_can_push_the_forecast_over_budget(tmp_path, costs_dir, fx):
    rows = [{**r, "BillingCurrency": "USD", **money(1)} for r in quarter_rows()]
    con = load(tmp_path, costs_dir, fx, rows)
    f = forecast.forecast_year(con, rates_now={"USD": 11.0}, rates_reference={"USD": 10.0})
    assert f is not None
    assert f.projected_nok == 275 * 11.0
    assert f.forecast_at_reference_nok == (91 + 275) * 10.0 == 3660.0
    assert f.fx_effect_nok == round(f.forecast_nok - 3660.0, 2)
    kinds = [a.kind for a in forecast.budget_alerts(f, 3700)]
    assert kinds == [forecast.AlertKind.OVER_BUDGET, forecast.AlertKind.FX_OVER_BUDGET]


def test_aggregate_rebuild_is_repeatable_and_the_split_matches_the_raw_rows(
    tmp_path, costs_dir, fx
):
    path = tmp_path / "synthetic.csv"
    spec = synthetic.Spec(
        start=date(2024, 9, 1), days=61, resources=6, price_rise=(date(2024, 10, 1), 1.2)
    )
    synthetic.write_csv(path, spec)
    assert ingest_file(path, costs_dir, ORG, fx).ok
    first = aggregate.build(costs_dir, ORG)
    second = aggregate.build(costs_dir, ORG)
    assert first is not None and second is not None
    assert (first.daily_rows, first.tag_rows) == (second.daily_rows, second.tag_rows)
    assert aggregate.info(costs_dir, ORG) == second
    con = aggregate.connect(costs_dir, ORG)
    assert month_over_month_aggregated(con) == month_over_month(costs_dir, ORG)


def test_no_aggregate_without_data(costs_dir):
    assert aggregate.build(costs_dir, ORG) is None
    assert aggregate.connect(costs_dir, ORG) is None


def test_rows_without_a_rate_are_counted_not_summed(tmp_path, costs_dir, fx):
    con = load(
        tmp_path,
        costs_dir,
        fx,
        [
            nok(**money(10)),
            row(**money(5), ChargePeriodStart="2030-01-02T00:00:00Z",
                ChargePeriodEnd="2030-01-03T00:00:00Z"),
        ],
    )  # fmt: skip
    assert analyses.unconverted_rows(con) == 1
    assert sum(g.effective_nok for g in analyses.breakdown(con, "billing_currency")) == 10.0
