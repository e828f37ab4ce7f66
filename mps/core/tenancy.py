"""The tenancy rule, in one place.

Every view, API endpoint and command that reads or writes organisation data asks this
module for its queryset. A model states who owns its rows and which rows are published:

    tenant_owner = "agency"                  # path to the owning Organisation ("self" for Organisation)
    tenant_published = Q(status="published") # rows every logged-in user may read (optional)

A model without `tenant_owner` is reference data: every logged-in user reads it, only the
operator changes it. The rule:
- the operator sees and changes everything;
- an agency or vendor user sees its own organisation's rows and published rows, and changes
  only its own organisation's rows, and only with a role that may write;
- a central-function user sees its own rows and published rows; aggregates come from
  dedicated aggregate functions that never return private detail. Rows of models marked
  ``tenant_evidence = True`` (findings and their evidence) it also sees for an organisation
  the operator has granted it, while the grant is in force (``core.EvidenceGrant``);
- anonymous users see nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

M = TypeVar("M", bound=models.Model)

ROLE_ADMIN = "admin"
ROLE_MEMBER = "member"
ROLE_READ_ONLY = "read_only"
WRITING_ROLES = {ROLE_ADMIN, ROLE_MEMBER}
READ_SCOPE = "read"  # noqa: S105 - an API token scope name, not a secret

KIND_AGENCY = "agency"
KIND_VENDOR = "vendor"
KIND_OPERATOR = "operator"
KIND_CENTRAL = "central"


@dataclass(frozen=True)
class Viewer:
    """Who is asking: the user, their organisation, its kind, and their role."""

    user: Any
    organisation: Any
    role: str
    token_scope: str | None = None  # "read" or "write" when the request came with an API token

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None and bool(getattr(self.user, "is_authenticated", False))

    @property
    def kind(self) -> str | None:
        return self.organisation.kind if self.organisation is not None else None

    @property
    def organisation_id(self) -> int | None:
        return self.organisation.pk if self.organisation is not None else None

    @property
    def is_operator(self) -> bool:
        return self.is_authenticated and (
            self.kind == KIND_OPERATOR or bool(self.user.is_superuser)
        )

    @property
    def is_central(self) -> bool:
        return self.is_authenticated and self.kind == KIND_CENTRAL

    @property
    def is_agency(self) -> bool:
        return self.is_authenticated and self.kind == KIND_AGENCY

    @property
    def is_vendor(self) -> bool:
        return self.is_authenticated and self.kind == KIND_VENDOR

    @property
    def is_admin(self) -> bool:
        return self.is_authenticated and (self.role == ROLE_ADMIN or bool(self.user.is_superuser))

    @property
    def can_write(self) -> bool:
        if not self.is_authenticated or self.token_scope == READ_SCOPE:
            return False
        return self.role in WRITING_ROLES or bool(self.user.is_superuser)


ANONYMOUS = Viewer(user=None, organisation=None, role="")


def viewer_for(user: Any, token_scope: str | None = None) -> Viewer:
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    return Viewer(
        user=user,
        organisation=getattr(user, "organisation", None),
        role=getattr(user, "role", "") or "",
        token_scope=token_scope,
    )


def _owner_path(model: type[models.Model]) -> str | None:
    return getattr(model, "tenant_owner", None)


def _owner_q(model: type[models.Model], viewer: Viewer) -> Q:
    path = _owner_path(model)
    if path == "self":
        return Q(pk=viewer.organisation_id)
    return Q(**{path: viewer.organisation_id})


def _queryset(source: type[M] | models.QuerySet[M]) -> models.QuerySet[M]:
    if isinstance(source, models.QuerySet):
        return source
    return source._default_manager.all()


def visible(source: type[M] | models.QuerySet[M], viewer: Viewer) -> models.QuerySet[M]:
    """Rows the viewer may read."""
    qs = _queryset(source)
    if not viewer.is_authenticated:
        return qs.none()
    if viewer.is_operator:
        return qs
    model = qs.model
    if _owner_path(model) is None:
        return qs
    if viewer.organisation is None:
        return qs.none()
    condition = _owner_q(model, viewer)
    published = getattr(model, "tenant_published", None)
    if published is not None:
        condition |= published
    if viewer.is_central and getattr(model, "tenant_evidence", False):
        condition |= Q(**{f"{_owner_path(model)}__in": granted_subjects(viewer)})
    return qs.filter(condition)


def granted_subjects(viewer: Viewer) -> models.QuerySet[Any]:
    """Ids of organisations whose evidence the viewer's organisation is granted today."""
    from django.utils import timezone

    from mps.core.models import EvidenceGrant

    return EvidenceGrant.objects.filter(
        grantee_id=viewer.organisation_id,
        revoked_at__isnull=True,
        expires_on__gte=timezone.localdate(),
    ).values("subject_id")


def may_see_evidence(viewer: Viewer, organisation: Any) -> bool:
    """Whether the viewer sees ``organisation``'s evidence, not only its grade: its own
    organisation, the operator, or a central function with a grant in force."""
    if not viewer.is_authenticated or organisation is None:
        return False
    if viewer.is_operator or viewer.organisation_id == organisation.pk:
        return True
    return (
        viewer.is_central and granted_subjects(viewer).filter(subject_id=organisation.pk).exists()
    )


def changeable(source: type[M] | models.QuerySet[M], viewer: Viewer) -> models.QuerySet[M]:
    """Rows the viewer may change."""
    qs = _queryset(source)
    if not viewer.can_write:
        return qs.none()
    if viewer.is_operator:
        return qs
    if _owner_path(qs.model) is None or viewer.organisation is None:
        return qs.none()
    return qs.filter(_owner_q(qs.model, viewer))


def get_visible_or_404(source: type[M] | models.QuerySet[M], viewer: Viewer, **lookup: Any) -> M:
    try:
        return visible(source, viewer).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError) as exc:
        raise Http404("Not found") from exc


def get_changeable_or_404(source: type[M] | models.QuerySet[M], viewer: Viewer, **lookup: Any) -> M:
    """404 when the viewer may not even see the object; 403 when it may see but not change it."""
    obj = get_visible_or_404(source, viewer, **lookup)
    if not changeable(type(obj), viewer).filter(pk=obj.pk).exists():
        raise PermissionDenied("You may not change this.")
    return obj


def may_act_for(viewer: Viewer, organisation: Any) -> bool:
    """Whether the viewer may write on behalf of `organisation` (create rows it will own)."""
    if not viewer.can_write:
        return False
    return viewer.is_operator or (
        organisation is not None and viewer.organisation_id == organisation.pk
    )


def require_act_for(viewer: Viewer, organisation: Any) -> None:
    if not may_act_for(viewer, organisation):
        raise PermissionDenied("You may not act for this organisation.")


def owner_organisation(obj: models.Model) -> Any:
    path = _owner_path(type(obj))
    if path is None:
        return None
    if path == "self":
        return obj
    current: Any = obj
    for part in path.split("__"):
        current = getattr(current, part, None)
        if current is None:
            return None
    return current
