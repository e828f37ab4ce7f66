"""OCDS 1.1 export: package and release required fields, parties, awards, contracts, relatedProcesses."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from mps.agreements import actions
from mps.core.tenancy import viewer_for
from tests.agreements.helpers import active_calloff, calloff_input, join, make_cips

pytestmark = pytest.mark.django_db

# OCDS 1.1 schema: release-package and release "required" lists.
PACKAGE_REQUIRED = {"uri", "publisher", "publishedDate", "releases", "version"}
RELEASE_REQUIRED = {"ocid", "id", "date", "tag", "initiationType"}


def _export(*args: str) -> dict:
    out = StringIO()
    call_command("ocds", "export", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_export_has_required_fields_and_the_call_off_points_to_its_framework(world, settings):
    settings.MPS_OCID_PREFIX = "ocds-test01"
    cips = make_cips(world)
    calloff = active_calloff(world.alice, cips, world, services=[cips.vm, cips.storage])
    package = _export()
    assert package.keys() >= PACKAGE_REQUIRED and package["version"] == "1.1"
    releases = {r["ocid"]: r for r in package["releases"]}
    for release in releases.values():
        assert release.keys() >= RELEASE_REQUIRED
        assert release["ocid"].startswith("ocds-test01-")
    framework = releases[f"ocds-test01-agreement-{cips.agreement.pk}"]
    call = releases[f"ocds-test01-calloff-{calloff.pk}"]
    assert call["relatedProcesses"] == [
        {
            "id": "framework",
            "relationship": ["framework"],
            "title": "Skytjenester (test)",
            "scheme": "ocid",
            "identifier": framework["ocid"],
        }
    ]
    roles = {p["name"]: p["roles"] for p in call["parties"]}
    assert roles == {
        "Eksempel kommune": ["buyer", "procuringEntity"],
        "Skyleverandør AS": ["supplier"],
    }
    buyer = next(p for p in call["parties"] if p["name"] == "Eksempel kommune")
    assert buyer["identifier"] == {
        "scheme": "NO-BRC",
        "id": world.eksempel.orgnr,
        "legalName": "Eksempel kommune",
    }
    assert call["buyer"]["id"] == buyer["id"]
    contract = call["contracts"][0]
    assert contract["awardID"] == call["awards"][0]["id"]
    assert contract["value"] == {"amount": 1200000.0, "currency": "NOK"}
    assert contract["status"] == "active"
    assert {i["description"] for i in contract["items"]} == {"Sky VM", "Sky Objektlager"}
    supplier_ids = {s["id"] for a in framework["awards"] for s in a["suppliers"]}
    assert supplier_ids == {f"NO-BRC-{world.vendor.orgnr}", f"NO-BRC-{world.other_vendor.orgnr}"}
    assert {lot["id"] for lot in framework["tender"]["lots"]} == {"lot-1", "lot-2"}
    party_ids = [p["id"] for p in framework["parties"]]
    assert len(party_ids) == len(set(party_ids))


def test_draft_call_offs_are_not_published(world):
    cips = make_cips(world)
    join(world.alice, cips)
    actions.do_create_calloff(viewer_for(world.alice), world.eksempel, calloff_input(cips, world))
    assert [r["ocid"].split("-")[-2] for r in _export()["releases"]] == ["agreement"]


def test_export_of_one_agreement_and_unknown_agreement_is_an_error(world):
    cips = make_cips(world)
    assert len(_export("--agreement", str(cips.agreement.pk))["releases"]) == 1
    with pytest.raises(CommandError, match="99999"):
        _export("--agreement", "99999")


def test_ocid_prefix_defaults_when_not_configured(world, settings):
    if hasattr(settings, "MPS_OCID_PREFIX"):
        del settings.MPS_OCID_PREFIX
    make_cips(world)
    assert _export()["releases"][0]["ocid"].startswith("ocds-mps000-")


def test_api_package_shows_only_the_viewers_call_offs(world, login):
    cips = make_cips(world)
    active_calloff(world.alice, cips, world)
    active_calloff(world.bob, cips, world, title="Annen kommunes avrop")
    package = login(world.alice).get(reverse("api:agreements_ocds")).json()
    titles = [r["tender"]["title"] for r in package["releases"]]
    assert "Drift av fagsystem" in titles and "Annen kommunes avrop" not in titles
    operator = login(world.ola).get(reverse("api:agreements_ocds")).json()
    assert len(operator["releases"]) == 3
