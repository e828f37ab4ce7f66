"""Loads the versioned reference data shipped in mps/privacy/data (EEA, ISO 3166-1, adequacy).

Loaded once per process; the data is facts with sources, kept out of the code so a change
of law is a data change with its own version.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
REFERENCE_FILE = DATA_DIR / "transfer_reference.json"
ISO_FILE = DATA_DIR / "iso3166_alpha2.csv"
# Norwegian (bokmål) names for common countries, after Språkrådet's list of state names;
# other countries fall back to the English name.
NB_NAMES_FILE = DATA_DIR / "country_names_nb.csv"


@dataclass(frozen=True, slots=True)
class Period:
    valid_from: date
    valid_until: date | None
    reference: str

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True, slots=True)
class AdequacyDecision:
    """An Art. 45(3) decision for a country or an international organisation."""

    id: str
    country: str | None
    organisation: str | None
    name: str
    scope: str  # "full" | "partial" | "dpf_only"
    scope_note: str | None
    decision: str
    periods: tuple[Period, ...]
    eea_incorporation: str

    def period_on(self, day: date) -> Period | None:
        """The period in force on `day`, the one reaching furthest when periods overlap."""
        best: Period | None = None
        for period in self.periods:
            if period.covers(day) and (
                best is None or (period.valid_until or date.max) > (best.valid_until or date.max)
            ):
                best = period
        return best


@dataclass(frozen=True, slots=True)
class ReferenceData:
    version: str
    eea: frozenset[str]
    iso_alpha2: frozenset[str]
    country_names: dict[str, str]
    country_names_nb: dict[str, str]
    adequacy_by_country: dict[str, AdequacyDecision]
    adequacy_by_organisation: dict[str, AdequacyDecision]
    international_organisations: frozenset[str]


def _date(raw: str | None) -> date | None:
    return None if raw is None else date.fromisoformat(raw)


def _decision(raw: dict[str, Any]) -> AdequacyDecision:
    periods = tuple(
        Period(
            valid_from=date.fromisoformat(p["valid_from"]),
            valid_until=_date(p["valid_until"]),
            reference=p["reference"],
        )
        for p in raw["periods"]
    )
    return AdequacyDecision(
        id=raw["id"],
        country=raw["country"],
        organisation=raw["organisation"],
        name=raw["name"],
        scope=raw["scope"],
        scope_note=raw["scope_note"],
        decision=raw["decision"],
        periods=periods,
        eea_incorporation=raw["eea_incorporation"]["status"],
    )


def load_reference(
    reference_file: Path = REFERENCE_FILE,
    iso_file: Path = ISO_FILE,
    nb_names_file: Path = NB_NAMES_FILE,
) -> ReferenceData:
    """Read and check the data files; a broken file fails loudly with its name."""
    with reference_file.open(encoding="utf-8") as fh:
        raw = json.load(fh)
    with iso_file.open(encoding="utf-8", newline="") as fh:
        names = {row["alpha2"]: row["name"] for row in csv.DictReader(fh)}
    with nb_names_file.open(encoding="utf-8", newline="") as fh:
        names_nb = {row["alpha2"]: row["name_nb"] for row in csv.DictReader(fh)}
    if names_nb.keys() - names.keys():
        raise ValueError(f"{nb_names_file}: unknown codes {sorted(names_nb.keys() - names.keys())}")
    eea = frozenset(raw["eea_members"]["eu"]) | frozenset(raw["eea_members"]["efta_eea"])
    unknown = sorted(eea - names.keys())
    if unknown:
        raise ValueError(
            f"{reference_file}: eea_members has codes not in {iso_file.name}: {unknown}"
        )
    by_country: dict[str, AdequacyDecision] = {}
    by_org: dict[str, AdequacyDecision] = {}
    for item in raw["adequacy"]:
        decision = _decision(item)
        if decision.country is not None:
            if decision.country not in names:
                raise ValueError(f"{reference_file}: adequacy {decision.id}: unknown country")
            by_country[decision.country] = decision
        if decision.organisation is not None:
            by_org[decision.organisation] = decision
    return ReferenceData(
        version=raw["version"],
        eea=eea,
        iso_alpha2=frozenset(names),
        country_names=names,
        country_names_nb={**names, **names_nb},
        adequacy_by_country=by_country,
        adequacy_by_organisation=by_org,
        international_organisations=frozenset(raw["international_organisations"]),
    )


@cache
def reference() -> ReferenceData:
    """The shipped reference data, loaded on first use."""
    return load_reference()
