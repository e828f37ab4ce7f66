"""Exchange rates to NOK from Norges Bank's EXR CSV export, and the rate that applies on a day.

A billing row converts at the rate of its charge date; weekends and Norwegian bank holidays have
no quote, so the latest earlier quote applies (issue 6, "Currency").
"""

from __future__ import annotations

import bisect
import csv
import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from mps.costs.engine.currencies import is_iso_4217

HOME_CURRENCY = "NOK"

# Norges Bank EXR CSV: semicolon-separated, one header line; OBS_VALUE is NOK per
# 10^UNIT_MULT units of BASE_CUR (SEK, DKK, CHF, JPY are quoted per 100: UNIT_MULT 2).
EXR_DELIMITER = ";"
EXR_REQUIRED_FIELDS = ("BASE_CUR", "QUOTE_CUR", "UNIT_MULT", "TIME_PERIOD", "OBS_VALUE")

# The longest run of days without a quote that is still a weekend or holiday gap: Easter
# (Maundy Thursday to Easter Monday, 5 days) and Christmas with a weekend (24–27 Dec) are the
# longest Norwegian bank-holiday runs. A rate older than this is treated as missing, not stale.
MAX_RATE_AGE_DAYS = 7


class FxFileError(ValueError):
    """A rates file that cannot be used, naming file, row, field and value."""

    def __init__(self, source: str, row: int, field_name: str, value: str, problem: str) -> None:
        self.source, self.row, self.field, self.value, self.problem = (
            source,
            row,
            field_name,
            value,
            problem,
        )
        super().__init__(f"{source}, row {row}, {field_name} {value!r}: {problem}")


@dataclass(frozen=True, order=True)
class Rate:
    """NOK for one unit of `currency` on `day` (already divided by 10^UNIT_MULT)."""

    currency: str
    day: date
    nok_per_unit: Decimal


@dataclass
class FxTable:
    """Quotes per currency in date order, answering 'which rate applies on this day'."""

    _days: dict[str, list[date]] = field(default_factory=dict)
    _values: dict[str, list[Decimal]] = field(default_factory=dict)

    @classmethod
    def from_rates(cls, rates: Iterable[Rate]) -> FxTable:
        by_currency: dict[str, dict[date, Decimal]] = {}
        for rate in rates:
            by_currency.setdefault(rate.currency, {})[rate.day] = rate.nok_per_unit
        table = cls()
        for currency, quotes in by_currency.items():
            days = sorted(quotes)
            table._days[currency] = days
            table._values[currency] = [quotes[d] for d in days]
        return table

    @property
    def currencies(self) -> list[str]:
        return sorted(self._days)

    def __len__(self) -> int:
        return sum(len(days) for days in self._days.values())

    def rate_on(self, currency: str, day: date) -> tuple[date, Decimal] | None:
        """The (quote date, NOK per unit) that applies on `day`, or None when there is none."""
        if currency == HOME_CURRENCY:
            return day, Decimal(1)
        days = self._days.get(currency)
        if not days:
            return None
        index = bisect.bisect_right(days, day) - 1
        if index < 0 or (day - days[index]).days > MAX_RATE_AGE_DAYS:
            return None
        return days[index], self._values[currency][index]

    def daily(self) -> list[tuple[str, date, date, float]]:
        """Every calendar day that has an applicable rate: (currency, day, quote date, rate).

        A plain equality join on (currency, day) against this table streams, where an as-of join
        would have to sort the billing rows.
        """
        out: list[tuple[str, date, date, float]] = []
        for currency, days in self._days.items():
            values = self._values[currency]
            for i, quote_day in enumerate(days):
                last = (
                    days[i + 1]
                    if i + 1 < len(days)
                    else quote_day + timedelta(MAX_RATE_AGE_DAYS + 1)
                )
                last = min(last, quote_day + timedelta(MAX_RATE_AGE_DAYS + 1))
                day = quote_day
                while day < last:
                    out.append((currency, day, quote_day, float(values[i])))
                    day += timedelta(days=1)
        return out


def parse_exr_csv(text: str, source: str = "<rates>") -> list[Rate]:
    """Parse Norges Bank EXR CSV text into rates in NOK per one unit."""
    reader = csv.DictReader(io.StringIO(text), delimiter=EXR_DELIMITER)
    header = reader.fieldnames or []
    for name in EXR_REQUIRED_FIELDS:
        if name not in header:
            raise FxFileError(source, 1, name, ";".join(header)[:200], "required column is missing")
    rates: list[Rate] = []
    for row_number, row in enumerate(reader, start=2):
        quote = (row.get("QUOTE_CUR") or "").strip()
        if quote != HOME_CURRENCY:
            raise FxFileError(
                source, row_number, "QUOTE_CUR", quote, "only rates against NOK are supported"
            )
        base = (row.get("BASE_CUR") or "").strip()
        if not is_iso_4217(base):
            raise FxFileError(source, row_number, "BASE_CUR", base, "not an ISO 4217 currency code")
        raw_day = (row.get("TIME_PERIOD") or "").strip()
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            raise FxFileError(
                source, row_number, "TIME_PERIOD", raw_day, "not a YYYY-MM-DD date"
            ) from None
        raw_mult = (row.get("UNIT_MULT") or "").strip()
        if not raw_mult.isdigit() or int(raw_mult) > 9:
            raise FxFileError(source, row_number, "UNIT_MULT", raw_mult, "not a power of ten 0–9")
        raw_value = (row.get("OBS_VALUE") or "").strip()
        try:
            value = Decimal(raw_value)
        except InvalidOperation:
            raise FxFileError(source, row_number, "OBS_VALUE", raw_value, "not a number") from None
        if not value.is_finite() or value <= 0:
            raise FxFileError(source, row_number, "OBS_VALUE", raw_value, "a rate must be positive")
        rates.append(Rate(base, day, value.scaleb(-int(raw_mult))))
    return rates


def read_exr_file(path: Path) -> list[Rate]:
    """Read an EXR CSV file (UTF-8, optionally with a byte-order mark)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FxFileError(str(path), 0, "-", "", f"not UTF-8 text ({exc.reason})") from None
    return parse_exr_csv(text, source=str(path))


def shipped_rates_path() -> Path:
    """The Norges Bank rates the product ships (Source: Norges Bank)."""
    return Path(__file__).resolve().parent.parent / "data" / "norges-bank-exr.csv"


@functools.cache
def shipped_table() -> FxTable:
    """The shipped rates, parsed once per process (callers only read the table)."""
    return FxTable.from_rates(read_exr_file(shipped_rates_path()))
