"""Exchange rates: Norges Bank's EXR and the ECB's eurofxref files, unit multipliers, cross
rates via the euro, which source wins, weekend and holiday gaps, bad files."""

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mps.costs.engine.fx import (
    MAX_RATE_AGE_DAYS,
    SOURCE_ECB,
    SOURCE_NORGES_BANK,
    FxFileError,
    FxTable,
    Rate,
    parse_ecb_csv,
    parse_exr_csv,
    parse_rates,
    read_exr_file,
    read_rates_file,
    shipped_ecb_path,
    shipped_rates_path,
)

HEADER = "FREQ;BASE_CUR;QUOTE_CUR;UNIT_MULT;TIME_PERIOD;OBS_VALUE"
# Five days of the ECB's own eurofxref-hist.csv, unchanged (every column, withdrawn currencies
# such as CYP included; Source: ECB).
ECB_EXCERPT = Path(__file__).parent / "fixtures" / "ecb-eurofxref-2024-09.csv"
ECB_HEADER = "Date,USD,JPY,CYP,GBP,SEK,NOK,"


def test_shipped_files_are_credited_to_norges_bank_and_the_ecb():
    readme = (shipped_rates_path().parent / "README.md").read_text()
    assert "Source: Norges Bank" in readme
    assert shipped_ecb_path().name in readme and "Source: European Central Bank" in readme


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


def test_easter_holidays_take_the_rate_before_maundy_thursday():
    # Easter 2024: Maundy Thursday 28 March to Easter Monday 1 April, no Norges Bank quotes.
    norges_bank = FxTable.from_rates(read_exr_file(shipped_rates_path()))
    quote_day, _ = norges_bank.rate_on("USD", date(2024, 4, 1))
    assert quote_day == date(2024, 3, 27)


def test_the_ecb_cross_rate_fills_a_norwegian_holiday_the_ecb_quotes(fx):
    # Maundy Thursday is no TARGET holiday: the ECB quoted on 28 March 2024, Norges Bank did not.
    assert fx.rate_on("USD", date(2024, 4, 1))[0] == date(2024, 3, 28)
    assert fx.source_on("USD", date(2024, 4, 1)) == SOURCE_ECB
    assert fx.source_on("USD", date(2024, 3, 27)) == SOURCE_NORGES_BANK


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


def _ecb(rates: list[Rate], currency: str, day: date) -> Rate:
    return next(r for r in rates if r.currency == currency and r.day == day)


def test_ecb_rates_become_nok_per_unit_via_the_euro():
    rates = read_rates_file(ECB_EXCERPT)
    assert {r.source for r in rates} == {SOURCE_ECB}
    # Hand-computed: (NOK per EUR) / (currency per EUR), to 10 decimal places.
    assert _ecb(rates, "EUR", date(2024, 9, 2)).nok_per_unit == Decimal("11.73")
    assert _ecb(rates, "USD", date(2024, 9, 2)).nok_per_unit == Decimal(
        "10.6048277733"
    )  # 11.73 / 1.1061
    assert _ecb(rates, "SEK", date(2024, 9, 6)).nok_per_unit == Decimal(
        "1.0379690056"
    )  # 11.8015 / 11.3698
    assert _ecb(rates, "JPY", date(2024, 9, 4)).nok_per_unit == Decimal(
        "0.0736615500"
    )  # 11.805 / 160.26
    assert _ecb(rates, "GBP", date(2024, 9, 3)).nok_per_unit == Decimal(
        "13.9929832907"
    )  # 11.766 / 0.84085
    # No rate for NOK itself, none for currencies the euro replaced (CYP, EEK … are N/A anyway).
    assert {r.day for r in rates} == {date(2024, 9, d) for d in range(2, 7)}
    assert "NOK" not in {r.currency for r in rates} and "CYP" not in {r.currency for r in rates}
    assert {"EUR", "USD", "JPY", "BGN", "TRY", "ZAR"} <= {r.currency for r in rates}


def test_the_ecb_cross_rate_agrees_with_norges_banks_own_rate():
    # Norges Bank quotes at the ECB concertation: the cross rate and its own agree to its decimals.
    ecb = _ecb(read_rates_file(ECB_EXCERPT), "USD", date(2024, 9, 2)).nok_per_unit
    norges_bank = _ecb(read_exr_file(shipped_rates_path()), "USD", date(2024, 9, 2)).nok_per_unit
    assert round(ecb, 4) == norges_bank == Decimal("10.6048")


def test_the_format_is_told_apart_by_the_header():
    ecb = parse_rates(f"{ECB_HEADER}\n2024-09-02,1.1061,162.56,N/A,0.84218,11.351,11.73,\n")
    assert {r.source for r in ecb} == {SOURCE_ECB}
    exr = parse_rates(f"{HEADER}\nB;USD;NOK;0;2024-09-02;10.6048\n")
    assert exr == [Rate("USD", date(2024, 9, 2), Decimal("10.6048"), SOURCE_NORGES_BANK)]
    with pytest.raises(FxFileError, match="neither a Norges Bank EXR CSV") as caught:
        parse_rates("day,usd\n2024-09-02,1\n", source="rates.csv")
    assert caught.value.row == 1


