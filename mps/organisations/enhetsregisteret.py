"""Parse Enhetsregisteret's open-API entity JSON into plain records.

Plain Python, no Django. Accepts a list of entities, a single entity, or an API page
(`{"_embedded": {"enheter": [...]}}`, also `underenheter`). Every problem is reported
with the record's position so an operator can fix the file; the caller decides whether
to import nothing (the default) or skip the invalid records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mps.organisations.orgnr import InvalidOrgnr, normalise_orgnr

# Enhetsregisteret institusjonell sektorkode (SSB standard for sektorgruppering):
# 6100 state administration, 6500 local government.
SECTOR_CODE_STATE = "6100"
SECTOR_CODE_LOCAL = "6500"
# Organisation forms that settle the sector on their own.
FORM_MUNICIPALITY = "KOMM"
FORM_COUNTY_MUNICIPALITY = "FYLK"
STATE_FORMS = {"STAT", "SF"}  # state body, state enterprise (statsforetak)


@dataclass(frozen=True)
class OrgRecord:
    orgnr: str
    name: str
    org_form: str
    sector_code: str
    sector: str
    kommunenummer: str
    employees: int | None
    parent_orgnr: str | None
    website: str


@dataclass(frozen=True)
class RecordError:
    position: int  # 1-based position of the record in the file
    orgnr: str
    reason: str

    def __str__(self) -> str:
        who = f" ({self.orgnr})" if self.orgnr else ""
        return f"record {self.position}{who}: {self.reason}"


@dataclass
class ParseResult:
    records: list[OrgRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)


def sector_for(org_form: str, sector_code: str) -> str:
    """Map organisation form and institutional sector code to our agency sector."""
    if org_form == FORM_MUNICIPALITY:
        return "municipality"
    if org_form == FORM_COUNTY_MUNICIPALITY:
        return "county_municipality"
    if sector_code == SECTOR_CODE_STATE or org_form in STATE_FORMS:
        return "state"
    if sector_code == SECTOR_CODE_LOCAL:
        return "municipality"
    return "other"


def _code(value: Any) -> str:
    """Enhetsregisteret nests codes as {"kode": ..., "beskrivelse": ...}; accept a bare string too."""
    if isinstance(value, dict):
        return str(value.get("kode") or "").strip()
    return str(value or "").strip()


def _entities(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        embedded = document.get("_embedded")
        if isinstance(embedded, dict):
            for key in ("enheter", "underenheter"):
                if isinstance(embedded.get(key), list):
                    return list(embedded[key])
        if "organisasjonsnummer" in document:
            return [document]
        if "_embedded" in document or "page" in document:
            return []
    raise ValueError(
        "expected a list of entities, one entity, or an API page with _embedded.enheter"
    )


def parse_record(position: int, raw: Any) -> OrgRecord | RecordError:
    if not isinstance(raw, dict):
        return RecordError(position, "", f"expected an object, got {type(raw).__name__}")
    raw_orgnr = str(raw.get("organisasjonsnummer") or "").strip()
    if not raw_orgnr:
        return RecordError(position, "", "organisasjonsnummer is missing")
    try:
        orgnr = normalise_orgnr(raw_orgnr)
    except InvalidOrgnr as exc:
        return RecordError(position, raw_orgnr, str(exc))
    name = str(raw.get("navn") or "").strip()
    if not name:
        return RecordError(position, orgnr, "navn is missing")
    parent = raw.get("overordnetEnhet") or raw.get("overordnetenhet")
    parent_orgnr = None
    if parent:
        try:
            parent_orgnr = normalise_orgnr(str(parent))
        except InvalidOrgnr as exc:
            return RecordError(position, orgnr, f"overordnetEnhet: {exc}")
    employees_raw = raw.get("antallAnsatte")
    employees = None
    if employees_raw not in (None, ""):
        try:
            employees = int(employees_raw)
        except (TypeError, ValueError):
            return RecordError(
                position, orgnr, f"antallAnsatte {employees_raw!r} is not a whole number"
            )
        if employees < 0:
            return RecordError(position, orgnr, f"antallAnsatte {employees} is negative")
    address = raw.get("forretningsadresse") or raw.get("beliggenhetsadresse") or {}
    kommunenummer = (
        str(address.get("kommunenummer") or "").strip() if isinstance(address, dict) else ""
    )
    if kommunenummer and (len(kommunenummer) != 4 or not kommunenummer.isdigit()):
        return RecordError(position, orgnr, f"kommunenummer {kommunenummer!r} is not four digits")
    org_form = _code(raw.get("organisasjonsform"))
    sector_code = _code(raw.get("institusjonellSektorkode"))
    return OrgRecord(
        orgnr=orgnr,
        name=name,
        org_form=org_form,
        sector_code=sector_code,
        sector=sector_for(org_form, sector_code),
        kommunenummer=kommunenummer,
        employees=employees,
        parent_orgnr=parent_orgnr,
        website=str(raw.get("hjemmeside") or "").strip(),
    )


def parse_document(document: Any) -> ParseResult:
    result = ParseResult()
    seen: dict[str, int] = {}
    for position, raw in enumerate(_entities(document), start=1):
        parsed = parse_record(position, raw)
        if isinstance(parsed, RecordError):
            result.errors.append(parsed)
            continue
        if parsed.orgnr in seen:
            result.errors.append(
                RecordError(position, parsed.orgnr, f"duplicate of record {seen[parsed.orgnr]}")
            )
            continue
        seen[parsed.orgnr] = position
        result.records.append(parsed)
    return result


def parse_file(path: Path) -> ParseResult:
    """Parse a JSON file; a file that is not JSON raises ValueError naming the file and position."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        return parse_document(document)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
