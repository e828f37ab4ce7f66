"""Fides (fideslang) exchange: export an agency's activities, import them all or none."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from mps.core.models import AuditEntry
from mps.privacy import actions, fides
from mps.privacy.actions import ActivityData
from mps.privacy.fides import FidesImportError
from mps.privacy.fides_import import import_activities
from mps.privacy.models import ProcessingActivity
from tests.privacy.factories import activity, declared_service, eea_chain

pytestmark = pytest.mark.django_db


def hr_activity(world):
    data = ActivityData(
        name="Lønn og personal",
        purposes="Lønn",
        legal_bases=("6_1_e",),
        data_subjects=("employees", "residents"),
        data_categories=("contact", "hr", "national_id", "confidential"),
    )
    return actions.create_activity(None, world.eksempel, data)


def system(name="Sak", categories=("user.contact",), subjects=("customer",), **extra):
    declaration = {
        "name": name,
        "data_categories": list(categories),
        "data_use": "essential.service",
        "data_subjects": list(subjects),
    }
    return {
        "fides_key": name.lower(),
        "name": name,
        "system_type": "Service",
        "privacy_declarations": [declaration],
    } | extra


def doc(*systems) -> bytes:
    return json.dumps({"system": list(systems)}).encode()


def test_the_export_maps_known_keys_and_carries_the_rest_as_tags(world):
    act = hr_activity(world)
    document = fides.export_document(world.eksempel, [act])
    [org] = document["organization"]
    [item] = document["system"]
    assert item["organization_fides_key"] == org["fides_key"]
    [declaration] = item["privacy_declarations"]
    assert declaration["data_categories"] == [
        "user.contact",
        "user.job_title",
        "user.government_id.national_identification_number",
    ]
    assert declaration["data_subjects"] == ["employee"]
    assert declaration["data_use"] == "employment"
    assert declaration["legal_basis_for_processing"] == "Public interest"
    assert item["tags"] == ["mps:category:confidential", "mps:subject:residents"]
    assert item["data_responsibility_title"] == "Controller"


def test_an_export_imported_by_another_agency_gives_the_same_record(world):
    act = hr_activity(world)
    data = fides.export_json(world.eksempel, [act])
    result = import_activities(None, world.annen, data, "fides.json")
    assert result.created == ["Lønn og personal"] and result.updated == []
    copy = ProcessingActivity.objects.get(agency=world.annen)
    assert copy.data_categories == ["contact", "hr", "national_id", "confidential"]
    assert sorted(copy.data_subjects) == ["employees", "residents"]
    assert copy.legal_bases == ["6_1_e"]
    assert "Fides data use: employment" in copy.purposes
    assert AuditEntry.objects.filter(action="privacy.fides.import").count() == 1


def test_unknown_keys_are_reported_by_file_item_field_and_value_and_nothing_is_written(world):
    good = system("Gyldig")
    bad = system(
        "Ugyldig", categories=("user.contact.email", "user.behavior"), subjects=("commuter",)
    )
    bad["privacy_declarations"][0]["data_use"] = "provide.service"
    with pytest.raises(FidesImportError) as caught:
        import_activities(None, world.eksempel, doc(good, bad), "fil.json")
    issues = {(i.file, i.item, i.field, i.value) for i in caught.value.issues}
    assert issues == {
        (
            "fil.json",
            "system[1] ugyldig",
            "privacy_declarations[0].data_categories",
            "user.behavior",
        ),
        ("fil.json", "system[1] ugyldig", "privacy_declarations[0].data_subjects", "commuter"),
        ("fil.json", "system[1] ugyldig", "privacy_declarations[0].data_use", "provide.service"),
    }
    assert not ProcessingActivity.objects.exists()


def test_a_record_that_would_not_validate_rolls_back_the_whole_file(world):
    health = system("Helse", categories=("user.health_and_medical",), subjects=("patient",))
    with pytest.raises(FidesImportError) as caught:
        import_activities(None, world.eksempel, doc(system("Først"), health), "fil.json")
    [issue] = caught.value.issues
    assert (issue.item, issue.field) == ("system[1] helse", "special_condition")
    assert not ProcessingActivity.objects.exists()


def test_an_activity_with_the_same_name_is_updated_and_keeps_its_services(world):
    service = declared_service(world.vendor, "Arkiv", eea_chain())
    act = activity(world.eksempel, "Sak", [service])
    result = import_activities(
        None, world.eksempel, doc(system("Sak", categories=("user.location",))), "f.json"
    )
    assert result.updated == ["Sak"]
    act.refresh_from_db()
    assert act.data_categories == ["location"] and act.data_subjects == ["clients"]
    assert list(act.services.all()) == [service]
    assert act.hops.count() == 2


def test_the_cli_imports_for_an_agency_and_lists_problems_with_an_error_exit(world, tmp_path):
    path = tmp_path / "fides.json"
    path.write_bytes(doc(system("Sak")))
    out = tmp_path / "out.txt"
    with out.open("w") as stream:
        call_command(
            "privacy",
            "fides-import",
            str(path),
            "--org",
            world.eksempel.orgnr,
            "--json",
            stdout=stream,
        )
    assert json.loads(out.read_text())["created"] == ["Sak"]
    path.write_bytes(doc(system("Annen", subjects=("shareholder",))))
    with pytest.raises(CommandError) as caught:
        call_command("privacy", "fides-import", str(path), "--org", world.eksempel.orgnr)
    assert "data_subjects" in str(caught.value) and "shareholder" in str(caught.value)
    assert ProcessingActivity.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("privacy", "fides-import", str(path), "--org", world.vendor.orgnr)


def test_an_agency_downloads_and_uploads_a_fides_document_without_javascript(world, login):
    hr_activity(world)
    client = login(world.alice)
    response = client.get(reverse("privacy:record_fides"))
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["system"][0]["name"] == "Lønn og personal"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("fides.json", doc(system("Ny behandling")), "application/json")
    response = client.post(reverse("privacy:fides_upload"), {"fides": upload})
    assert response.status_code == 302
    assert ProcessingActivity.objects.filter(agency=world.eksempel, name="Ny behandling").exists()
    assert login(world.vera).get(reverse("privacy:record_fides")).status_code == 403
    read_only = login(world.rolf)
    upload = SimpleUploadedFile("fides.json", doc(system("Ikke lov")), "application/json")
    read_only.post(reverse("privacy:fides_upload"), {"fides": upload})
    assert not ProcessingActivity.objects.filter(name="Ikke lov").exists()
