"""A DPF re-import that lapses or narrows an entity alerts exactly the affected agencies."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from mps.core.models import AuditEntry
from mps.core.tenancy import viewer_for
from mps.privacy import dpf
from mps.privacy.dpfwatch import ListedOrganisation, Snapshot
from mps.privacy.models import DpfListEntry, HopAssessment, Notification
from mps.privacy.rules.model import DpfEntry
from tests.privacy.factories import (
    ACME,
    activity,
    declared_service,
    dpf_chain,
    dpf_listed,
    eea_chain,
)

pytestmark = pytest.mark.django_db


def listed(status="active", hr=True, non_hr=True):
    entry = DpfEntry(ACME, (), status, hr, non_hr, date(2099, 1, 1))
    return Snapshot(organisations=(ListedOrganisation(entry=entry),))


def test_a_lapsed_entity_blocks_its_hops_and_alerts_only_the_agencies_using_it(world):
    dpf_listed()
    us_service = declared_service(world.vendor, "Sak", dpf_chain())
    eea_service = declared_service(world.other_vendor, "Arkiv", eea_chain())
    using = activity(world.eksempel, "Sak", [us_service])
    activity(world.annen, "Arkiv", [eea_service])
    assert HopAssessment.objects.get(activity=using, country="US").status == "ok"

    result = dpf.import_snapshot(None, listed(status="inactive"))

    assert [c.kind for c in result.changes] == ["lapsed"]
    assert result.alerted_agency_ids == [world.eksempel.pk]
    note = Notification.objects.get()
    assert note.agency == world.eksempel and ACME in note.subject
    assert HopAssessment.objects.get(activity=using, country="US").status == "blocked"
    assert DpfListEntry.objects.get().eu_us == "inactive"
    alert = AuditEntry.objects.get(action="privacy.dpf.alert")
    assert (alert.object_id, alert.organisation) == (str(note.pk), world.eksempel)
    assert alert.after["subject"] == note.subject


def test_dropping_hr_coverage_alerts_only_agencies_whose_hop_reaches_hr_data(world):
    dpf_listed()
    service = declared_service(world.vendor, "Sak", dpf_chain())
    activity(world.eksempel, "Lønn", [service], categories=("hr", "contact"))
    activity(world.annen, "Sak", [service], categories=("contact",))
    result = dpf.import_snapshot(None, listed(hr=False))
    assert result.alerted_agency_ids == [world.eksempel.pk]
    assert Notification.objects.filter(agency=world.annen).count() == 0


def test_an_unchanged_list_alerts_no_one_and_only_the_operator_imports(world):
    dpf_listed()
    service = declared_service(world.vendor, "Sak", dpf_chain())
    activity(world.eksempel, "Sak", [service])
    assert dpf.import_snapshot(None, listed()).alerted_agency_ids == []
    with pytest.raises(PermissionDenied):
        dpf.do_import_snapshot(viewer_for(world.alice), listed(status="inactive"))
    assert (
        dpf.do_import_snapshot(viewer_for(world.ola), listed(status="inactive")).notifications == 1
    )


def test_the_cli_imports_a_snapshot_and_reports_the_alerted_agencies(world, tmp_path):
    import json as jsonlib

    from django.core.management import call_command

    dpf_listed()
    service = declared_service(world.vendor, "Sak", dpf_chain())
    activity(world.eksempel, "Sak", [service])
    path = tmp_path / "dpf.json"
    path.write_text(
        jsonlib.dumps(
            {
                "organisations": [
                    {
                        "organisation": ACME,
                        "eu_us": "inactive",
                        "hr": True,
                        "non_hr": True,
                        "next_due": "2099-01-01",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    from io import StringIO

    out = StringIO()
    call_command("privacy", "dpf-import", str(path), "--json", stdout=out)
    report = jsonlib.loads(out.getvalue())
    assert report["alerted_agency_ids"] == [world.eksempel.pk]
    assert [c["kind"] for c in report["changes"]] == ["lapsed"]


def test_the_operator_imports_a_snapshot_on_the_page_and_others_cannot(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    dpf_listed()
    service = declared_service(world.vendor, "Sak", dpf_chain())
    activity(world.eksempel, "Sak", [service])
    csv = f'organisation,eu_us,hr,non_hr,next_due\n"{ACME}",inactive,true,true,2099-01-01\n'
    upload = SimpleUploadedFile("dpf.csv", csv.encode(), content_type="text/csv")
    assert (
        login(world.alice).post(reverse("privacy:dpf_list"), {"snapshot": upload}).status_code
        == 403
    )
    upload = SimpleUploadedFile("dpf.csv", csv.encode(), content_type="text/csv")
    page = login(world.ola).post(reverse("privacy:dpf_list"), {"snapshot": upload})
    assert page.status_code == 200
    assert Notification.objects.get().agency == world.eksempel
    assert DpfListEntry.objects.get().eu_us == "inactive"
