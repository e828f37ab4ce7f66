"""Walk every URL of the web UI and the API as each role against another organisation's objects.

Each app contributes the victims' private objects in `tests/<app>/tenancy.py` through
`victim_objects(world)`, putting CANARY into text fields that its pages would show. The test
fails if any attacker response contains a canary, or if any attacker request changes any row.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import pkgutil

import pytest
from django.apps import apps
from django.core import serializers

import tests
from mps.accounts.actions import do_create_token
from tests.tenancy.walker import all_routes, fill, model_for_param, object_for

CANARY = "CANARY"
UNWATCHED = {
    "core.AuditEntry",
    "accounts.FailedLogin",
}  # bookkeeping that every request may append to
VOLATILE_FIELDS = {"last_used_at", "last_login"}
METHODS = ("get", "post", "put", "patch", "delete")
# A hostile body: the field names our forms and schemas commonly use, with plausible values.
HOSTILE_FORM = {
    "name": "HACKED",
    "status": "withdrawn",
    "confirm": "yes",
    "decision": "opted_out",
    "scope": "write",
    "role": "admin",
    "username": "mallory",
    "email": "m@example.test",
    "requirements": "HACKED",
    "estimated_value_nok": "1",
    "start": "2026-01-01",
    "end": "2027-01-01",
    "category": "SaaS",
    "description_nb": "HACKED",
    "description_en": "HACKED",
    "website": "hacked.example",
    "employees": "1",
    "peer_opt_in": "on",
    "note": "HACKED",
    "justification": "HACKED",
    "reason": "HACKED",
}


def contributed_victim_factories():
    factories = []
    for module in pkgutil.iter_modules(tests.__path__):
        if not module.ispkg:
            continue
        try:
            mod = importlib.import_module(f"tests.{module.name}.tenancy")
        except ModuleNotFoundError:
            continue
        if hasattr(mod, "victim_objects"):
            factories.append(mod.victim_objects)
    return factories


def fingerprint(victims: set[int]) -> str:
    """A digest of every victim-owned row and every reference-data row of every mps model.

    Attackers may change their own organisation's rows; they may change no victim row and
    (not being the operator) no reference data.
    """
    digest = hashlib.sha256()
    for model in apps.get_models():
        if not model.__module__.startswith("mps.") or model._meta.label in UNWATCHED:
            continue
        owner = getattr(model, "tenant_owner", None)
        rows = model._default_manager.all()
        if owner == "self":
            rows = rows.filter(pk__in=victims)
        elif owner is not None:
            rows = rows.filter(**{f"{owner}__in": victims})
        data = json.loads(serializers.serialize("json", rows.order_by("pk")))
        stable = [
            {k: v for k, v in r["fields"].items() if k not in VOLATILE_FIELDS} | {"pk": r["pk"]}
            for r in data
        ]
        digest.update(model._meta.label.encode() + json.dumps(stable, sort_keys=True).encode())
    return digest.hexdigest()


@pytest.fixture
def victims(world):
    for factory in contributed_victim_factories():
        factory(world)
    return {world.annen.pk, world.other_vendor.pk}


def _requests(client, route, path, auth_header):
    for method in METHODS:
        call = getattr(client, method)
        if route.is_api:
            body = json.dumps(HOSTILE_FORM)
            yield (
                method,
                call(path, data=body, content_type="application/json", **auth_header)
                if method != "get"
                else call(path, **auth_header),
            )
        else:
            yield method, call(path, data=HOSTILE_FORM) if method != "get" else call(path)


@pytest.mark.django_db(transaction=False)
def test_no_role_sees_or_changes_another_organisations_private_data(world, victims, client):
    routes = all_routes()
    assert any(r.is_api for r in routes) and any(not r.is_api for r in routes)
    values = {}
    for route in routes:
        for param in route.params:
            if param in values:
                continue
            model = model_for_param(param)
            obj = object_for(model, victims)
            assert obj is not None, (
                f"{route.route}: no {model.__name__} of a victim organisation; add one in tests/<app>/tenancy.py"
            )
            values[param] = obj.pk
    before = fingerprint(victims)
    attackers = [world.alice, world.mari, world.rolf, world.vera, world.nina]
    leaks, checked = [], 0
    for user in attackers:
        client.force_login(user)
        _, secret = do_create_token(user, "walker", "write" if user.role != "read_only" else "read")
        auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        for route in routes:
            path = fill(route, values)
            for method, response in _requests(client, route, path, auth):
                checked += 1
                body = response.content.decode("utf-8", "replace") if not response.streaming else ""
                if CANARY in body:
                    leaks.append(
                        f"{user.username} {method.upper()} {path} → {response.status_code}"
                    )
        client.logout()
    assert not leaks, "private data leaked:\n" + "\n".join(leaks)
    assert fingerprint(victims) == before, "an attacker request changed another organisation's data"
    assert checked >= len(routes) * len(METHODS) * len(attackers)


@pytest.mark.django_db
def test_the_walk_would_see_a_leak_the_operator_is_shown_private_data(world, victims, client):
    """Positive control: with the operator's full view, canaries do appear, so the check above can fail."""
    routes = all_routes()
    values = {}
    for route in routes:
        for param in route.params:
            values.setdefault(param, object_for(model_for_param(param), victims).pk)
    client.force_login(world.ola)
    seen = [
        r.route
        for r in routes
        if not r.is_api and CANARY in client.get(fill(r, values)).content.decode("utf-8", "replace")
    ]
    assert seen, (
        "no page showed the operator a victim's canary: the tenancy walk cannot detect leaks"
    )
