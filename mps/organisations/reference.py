"""Shipped public reference data: municipalities and counties with population (SSB).

Plain Python, no Django; read once and cached.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
POPULATION_COLUMN = "pop_2025_01_01"  # latest full-year figure the demo and benchmarks use


@dataclass(frozen=True)
class Municipality:
    kommunenummer: str
    name: str
    county_number: str
    county: str
    orgnr: str
    population: int


@dataclass(frozen=True)
class PublicEntity:
    name: str
    homepage: str
    org_form: str
    municipality: str
    orgnr: str
    host: str


@cache
def municipalities() -> tuple[Municipality, ...]:
    with (DATA_DIR / "kommuner_2024_pop_orgnr.csv").open(encoding="utf-8") as fh:
        return tuple(
            Municipality(
                kommunenummer=row["kommunenummer"],
                name=row["kommunenavn"],
                county_number=row["fylkesnummer"],
                county=row["fylkesnavn"],
                orgnr=row["orgnr"],
                population=int(row[POPULATION_COLUMN]),
            )
            for row in csv.DictReader(fh)
        )


@cache
def counties() -> dict[str, str]:
    """County number → county name."""
    with (DATA_DIR / "fylker_2024_pop.csv").open(encoding="utf-8") as fh:
        return {row["fylkesnummer"]: row["fylkesnavn"] for row in csv.DictReader(fh)}


@cache
def municipality_by_number() -> dict[str, Municipality]:
    return {m.kommunenummer: m for m in municipalities()}


@cache
def public_entities() -> tuple[PublicEntity, ...]:
    with (DATA_DIR / "nlnwa_offentlige_virksomheter_2021.csv").open(encoding="utf-8") as fh:
        return tuple(
            PublicEntity(
                name=row["entityName"],
                homepage=row["homepage"],
                org_form=row["orgForm"],
                municipality=row["municipality"],
                orgnr=row["orgNumber"],
                host=row["host"],
            )
            for row in csv.DictReader(fh)
        )


def county_for_kommunenummer(kommunenummer: str) -> str:
    if len(kommunenummer) != 4:
        return ""
    return counties().get(kommunenummer[:2], "")
