"""Services for tests, made through the action layer (as the system, with no permission check)."""

from __future__ import annotations

from datetime import date

from mps.registry import actions
from mps.registry.actions import CertificationData, LocationData, ServiceData


def service_data(
    name: str,
    category: str = "SaaS",
    countries: tuple[str, ...] = ("NO",),
    region: str = "",
    certs: tuple[tuple[str, date], ...] = (),
    description_nb: str = "",
    description_en: str = "",
    platform_domains: tuple[str, ...] = (),
) -> ServiceData:
    return ServiceData(
        name=name,
        category=category,
        description_nb=description_nb,
        description_en=description_en,
        locations=tuple(LocationData(c, region) for c in countries),
        certifications=tuple(CertificationData(s, d, "", "") for s, d in certs),
        platform_domains=platform_domains,
    )


def make_service(vendor, name: str, *, publish: bool = True, **kwargs):
    service = actions.create_service(None, vendor, service_data(name, **kwargs))
    if publish:
        actions.publish(None, service)
        service.refresh_from_db()
    return service
