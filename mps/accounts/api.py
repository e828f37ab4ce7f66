"""Who am I: the caller's user, organisation and role."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["accounts"])
PREFIX = "/me"


class MeOut(Schema):
    username: str
    organisation_id: int | None
    organisation: str | None
    kind: str | None
    role: str
    token_scope: str | None


@router.get("", response=MeOut)
def me(request: HttpRequest):
    v = request.viewer
    return MeOut(
        username=v.user.get_username(),
        organisation_id=v.organisation_id,
        organisation=v.organisation.name if v.organisation else None,
        kind=v.kind,
        role=v.role,
        token_scope=v.token_scope,
    )
