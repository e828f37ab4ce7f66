"""Writes for the service register: create, edit a draft, publish, withdraw.

Views, the API and the demo loader call these; none writes the models directly. Each action
checks permission through the tenancy helpers, validates with errors that name the field and
value, saves inside a transaction and records the audit log. Published versions are never
changed: editing a published service starts a new draft version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.core import audit
from mps.core.tenancy import Viewer, get_changeable_or_404, require_act_for
from mps.registry.engine.rules import iso_countries, location_scope
from mps.registry.engine.text import document_words
from mps.registry.models import (
    Category,
    Certification,
    DataLocation,
    Service,
    ServiceVersion,
    Standard,
    Status,
)
from mps.registry.platforms import platforms_changed
from mps.riskscore.footprint import FootprintError, normalise_name

MAX_NAME = 200
MAX_REGION = 100
MAX_SCOPE = 300
MAX_ISSUER = 200
# A description is a few paragraphs; the cap keeps pages and the search index sane.
MAX_DESCRIPTION = 10_000
# A service lists its regions and certificates; more than this is a data-entry mistake.
MAX_PARTS = 50
# A service's shared platform domains (hosting suffixes) are few; more is a mistake.
MAX_PLATFORM_DOMAINS = 20


@dataclass(frozen=True)
class LocationData:
    country: str
    region: str = ""


@dataclass(frozen=True)
class CertificationData:
    standard: str
    valid_until: date
    scope: str = ""
    issuer: str = ""


@dataclass(frozen=True)
class ServiceData:
    """The content of one service version, as a vendor enters it."""

    name: str
    category: str
    description_nb: str = ""
    description_en: str = ""
    locations: tuple[LocationData, ...] = field(default_factory=tuple)
    certifications: tuple[CertificationData, ...] = field(default_factory=tuple)
    platform_domains: tuple[str, ...] = ()

    @classmethod
    def of_version(cls, version: ServiceVersion) -> ServiceData:
        return cls(
            name=version.name,
            category=version.category,
            description_nb=version.description_nb,
            description_en=version.description_en,
            locations=tuple(
                LocationData(loc.country, loc.region) for loc in version.locations.all()
            ),
            certifications=tuple(
                CertificationData(c.standard, c.valid_until, c.scope, c.issuer)
                for c in version.certifications.all()
            ),
            platform_domains=tuple(version.platform_domains or ()),
        )


def validate(data: ServiceData) -> ServiceData:
    """Clean and check the data; a ValidationError names each bad field and value."""
    errors: dict[str, list[str]] = {}
    name = data.name.strip()
    if not name:
        errors.setdefault("name", []).append(_("Give the service a name."))
    elif len(name) > MAX_NAME:
        errors.setdefault("name", []).append(
            _("The name is %(n)s characters; at most %(max)s.") % {"n": len(name), "max": MAX_NAME}
        )
    if data.category not in Category.values:
        errors.setdefault("category", []).append(
            _("Unknown category %(value)s; use one of %(allowed)s.")
            % {"value": repr(data.category), "allowed": ", ".join(Category.values)}
        )
    for key in ("description_nb", "description_en"):
        if len(getattr(data, key)) > MAX_DESCRIPTION:
            errors.setdefault(key, []).append(
                _("The description is longer than %(max)s characters.") % {"max": MAX_DESCRIPTION}
            )
    if len(data.locations) > MAX_PARTS or len(data.certifications) > MAX_PARTS:
        errors.setdefault("locations", []).append(
            _("At most %(max)s data locations and certifications.") % {"max": MAX_PARTS}
        )
    locations = []
    for i, loc in enumerate(data.locations, start=1):
        country = loc.country.strip().upper()
        if country not in iso_countries():
            errors.setdefault("locations", []).append(
                _("Data location %(i)s: %(value)s is not an ISO 3166-1 alpha-2 country code.")
                % {"i": i, "value": repr(loc.country)}
            )
        if len(loc.region) > MAX_REGION:
            errors.setdefault("locations", []).append(
                _("Data location %(i)s: the region is longer than %(max)s characters.")
                % {"i": i, "max": MAX_REGION}
            )
        locations.append(LocationData(country, loc.region.strip()))
    certifications = []
    for i, cert in enumerate(data.certifications, start=1):
        if cert.standard not in Standard.values:
            errors.setdefault("certifications", []).append(
                _("Certification %(i)s: unknown standard %(value)s; use one of %(allowed)s.")
                % {"i": i, "value": repr(cert.standard), "allowed": ", ".join(Standard.values)}
            )
        if not isinstance(cert.valid_until, date):
            errors.setdefault("certifications", []).append(
                _("Certification %(i)s: valid until %(value)s is not a date.")
                % {"i": i, "value": repr(cert.valid_until)}
            )
        if len(cert.scope) > MAX_SCOPE or len(cert.issuer) > MAX_ISSUER:
            errors.setdefault("certifications", []).append(
                _("Certification %(i)s: scope or issuer is too long.") % {"i": i}
            )
        certifications.append(
            CertificationData(
                cert.standard, cert.valid_until, cert.scope.strip(), cert.issuer.strip()
            )
        )
    platform_domains = _platform_domains(data.platform_domains, errors)
    if errors:
        raise ValidationError(errors)
    return ServiceData(
        name=name,
        category=data.category,
        description_nb=data.description_nb.strip(),
        description_en=data.description_en.strip(),
        locations=tuple(locations),
        certifications=tuple(certifications),
        platform_domains=platform_domains,
    )


def _platform_domains(values: tuple[str, ...], errors: dict[str, list[str]]) -> tuple[str, ...]:
    """Normalised, de-duplicated platform domains; each bad one is named in ``errors``."""
    out: list[str] = []
    for i, raw in enumerate(values, start=1):
        text = raw.strip()
        if not text:
            continue
        try:
            name = normalise_name(text.removeprefix("*."))
        except FootprintError as exc:
            errors.setdefault("platform_domains", []).append(
                _("Platform domain %(i)s: %(value)s is not a DNS name (%(why)s).")
                % {"i": i, "value": repr(raw), "why": exc}
            )
            continue
        if name not in out:
            out.append(name)
    if len(out) > MAX_PLATFORM_DOMAINS:
        errors.setdefault("platform_domains", []).append(
            _("At most %(max)s platform domains.") % {"max": MAX_PLATFORM_DOMAINS}
        )
    return tuple(out)


def search_fields(vendor_name: str, data: ServiceData) -> dict[str, Any]:
    """The denormalised Service columns search reads, computed from one version's content."""
    return {
        "name": data.name,
        "sort_name": data.name.casefold()[:MAX_NAME],
        "category": data.category,
        "location_scope": location_scope(loc.country for loc in data.locations).value,
        "search_words": document_words(
            [
                data.name,
                vendor_name,
                data.category,
                data.description_nb,
                data.description_en,
                *(f"{loc.country} {loc.region}" for loc in data.locations),
                *(c.standard for c in data.certifications),
            ]
        ),
    }


