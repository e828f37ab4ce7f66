"""The audit log in the API: the same entries, for the same people, as the audit log page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from mps.core.models import AuditEntry
from mps.core.tenancy import visible

router = Router(tags=["audit"])
PREFIX = "/audit"


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor_name: str
    organisation_id: int | None
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any = None
    after: Any = None


@router.get("/", response=list[AuditEntryOut])
@paginate
def list_audit_entries(
    request: HttpRequest, object_type: str | None = None, action: str | None = None
):
    """Newest first. Organisation administrators see their own organisation's; the operator all."""
    viewer = request.viewer
    if not (viewer.is_admin or viewer.is_operator):
        raise PermissionDenied("The audit log is for administrators.")
    entries = visible(AuditEntry, viewer)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if action:
        entries = entries.filter(action=action)
    return entries
