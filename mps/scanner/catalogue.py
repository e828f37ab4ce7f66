"""The catalogue of every check id, built from each family's ``CHECKS``."""

from __future__ import annotations

from mps.scanner.checks import FAMILIES
from mps.scanner.model import CheckSpec


def _build() -> dict[str, CheckSpec]:
    catalogue: dict[str, CheckSpec] = {}
    for family in FAMILIES:
        for spec in family.CHECKS:
            if spec.id in catalogue:
                raise ValueError(f"check id {spec.id!r} defined twice ({family.__name__})")
            catalogue[spec.id] = spec
    return catalogue


CATALOGUE: dict[str, CheckSpec] = _build()


def family_check_ids(family: object) -> tuple[str, ...]:
    """Ids defined by one family module, in catalogue order."""
    return tuple(spec.id for spec in getattr(family, "CHECKS", ()))
