"""Organisations in the API: read-only register data, scoped by the tenancy rule."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from mps.core.tenancy import get_visible_or_404, visible
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
