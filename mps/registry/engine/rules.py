"""Register rules that need no database: certificate expiry flags and data-location zones."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache

# A certificate that ends within this many days is flagged "expiring", so agencies can ask
# for the renewal before a call-off. 90 days is the warning period set in issue 2 §4.
EXPIRY_WARNING_DAYS = 90

NORWAY = "NO"


class CertStatus(enum.StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"


def cert_status(valid_until: date, today: date) -> CertStatus:
    """Expired after its last valid day; expiring when that day is within the warning period."""
    if valid_until < today:
        return CertStatus.EXPIRED
    if valid_until <= today + timedelta(days=EXPIRY_WARNING_DAYS):
        return CertStatus.EXPIRING
    return CertStatus.VALID


class LocationScope(enum.StrEnum):
    """The widest zone a service's data may sit in: what an agency filters on."""

    NORWAY = "norway"  # every data location is in Norway
    EEA = "eea"  # every data location is in the EEA, at least one outside Norway
    OUTSIDE_EEA = "outside_eea"  # at least one data location outside the EEA
    UNKNOWN = ""  # no data location given


@cache
def eea_countries() -> frozenset[str]:
    """EEA member states (ISO 3166-1 alpha-2), from the privacy reference data we ship.

    Source and version: mps/privacy/data/transfer_reference.json ("eea_members": the EU
    Member States, TEU Art. 52(1), plus Iceland, Liechtenstein and Norway, EEA Agreement Art. 2).
    """
    from mps.privacy.rules.refdata import reference

    return reference().eea


@cache
def iso_countries() -> frozenset[str]:
    """Known ISO 3166-1 alpha-2 codes (shipped with the privacy reference data)."""
    from mps.privacy.rules.refdata import reference

    return reference().iso_alpha2


def location_scope(countries: Iterable[str], eea: frozenset[str] | None = None) -> LocationScope:
    codes = {c.upper() for c in countries}
    if not codes:
        return LocationScope.UNKNOWN
    eea = eea if eea is not None else eea_countries()
    if codes - eea:
        return LocationScope.OUTSIDE_EEA
    if codes == {NORWAY}:
        return LocationScope.NORWAY
    return LocationScope.EEA


def scopes_within(zone: str) -> list[str]:
    """The stored scopes a location filter accepts: "EEA" includes services kept in Norway."""
    if zone == LocationScope.NORWAY:
        return [LocationScope.NORWAY.value]
    if zone == LocationScope.EEA:
        return [LocationScope.NORWAY.value, LocationScope.EEA.value]
    if zone == LocationScope.OUTSIDE_EEA:
        return [LocationScope.OUTSIDE_EEA.value]
    return []