def test_the_ecbs_daily_file_with_spaces_and_a_spelled_out_date_reads_alike():
    daily = "Date, USD, NOK, \n2 September 2024, 1.1061, 11.7300, \n"
    assert _ecb(parse_ecb_csv(daily), "USD", date(2024, 9, 2)).nok_per_unit == Decimal(
        "10.6048277733"
    )


def test_an_ecb_zip_is_read_like_the_csv_inside(tmp_path):
    archive = tmp_path / "eurofxref-hist.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(ECB_EXCERPT, "eurofxref-hist.csv")
    assert read_rates_file(archive) == read_rates_file(ECB_EXCERPT)


def test_a_day_without_a_nok_rate_gives_no_rates():
    assert parse_ecb_csv(f"{ECB_HEADER}\n2024-09-02,1.1061,162.56,N/A,0.84218,11.351,N/A,\n") == []


@pytest.mark.parametrize(
    ("line", "row", "column", "value", "problem"),
    [
        ("2024-13-02,1.1061,162.56,N/A,0.84218,11.351,11.73,", 3, "Date", "2024-13-02", "date"),
        ("2024-09-03,abc,162.56,N/A,0.84218,11.351,11.73,", 3, "USD", "abc", "not a number"),
        ("2024-09-03,1.1061,162.56,N/A,0.84218,-11.351,11.73,", 3, "SEK", "-11.351", "positive"),
        ("2024-09-03,1.1061,162.56,N/A,0.84218,11.351,0,", 3, "NOK", "0", "positive"),
        ("2024-09-03,1.1061,162.56,N/A,0.84218,", 3, "NOK", "", "missing value"),
        (
            "2024-09-03,1.1061,162.56,N/A,0.84218,11.351,11.73,9.9",
            3,
            "column 8",
            "9.9",
            "more values",
        ),
        ("2024-09-02,1.1061,162.56,N/A,0.84218,11.351,11.73,", 3, "Date", "2024-09-02", "twice"),
    ],
)
def test_a_bad_ecb_row_is_named_by_file_row_column_and_value(line, row, column, value, problem):
    good = "2024-09-02,1.1061,162.56,N/A,0.84218,11.351,11.73,"
    with pytest.raises(FxFileError) as caught:
        parse_ecb_csv(f"{ECB_HEADER}\n{good}\n{line}\n", source="eurofxref.csv")
    error = caught.value
    assert (error.source, error.row, error.field, error.value) == (
        "eurofxref.csv", row, column, value,
    )  # fmt: skip
    assert problem in str(error)
    assert f"eurofxref.csv, row {row}, {column} {value!r}" in str(error)


@pytest.mark.parametrize(
    ("header", "column", "problem"),
    [
        ("Date,USD,GBP,", "NOK", "required column is missing"),
        ("Date,USD,usd1,NOK,", "header", "three-letter"),
        ("Date,USD,USD,NOK,", "header", "twice"),
        ("Day,USD,NOK,", "Date", "first column"),
    ],
)
def test_a_bad_ecb_header_is_rejected_at_row_1(header, column, problem):
    with pytest.raises(FxFileError) as caught:
        parse_ecb_csv(f"{header}\n2024-09-02,1.1,11.7,\n")
    assert caught.value.row == 1 and caught.value.field == column
    assert problem in str(caught.value)


def test_norges_bank_wins_over_the_ecb_cross_rate_for_the_same_day():
    day, other = date(2024, 9, 2), date(2024, 9, 3)
    ecb = [
        Rate("USD", day, Decimal("10.6048277733"), SOURCE_ECB),
        Rate("USD", other, Decimal("10.6626189398"), SOURCE_ECB),
    ]
    norges_bank = [Rate("USD", day, Decimal("10.6048"), SOURCE_NORGES_BANK)]
    for rates in (ecb + norges_bank, norges_bank + ecb):  # whichever comes first
        table = FxTable.from_rates(rates)
        assert table.rate_on("USD", day) == (day, Decimal("10.6048"))
        assert table.source_on("USD", day) == SOURCE_NORGES_BANK
        assert table.rate_on("USD", other) == (other, Decimal("10.6626189398"))
        assert table.source_on("USD", other) == SOURCE_ECB


def test_the_shipped_rates_reach_october_2026_through_the_ecb(fx):
    assert fx.last_day == date(2026, 10, 30)
    assert fx.source_on("EUR", date(2026, 10, 30)) == SOURCE_ECB
    assert fx.rate_on("EUR", date(2026, 10, 31)) == (date(2026, 10, 30), Decimal("10.312"))
    assert fx.source_on("EUR", date(2024, 9, 2)) == SOURCE_NORGES_BANK
    assert fx.rate_on("USD", date(2022, 1, 3)) is not None
