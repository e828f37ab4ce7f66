"""Vendors' shared platforms as the service register knows them, for the risk score to read.

A vendor declares, per service, the domains under which its shared platform serves customers.
Hosts under those domains are the vendor's: an agency whose DNS points there uses the platform,
it does not run it. ``platforms_changed`` is sent after a publication or withdrawal commits,
so readers (the risk score's attribution) can act without the register depending on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F
from django.dispatch import Signal

from mps.registry.models import ServiceVersion, Status

# Sent (no arguments) after a service version is published or withdrawn and the change is saved.
platforms_changed = Signal()


@dataclass(frozen=True)
class Platform:
    """One declared platform domain, with the service and vendor that declared it."""

    domain: str
    service_id: int
    service_name: str
    vendor_id: int
    vendor_name: str


def published_platforms() -> list[Platform]:
    """Every platform domain in the current published version of a published service."""
    rows = (
        ServiceVersion.objects.filter(
            status=Status.PUBLISHED,
            service__status=Status.PUBLISHED,
            service__current_version_id=F("pk"),
        )
        .exclude(platform_domains=[])
        .values_list(
            "platform_domains", "service_id", "name", "service__vendor_id", "service__vendor__name"
        )
        .order_by("service_id")
    )
    return [
        Platform(domain, service_id, name, vendor_id, vendor_name)
        for domains, service_id, name, vendor_id, vendor_name in rows
        for domain in domains or ()
    ]
