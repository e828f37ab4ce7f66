"""The service register in the API: search and detail for everyone, writes for vendors.

Writes call mps.registry.actions, the same functions the vendor portal uses.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from mps.core.tenancy import get_visible_or_404, visible
from mps.organisations.models import Organisation
from mps.registry import actions
from mps.registry.engine.rules import cert_status
from mps.registry.models import Category, LocationZone, Service, ServiceVersion, Standard
from mps.registry.search import SearchFilters, search_services

router = Router(tags=["services"])
PREFIX = "/services"


class LocationSchema(Schema):
    country: str
    region: str = ""


class CertificationIn(Schema):
    standard: str
    valid_until: date
    scope: str = ""
    issuer: str = ""


class CertificationOut(CertificationIn):
    status: str  # valid | expiring | expired, on the day of the request


class VersionOut(Schema):
    id: int
    number: int
    status: str
    name: str
    category: str
    description_nb: str
    description_en: str
    platform_domains: list[str]  # shared platform domains: hosts under them are the vendor's
    published_at: datetime | None
    withdrawn_at: datetime | None
    locations: list[LocationSchema]
    certifications: list[CertificationOut]


class ServiceOut(Schema):
    id: int
    vendor_id: int
    vendor: str
    status: str
    name: str
    category: str
    location_scope: str  # norway | eea | outside_eea | "" (none given)
    current_version_id: int | None
    published_at: datetime | None

    @staticmethod
    def resolve_vendor(obj: Service) -> str:
        return obj.vendor.name


class ServiceDetailOut(ServiceOut):
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(obj: Service) -> list[VersionOut]:
        return obj.version_list  # type: ignore[attr-defined]  # set by _detail


class ServiceIn(Schema):
    name: str
    category: str
    description_nb: str = ""
    description_en: str = ""
    platform_domains: list[str] = []
    locations: list[LocationSchema] = []
    certifications: list[CertificationIn] = []


class ServiceCreateIn(ServiceIn):
    vendor_id: int | None = None  # the operator names the vendor; vendors create for themselves


def _version_out(version: ServiceVersion, today: date) -> VersionOut:
    return VersionOut(
        id=version.pk,
        number=version.number,
        status=version.status,
        name=version.name,
        category=version.category,
        description_nb=version.description_nb,
        description_en=version.description_en,
        platform_domains=list(version.platform_domains or ()),
        published_at=version.published_at,
        withdrawn_at=version.withdrawn_at,
        locations=[
            LocationSchema(country=loc.country, region=loc.region)
            for loc in version.locations.all()
        ],
        certifications=[
            CertificationOut(
                standard=c.standard,
                valid_until=c.valid_until,
                scope=c.scope,
                issuer=c.issuer,
                status=cert_status(c.valid_until, today).value,
            )
            for c in version.certifications.all()
        ],
    )


def _data(payload: ServiceIn) -> actions.ServiceData:
    return actions.ServiceData(
        name=payload.name,
        category=payload.category,
        description_nb=payload.description_nb,
        description_en=payload.description_en,
        platform_domains=tuple(payload.platform_domains),
        locations=tuple(actions.LocationData(loc.country, loc.region) for loc in payload.locations),
        certifications=tuple(
            actions.CertificationData(c.standard, c.valid_until, c.scope, c.issuer)
            for c in payload.certifications
        ),
    )


def _detail(request: HttpRequest, service: Service) -> Service:
    today = timezone.localdate()
    versions = (
        visible(ServiceVersion, request.viewer)
        .filter(service=service)
        .prefetch_related("locations", "certifications")
        .order_by("-number")
    )
    service.version_list = [_version_out(v, today) for v in versions]  # type: ignore[attr-defined]
    return service


def _check_choice(name: str, value: str, allowed: list[str]) -> None:
    if value and value not in allowed:
        raise ValidationError({name: f"Unknown {name} {value!r}; use one of {', '.join(allowed)}."})


@router.get("/", response=list[ServiceOut])
@paginate
def list_services(
    request: HttpRequest,
    q: str = "",
    category: str = "",
    location: str = "",
    certification: str = "",
    agreement: int | None = None,
    lot: int | None = None,
):
    """Published services matching every filter (the same search as the register page)."""
    _check_choice("category", category, Category.values)
    _check_choice("location", location, LocationZone.values)
    _check_choice("certification", certification, Standard.values)
    filters = SearchFilters(
        q=q[:200],
        category=category,
        location=location,
        standard=certification,
        agreement=agreement,
        lot=lot,
    )
    return search_services(request.viewer, filters, timezone.localdate()).select_related("vendor")


@router.get("/{int:service_id}", response=ServiceDetailOut)
def get_service(request: HttpRequest, service_id: int):
    service = get_visible_or_404(
        Service.objects.select_related("vendor"), request.viewer, pk=service_id
    )
    return _detail(request, service)


@router.post("/", response={201: ServiceDetailOut})
def create_service(request: HttpRequest, payload: ServiceCreateIn):
    viewer = request.viewer
    if payload.vendor_id is not None:
        vendor = get_object_or_404(visible(Organisation, viewer), pk=payload.vendor_id)
    elif viewer.is_vendor:
        vendor = viewer.organisation
    else:
        raise HttpError(422, "Name the vendor with vendor_id.")
    service = actions.do_create_service(viewer, vendor, _data(payload))
    return 201, _detail(request, Service.objects.select_related("vendor").get(pk=service.pk))


@router.put("/{int:service_id}/draft", response=ServiceDetailOut)
def update_draft(request: HttpRequest, service_id: int, payload: ServiceIn):
    """Replace the draft's content; for a published service without a draft this starts one."""
    service = get_visible_or_404(
        Service.objects.select_related("vendor"), request.viewer, pk=service_id
    )
    actions.do_save_draft(request.viewer, service, _data(payload))
    return _detail(request, Service.objects.select_related("vendor").get(pk=service.pk))


@router.post("/{int:service_id}/publish", response=ServiceDetailOut)
def publish_service(request: HttpRequest, service_id: int):
    service = get_visible_or_404(Service, request.viewer, pk=service_id)
    actions.do_publish(request.viewer, service)
    return _detail(request, Service.objects.select_related("vendor").get(pk=service.pk))


@router.post("/{int:service_id}/withdraw", response=ServiceDetailOut)
def withdraw_service(request: HttpRequest, service_id: int):
    service = get_visible_or_404(Service, request.viewer, pk=service_id)
    actions.do_withdraw(request.viewer, service)
    return _detail(request, Service.objects.select_related("vendor").get(pk=service.pk))
