"""The service register: vendors' services and their immutable published versions.

A Service is the stable identity agreements and call-offs point to; its content lives in
ServiceVersions. A draft version is edited freely; publishing freezes it for good (edits then
start a new draft); withdrawing hides the service from search but keeps every version. The
Service row carries a denormalised copy of what search needs from the current published
version (pointer, name, category, location zone, search words) so search is one table.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mps.registry.engine.rules import CertStatus, cert_status


class ImmutableVersionError(RuntimeError):
    """Code tried to change or delete a published (or withdrawn) service version."""


class Category(models.TextChoices):
    IAAS = "IaaS", "IaaS"
    PAAS = "PaaS", "PaaS"
    SAAS = "SaaS", "SaaS"
    DCAAS = "DCaaS", "DCaaS"
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LocationZone(models.TextChoices):
    NORWAY = "norway", _("Norway")
    EEA = "eea", _("EEA")
    OUTSIDE_EEA = "outside_eea", _("Outside the EEA")


class Standard(models.TextChoices):
    """Certifications agencies commonly ask cloud vendors for."""

    ISO27001 = "ISO/IEC 27001", "ISO/IEC 27001"
    ISO27017 = "ISO/IEC 27017", "ISO/IEC 27017"
    ISO27018 = "ISO/IEC 27018", "ISO/IEC 27018"
    ISO27701 = "ISO/IEC 27701", "ISO/IEC 27701"
    ISO9001 = "ISO 9001", "ISO 9001"
    ISO22301 = "ISO 22301", "ISO 22301"
    SOC2 = "SOC 2", "SOC 2"
    C5 = "BSI C5", "BSI C5"
    CSA_STAR = "CSA STAR", "CSA STAR"
    OTHER = "other", _("Other")


PUBLIC_STATUSES = (Status.PUBLISHED, Status.WITHDRAWN)


class Service(models.Model):
    vendor = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("vendor"),
        limit_choices_to={"kind": "vendor"},
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    current_version = models.ForeignKey(
        "ServiceVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("current published version"),
    )
    # Denormalised from the current published version (or the draft, before first publication).
    name = models.CharField(_("name"), max_length=200)
    sort_name = models.CharField(max_length=200, db_index=True, editable=False)
    category = models.CharField(
        _("category"), max_length=10, choices=Category.choices, db_index=True
    )
    location_scope = models.CharField(_("data location"), max_length=12, blank=True, db_index=True)
    search_words = models.TextField(blank=True, default="", editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_owner = "vendor"
    # Published and withdrawn services are public record; drafts belong to the vendor.
    tenant_published = Q(status__in=PUBLIC_STATUSES)

    class Meta:
        ordering = ["sort_name", "id"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [
            models.Index(fields=["status", "sort_name", "id"], name="registry_service_listing"),
            # Covers the tenancy condition and the non-text filters, so counting search results
            # reads this narrow index instead of the wide rows (see bench/registry).
            models.Index(
                fields=["status", "vendor", "category", "location_scope", "current_version"],
                name="registry_service_filters",
            ),
            # The overview card's "recently updated": newest published first, walked in order.
            models.Index(fields=["status", "published_at", "id"], name="registry_service_recent"),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceVersionQuerySet(models.QuerySet):
    """Bulk writes may only touch drafts; published versions are immutable."""

    def update(self, **kwargs):  # type: ignore[override]
        if self.exclude(status=Status.DRAFT).exists():
            raise ImmutableVersionError("Published service versions cannot be changed.")
        return super().update(**kwargs)

    def delete(self):  # type: ignore[override]
        if self.exclude(status=Status.DRAFT).exists():
            raise ImmutableVersionError("Published service versions cannot be deleted.")
        return super().delete()


# The only change a frozen version accepts: published → withdrawn, with its time stamp.
_WITHDRAW_FIELDS = {"status", "withdrawn_at"}
_CONTENT_FIELDS = ("name", "category", "description_nb", "description_en")


class ServiceVersion(models.Model):
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="versions", verbose_name=_("service")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    description_nb = models.TextField(_("description (Norwegian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    # DNS names under which the vendor's shared platform serves its customers (e.g. a
    # hosting suffix): hosts under them are attributed to the vendor by the risk score, not
    # to the agency whose DNS points there. Normalised names (punycode, lower case).
    platform_domains = models.JSONField(_("shared platform domains"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    tenant_owner = "service__vendor"
    tenant_published = Q(status__in=PUBLIC_STATUSES)

    objects = ServiceVersionQuerySet.as_manager()

    class Meta:
        ordering = ["service_id", "-number"]
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "number"], name="registry_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(status="draft"),
                name="registry_one_draft_per_service",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    def save(self, *args, **kwargs):  # type: ignore[override]
        if self.pk is not None:
            stored = type(self)._base_manager.filter(pk=self.pk).values().first()
            if stored is not None and stored["status"] != Status.DRAFT:
                self._check_frozen_change(stored)
        super().save(*args, **kwargs)

    def _check_frozen_change(self, stored: dict) -> None:
        changed = {
            f.attname
            for f in self._meta.concrete_fields
            if getattr(self, f.attname) != stored[f.attname]
        }
        allowed = (
            stored["status"] == Status.PUBLISHED
            and self.status == Status.WITHDRAWN
            and changed <= _WITHDRAW_FIELDS
        )
        if changed and not allowed:
            raise ImmutableVersionError(
                f"Service version {self.pk} is {stored['status']} and cannot be changed "
                f"(tried to change {', '.join(sorted(changed))})."
            )

    def delete(self, *args, **kwargs):  # type: ignore[override]
        if self.is_frozen:
            raise ImmutableVersionError(
                f"Service version {self.pk} is {self.status} and cannot be deleted."
            )
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status != Status.DRAFT

    def description(self, language: str | None) -> str:
        if language and language.startswith("en") and self.description_en:
            return self.description_en
        return self.description_nb or self.description_en


class _VersionPartQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        if self.exclude(version__status=Status.DRAFT).exists():
            raise ImmutableVersionError("Parts of published service versions cannot be changed.")
        return super().update(**kwargs)

    def delete(self):  # type: ignore[override]
        if self.exclude(version__status=Status.DRAFT).exists():
            raise ImmutableVersionError("Parts of published service versions cannot be deleted.")
        return super().delete()


class _VersionPart(models.Model):
    """A row that belongs to one version and freezes with it."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):  # type: ignore[override]
        status = self._version_status()
        if status is not None and status != Status.DRAFT:
            raise ImmutableVersionError(
                f"Service version {self.version_id} is {status} and cannot be changed."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        status = self._version_status()
        if status is not None and status != Status.DRAFT:
            raise ImmutableVersionError(
                f"Service version {self.version_id} is {status} and cannot be changed."
            )
        return super().delete(*args, **kwargs)

    def _version_status(self) -> str | None:
        return (
            ServiceVersion._base_manager.filter(pk=self.version_id)
            .values_list("status", flat=True)
            .first()
        )


class DataLocation(_VersionPart):
    """Where a service keeps data: a country and the provider's region name."""

    version = models.ForeignKey(
        ServiceVersion,
        on_delete=models.CASCADE,
        related_name="locations",
        verbose_name=_("version"),
    )
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2, e.g. NO")
    )
    region = models.CharField(_("provider region"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    tenant_owner = "version__service__vendor"
    tenant_published = Q(version__status__in=PUBLIC_STATUSES)

    objects = _VersionPartQuerySet.as_manager()

    class Meta:
        ordering = ["version_id", "position", "id"]
        verbose_name = _("data location")
        verbose_name_plural = _("data locations")

    def __str__(self) -> str:
        return f"{self.country} {self.region}".strip()


class Certification(_VersionPart):
    version = models.ForeignKey(
        ServiceVersion,
        on_delete=models.CASCADE,
        related_name="certifications",
        verbose_name=_("version"),
    )
    standard = models.CharField(
        _("standard"), max_length=40, choices=Standard.choices, db_index=True
    )
    scope = models.CharField(_("scope"), max_length=300, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    valid_until = models.DateField(_("valid until"))
    position = models.PositiveSmallIntegerField(default=0)

    tenant_owner = "version__service__vendor"
    tenant_published = Q(version__status__in=PUBLIC_STATUSES)

    objects = _VersionPartQuerySet.as_manager()

    class Meta:
        ordering = ["version_id", "position", "id"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        indexes = [
            models.Index(fields=["standard", "valid_until", "version"], name="registry_cert_held")
        ]

    def __str__(self) -> str:
        return f"{self.standard} ({self.valid_until})"

    def status_on(self, today: date) -> CertStatus:
        return cert_status(self.valid_until, today)
