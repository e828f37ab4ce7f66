"""Versions: drafts change, published versions never do; publish and withdraw move the pointer."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from mps.core.models import AuditEntry
from mps.core.tenancy import viewer_for
from mps.registry import actions
from mps.registry.models import DataLocation, ImmutableVersionError, Service, ServiceVersion
from tests.registry.factories import make_service, service_data


def test_a_new_service_starts_as_a_private_draft(world):
    service = actions.do_create_service(
        viewer_for(world.vera), world.vendor, service_data("Sky Lagring")
    )
    assert service.status == "draft" and service.current_version is None
    assert service.versions.get().number == 1
    assert AuditEntry.objects.filter(
        action="registry.service.create", object_id=str(service.pk)
    ).exists()


def test_publishing_makes_the_draft_the_current_published_version(world):
    service = make_service(
        world.vendor, "Sky Lagring", countries=("NO", "SE"), region="Azure norwayeast"
    )
    assert service.status == "published"
    assert service.current_version.status == "published" and service.current_version.number == 1
    assert service.location_scope == "eea"
    assert "norwayeast" in service.search_words.split()


def test_a_published_version_cannot_be_changed(world):
    service = make_service(world.vendor, "Sky Lagring")
    version = ServiceVersion.objects.get(pk=service.current_version_id)
    version.name = "Changed behind the vendor's back"
    with pytest.raises(ImmutableVersionError):
        version.save()
    with pytest.raises(ImmutableVersionError):
        ServiceVersion.objects.filter(pk=version.pk).update(name="Changed in bulk")
    with pytest.raises(ImmutableVersionError):
        version.delete()
    with pytest.raises(ImmutableVersionError):
        DataLocation.objects.create(version=version, country="US")
    with pytest.raises(ImmutableVersionError):
        DataLocation.objects.filter(version=version).update(country="US")
    assert ServiceVersion.objects.get(pk=version.pk).name == "Sky Lagring"
    assert list(version.locations.values_list("country", flat=True)) == ["NO"]


def test_editing_a_published_service_creates_a_new_draft_and_keeps_the_published_one(world):
    service = make_service(world.vendor, "Sky Lagring")
    draft = actions.do_save_draft(
        viewer_for(world.vera), service, service_data("Sky Lagring 2", countries=("US",))
    )
    service.refresh_from_db()
    assert draft.number == 2 and draft.status == "draft"
    assert service.current_version.number == 1 and service.name == "Sky Lagring"
    assert service.location_scope == "norway"  # search still describes the published version
    actions.do_publish(viewer_for(world.vera), service)
    service.refresh_from_db()
    assert service.current_version_id == draft.pk and service.name == "Sky Lagring 2"
    assert service.location_scope == "outside_eea"
    assert list(service.versions.order_by("number").values_list("number", "status")) == [
        (1, "published"),
        (2, "published"),
    ]


def test_withdrawing_hides_the_service_from_search_but_keeps_history(world):
    service = make_service(world.vendor, "Sky Lagring")
    actions.do_withdraw(viewer_for(world.vera), service)
    service.refresh_from_db()
    assert service.status == "withdrawn"
    assert service.current_version.status == "withdrawn" and service.current_version.withdrawn_at
    assert service.current_version.name == "Sky Lagring"


def test_publishing_without_a_data_location_is_refused(world):
    service = actions.create_service(None, world.vendor, service_data("Uten sted", countries=()))
    with pytest.raises(ValidationError) as exc:
        actions.do_publish(viewer_for(world.vera), service)
    assert "locations" in exc.value.message_dict


def test_bad_data_names_the_field_and_value(world):
    with pytest.raises(ValidationError) as exc:
        actions.create_service(
            None,
            world.vendor,
            service_data(
                "X", category="Cloud", countries=("XX",), certs=(("ISO 99999", date(2030, 1, 1)),)
            ),
        )
    errors = exc.value.message_dict
    assert "'Cloud'" in errors["category"][0]
    assert "'XX'" in errors["locations"][0]
    assert "'ISO 99999'" in errors["certifications"][0]


def test_only_vendors_offer_services(world):
    with pytest.raises(ValidationError):
        actions.create_service(None, world.eksempel, service_data("Kommunal sky"))


def test_a_vendor_cannot_create_or_change_another_vendors_services(world):
    vera = viewer_for(world.vera)
    with pytest.raises(PermissionDenied):
        actions.do_create_service(vera, world.other_vendor, service_data("Fremmed"))
    theirs = make_service(world.other_vendor, "Annen tjeneste")
    with pytest.raises(PermissionDenied):
        actions.do_save_draft(vera, theirs, service_data("Kapret"))
    draft_only = make_service(world.other_vendor, "Hemmelig", publish=False)
    with pytest.raises(Http404):
        actions.do_publish(vera, draft_only)


def test_agencies_and_read_only_users_cannot_write(world):
    service = make_service(world.vendor, "Sky Lagring")
    for user in (world.alice, world.rolf):
        with pytest.raises(PermissionDenied):
            actions.do_withdraw(viewer_for(user), service)


def test_the_operator_can_act_for_any_vendor(world):
    ola = viewer_for(world.ola)
    service = actions.do_create_service(
        ola, world.other_vendor, service_data("Operatørens tjeneste")
    )
    actions.do_publish(ola, service)
    assert Service.objects.get(pk=service.pk).status == "published"


def test_starting_a_new_version_copies_the_published_content(world):
    service = make_service(
        world.vendor, "Sky Lagring", certs=(("ISO/IEC 27001", date(2030, 1, 1)),)
    )
    draft = actions.do_start_new_version(viewer_for(world.vera), service)
    assert draft.number == 2 and draft.name == "Sky Lagring"
    assert list(draft.certifications.values_list("standard", flat=True)) == ["ISO/IEC 27001"]
    assert actions.do_start_new_version(viewer_for(world.vera), service).pk == draft.pk
