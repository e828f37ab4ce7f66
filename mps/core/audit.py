"""Write the audit log. Every action function calls `record` inside its transaction."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from mps.core.models import AuditEntry


def snapshot(obj: models.Model, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The object's concrete field values, JSON-safe, for before/after records."""
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in exclude or f.name in {"password"}:
            continue
        data[f.attname] = f.value_from_object(obj)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def owner_of(obj: models.Model) -> Any:
    """The organisation that owns obj, following the model's tenant_owner path."""
    from mps.core.tenancy import owner_organisation

    return owner_organisation(obj)


def record(
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    organisation: Any = None,
) -> AuditEntry:
    """Append one entry. `actor` is a User, or None for the system (CLI without a user, imports)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_name = actor.get_username()
        actor_obj = actor
    else:
        actor_name = str(actor) if isinstance(actor, str) else "system"
        actor_obj = None
    return AuditEntry.objects.create(
        actor=actor_obj,
        actor_name=actor_name,
        organisation=organisation if organisation is not None else owner_of(obj),
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=before,
        after=after,
    )
