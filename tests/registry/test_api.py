"""The register API: search with the page's filters, detail with versions, vendor writes."""

import json
from datetime import timedelta

from django.utils import timezone

from mps.accounts.actions import do_create_token
from mps.registry.models import Service
from tests.registry.factories import make_service

BASE = "/api/v1/services/"


def _auth(user, scope="write"):
    _, secret = do_create_token(user, "test", scope)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _body(**extra):
    return {
        "name": "API-tjeneste",
        "category": "SaaS",
        "description_nb": "Laget i API-et",
        "locations": [{"country": "NO", "region": "Oslo"}],
        "certifications": [{"standard": "SOC 2", "valid_until": "2030-06-30"}],
        **extra,
    }


def test_list_searches_with_filters_and_paginates(world, client):
    make_service(world.vendor, "Lagring Nord", category="IaaS")
    make_service(world.vendor, "Lagring Sør", category="SaaS", countries=("US",))
    make_service(world.vendor, "Kladd Lagring", publish=False)
    auth = _auth(world.alice, "read")
    data = client.get(BASE, {"q": "lagring"}, **auth).json()
    assert [s["name"] for s in data["items"]] == ["Lagring Nord", "Lagring Sør"] and data[
        "count"
    ] == 2
    data = client.get(BASE, {"q": "lagring", "location": "outside_eea"}, **auth).json()
    assert [s["name"] for s in data["items"]] == ["Lagring Sør"]
    assert data["items"][0]["vendor"] == "Skyleverandør AS"
    data = client.get(BASE, {"limit": 1}, **auth).json()
    assert len(data["items"]) == 1 and data["count"] == 2


def test_detail_flags_expired_and_expiring_certificates(world, client):
    today = timezone.localdate()
    service = make_service(
        world.vendor,
        "Sky",
        certs=(
            ("SOC 2", today - timedelta(days=1)),
            ("BSI C5", today + timedelta(days=10)),
            ("ISO/IEC 27001", today + timedelta(days=365)),
        ),
    )
    data = client.get(f"{BASE}{service.pk}", **_auth(world.alice, "read")).json()
    statuses = [c["status"] for c in data["versions"][0]["certifications"]]
    assert statuses == ["expired", "expiring", "valid"]


def test_a_vendor_creates_updates_publishes_and_withdraws_through_the_api(world, client):
    auth = _auth(world.vera)
    created = client.post(BASE, json.dumps(_body()), content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    sid = created.json()["id"]
    assert created.json()["status"] == "draft"
    updated = client.put(
        f"{BASE}{sid}/draft",
        json.dumps(_body(name="API-tjeneste 2", platform_domains=["*.Kunde.Example.no"])),
        content_type="application/json",
        **auth,
    )
    assert updated.status_code == 200 and updated.json()["versions"][0]["name"] == "API-tjeneste 2"
    assert updated.json()["versions"][0]["platform_domains"] == ["kunde.example.no"]
    published = client.post(f"{BASE}{sid}/publish", **auth)
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = client.post(f"{BASE}{sid}/publish", **auth)
    assert again.status_code == 422 and again["Content-Type"] == "application/problem+json"
    withdrawn = client.post(f"{BASE}{sid}/withdraw", **auth)
    assert withdrawn.json()["status"] == "withdrawn"


def test_invalid_service_data_is_a_problem_naming_the_field(world, client):
    response = client.post(
        BASE,
        json.dumps(_body(category="Cloud")),
        content_type="application/json",
        **_auth(world.vera),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == ["category"]
    assert "'Cloud'" in response.json()["detail"]


def test_agencies_and_read_tokens_cannot_write(world, client):
    service = make_service(world.vendor, "Sky")
    assert (
        client.post(
            BASE,
            json.dumps(_body(vendor_id=world.vendor.pk)),
            content_type="application/json",
            **_auth(world.alice),
        ).status_code
        == 403
    )
    assert (
        client.post(f"{BASE}{service.pk}/withdraw", **_auth(world.vera, "read")).status_code == 403
    )
    assert client.post(f"{BASE}{service.pk}/withdraw", **_auth(world.viktor)).status_code == 403
    assert Service.objects.get(pk=service.pk).status == "published"


def test_another_vendors_draft_is_not_found(world, client):
    draft = make_service(world.other_vendor, "Hemmelig", publish=False)
    assert client.get(f"{BASE}{draft.pk}", **_auth(world.vera)).status_code == 404
    assert client.post(f"{BASE}{draft.pk}/publish", **_auth(world.vera)).status_code == 404


def test_an_unknown_filter_value_is_a_problem_naming_it(world, client):
    response = client.get(BASE, {"location": "mars"}, **_auth(world.alice, "read"))
    assert response.status_code == 422
    assert (
        response.json()["errors"][0]["location"] == ["location"]
        and "'mars'" in response.json()["detail"]
    )
