"""The privacy API: the same journey as the pages, with problem details on bad input."""

from __future__ import annotations

import json

import pytest

from mps.accounts.actions import do_create_token
from mps.privacy.models import ReviewTask
from tests.privacy.factories import ACME, activity, declared_service, dpf_chain, dpf_listed
from tests.registry.factories import make_service

pytestmark = pytest.mark.django_db


def auth(user, scope="write"):
    _, secret = do_create_token(user, "test", scope)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def call(client, method, path, user, body=None, scope="write"):
    kwargs = auth(user, scope)
    if body is not None:
        kwargs |= {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(f"/api/v1/privacy{path}", **kwargs)


CHAIN = {
    "processing_locations": ["NO"],
    "dpa_version": "1.0",
    "entries": [
        {
            "legal_name": "Skyleverandør AS",
            "country": "NO",
            "function": "Drift",
            "access": "processing",
        },
        {
            "legal_name": ACME,
            "country": "US",
            "function": "E-post",
            "access": "processing",
            "upstream": 0,
            "dpf_claimed": True,
        },
    ],
}


def test_a_vendor_declares_and_publishes_and_an_agency_reads_the_assessment(world, client):
    dpf_listed()
    service = make_service(world.vendor, "Sak")
    saved = call(client, "put", f"/services/{service.pk}/declaration", world.vera, CHAIN)
    assert saved.status_code == 200, saved.content
    published = call(client, "post", f"/services/{service.pk}/declaration/publish", world.vera)
    assert published.status_code == 200
    assert published.json()["declaration"]["status"] == "published"
    created = call(
        client,
        "post",
        "/activities",
        world.alice,
        {"name": "Byggesak", "data_categories": ["contact"], "service_ids": [service.pk]},
    )
    assert created.status_code == 201, created.content
    hops = call(client, "get", f"/activities/{created.json()['id']}/assessment", world.alice).json()
    assert [(h["entity"], h["mechanism"], h["status"]) for h in hops] == [
        ("Skyleverandør AS", "eea", "ok"),
        (ACME, "dpf", "ok"),
    ]
    assert hops[1]["explanation"]["nb"] and hops[1]["explanation"]["en"]
    assert call(client, "get", f"/activities/{created.json()['id']}", world.bob).status_code == 404


def test_bad_chains_give_problem_details_naming_the_entry(world, client):
    service = make_service(world.vendor, "Sak")
    bad = {
        "entries": [
            {"legal_name": "X", "country": "QQ", "function": "Drift", "access": "processing"}
        ]
    }
    response = call(client, "put", f"/services/{service.pk}/declaration", world.vera, bad)
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/problem+json")
    assert "QQ" in response.content.decode()


def test_only_the_vendor_writes_its_declaration_and_read_tokens_write_nothing(world, client):
    service = make_service(world.vendor, "Sak")
    assert call(
        client, "put", f"/services/{service.pk}/declaration", world.viktor, CHAIN
    ).status_code in (403, 404)
    assert (
        call(
            client, "put", f"/services/{service.pk}/declaration", world.vera, CHAIN, scope="read"
        ).status_code
        == 403
    )


def test_agencies_decide_their_review_tasks_through_the_api(world, client):
    service = declared_service(world.vendor, "Sak", dpf_chain())
    activity(world.eksempel, "Sak", [service])
    call(
        client,
        "put",
        f"/services/{service.pk}/declaration",
        world.vera,
        CHAIN | {"dpa_version": "2.0"},
    )
    out = call(client, "post", f"/services/{service.pk}/declaration/publish", world.vera).json()
    assert out["agencies_notified"] == 1
    reviews = call(client, "get", "/reviews", world.alice).json()
    task_id = reviews["items"][0]["id"]
    assert reviews["items"][0]["changes"]["declaration"]
    assert call(client, "get", "/reviews", world.bob).json()["items"] == []
    decided = call(
        client, "post", f"/reviews/{task_id}/decision", world.alice, {"decision": "accepted"}
    )
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    assert ReviewTask.objects.get().status == "accepted"