def _version_snapshot(version: ServiceVersion, data: ServiceData) -> dict[str, Any]:
    snap = audit.snapshot(version)
    snap["locations"] = [{"country": loc.country, "region": loc.region} for loc in data.locations]
    snap["certifications"] = [
        {
            "standard": c.standard,
            "scope": c.scope,
            "issuer": c.issuer,
            "valid_until": c.valid_until.isoformat(),
        }
        for c in data.certifications
    ]
    return snap


def _write_parts(version: ServiceVersion, data: ServiceData) -> None:
    version.locations.all().delete()
    version.certifications.all().delete()
    DataLocation.objects.bulk_create(
        [
            DataLocation(version=version, country=loc.country, region=loc.region, position=i)
            for i, loc in enumerate(data.locations)
        ]
    )
    Certification.objects.bulk_create(
        [
            Certification(
                version=version,
                standard=c.standard,
                scope=c.scope,
                issuer=c.issuer,
                valid_until=c.valid_until,
                position=i,
            )
            for i, c in enumerate(data.certifications)
        ]
    )


def _set_content(version: ServiceVersion, data: ServiceData) -> None:
    version.name = data.name
    version.category = data.category
    version.description_nb = data.description_nb
    version.description_en = data.description_en
    version.platform_domains = list(data.platform_domains)


def _locked(service: Service) -> Service:
    return Service.objects.select_for_update().select_related("vendor").get(pk=service.pk)


def draft_of(service: Service) -> ServiceVersion | None:
    return service.versions.filter(status=Status.DRAFT).first()


# ---------------------------------------------------------------------------------------
# Unchecked writes: the checked actions below and the demo loader (which acts as the system).


@transaction.atomic
def create_service(actor: Any, vendor: Any, data: ServiceData) -> Service:
    if getattr(vendor, "kind", None) != "vendor":
        raise ValidationError(
            {"vendor": _("%(org)s is not a vendor; only vendors offer services.") % {"org": vendor}}
        )
    data = validate(data)
    fields = search_fields(vendor.name, data)
    service = Service.objects.create(
        vendor=vendor,
        status=Status.DRAFT,
        name=fields["name"],
        sort_name=fields["sort_name"],
        category=fields["category"],
    )
    version = ServiceVersion(service=service, number=1, status=Status.DRAFT)
    _set_content(version, data)
    version.save()
    _write_parts(version, data)
    audit.record(
        actor,
        "registry.service.create",
        service,
        after=audit.snapshot(service) | {"draft": _version_snapshot(version, data)},
    )
    return service


