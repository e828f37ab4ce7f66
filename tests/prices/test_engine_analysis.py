"""Price changes and alerts, basket prices in NOK, and the index split into price and rate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mps.costs.engine.fx import FxTable, Rate
from mps.prices.engine.basket import (
    Basket,
    Catalogue,
    Line,
    Mapping,
    month_starts,
    price_basket,
    price_index,
)
from mps.prices.engine.catalogue import parse_csv
from mps.prices.engine.history import alerts, changes, price_on
from tests.prices.samples import CSV_HEADER, CSV_TEXT

VENDOR = "Example Cloud"


def records(text=CSV_TEXT):
    return parse_csv(text, VENDOR, "p.csv").records


def fx_table(usd_by_day, eur=Decimal("11.5")):
    rates = [Rate("USD", d, v) for d, v in usd_by_day.items()]
    rates += [Rate("EUR", d, eur) for d in usd_by_day]
    return FxTable.from_rates(rates)


def basket():
    return Basket(
        "Small web service",
        (
            Line("vCPU", Decimal(1460), "vCPU hours", (Mapping(VENDOR, sku_id="vcpu"),)),
            Line("RAM", Decimal(5840), "GB hours", (Mapping(VENDOR, match="memory"),)),
            Line("Disk", Decimal(100), "GB months", (Mapping(VENDOR, sku_id="disk"),)),
            Line("Egress", Decimal(1000), "GB", (Mapping(VENDOR, sku_id="egress"),)),
        ),
    )


def test_a_price_step_is_a_change_with_its_percentage_newest_first():
    found = changes(records())
    assert len(found) == 1
    change = found[0]
    assert change.key.sku_id == "vcpu" and change.day == date(2024, 7, 1)
    assert change.old_price == Decimal("0.020") and change.new_price == Decimal("0.024")
    assert change.percent == Decimal(20)


def test_a_rise_above_the_threshold_alerts_and_one_below_it_does_not():
    assert [a.key.sku_id for a in alerts(records(), Decimal(10))] == ["vcpu"]
    assert alerts(records(), Decimal(20)) == []  # exactly 20 % is not more than 20 %


def test_a_price_cut_never_alerts():
    text = CSV_HEADER + "a,A,,,1 Hour,USD,1,2024-01-01,\na,A,,,1 Hour,USD,0.5,2024-02-01,\n"
    assert len(changes(records(text))) == 1 and alerts(records(text)) == []


def test_the_price_on_a_day_is_the_latest_started_and_not_ended():
    text = CSV_HEADER + "a,A,,,1 Hour,USD,1,2024-01-01,2024-03-01\na,A,,,1 Hour,USD,2,2024-02-01,\n"
    recs = records(text)
    assert price_on(recs, date(2023, 12, 31)) is None
    assert price_on(recs, date(2024, 1, 15)).unit_price == 1
    assert price_on(recs, date(2024, 2, 15)).unit_price == 2


def test_a_basket_is_priced_in_nok_with_each_lines_currency_converted():
    fx = fx_table({date(2024, 3, 1): Decimal(10)})
    priced = price_basket(basket(), VENDOR, Catalogue(records()), fx, date(2024, 3, 1))
    assert priced.complete
    by_label = {line.label: line for line in priced.lines}
    assert by_label["vCPU"].cost_nok == Decimal("1460") * Decimal("0.020") * 10
    assert by_label["RAM"].sku_id == "ram"  # found by the match text
    assert by_label["Disk"].cost_nok == Decimal(100) * Decimal("0.05") * 10
    assert by_label["Egress"].cost_nok == Decimal(1000) * Decimal("0.08") * Decimal("11.5")


def test_on_a_weekend_the_latest_earlier_rate_applies():
    fx = fx_table({date(2024, 3, 1): Decimal(10), date(2024, 3, 4): Decimal(11)})  # Fri, Mon
    priced = price_basket(basket(), VENDOR, Catalogue(records()), fx, date(2024, 3, 3))
    assert {line.rate_day for line in priced.lines} == {date(2024, 3, 1)}


def test_a_line_without_a_mapping_or_a_price_is_reported_missing():
    fx = fx_table({date(2023, 12, 29): Decimal(10)})
    priced = price_basket(basket(), VENDOR, Catalogue(records()), fx, date(2023, 12, 31))
    assert not priced.complete and priced.missing == ["vCPU", "RAM", "Disk", "Egress"]
    other = price_basket(basket(), "Other Cloud", Catalogue(records()), fx, date(2024, 1, 2))
    assert len(other.missing) == 4


def test_the_index_splits_exactly_into_list_price_and_exchange_rate_effects():
    fx = fx_table({date(2024, 6, 3): Decimal(10), date(2024, 7, 1): Decimal(11)})
    days = [date(2024, 6, 3), date(2024, 7, 1)]
    points = price_index(basket(), VENDOR, Catalogue(records()), fx, days)
    assert [p.index for p in points][0] == 100
    later = points[1]
    change = later.total_nok - points[0].total_nok
    assert later.price_effect_nok + later.fx_effect_nok == change
    # Only the vCPU price rose (0.020 → 0.024 USD, 1460 h) at a mean rate of 10.5 NOK/USD.
    assert later.price_effect_nok == Decimal(1460) * Decimal("0.004") * Decimal("10.5")
    assert abs(later.price_points + later.fx_points - (later.index - 100)) < Decimal("1e-20")
    assert later.fx_points > 0  # the krone weakened against USD


def test_the_index_starts_on_the_first_day_the_basket_is_fully_priced():
    fx = fx_table({date(2023, 12, 1): Decimal(10), date(2024, 1, 1): Decimal(10)})
    points = price_index(
        basket(), VENDOR, Catalogue(records()), fx, [date(2023, 12, 1), date(2024, 1, 1)]
    )
    assert [p.day for p in points] == [date(2024, 1, 1)] and points[0].index == 100


def test_month_starts_cover_every_month_between_two_days():
    assert month_starts(date(2024, 11, 15), date(2025, 2, 1)) == [
        date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)
    ]  # fmt: skip


def test_index_lines_are_told_apart_by_dash_pattern_and_name_not_colour_alone():
    from mps.prices.charts import lines

    chart = lines(
        {
            "A": [(date(2024, 1, 1), 100.0), (date(2024, 2, 1), 101.0)],
            "B": [(date(2024, 1, 1), 100.0)],
        },
        "Index",
        "A 101, B 100",
    )
    assert 'role="img"' in chart.svg and "<title" in chart.svg and "A 101" in chart.svg
    assert "A 101.0" in chart.svg and "B 100.0" in chart.svg
    assert chart.svg.count('stroke-dasharray="6 3"') == 2  # B's line and its legend sample


def test_a_price_history_is_drawn_as_steps_not_slopes():
    from mps.prices.charts import lines

    points = [(date(2024, 1, 1), 1.0), (date(2024, 7, 1), 2.0)]
    sloped = lines({"USD": points}, "t", "s").svg
    stepped = lines({"USD": points}, "t", "s", step=True).svg
    assert sloped.count(",") < stepped.count(",")  # the step adds a corner point
