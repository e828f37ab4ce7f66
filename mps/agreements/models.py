"""Framework agreements, their lots and awards, agencies' membership, call-offs and templates.

Agreements, lots, awards, documents and call-off templates are reference data the operator
maintains (no tenant_owner: every logged-in user reads them). Membership and call-offs belong
to the agency that decides or orders (tenant_owner = "agency").
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from mps.agreements.dates import notice_deadline


class FrameworkAgreement(models.Model):
    """A framework agreement (rammeavtale) such as CIPS, run by the marketplace operator."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for joining")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")

    name = models.CharField(_("name"), max_length=200)
    reference = models.CharField(_("reference"), max_length=60, unique=True)
    description_nb = models.TextField(_("description (Norwegian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "name"]
        verbose_name = _("framework agreement")
        verbose_name_plural = _("framework agreements")

    def __str__(self) -> str:
        return f"{self.name} ({self.reference})"

    def description(self, language: str | None) -> str:
        if language and language.startswith("en") and self.description_en:
            return self.description_en
        return self.description_nb or self.description_en

    @property
    def accepts_members(self) -> bool:
        return self.status in {self.Status.OPEN, self.Status.ACTIVE}

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError(
                {
                    "period_end": _("The period end %(end)s is before the period start %(start)s.")
                    % {"end": self.period_end, "start": self.period_start}
                }
            )


def _document_path(instance: AgreementDocument, filename: str) -> str:
    return f"agreements/{instance.agreement_id}/{filename}"


class AgreementDocument(models.Model):
    """A document of an agreement: an uploaded file (kept in the data directory) or a link."""

    agreement = models.ForeignKey(
        FrameworkAgreement,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("agreement"),
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=_document_path, blank=True, max_length=300)
    url = models.URLField(_("link"), blank=True, max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "title"]
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if bool(self.file) == bool(self.url):
            raise ValidationError(
                _("A document needs either an uploaded file or a link, not both.")
            )


class Lot(models.Model):
    """A lot (delkontrakt) of an agreement, such as IaaS or PaaS."""

    class Category(models.TextChoices):
        IAAS = "IaaS", "IaaS"
        PAAS = "PaaS", "PaaS"
        SAAS = "SaaS", "SaaS"
        DCAAS = "DCaaS", "DCaaS"
        OTHER = "other", _("Other")

    agreement = models.ForeignKey(
        FrameworkAgreement,
        on_delete=models.CASCADE,
        related_name="lots",
        verbose_name=_("agreement"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)

    class Meta:
        ordering = ["agreement", "number"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="unique_lot_number"),
        ]

    def __str__(self) -> str:
        return _("Lot %(number)s: %(name)s") % {"number": self.number, "name": self.name}


class Award(models.Model):
    """A vendor awarded a lot, with the services it offers under that lot."""

    lot = models.ForeignKey(
        Lot, on_delete=models.CASCADE, related_name="awards", verbose_name=_("lot")
    )
    vendor = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="agreement_awards",
        verbose_name=_("vendor"),
    )
    services = models.ManyToManyField("registry.Service", related_name="awards", blank=True)
    awarded_on = models.DateField(_("awarded on"), null=True, blank=True)

    class Meta:
        ordering = ["lot", "vendor__name"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.UniqueConstraint(fields=["lot", "vendor"], name="unique_award_per_lot")
        ]

    def __str__(self) -> str:
        return f"{self.lot}: {self.vendor}"


class Membership(models.Model):
    """An agency's decision on an agreement: joined (tilslutning), opted out (fravalg) or undecided."""

    class Status(models.TextChoices):
        JOINED = "joined", _("Joined")
        OPTED_OUT = "opted_out", _("Opted out")
        UNDECIDED = "undecided", _("Undecided")

    agency = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="agreement_memberships",
        verbose_name=_("agency"),
    )
    agreement = models.ForeignKey(
        FrameworkAgreement,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("agreement"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UNDECIDED, db_index=True
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    tenant_owner = "agency"

    class Meta:
        ordering = ["agreement", "agency__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["agency", "agreement"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} – {self.agreement.reference}: {self.get_status_display()}"


class CallOff(models.Model):
    """A call-off (avrop): an agency orders services from an awarded vendor under a lot.

    Owned by the agency only: the tenancy contract has one owner path per model, so the
    vendor of a call-off cannot be given read access without widening it for everybody.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    agency = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="calloffs",
        verbose_name=_("agency"),
    )
    agreement = models.ForeignKey(
        FrameworkAgreement,
        on_delete=models.PROTECT,
        related_name="calloffs",
        verbose_name=_("agreement"),
    )
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="calloffs", verbose_name=_("lot")
    )
    vendor = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="vendor_calloffs",
        verbose_name=_("vendor"),
    )
    services = models.ManyToManyField(
        "registry.Service", related_name="calloffs", blank=True, verbose_name=_("services")
    )
    title = models.CharField(_("title"), max_length=200)
    estimated_value = models.DecimalField(
        _("estimated value (NOK)"), max_digits=14, decimal_places=2, default=0
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    notice_months = models.PositiveSmallIntegerField(_("notice period (months)"), default=3)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    requirements = models.TextField(_("requirements"), blank=True)
    # Stored so the contract register can filter and sort by it; kept in step by save().
    notice_by = models.DateField(_("notice deadline"), editable=False, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_owner = "agency"

    class Meta:
        ordering = ["-start", "-pk"]
        verbose_name = _("call-off")
        verbose_name_plural = _("call-offs")
        indexes = [models.Index(fields=["agency", "status", "end"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):  # type: ignore[override]
        self.notice_by = self.notice_deadline
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"end", "notice_months"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "notice_by"}
        super().save(*args, **kwargs)

    @property
    def notice_deadline(self) -> date:
        """The last day to give notice: the end date minus the notice period."""
        return notice_deadline(self.end, self.notice_months)


class CallOffTemplate(models.Model):
    """The text a call-off document is generated from; operator-managed.

    Placeholders use ${name} syntax; see mps.agreements.documents.PLACEHOLDERS.
    """

    name = models.CharField(_("name"), max_length=200)
    agreement = models.ForeignKey(
        FrameworkAgreement,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="templates",
        verbose_name=_("agreement"),
        help_text=_("Leave empty for the default template used by every agreement."),
    )
    language = models.CharField(_("language"), max_length=5, default="nb")
    title = models.CharField(_("document title"), max_length=200)
    body = models.TextField(
        _("body"),
        help_text=_("Paragraphs separated by blank lines; lines starting with '# ' are headings."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("call-off template")
        verbose_name_plural = _("call-off templates")

    def __str__(self) -> str:
        return self.name


class ContractReminder(models.Model):
    """One reminder sent: kept so a contract and threshold is never reminded twice."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Notice deadline")
        END = "end", _("End date")

    calloff = models.ForeignKey(CallOff, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    threshold_days = models.PositiveIntegerField()
    due_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField(blank=True)

    tenant_owner = "calloff__agency"

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["calloff", "kind", "threshold_days", "due_date"], name="unique_reminder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.calloff} {self.kind} {self.threshold_days}d"