@transaction.atomic
def save_draft(actor: Any, service: Service, data: ServiceData) -> ServiceVersion:
    data = validate(data)
    service = _locked(service)
    draft = draft_of(service)
    before = None
    if draft is None:
        number = (service.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        draft = ServiceVersion(service=service, number=number, status=Status.DRAFT)
    else:
        before = _version_snapshot(draft, ServiceData.of_version(draft))
    _set_content(draft, data)
    draft.save()
    _write_parts(draft, data)
    if service.current_version_id is None:
        # Never published: the portal lists the service under its draft name.
        fields = search_fields(service.vendor.name, data)
        service.name, service.sort_name, service.category = (
            fields["name"],
            fields["sort_name"],
            fields["category"],
        )
        service.save(update_fields=["name", "sort_name", "category", "updated_at"])
    audit.record(
        actor,
        "registry.version.save_draft",
        draft,
        before=before,
        after=_version_snapshot(draft, data),
    )
    return draft


@transaction.atomic
def start_new_version(actor: Any, service: Service) -> ServiceVersion:
    """A new draft copied from the current published version (or the existing draft)."""
    service = _locked(service)
    draft = draft_of(service)
    if draft is not None:
        return draft
    source = service.current_version or service.versions.order_by("-number").first()
    if source is None:
        raise ValidationError(
            {"service": _("Service %(id)s has no version to copy.") % {"id": service.pk}}
        )
    return save_draft(actor, service, ServiceData.of_version(source))


@transaction.atomic
def publish(actor: Any, service: Service) -> ServiceVersion:
    service = _locked(service)
    draft = draft_of(service)
    if draft is None:
        raise ValidationError(
            {
                "status": _("Service %(id)s (%(name)s) has no draft to publish.")
                % {"id": service.pk, "name": service.name}
            }
        )
    data = validate(ServiceData.of_version(draft))
    if not data.locations:
        raise ValidationError(
            {
                "locations": _(
                    "Service %(name)s needs at least one data location before it is published."
                )
                % {"name": repr(service.name)}
            }
        )
    before = audit.snapshot(service)
    now = timezone.now()
    draft.status = Status.PUBLISHED
    draft.published_at = now
    draft.save()
    for key, value in search_fields(service.vendor.name, data).items():
        setattr(service, key, value)
    service.status = Status.PUBLISHED
    service.current_version = draft
    service.published_at = now
    service.save()
    audit.record(
        actor, "registry.service.publish", service, before=before, after=audit.snapshot(service)
    )
    _announce_platforms()
    return draft


@transaction.atomic
def withdraw(actor: Any, service: Service) -> Service:
    service = _locked(service)
    if service.status != Status.PUBLISHED or service.current_version_id is None:
        raise ValidationError(
            {
                "status": _("Service %(id)s (%(name)s) is %(status)s, not published.")
                % {"id": service.pk, "name": service.name, "status": service.get_status_display()}
            }
        )
    before = audit.snapshot(service)
    version = ServiceVersion.objects.get(pk=service.current_version_id)
    version.status = Status.WITHDRAWN
    version.withdrawn_at = timezone.now()
    version.save()
    # The pointer stays on the withdrawn version so the history page shows what was offered.
    service.status = Status.WITHDRAWN
    service.save(update_fields=["status", "updated_at"])
    audit.record(
        actor, "registry.service.withdraw", service, before=before, after=audit.snapshot(service)
    )
    _announce_platforms()
    return service


def _announce_platforms() -> None:
    """Tell readers of the shared platforms once the change is committed."""
    transaction.on_commit(lambda: platforms_changed.send(sender=Service))


# ---------------------------------------------------------------------------------------
# Checked actions: what views, the API and the CLI call.


def _changeable(viewer: Viewer, service: Service) -> Service:
    return get_changeable_or_404(Service, viewer, pk=service.pk)


def do_create_service(viewer: Viewer, vendor: Any, data: ServiceData) -> Service:
    require_act_for(viewer, vendor)
    return create_service(viewer.user, vendor, data)


def do_save_draft(viewer: Viewer, service: Service, data: ServiceData) -> ServiceVersion:
    """Edit the draft; for a published service without a draft this starts a new version."""
    return save_draft(viewer.user, _changeable(viewer, service), data)


def do_start_new_version(viewer: Viewer, service: Service) -> ServiceVersion:
    return start_new_version(viewer.user, _changeable(viewer, service))


def do_publish(viewer: Viewer, service: Service) -> ServiceVersion:
    return publish(viewer.user, _changeable(viewer, service))


def do_withdraw(viewer: Viewer, service: Service) -> Service:
    return withdraw(viewer.user, _changeable(viewer, service))
