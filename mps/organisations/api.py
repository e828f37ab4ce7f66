"""Organisations in the API: read-only register data, scoped by the tenancy rule."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from mps.core.tenancy import get_changeable_or_404, get_visible_or_404, visible
from mps.organisations.actions import do_update_organisation
from mps.organisations.models import Organisation

router = Router(tags=["organisations"])
PREFIX = "/organisations"


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    orgnr: str | None
    country: str
    foreign_scheme: str
    foreign_id: str
    parent_id: int | None
    sector: str
    county: str
    kommunenummer: str
    employees: int | None
    population: int | None
    synthetic: bool


@router.get("/", response=list[OrganisationOut])
@paginate
def list_organisations(request: HttpRequest, kind: str | None = None, q: str | None = None):
    orgs = visible(Organisation, request.viewer).order_by("name", "pk")
    if kind:
        orgs = orgs.filter(kind=kind)
    if q:
        orgs = orgs.filter(name__icontains=q)
    return orgs


@router.get("/{int:organisation_id}", response=OrganisationOut)
def get_organisation(request: HttpRequest, organisation_id: int):
    return get_visible_or_404(Organisation, request.viewer, pk=organisation_id)


class OrganisationPatch(Schema):
    name: str | None = None
    website: str | None = None
    employees: int | None = None
    peer_opt_in: bool | None = None


@router.patch("/{int:organisation_id}", response=OrganisationOut)
def update_organisation(request: HttpRequest, organisation_id: int, payload: OrganisationPatch):
    """Change one's own organisation (admins and members; the operator for any)."""
    org = get_changeable_or_404(Organisation, request.viewer, pk=organisation_id)
    return do_update_organisation(request.viewer, org, payload.dict(exclude_unset=True))
