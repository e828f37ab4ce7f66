"""Exchange rates to NOK, and the rate that applies on a day.

Two sources: Norges Bank's EXR CSV export (NOK per unit of each currency) and the European
Central Bank's euro reference rates (eurofxref CSV: units of each currency per euro), from which
NOK per unit is the cross rate via the euro. Where both give a rate for the same currency and
day, Norges Bank's wins. A billing row converts at the rate of its charge date; weekends and
bank holidays have no quote, so the latest earlier quote applies (issue 6, "Currency").
"""

from __future__ import annotations

import bisect
import csv
import functools
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from mps.costs.engine.currencies import is_iso_4217

HOME_CURRENCY = "NOK"
EURO = "EUR"

# Where a rate comes from (stored with each rate). Lower PRECEDENCE wins where two sources give a
# rate for the same currency and day: Norges Bank publishes NOK rates itself, while the ECB's are
# cross rates computed here.
SOURCE_NORGES_BANK = "norges-bank"
SOURCE_ECB = "ecb"
PRECEDENCE = {SOURCE_NORGES_BANK: 0, SOURCE_ECB: 1}

# Norges Bank EXR CSV: semicolon-separated, one header line; OBS_VALUE is NOK per
# 10^UNIT_MULT units of BASE_CUR (SEK, DKK, CHF, JPY are quoted per 100: UNIT_MULT 2).
EXR_DELIMITER = ";"
EXR_REQUIRED_FIELDS = ("BASE_CUR", "QUOTE_CUR", "UNIT_MULT", "TIME_PERIOD", "OBS_VALUE")

# The longest run of days without a quote that is still a weekend or holiday gap: Easter
# (Maundy Thursday to Easter Monday, 5 days) and Christmas with a weekend (24–27 Dec) are the
# longest Norwegian bank-holiday runs. A rate older than this is treated as missing, not stale.
MAX_RATE_AGE_DAYS = 7

# ECB eurofxref CSV (eurofxref-hist.csv and the daily eurofxref.csv): comma separated, header
# `Date,USD,JPY,…,NOK,…,` (a trailing comma, so a nameless last column), one row per TARGET
# business day, values in units of the currency per 1 EUR, `N/A` where there is no rate (for
# example currencies the euro replaced). Dates are YYYY-MM-DD, or "30 October 2026" in the daily
# file.
ECB_DELIMITER = ","
ECB_DATE_COLUMN = "Date"
ECB_MISSING = "N/A"
ECB_CURRENCY = re.compile(r"[A-Z]{3}")
# A cross rate (NOK per EUR) / (X per EUR) is kept to this many decimal places: far finer than
# the five significant digits the ECB publishes.
CROSS_RATE_PLACES = Decimal("1e-10")


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
    """NOK for one unit of `currency` on `day` (already divided by 10^UNIT_MULT), and its source."""

    currency: str
    day: date
    nok_per_unit: Decimal
    source: str = SOURCE_NORGES_BANK


def merge(rates: Iterable[Rate]) -> list[Rate]:
    """One rate per currency and day: the source with the lowest PRECEDENCE wins (Norges Bank)."""
    best: dict[tuple[str, date], Rate] = {}
    for rate in rates:
        key = (rate.currency, rate.day)
        held = best.get(key)
        if held is None or PRECEDENCE.get(rate.source, 99) < PRECEDENCE.get(held.source, 99):
            best[key] = rate
    return sorted(best.values())


@dataclass
class FxTable:
    """Quotes per currency in date order, answering 'which rate applies on this day'."""

    _days: dict[str, list[date]] = field(default_factory=dict)
    _values: dict[str, list[Decimal]] = field(default_factory=dict)
    _sources: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_rates(cls, rates: Iterable[Rate]) -> FxTable:
        """The table of `rates`; where two sources quote the same day, see `merge`."""
        by_currency: dict[str, list[Rate]] = {}
        for rate in merge(rates):
            by_currency.setdefault(rate.currency, []).append(rate)
        table = cls()
        for currency, quotes in by_currency.items():  # merge() sorted them by day
            table._days[currency] = [q.day for q in quotes]
            table._values[currency] = [q.nok_per_unit for q in quotes]
            table._sources[currency] = [q.source for q in quotes]
        return table

    @property
    def currencies(self) -> list[str]:
        return sorted(self._days)

    @property
    def last_day(self) -> date | None:
        """The newest quote day of any currency."""
        return max((days[-1] for days in self._days.values() if days), default=None)

    def source_on(self, currency: str, day: date) -> str | None:
        """The source of the rate `rate_on` gives (None for NOK and where there is none)."""
        found = self.rate_on(currency, day)
        if found is None or currency == HOME_CURRENCY:
            return None
        index = bisect.bisect_left(self._days[currency], found[0])
        return self._sources[currency][index]

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


def _ecb_day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return datetime.strptime(raw, "%d %B %Y").date()  # the daily file: "30 October 2026"


def _ecb_value(source: str, row_number: int, column: str, raw: str) -> Decimal | None:
    """Units per euro, or None for the ECB's N/A."""
    if raw == ECB_MISSING:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise FxFileError(
            source, row_number, column, raw, f"not a number (the ECB writes {ECB_MISSING} for none)"
        ) from None
    if not value.is_finite() or value <= 0:
        raise FxFileError(source, row_number, column, raw, "a rate must be positive")
    return value


