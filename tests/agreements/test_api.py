"""The agreements API: reads scoped by tenancy, writes through the actions."""

from __future__ import annotations

import pytest

from mps.accounts.actions import do_create_token
from mps.agreements.models import CallOff, Membership
from tests.agreements.helpers import active_calloff, join, make_cips

pytestmark = pytest.mark.django_db
BASE = "/api/v1/agreements"


def _auth(user, scope="write"):
    _, secret = do_create_token(user, "test", scope)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_agreement_detail_has_lots_awards_and_published_services(world, client):
    cips = make_cips(world)
    data = client.get(f"{BASE}/{cips.agreement.pk}", **_auth(world.alice)).json()
    assert [lot["number"] for lot in data["lots"]] == [1, 2]
    award = next(a for a in data["lots"][0]["awards"] if a["vendor_id"] == world.vendor.pk)
    assert sorted(award["service_ids"]) == sorted([cips.vm.pk, cips.storage.pk])
    assert client.get(f"{BASE}/", **_auth(world.vera)).json()["count"] == 1


def test_join_and_opt_out_through_the_api(world, client):
    cips = make_cips(world)
    auth = _auth(world.alice)
    response = client.put(
        f"{BASE}/{cips.agreement.pk}/membership",
        {"status": "joined"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200 and response.json()["status"] == "joined"
    assert client.get(f"{BASE}/{cips.agreement.pk}/membership", **auth).json()["status"] == "joined"
    bad = client.put(
        f"{BASE}/{cips.agreement.pk}/membership",
        {"status": "withdrawn"},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422
    assert Membership.objects.get().status == "joined"


def test_read_token_cannot_join(world, client):
    cips = make_cips(world)
    response = client.put(
        f"{BASE}/{cips.agreement.pk}/membership",
        {"status": "joined"},
        content_type="application/json",
        **_auth(world.alice, "read"),
    )
    assert response.status_code == 403 and not Membership.objects.exists()


def test_memberships_list_is_scoped_to_own_agency(world, client):
    cips = make_cips(world)
    join(world.alice, cips)
    join(world.bob, cips)
    assert client.get(f"{BASE}/memberships", **_auth(world.alice)).json()["count"] == 1
    assert client.get(f"{BASE}/memberships", **_auth(world.ola)).json()["count"] == 2


def test_call_off_crud_through_actions(world, client):
    cips = make_cips(world)
    join(world.alice, cips)
    auth = _auth(world.alice)
    body = {
        "agreement_id": cips.agreement.pk,
        "lot_id": cips.iaas.pk,
        "vendor_id": world.vendor.pk,
        "service_ids": [cips.vm.pk],
        "title": "API-avrop",
        "estimated_value": "50000",
        "start": "2026-01-01",
        "end": "2026-12-31",
        "notice_months": 2,
    }
    created = client.post(f"{BASE}/calloffs", body, content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    data = created.json()
    assert (
        data["status"] == "draft"
        and data["notice_deadline"] == "2026-10-31"
        and data["service_ids"] == [cips.vm.pk]
    )
    calloff_id = data["id"]
    body["title"] = "API-avrop endret"
    updated = client.put(
        f"{BASE}/calloffs/{calloff_id}", body, content_type="application/json", **auth
    )
    assert updated.json()["title"] == "API-avrop endret"
    assert (
        client.post(f"{BASE}/calloffs/{calloff_id}/activate", **auth).json()["status"] == "active"
    )
    assert client.get(f"{BASE}/calloffs", **auth).json()["count"] == 1
    assert client.delete(f"{BASE}/calloffs/{calloff_id}", **auth).json()["status"] == "cancelled"
    assert CallOff.objects.get().status == "cancelled"


def test_invalid_call_off_is_a_problem_document_naming_the_field(world, client):
    cips = make_cips(world)
    join(world.alice, cips)
    body = {
        "agreement_id": cips.agreement.pk,
        "lot_id": cips.paas.pk,
        "vendor_id": world.vendor.pk,
        "title": "X",
        "estimated_value": "-1",
        "start": "2026-01-01",
        "end": "2025-12-31",
    }
    response = client.post(
        f"{BASE}/calloffs", body, content_type="application/json", **_auth(world.alice)
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    fields = {e["location"][0] for e in response.json()["errors"]}
    assert {"vendor", "estimated_value", "end"} <= fields


def test_other_agency_cannot_read_or_change_a_call_off(world, client):
    cips = make_cips(world)
    calloff = active_calloff(world.alice, cips, world)
    auth = _auth(world.bob)
    assert client.get(f"{BASE}/calloffs/{calloff.pk}", **auth).status_code == 404
    assert client.delete(f"{BASE}/calloffs/{calloff.pk}", **auth).status_code == 404
    assert (
        client.get(f"{BASE}/calloffs/{calloff.pk}/document?format=odt", **auth).status_code == 404
    )
    calloff.refresh_from_db()
    assert calloff.status == "active"


def test_call_off_document_via_api(world, client):
    cips = make_cips(world)
    calloff = active_calloff(world.alice, cips, world)
    response = client.get(
        f"{BASE}/calloffs/{calloff.pk}/document?format=docx", **_auth(world.alice)
    )
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_lot_endpoint_and_ocds_for_one_agreement(world, client):
    cips = make_cips(world)
    auth = _auth(world.vera)
    lot = client.get(f"{BASE}/lots/{cips.paas.pk}", **auth).json()
    assert lot["number"] == 2 and lot["awards"] == []
    package = client.get(f"{BASE}/ocds?agreement={cips.agreement.pk}", **auth).json()
    assert [r["tender"]["id"] for r in package["releases"]] == ["TEST-CIPS"]
    assert client.get(f"{BASE}/ocds?agreement=999999", **auth).status_code == 404
