"""Peer groups: sector and size band. Plain Python, shared by risk score and cost benchmarks."""

from __future__ import annotations

# Size bands by residents for municipalities and by employees for other agencies.
# Boundaries follow common SSB groupings of municipalities by population.
MUNICIPALITY_BANDS = ((5_000, "small"), (20_000, "medium"), (100_000, "large"))
EMPLOYEE_BANDS = ((100, "small"), (1_000, "medium"), (5_000, "large"))


def size_band(sector: str, employees: int | None, population: int | None) -> str:
    if sector in {"municipality", "county_municipality"} and population is not None:
        measure, bands = population, MUNICIPALITY_BANDS
    elif employees is not None:
        measure, bands = employees, EMPLOYEE_BANDS
    else:
        return "unknown"
    for limit, name in bands:
        if measure < limit:
            return name
    return "very_large"
