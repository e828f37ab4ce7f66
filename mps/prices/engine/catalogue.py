"""Vendors' list prices per SKU, read from the generic CSV or the Azure Retail Prices JSON.

A file is all in or all out: every problem is collected with file, row, column and value, and
a file with any problem yields no prices (issue 6, the same rule as for billing imports).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

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
    return parse_azure_files([(source, text)], vendor)


@dataclass(frozen=True)
class AzurePage:
    """What the page chain check needs of one saved API page."""

    source: str  # the file, and the page's place in it when the file holds several
    items: int
    next_link: str | None
    digest: str  # of the page's items, to recognise the same page saved twice


def parse_azure_files(files: Sequence[tuple[str, str]], vendor: str) -> ParsedFile:
    """Saved pages of one Retail Prices API query, one or more per file, as one import.

    The API returns at most 100 items a page (1,000 with newer API versions) and a
    `NextPageLink` to the next page (the same query with `$skip` = items so far). Pages may be
    given in any order; they must form one unbroken chain (see `check_page_chain`).
    """
    c = _Collector(files[0][0] if files else "<prices.json>")
    pages: list[AzurePage] = []
    out = ParsedFile(format="azure")
    sources: list[str] = []
    for name, text in files:
        c.source = name
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            c.add(exc.lineno, "-", exc.msg, "not valid JSON")
            continue
        found = _azure_pages(data)
        if found is None:
            c.add(
                0,
                "Items",
                type(data).__name__,
                "no Items list (expected the Retail Prices API response)",
            )
            continue
        for number, (items, has_link, link) in enumerate(found, start=1):
            c.source = name if len(found) == 1 else f"{name} (page {number})"
            if has_link:
                pages.append(AzurePage(c.source, len(items), link, _digest(items)))
            before = len(out.records)
            _azure_records(c, items, vendor, out.records)
            sources.extend([c.source] * (len(out.records) - before))
    for issue in check_page_chain(pages):
        c.source = issue.file
        c.add(issue.row, issue.column, issue.value, issue.problem)
    c.raise_if_any()
    _check_duplicates(out.records, sources)
    return out


def _azure_records(c: _Collector, items: list[Any], vendor: str, out: list[PriceRecord]) -> None:
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
        out.append(
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


def _azure_pages(data: Any) -> list[tuple[list[Any], bool, str | None]] | None:
    """(items, whether the page has a NextPageLink field, its value) per page; None if no page."""
    if isinstance(data, dict):
        items = data.get("Items")
        if not isinstance(items, list):
            return None
        return [(items, "NextPageLink" in data, _link(data.get("NextPageLink")))]
    if isinstance(data, list):
        if data and all(isinstance(p, dict) and "Items" in p for p in data):
            pages = []
            for page in data:
                if not isinstance(page["Items"], list):
                    return None
                pages.append(
                    (page["Items"], "NextPageLink" in page, _link(page.get("NextPageLink")))
                )
            return pages
        return [(data, False, None)]  # a bare list of items: no page to place in a chain
    return None


def _link(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def _digest(items: list[Any]) -> str:
    text = json.dumps(items, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _skip_and_query(link: str) -> tuple[int | None, str]:
    """The `$skip` of a NextPageLink, and the rest of the query it continues (port dropped)."""
    parts = urlsplit(link)
    params = parse_qsl(parts.query, keep_blank_values=True)
    skips = [v for k, v in params if k.lower() == "$skip"]
    rest = sorted((k.lower(), v) for k, v in params if k.lower() != "$skip")
    query = f"{parts.hostname or ''}{parts.path.rstrip('/').lower()}?{urlencode(rest)}"
    try:
        skip = int(skips[-1]) if skips else None
    except ValueError:
        skip = None
    return (skip if skip is None or skip >= 0 else None), query


def check_page_chain(pages: Sequence[AzurePage]) -> list[Issue]:
    """Problems with saved pages that should be one query's result, each naming its page.

    A page given twice (the same items, or the same NextPageLink) is always refused. When more
    than one page is given and any has a NextPageLink, the pages must be one query's result
    without gaps or overlaps: ordered by the `$skip` of their links (so file order does not
    matter), the first starting at item 1, each continuing where the previous one's link points,
    and exactly one last page (NextPageLink null). Pages that all have a null NextPageLink are
    separate one-page results and need not chain.
    """
    issues: list[Issue] = []

    def problem(page: AzurePage, text: str) -> None:
        issues.append(Issue(page.source, 0, "NextPageLink", page.next_link or "null", text))

    unique: list[AzurePage] = []
    by_digest: dict[str, AzurePage] = {}
    by_link: dict[str, AzurePage] = {}
    for page in pages:
        twin = (by_digest.get(page.digest) if page.items else None) or (
            by_link.get(page.next_link) if page.next_link else None
        )
        if twin is not None:
            problem(page, f"the same page as {twin.source} (a page given twice)")
            continue
        by_digest.setdefault(page.digest, page)
        if page.next_link:
            by_link[page.next_link] = page
        unique.append(page)
    if len(unique) < 2 or not any(p.next_link for p in unique):
        return issues
    linked: list[tuple[int, int, AzurePage]] = []
    last = [p for p in unique if not p.next_link]
    first_query: tuple[str, AzurePage] | None = None
    for page in unique:
        if not page.next_link:
            continue
        skip, query = _skip_and_query(page.next_link)
        if skip is None:
            problem(page, "the NextPageLink has no $skip, so the page's place is unknown")
            continue
        if first_query is None:
            first_query = (query, page)
        elif query != first_query[0]:
            problem(
                page,
                f"the NextPageLink continues another query than {first_query[1].source}'s; "
                "import each query's pages separately",
            )
            continue
        linked.append((skip - page.items, skip, page))
    linked.sort(key=lambda t: (t[0], t[1]))
    expected, previous = 0, None
    for start, skip, page in linked:
        if start > expected:
            after = f"after {previous.source}" if previous else "before it"
            problem(
                page,
                f"the chain is broken: this page holds items {start + 1}–{skip} of the result, "
                f"but items {expected + 1}–{start} ({after}) were not given",
            )
        elif start < expected and previous is not None:
            problem(
                page,
                f"the chain is broken: this page holds items {start + 1}–{skip} of the result, "
                f"which overlap those of {previous.source} (items up to {expected})",
            )
        expected, previous = max(expected, skip), page
    for page in last[1:]:
        problem(page, f"a second last page (NextPageLink null, like {last[0].source})")
    if not last and previous is not None:
        problem(
            previous,
            f"the chain is broken: the NextPageLink points to items from {expected + 1} on, "
            "but no page holding them was given",
        )
    return issues


def _check_duplicates(records: list[PriceRecord], sources: str | list[str]) -> None:
    """Two different prices for one SKU, currency, tier and start day make the import ambiguous.

    `sources` names the file of every record (or one name for all); a record is numbered within
    its file (the CSV row, or the item within the page).
    """
    names = [sources] * len(records) if isinstance(sources, str) else sources
    c = _Collector(names[0] if names else "")
    seen: dict[tuple[Any, ...], tuple[str, int, Decimal]] = {}
    numbers: dict[str, int] = {}
    for record, source in zip(records, names, strict=True):
        numbers[source] = number = numbers.get(source, 0) + 1
        row = number + (1 if source.endswith(".csv") else 0)
        ident = (record.key, record.currency, record.tier_min_units, record.effective_from)
        if ident in seen and seen[ident][2] != record.unit_price:
            other_source, other, _ = seen[ident]
            where = (
                f"record {other}" if other_source == source else f"{other_source}, record {other}"
            )
            c.source = source
            c.add(
                row,
                "unit_price",
                record.unit_price,
                f"a different price for the same SKU and day as {where}",
            )
        seen.setdefault(ident, (source, row, record.unit_price))
    c.raise_if_any()


def parse(text: str, vendor: str, fmt: str, source: str) -> ParsedFile:
    return parse_files([(source, text)], vendor, fmt)


def parse_files(files: Sequence[tuple[str, str]], vendor: str, fmt: str) -> ParsedFile:
    """Several files of one format as one import: every problem of every file, or all prices."""
    if fmt == "azure":
        return parse_azure_files(files, vendor)
    if fmt != "csv":
        raise ValueError(f"unknown format {fmt!r}; choose csv or azure")
    out = ParsedFile(format="csv")
    issues: list[Issue] = []
    total = 0
    sources: list[str] = []
    for name, text in files:
        try:
            records = parse_csv(text, vendor, name).records
        except PriceFileError as exc:
            issues.extend(exc.issues)
            total += exc.total
            continue
        out.records.extend(records)
        sources.extend([name] * len(records))
    if total:
        raise PriceFileError(issues[:MAX_ISSUES], total)
    _check_duplicates(out.records, sources)
    return out


def guess_format(name: str) -> str:
    return "azure" if name.lower().endswith(".json") else "csv"
