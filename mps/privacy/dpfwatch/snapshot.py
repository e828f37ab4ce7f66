"""Reads a Data Privacy Framework List snapshot from JSON or CSV into typed entries.

The engine's :class:`~mps.privacy.rules.model.DpfEntry` already holds what a transfer
verdict needs (organisation, covered entities, EU–US status, HR and non-HR coverage, next
due date); a :class:`ListedOrganisation` wraps it and adds what only the watch needs (the
UK extension and Swiss–US statuses, the original certification date). Bad input raises
:class:`SnapshotError` naming the row, the field and the value, so whoever downloaded the
list can fix the file without reading code.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from mps.privacy.rules.model import DpfEntry

#: Largest snapshot accepted: the real list has a few thousand organisations.
MAX_ROWS = 100_000
MAX_TEXT = 500
MAX_BYTES = 50 * 1024 * 1024
#: Separates several covered entities inside one CSV cell (names contain commas and dots).
CSV_LIST_SEPARATOR = "|"

STATUSES = frozenset({"active", "inactive"})
FIELDS = (
    "organisation",
    "covered_entities",
    "eu_us",
    "uk_extension",
    "swiss_us",
    "hr",
    "non_hr",
    "original_certification",
    "next_due",
)
_REQUIRED = frozenset({"organisation", "eu_us"})
_TRUE = frozenset({"true", "yes", "ja", "1", "x"})
_FALSE = frozenset({"false", "no", "nei", "0", ""})
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Framework = Literal["eu_us", "uk_extension", "swiss_us"]


class SnapshotError(ValueError):
    """Bad snapshot input; names where (row), the field and the offending value."""

    def __init__(self, where: str, field: str, message: str, value: Any = None) -> None:
        self.where = where
        self.field = field
        self.value = value
        self.message = message
        super().__init__(f"{where}: field '{field}': {message}")


@dataclass(frozen=True, slots=True)
class ListedOrganisation:
    """One organisation on the list: the engine's entry plus the other frameworks and dates."""

    entry: DpfEntry
    uk_extension: str | None = None  # "active" | "inactive" | None (not participating)
    swiss_us: str | None = None  # "active" | "inactive" | None (not participating)
    original_certification: date | None = None

    @property
    def organisation(self) -> str:
        return self.entry.organisation

    @property
    def names(self) -> tuple[str, ...]:
        """Every legal-entity name this certification covers: the organisation first."""
        return (self.entry.organisation, *self.entry.covered_entities)

    def status(self, framework: Framework) -> str | None:
        if framework == "eu_us":
            return self.entry.eu_us
        return self.uk_extension if framework == "uk_extension" else self.swiss_us


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One import of the list; organisation names are unique within it."""

    organisations: tuple[ListedOrganisation, ...]
    taken_on: date | None = None
    source: str | None = None

    def entries(self) -> tuple[DpfEntry, ...]:
        """What the transfer engine takes as `dpf_list` (e.g. for `assess_many`)."""
        return tuple(o.entry for o in self.organisations)

    def by_organisation(self) -> dict[str, ListedOrganisation]:
        return {o.organisation: o for o in self.organisations}


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _text(value: Any, where: str, field: str, *, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise SnapshotError(where, field, "is required", value)
        return None
    if not isinstance(value, str):
        raise SnapshotError(where, field, f"expected text, got {_show(value)}", value)
    if len(value) > MAX_TEXT:
        raise SnapshotError(where, field, f"longer than {MAX_TEXT} characters", value)
    return " ".join(value.split())


def _status(value: Any, where: str, field: str, *, required: bool) -> str | None:
    text = _text(value, where, field, required=required)
    if text is None:
        return None
    status = text.casefold()
    if status not in STATUSES:
        raise SnapshotError(
            where, field, f"expected 'active' or 'inactive', got {_show(value)}", value
        )
    return status


def _bool(value: Any, where: str, field: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().casefold() in _TRUE | _FALSE:
        return value.strip().casefold() in _TRUE
    raise SnapshotError(where, field, f"expected true or false, got {_show(value)}", value)


def _date(value: Any, where: str, field: str) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise SnapshotError(where, field, f"expected a date YYYY-MM-DD, got {_show(value)}", value)


def _names(value: Any, where: str, field: str, *, cell: bool) -> tuple[str, ...]:
    if value is None:
        return ()
    if cell and isinstance(value, str):
        value = value.split(CSV_LIST_SEPARATOR)
    if not isinstance(value, list):
        raise SnapshotError(where, field, f"expected a list of names, got {_show(value)}", value)
    names: list[str] = []
    for item in value:
        name = _text(item, where, field, required=False)
        if name is not None and name not in names:
            names.append(name)
    return tuple(names)


def parse_row(raw: Mapping[str, Any], where: str, *, cell: bool = False) -> ListedOrganisation:
    """One organisation from a JSON object or (`cell=True`) a CSV row of text cells, where
    covered entities share one cell separated by ``|``. Unknown fields are rejected."""
    extra = sorted(str(k) for k in raw.keys() - set(FIELDS))
    if extra:
        raise SnapshotError(where, extra[0], f"unknown field (allowed: {', '.join(FIELDS)})")
    organisation = _text(raw.get("organisation"), where, "organisation", required=True)
    assert organisation is not None
    where = f"{where} ({organisation!r})"
    covered = tuple(
        n
        for n in _names(raw.get("covered_entities"), where, "covered_entities", cell=cell)
        if n != organisation
    )
    eu_us = _status(raw.get("eu_us"), where, "eu_us", required=True)
    assert eu_us is not None
    return ListedOrganisation(
        entry=DpfEntry(
            organisation=organisation,
            covered_entities=covered,
            eu_us=eu_us,
            hr=_bool(raw.get("hr"), where, "hr"),
            non_hr=_bool(raw.get("non_hr"), where, "non_hr"),
            next_due=_date(raw.get("next_due"), where, "next_due"),
        ),
        uk_extension=_status(raw.get("uk_extension"), where, "uk_extension", required=False),
        swiss_us=_status(raw.get("swiss_us"), where, "swiss_us", required=False),
        original_certification=_date(
            raw.get("original_certification"), where, "original_certification"
        ),
    )


def _collect(
    rows: Iterable[tuple[str, Mapping[str, Any]]],
    taken_on: date | None,
    source: str | None,
    *,
    cell: bool,
) -> Snapshot:
    seen: dict[str, str] = {}
    out: list[ListedOrganisation] = []
    for where, raw in rows:
        if len(out) >= MAX_ROWS:
            raise SnapshotError(where, "*", f"more than {MAX_ROWS} organisations")
        item = parse_row(raw, where, cell=cell)
        if item.organisation in seen:
            raise SnapshotError(
                f"{where} ({item.organisation!r})",
                "organisation",
                f"{item.organisation!r} is listed twice (also {seen[item.organisation]})",
                item.organisation,
            )
        seen[item.organisation] = where
        out.append(item)
    return Snapshot(organisations=tuple(out), taken_on=taken_on, source=source)


def parse_json(data: str | bytes | Any, *, source: str | None = None) -> Snapshot:
    """A snapshot from JSON: either a list of organisation objects or
    ``{"taken_on": "YYYY-MM-DD", "source": "…", "organisations": [...]}``.
    Already-decoded JSON (a dict or list) is accepted too."""
    if isinstance(data, str | bytes):
        if len(data) > MAX_BYTES:
            raise SnapshotError("snapshot", "*", f"larger than {MAX_BYTES} bytes")
        try:
            raw = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise SnapshotError("snapshot", "*", f"not valid JSON: {exc}") from exc
    else:
        raw = data
    taken_on: date | None = None
    if isinstance(raw, dict):
        extra = sorted(str(k) for k in raw.keys() - {"taken_on", "source", "organisations"})
        if extra:
            raise SnapshotError(
                "snapshot", extra[0], "unknown field (allowed: organisations, source, taken_on)"
            )
        taken_on = _date(raw.get("taken_on"), "snapshot", "taken_on")
        source = _text(raw.get("source"), "snapshot", "source", required=False) or source
        raw = raw.get("organisations")
        if raw is None:
            raise SnapshotError("snapshot", "organisations", "is required")
    if not isinstance(raw, list):
        raise SnapshotError(
            "snapshot", "organisations", f"expected a list, got {type(raw).__name__}"
        )

    def rows() -> Iterable[tuple[str, Mapping[str, Any]]]:
        for i, item in enumerate(raw, start=1):
            where = f"entry {i}"
            if not isinstance(item, dict):
                raise SnapshotError(where, "*", f"expected an object, got {type(item).__name__}")
            yield where, item

    return _collect(rows(), taken_on, source, cell=False)


def parse_csv(
    data: str | bytes, *, taken_on: date | None = None, source: str | None = None
) -> Snapshot:
    """A snapshot from CSV with a header row naming the fields (see docs/privacy-rules.md).

    Comma- or semicolon-separated (the delimiter is taken from the header line, so a file
    saved by Norwegian Excel works); a UTF-8 byte order mark is ignored. Covered entities
    share one cell, separated by ``|``. Errors name the line number (the header is line 1).
    """
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise SnapshotError("snapshot", "*", f"larger than {MAX_BYTES} bytes")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SnapshotError("snapshot", "*", f"not UTF-8 text: {exc}") from exc
    else:
        text = data.removeprefix("\ufeff")
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().casefold() for h in next(reader)]
    except StopIteration:
        raise SnapshotError("line 1", "*", "empty file: expected a header row") from None
    except csv.Error as exc:
        raise SnapshotError("line 1", "*", f"not valid CSV: {exc}") from exc
    unknown = [h for h in header if h not in FIELDS]
    if unknown:
        raise SnapshotError(
            "line 1", unknown[0], f"unknown column (allowed: {', '.join(FIELDS)})", unknown[0]
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise SnapshotError("line 1", dupes[0], "column appears twice", dupes[0])
    missing = sorted(_REQUIRED - set(header))
    if missing:
        raise SnapshotError("line 1", missing[0], "required column is missing")

    def rows() -> Iterable[tuple[str, Mapping[str, Any]]]:
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise SnapshotError(f"line {start}", "*", f"not valid CSV: {exc}") from exc
            where = f"line {start}"
            start = reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise SnapshotError(
                    where, "*", f"expected {len(header)} cells like the header, got {len(cells)}"
                )
            yield where, dict(zip(header, cells, strict=True))

    return _collect(rows(), taken_on, source, cell=True)


def parse_snapshot(
    data: str | bytes, *, fmt: str | None = None, source: str | None = None
) -> Snapshot:
    """JSON or CSV; `fmt` ("json" | "csv") or, if None, guessed from the first character."""
    if fmt is None:
        head = data[:1024].lstrip()
        if isinstance(head, bytes):
            head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
            fmt = "json" if head[:1] in (b"{", b"[") else "csv"
        else:
            fmt = "json" if head.removeprefix("\ufeff")[:1] in ("{", "[") else "csv"
    if fmt == "json":
        return parse_json(data, source=source)
    if fmt == "csv":
        return parse_csv(data, source=source)
    raise SnapshotError("snapshot", "format", f"expected 'json' or 'csv', got {_show(fmt)}", fmt)


def to_dict(snapshot: Snapshot) -> dict[str, Any]:
    """The JSON form `parse_json` reads back (for storing a snapshot or a test fixture)."""
    return {
        "taken_on": snapshot.taken_on.isoformat() if snapshot.taken_on else None,
        "source": snapshot.source,
        "organisations": [
            {
                "organisation": o.organisation,
                "covered_entities": list(o.entry.covered_entities),
                "eu_us": o.entry.eu_us,
                "uk_extension": o.uk_extension,
                "swiss_us": o.swiss_us,
                "hr": o.entry.hr,
                "non_hr": o.entry.non_hr,
                "original_certification": (
                    o.original_certification.isoformat() if o.original_certification else None
                ),
                "next_due": o.entry.next_due.isoformat() if o.entry.next_due else None,
            }
            for o in snapshot.organisations
        ],
    }