def _ecb_header(header: list[str], source: str) -> list[str]:
    """The currency columns (after Date), checked; the trailing nameless column is dropped."""
    names = [name.strip() for name in header]
    while names and names[-1] == "":
        names.pop()
    if not names or names[0] != ECB_DATE_COLUMN:
        raise FxFileError(
            source, 1, ECB_DATE_COLUMN, ",".join(names)[:200], "must be the first column"
        )
    currencies = names[1:]
    for name in currencies:
        if not ECB_CURRENCY.fullmatch(name):
            raise FxFileError(source, 1, "header", name, "not a three-letter currency code")
        if currencies.count(name) > 1:
            raise FxFileError(source, 1, "header", name, "the same currency twice")
    if HOME_CURRENCY not in currencies:
        raise FxFileError(
            source, 1, HOME_CURRENCY, ",".join(names)[:200],
            "required column is missing (NOK per euro gives every cross rate)",
        )  # fmt: skip
    return currencies


def parse_ecb_csv(text: str, source: str = "<rates>") -> list[Rate]:
    """Parse the ECB's eurofxref CSV into NOK per one unit: (NOK per EUR) / (X per EUR).

    EUR itself converts at the NOK column. Columns of withdrawn currencies (CYP, EEK, TRL …, not in
    ISO 4217 any more; no billing row can use them) are checked but give no rates. A day whose
    NOK is N/A gives no rates.
    """
    reader = csv.reader(io.StringIO(text), delimiter=ECB_DELIMITER)
    currencies = _ecb_header(next(reader, []), source)
    width = len(currencies) + 1
    rates: list[Rate] = []
    seen: set[date] = set()
    for row_number, row in enumerate(reader, start=2):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue  # a blank line
        extra = cells[width:]
        if any(extra):
            raise FxFileError(
                source, row_number, f"column {width + 1}", next(c for c in extra if c),
                f"more values than the header's {width} columns",
            )  # fmt: skip
        if len(cells) < width:
            raise FxFileError(
                source, row_number, currencies[len(cells) - 1], "",
                f"missing value: the row has {len(cells)} of the header's {width} columns",
            )  # fmt: skip
        raw_day = cells[0]
        try:
            day = _ecb_day(raw_day)
        except ValueError:
            raise FxFileError(
                source, row_number, ECB_DATE_COLUMN, raw_day, "not a YYYY-MM-DD date"
            ) from None
        if day in seen:
            raise FxFileError(source, row_number, ECB_DATE_COLUMN, raw_day, "the same date twice")
        seen.add(day)
        per_euro = {
            currency: _ecb_value(source, row_number, currency, raw)
            for currency, raw in zip(currencies, cells[1:width], strict=True)
        }
        nok = per_euro.pop(HOME_CURRENCY)
        if nok is None:
            continue
        rates.append(Rate(EURO, day, nok, SOURCE_ECB))
        for currency, value in per_euro.items():
            if value is not None and currency != EURO and is_iso_4217(currency):
                cross = (nok / value).quantize(CROSS_RATE_PLACES)
                rates.append(Rate(currency, day, cross, SOURCE_ECB))
    return rates


def rates_format(text: str) -> str | None:
    """SOURCE_NORGES_BANK or SOURCE_ECB, from the header line; None when it is neither."""
    first = text.split("\n", 1)[0].strip()
    if EXR_DELIMITER in first:  # missing EXR columns are then named by parse_exr_csv
        return SOURCE_NORGES_BANK
    if first.split(ECB_DELIMITER, 1)[0].strip() == ECB_DATE_COLUMN:
        return SOURCE_ECB
    return None


def parse_rates(text: str, source: str = "<rates>") -> list[Rate]:
    """Parse either format, told apart by the header line."""
    kind = rates_format(text)
    if kind == SOURCE_NORGES_BANK:
        return parse_exr_csv(text, source)
    if kind == SOURCE_ECB:
        return parse_ecb_csv(text, source)
    first = text.split("\n", 1)[0].strip()
    raise FxFileError(
        source, 1, "header", first[:200],
        "neither a Norges Bank EXR CSV (semicolon separated) nor an ECB eurofxref CSV "
        "(Date,USD,…)",
    )  # fmt: skip


def _read_text(path: Path) -> tuple[str, str]:
    """(text, name for messages): a plain CSV, or the one CSV in a ZIP (the ECB ships ZIPs)."""
    name = str(path)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
            if len(members) != 1:
                raise FxFileError(name, 0, "-", ", ".join(members)[:200], "a ZIP must hold one CSV")
            name = f"{path}:{members[0]}"
            data = archive.read(members[0])
    else:
        data = path.read_bytes()
    try:
        return data.decode("utf-8-sig"), name
    except UnicodeDecodeError as exc:
        raise FxFileError(name, 0, "-", "", f"not UTF-8 text ({exc.reason})") from None


def read_exr_file(path: Path) -> list[Rate]:
    """Read an EXR CSV file (UTF-8, optionally with a byte-order mark)."""
    text, name = _read_text(path)
    return parse_exr_csv(text, source=name)


def read_rates_file(path: Path) -> list[Rate]:
    """Read a Norges Bank EXR or ECB eurofxref CSV (or a ZIP holding one), told apart by header."""
    text, name = _read_text(path)
    return parse_rates(text, source=name)


def shipped_rates_path() -> Path:
    """The Norges Bank rates the product ships (Source: Norges Bank)."""
    return Path(__file__).resolve().parent.parent / "data" / "norges-bank-exr.csv"


def shipped_ecb_path() -> Path:
    """The ECB euro reference rates the product ships (Source: ECB), for cross rates."""
    return Path(__file__).resolve().parent.parent / "data" / "ecb-eurofxref.csv"


def shipped_rates_paths() -> tuple[Path, ...]:
    """Every shipped rates file, Norges Bank first."""
    return shipped_rates_path(), shipped_ecb_path()


@functools.cache
def shipped_table() -> FxTable:
    """The shipped rates, both sources merged, parsed once per process (callers only read it)."""
    return FxTable.from_rates(r for path in shipped_rates_paths() for r in read_rates_file(path))
