"""Vendors' list prices per SKU, read from the generic CSV or the Azure Retail Prices JSON.

A file is all in or all out: every problem is collected with file, row, column and value, and
a file with any problem yields no prices (issue 6, the same rule as for billing imports).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from mps.costs.engine.currencies import is_iso_4217

# Columns of the generic CSV (docs/prices.md); the first six are required.
CSV_REQUIRED = ("sku_id", "product", "unit", "currency", "unit_price", "effective_from")
CSV_OPTIONAL = ("service", "meter", "region", "price_type", "tier_min_units", "effective_to")
CSV_COLUMNS = CSV_REQUIRED + CSV_OPTIONAL
# Fields of an item in the Azure Retail Prices API response that we read.
AZURE_REQUIRED = (
    "currencyCode",
    "retailPrice",
    "skuId",
    "productName",
    "unitOfMeasure",
    "effectiveStartDate",
)
# The first problems of a rejected file that are reported in full.
MAX_ISSUES = 100
CONSUMPTION = "Consumption"

_UNIT = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<k>[KM]?)\s+(?P<name>\S.*?)\s*$")


@dataclass(frozen=True)
class Issue:
    file: str
    row: int
    column: str
    value: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}, {self.column} {self.value!r}: {self.problem}"


class PriceFileError(ValueError):
    """A price file with problems; nothing in it is used."""

    def __init__(self, issues: list[Issue], total: int) -> None:
        self.issues = issues
        self.total = total
        super().__init__("; ".join(str(i) for i in issues[:3]) + (" …" if total > 3 else ""))


@dataclass(frozen=True)
class SkuKey:
    """What identifies one priced SKU in the catalogue."""

    vendor: str
    sku_id: str
    region: str = ""
    price_type: str = CONSUMPTION
    meter: str = ""
    price_list: str = ""  # "" = the vendor's public list; else the agreement whose prices these are


@dataclass(frozen=True)
class PriceRecord:
    """One list price: from `effective_from` (inclusive) until `effective_to` (exclusive) or the next."""

    key: SkuKey
    product: str
    service: str
    unit: str  # unit of measure as the vendor writes it, e.g. "1 Hour", "100 GB/Month"
    currency: str
    unit_price: Decimal  # per `unit`
    effective_from: date
    effective_to: date | None = None
    tier_min_units: Decimal = Decimal(0)

    @property
    def per_base_unit(self) -> Decimal:
        """The price of one base unit ("100 Hours" at 5 → 0.05 per hour)."""
        return self.unit_price / unit_multiplier(self.unit)


@dataclass
class ParsedFile:
    records: list[PriceRecord] = field(default_factory=list)
    format: str = "csv"


def unit_multiplier(unit: str) -> Decimal:
    """How many base units a price's unit of measure covers: "1 Hour" 1, "100 Hours" 100, "10K" …."""
    match = _UNIT.match(unit or "")
    if not match:
        return Decimal(1)
    n = Decimal(match.group("n"))
    n *= {"": 1, "K": 1000, "M": 1_000_000}[match.group("k")]
    return n if n > 0 else Decimal(1)


def base_unit(unit: str) -> str:
    """The unit's name without its multiplier: "100 Hours" → "Hours"."""
    match = _UNIT.match(unit or "")
    return match.group("name") if match else (unit or "").strip()


class _Collector:
    def __init__(self, source: str) -> None:
        self.source = source
        self.issues: list[Issue] = []
        self.total = 0

    def add(self, row: int, column: str, value: Any, problem: str) -> None:
        self.total += 1
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(Issue(self.source, row, column, str(value)[:200], problem))

    def raise_if_any(self) -> None:
        if self.total:
            raise PriceFileError(self.issues, self.total)


def _decimal(
    c: _Collector, row: int, column: str, raw: Any, *, allow_zero: bool = True
) -> Decimal | None:
    text = str(raw).strip() if raw is not None else ""
    try:
        value = Decimal(text)
    except InvalidOperation:
        c.add(row, column, text, "not a number")
        return None
    if not value.is_finite() or value < 0 or (not allow_zero and value == 0):
        c.add(
            row,
            column,
            text,
            "must be a positive number" if not allow_zero else "must not be negative",
        )
        return None
    return value


def _day(c: _Collector, row: int, column: str, raw: Any) -> date | None:
    text = str(raw).strip() if raw is not None else ""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        c.add(row, column, text, "not a YYYY-MM-DD date or ISO 8601 timestamp")
        return None


def _currency(c: _Collector, row: int, column: str, raw: Any) -> str | None:
    code = str(raw or "").strip().upper()
    if not is_iso_4217(code):
        c.add(row, column, raw, "not an ISO 4217 currency code")
        return None
    return code


