"""Named scenario pieces for the privacy tests: Eksempel kommune buys from vendors with real-looking chains."""

from __future__ import annotations

from typing import Any

from mps.privacy.rules import assess, parse_scenario
from mps.privacy.rules.model import HopResult

ASSESSED_ON = "2026-11-29"

EKSEMPEL_KOMMUNE = {"name": "Eksempel kommune", "country": "NO", "public_authority": True}
PRIVATE_FIRM = {"name": "Eksempel AS", "country": "NO", "public_authority": False}

ACME_INC = "Acme Cloud, Inc."


def dpf_entry(
    organisation: str = ACME_INC,
    *,
    covered: list[str] | None = None,
    status: str = "active",
    hr: bool = True,
    non_hr: bool = True,
    next_due: str | None = "2027-06-30",
) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "covered_entities": covered or [],
        "eu_us": status,
        "hr": hr,
        "non_hr": non_hr,
        "next_due": next_due,
    }


def hop(
    hop_id: str,
    country: str,
    *,
    src: str = "controller",
    entity: str | None = None,
    role: str = "processor",
    access: str = "processing",
    intra_group: bool = False,
    safeguards: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": hop_id,
        "from": src,
        "entity": entity or f"Vendor {hop_id} ({country})",
        "country": country,
        "role": role,
        "access": access,
        "intra_group": intra_group,
        "safeguards": safeguards or [],
        **extra,
    }


def scenario(
    hops: list[dict[str, Any]],
    *,
    dpf: list[dict[str, Any]] | None = None,
    categories: list[str] | None = None,
    assessed_on: str = ASSESSED_ON,
    controller: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "assessed_on": assessed_on,
        "controller": controller or EKSEMPEL_KOMMUNE,
        "data_categories": ["contact"] if categories is None else categories,
        "dpf_list": dpf or [],
        "hops": hops,
    }


def results(raw: dict[str, Any]) -> dict[str, HopResult]:
    """Parse and assess; hop results by id."""
    return {r.id: r for r in assess(parse_scenario(raw)).hops}
