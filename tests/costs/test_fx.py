"""Norges Bank rates: unit multipliers, weekend and holiday gaps, bad files."""

from datetime import date
from decimal import Decimal

import pytest

from mps.costs.engine.fx import (
    MAX_RATE_AGE_DAYS,
    FxFileError,
    FxTable,
    Rate,
    parse_exr_csv,
    read_exr_file,
    shipped_rates_path,
)

HEADER = "FREQ;BASE_CUR;QUOTE_CUR;UNIT_MULT;TIME_PERIOD;OBS_VALUE"


def test_shipped_file_is_credited_to_norges_bank():
    readme = shipped_rates_path().parent / "README.md"
    assert "Source: Norges Bank" in readme.read_text()


def test_sek_quoted_per_hundred_is_divided_by_ten_to_the_unit_mult(fx):
    quote_day, rate = fx.rate_on("SEK", date(2023, 9, 1))
    assert quote_day == date(2023, 9, 1)
    assert Decimal("0.5") < rate < Decimal("2")  # NOK per one krona, not per hundred
    rates = read_exr_file(shipped_rates_path())
    raw = next(r for r in rates if r.currency == "SEK" and r.day == date(2023, 9, 1))
    assert raw.nok_per_unit == rate


def test_usd_is_not_divided(fx):
    _, rate = fx.rate_on("USD", date(2023, 9, 1))
    assert rate == Decimal("10.592")


def test_weekend_takes_fridays_rate(fx):
    # 2024-09-07 is a Saturday, 2024-09-08 a Sunday.
    assert fx.rate_on("EUR", date(2024, 9, 7)) == fx.rate_on("EUR", date(2024, 9, 6))
    assert fx.rate_on("EUR", date(2024, 9, 8))[0] == date(2024, 9, 6)


def test_easter_holidays_take_the_rate_before_maundy_thursday(fx):
    # Easter 2024: Maundy Thursday 28 March to Easter Monday 1 April, no quotes.
    quote_day, _ = fx.rate_on("USD", date(2024, 4, 1))
    assert quote_day == date(2024, 3, 27)


def test_nok_converts_at_one(fx):
    assert fx.rate_on("NOK", date(2030, 1, 1)) == (date(2030, 1, 1), Decimal(1))


def test_rate_older_than_the_longest_holiday_gap_is_missing():
    table = FxTable.from_rates([Rate("USD", date(2024, 1, 2), Decimal("10"))])
    assert table.rate_on("USD", date(2024, 1, 2 + MAX_RATE_AGE_DAYS)) is not None
    assert table.rate_on("USD", date(2024, 1, 3 + MAX_RATE_AGE_DAYS)) is None
    assert table.rate_on("USD", date(2024, 1, 1)) is None
    assert table.rate_on("GBP", date(2024, 1, 2)) is None


def test_daily_table_agrees_with_rate_on(fx):
    for currency, day, quote_day, rate in fx.daily()[::97]:
        assert fx.rate_on(currency, day) == (quote_day, Decimal(str(rate)))


@pytest.mark.parametrize(
    ("line", "field", "problem"),
    [
        ("B;USD;NOK;0;2024-13-01;10.5", "TIME_PERIOD", "date"),
        ("B;USD;NOK;0;2024-01-02;ten", "OBS_VALUE", "not a number"),
        ("B;USD;NOK;0;2024-01-02;-1", "OBS_VALUE", "positive"),
        ("B;XYZ;NOK;0;2024-01-02;10", "BASE_CUR", "ISO 4217"),
        ("B;USD;SEK;0;2024-01-02;10", "QUOTE_CUR", "NOK"),
        ("B;USD;NOK;x;2024-01-02;10", "UNIT_MULT", "power of ten"),
    ],
)
def test_bad_rate_rows_name_row_field_and_value(line, field, problem):
    with pytest.raises(FxFileError) as caught:
        parse_exr_csv(f"{HEADER}\n{line}\n", source="rates.csv")
    assert caught.value.row == 2
    assert caught.value.field == field
    assert problem in str(caught.value)
    assert "rates.csv" in str(caught.value)


def test_file_without_obs_value_column_is_rejected():
    with pytest.raises(FxFileError, match="OBS_VALUE"):
        parse_exr_csv("BASE_CUR;QUOTE_CUR;UNIT_MULT;TIME_PERIOD\nUSD;NOK;0;2024-01-02\n")