def parse_csv(text: str, vendor: str, source: str = "<prices.csv>") -> ParsedFile:
    """The generic CSV (comma separated, UTF-8, header row; columns in docs/prices.md)."""
    c = _Collector(source)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    for name in CSV_REQUIRED:
        if name not in header:
            c.add(1, name, ",".join(header)[:200], "required column is missing")
    unknown = [h for h in header if h not in CSV_COLUMNS]
    for name in unknown:
        c.add(1, name, name, "unknown column (see docs/prices.md)")
    c.raise_if_any()
    out = ParsedFile(format="csv")
    for row_number, row in enumerate(reader, start=2):
        cell = {k: (v or "").strip() for k, v in row.items() if k is not None}
        for name in ("sku_id", "product", "unit"):
            if not cell.get(name):
                c.add(row_number, name, "", "must not be empty")
        currency = _currency(c, row_number, "currency", cell.get("currency"))
        price = _decimal(c, row_number, "unit_price", cell.get("unit_price"))
        start = _day(c, row_number, "effective_from", cell.get("effective_from"))
        end = (
            _day(c, row_number, "effective_to", cell["effective_to"])
            if cell.get("effective_to")
            else None
        )
        tier = (
            _decimal(c, row_number, "tier_min_units", cell["tier_min_units"])
            if cell.get("tier_min_units")
            else Decimal(0)
        )
        if start and end and end <= start:
            c.add(
                row_number, "effective_to", cell.get("effective_to"), "must be after effective_from"
            )
        if c.total or currency is None or price is None or start is None or tier is None:
            continue
        out.records.append(
            PriceRecord(
                key=SkuKey(
                    vendor,
                    cell["sku_id"],
                    cell.get("region", ""),
                    cell.get("price_type") or CONSUMPTION,
                    cell.get("meter", ""),
                ),
                product=cell["product"],
                service=cell.get("service", ""),
                unit=cell["unit"],
                currency=currency,
                unit_price=price,
                effective_from=start,
                effective_to=end,
                tier_min_units=tier,
            )
        )
    c.raise_if_any()
    _check_duplicates(out.records, source)
    return out


def parse_azure(text: str, vendor: str, source: str = "<prices.json>") -> ParsedFile:
    """One page (or a saved list of pages) of the Azure Retail Prices API response.

    Accepts `{"Items": [...], "NextPageLink": ...}`, a JSON array of such pages, or a bare array
    of items. The price is `retailPrice` (`unitPrice` when it is missing); a Reservation's
    `reservationTerm` becomes part of the price type ("Reservation 1 Year").
    """
    c = _Collector(source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        c.add(exc.lineno, "-", exc.msg, "not valid JSON")
        c.raise_if_any()
        raise AssertionError from None  # unreachable
    items = _azure_items(data)
    if items is None:
        c.add(
            0,
            "Items",
            type(data).__name__,
            "no Items list (expected the Retail Prices API response)",
        )
        c.raise_if_any()
        items = []
    out = ParsedFile(format="azure")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            c.add(number, "-", type(item).__name__, "an item must be a JSON object")
            continue
        raw_price = item.get("retailPrice", item.get("unitPrice"))
        before = c.total
        for name in AZURE_REQUIRED:
            value = raw_price if name == "retailPrice" else item.get(name)
            if value is None or value == "":
                c.add(number, name, "", "required field is missing")
        if c.total > before:
            continue
        currency = _currency(c, number, "currencyCode", item["currencyCode"])
        price = _decimal(c, number, "retailPrice", raw_price)
        start = _day(c, number, "effectiveStartDate", item["effectiveStartDate"])
        end = (
            _day(c, number, "effectiveEndDate", item["effectiveEndDate"])
            if item.get("effectiveEndDate")
            else None
        )
        tier = _decimal(c, number, "tierMinimumUnits", item.get("tierMinimumUnits", 0) or 0)
        if c.total or currency is None or price is None or start is None or tier is None:
            continue
        price_type = str(item.get("type") or CONSUMPTION)
        if item.get("reservationTerm"):
            price_type = f"{price_type} {item['reservationTerm']}"
        out.records.append(
            PriceRecord(
                key=SkuKey(
                    vendor,
                    str(item["skuId"]),
                    str(item.get("armRegionName") or ""),
                    price_type,
                    str(item.get("meterName") or ""),
                ),
                product=" ".join(
                    p for p in (str(item["productName"]), str(item.get("skuName") or "")) if p
                ),
                service=str(item.get("serviceName") or ""),
                unit=str(item["unitOfMeasure"]),
                currency=currency,
                unit_price=price,
                effective_from=start,
                effective_to=end,
                tier_min_units=tier,
            )
        )
    c.raise_if_any()
    _check_duplicates(out.records, source)
    return out


def _azure_items(data: Any) -> list[Any] | None:
    if isinstance(data, dict):
        items = data.get("Items")
        return items if isinstance(items, list) else None
    if isinstance(data, list):
        if all(isinstance(p, dict) and "Items" in p for p in data) and data:
            pages: list[Any] = []
            for page in data:
                if not isinstance(page["Items"], list):
                    return None
                pages.extend(page["Items"])
            return pages
        return data
    return None


def _check_duplicates(records: list[PriceRecord], source: str) -> None:
    """Two different prices for one SKU, currency, tier and start day make the file ambiguous."""
    c = _Collector(source)
    seen: dict[tuple[Any, ...], tuple[int, Decimal]] = {}
    for number, record in enumerate(records, start=1):
        ident = (record.key, record.currency, record.tier_min_units, record.effective_from)
        if ident in seen and seen[ident][1] != record.unit_price:
            c.add(
                number + (1 if source.endswith(".csv") else 0),
                "unit_price",
                record.unit_price,
                f"a different price for the same SKU and day as record {seen[ident][0]}",
            )
        seen.setdefault(ident, (number, record.unit_price))
    c.raise_if_any()


def parse(text: str, vendor: str, fmt: str, source: str) -> ParsedFile:
    if fmt == "azure":
        return parse_azure(text, vendor, source)
    if fmt == "csv":
        return parse_csv(text, vendor, source)
    raise ValueError(f"unknown format {fmt!r}; choose csv or azure")


def guess_format(name: str) -> str:
    return "azure" if name.lower().endswith(".json") else "csv"
