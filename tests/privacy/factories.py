"""Declarations and activities for the platform tests, made through the action layer."""

from __future__ import annotations

from datetime import date

from mps.privacy import actions
from mps.privacy.actions import ActivityData, DeclarationData, EntryData
from mps.privacy.models import DpfListEntry
from tests.registry.factories import make_service

ACME = "Acme Cloud, Inc."


def processor(name: str = "Skyleverandør AS", country: str = "NO") -> EntryData:
    return EntryData(
        legal_name=name, country=country, function="Drift av tjenesten", access="processing"
    )


def eea_chain() -> tuple[EntryData, ...]:
    return (
        processor(),
        EntryData("Datasenter GmbH", "DE", "Lagring", "storage", upstream=0),
    )


def dpf_chain() -> tuple[EntryData, ...]:
    return (
        processor(),
        EntryData(ACME, "US", "Databehandling i skyen", "processing", upstream=0, dpf_claimed=True),
    )


def india_chain() -> tuple[EntryData, ...]:
    return (
        processor(),
        EntryData(
            "Support Services India Pvt Ltd",
            "IN",
            "Kundestøtte",
            "remote",
            upstream=0,
            scc_module=3,
        ),
    )


def declaration(entries: tuple[EntryData, ...], **kwargs) -> DeclarationData:
    defaults = {
        "processing_locations": ("NO",),
        "dpa_version": "1.0",
        "dpa_date": date(2026, 1, 1),
        "dpa_url": "https://example.test/dpa",
        "encryption_at_rest": True,
        "encryption_in_transit": True,
    }
    return DeclarationData(entries=entries, **(defaults | kwargs))


def declared_service(vendor, name: str, entries: tuple[EntryData, ...], **kwargs):
    service = make_service(vendor, name)
    actions.save_declaration_draft(None, service, declaration(entries, **kwargs))
    actions.publish_declaration(None, service)
    return service


def activity(agency, name: str, services=(), categories=("contact", "case_data"), **kwargs):
    data = ActivityData(
        name=name,
        purposes="Saksbehandling",
        legal_bases=("6_1_e",),
        data_subjects=("residents",),
        data_categories=tuple(categories),
        service_ids=tuple(s.pk for s in services),
        **kwargs,
    )
    return actions.create_activity(None, agency, data)


def dpf_listed(
    name: str = ACME, *, status: str = "active", hr: bool = True, next_due=date(2099, 1, 1)
):
    return DpfListEntry.objects.create(
        organisation=name, eu_us=status, hr=hr, non_hr=True, next_due=next_due
    )
