import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from mps.accounts.actions import do_create_token, do_revoke_token
from mps.accounts.models import ApiToken
from mps.core.models import AuditEntry


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_token_is_shown_once_and_stored_only_as_a_hash(world, login):
    client = login(world.alice)
    response = client.post(reverse("accounts:create_token"), {"name": "ci", "scope": "read"})
    token = ApiToken.objects.get(name="ci")
    secret = response.context["new_secret"]
    assert secret.startswith("mps_") and secret in response.content.decode()
    assert secret not in token.token_hash and len(token.token_hash) == 64
    assert secret not in client.get(reverse("accounts:settings")).content.decode()
    assert AuditEntry.objects.filter(action="token.create", object_id=str(token.pk)).exists()


def test_the_api_answers_a_valid_token_and_records_its_last_use(world, client):
    token, secret = do_create_token(world.alice, "ci", "read")
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 200
    assert response.json()["username"] == "alice" and response.json()["token_scope"] == "read"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused_with_a_problem_document(world, client):
    token, secret = do_create_token(world.alice, "ci", "write")
    do_revoke_token(world.alice, token)
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401 and response.json()["title"]


def test_a_read_token_cannot_write(world, client):
    _, secret = do_create_token(world.alice, "ci", "read")
    path = f"/api/v1/organisations/{world.eksempel.pk}"
    response = client.patch(
        path,
        data=json.dumps({"website": "x.no"}),
        content_type="application/json",
        **bearer(secret),
    )
    assert response.status_code == 403
    assert response.json()["title"] == "Read-only token"
    world.eksempel.refresh_from_db()
    assert world.eksempel.website == ""


def test_a_write_token_changes_its_own_organisation_only(world, client):
    _, secret = do_create_token(world.alice, "ci", "write")
    own = client.patch(
        f"/api/v1/organisations/{world.eksempel.pk}",
        data=json.dumps({"website": "x.no"}),
        content_type="application/json",
        **bearer(secret),
    )
    other = client.patch(
        f"/api/v1/organisations/{world.annen.pk}",
        data=json.dumps({"website": "x.no"}),
        content_type="application/json",
        **bearer(secret),
    )
    assert own.status_code == 200 and own.json()["id"] == world.eksempel.pk
    assert other.status_code == 403 and other["Content-Type"] == "application/problem+json"


def test_invalid_api_input_names_the_field(world, client):
    _, secret = do_create_token(world.alice, "ci", "write")
    response = client.patch(
        f"/api/v1/organisations/{world.eksempel.pk}",
        data=json.dumps({"employees": "many"}),
        content_type="application/json",
        **bearer(secret),
    )
    assert response.status_code == 422
    assert any("employees" in e["location"] for e in response.json()["errors"])


def test_a_read_only_user_cannot_create_a_write_token(world):
    with pytest.raises(PermissionDenied):
        do_create_token(world.rolf, "ci", "write")


def test_another_users_token_cannot_be_revoked_by_a_member(world, login):
    token, _ = do_create_token(world.alice, "ci", "read")
    client = login(world.bob)
    assert client.post(reverse("accounts:revoke_token", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_unknown_api_paths_and_bad_tokens_give_problem_details(world, client):
    response = client.get("/api/v1/me", **bearer("mps_nothing_here"))
    assert response.status_code == 401
    assert response.json()["instance"] == "/api/v1/me"


def test_the_openapi_document_lists_the_endpoints(world, login):
    client = login(world.alice)
    document = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/me" in document["paths"]
    assert "/api/v1/organisations/" in document["paths"]
