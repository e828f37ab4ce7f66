"""Privacy in the supplier chain: vendor declarations, agency processing records, assessments.

A vendor declares, per registry service, who processes data behind it (the chain of
processor and sub-processors, with countries, access and transfer tools). Declarations are
versioned like service versions: a draft is edited freely, publishing freezes it for good.
Agencies keep their Article 30 records (processing activities) and link them to the
services they use; the stored hop assessments are the engine's verdicts on every hop of
every linked chain, recomputed whenever an activity or a declaration changes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ImmutableDeclarationError(RuntimeError):
    """Code tried to change or delete a published declaration or its chain."""


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Access(models.TextChoices):
    STORAGE = "storage", _("Storage only")
    PROCESSING = "processing", _("Processing in clear")
    REMOTE = "remote", _("Remote support access")


class Role(models.TextChoices):
    PROCESSOR = "processor", _("Processor")
    CONTROLLER = "controller", _("Controller")


class HopStatus(models.TextChoices):
    OK = "ok", _("OK")
    ACTION = "action", _("Action needed")
    BLOCKED = "blocked", _("Blocked")


class _DraftOnlyQuerySet(models.QuerySet):
    """Bulk writes may only touch drafts (or rows of drafts)."""

    status_path = "status"

    def _frozen(self) -> bool:
        return self.exclude(**{self.status_path: DeclarationStatus.DRAFT}).exists()

    def update(self, **kwargs):  # type: ignore[override]
        if self._frozen():
            raise ImmutableDeclarationError("Published declarations cannot be changed.")
        return super().update(**kwargs)

    def delete(self):  # type: ignore[override]
        if self._frozen():
            raise ImmutableDeclarationError("Published declarations cannot be deleted.")
        return super().delete()


class _EntryQuerySet(_DraftOnlyQuerySet):
    status_path = "declaration__status"


class Declaration(models.Model):
    """One version of a vendor's privacy declaration for one service."""

    service = models.ForeignKey(
        "registry.Service",
        on_delete=models.PROTECT,
        related_name="privacy_declarations",
        verbose_name=_("service"),
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeclarationStatus.choices,
        default=DeclarationStatus.DRAFT,
        db_index=True,
    )
    processing_locations = models.JSONField(
        _("processing locations"),
        default=list,
        blank=True,
        help_text=_("ISO 3166-1 alpha-2 country codes where the service processes data."),
    )
    dpa_version = models.CharField(_("DPA version"), max_length=60, blank=True)
    dpa_date = models.DateField(_("DPA date"), null=True, blank=True)
    dpa_url = models.URLField(_("DPA link"), max_length=500, blank=True)
    encryption_at_rest = models.BooleanField(_("encryption at rest"), default=False)
    encryption_in_transit = models.BooleanField(_("encryption in transit"), default=False)
    customer_keys_in_eea = models.BooleanField(
        _("customer-held keys kept in the EEA"), default=False
    )
    objection_days = models.PositiveSmallIntegerField(
        _("objection period (days)"),
        default=30,
        help_text=_("Art. 28(2): how long customers have to object to a new sub-processor."),
    )
    change_note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    tenant_owner = "service__vendor"
    # Published versions are collected once and read by every agency (and everyone logged in).
    tenant_published = Q(status=DeclarationStatus.PUBLISHED)

    objects = _DraftOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["service_id", "-number"]
        verbose_name = _("privacy declaration")
        verbose_name_plural = _("privacy declarations")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "number"], name="privacy_declaration_number_unique"
            ),
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(status="draft"),
                name="privacy_one_draft_per_service",
            ),
        ]
        indexes = [
            models.Index(fields=["service", "status", "-number"], name="privacy_decl_current")
        ]

    def __str__(self) -> str:
        return f"{self.service} – {_('declaration')} v{self.number}"

    def save(self, *args, **kwargs):  # type: ignore[override]
        if self.pk is not None:
            stored = (
                type(self)._base_manager.filter(pk=self.pk).values_list("status", flat=True).first()
            )
            if stored is not None and stored != DeclarationStatus.DRAFT:
                raise ImmutableDeclarationError(
                    f"Declaration {self.pk} is published and cannot be changed."
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        if self.is_frozen:
            raise ImmutableDeclarationError(f"Declaration {self.pk} is published.")
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status != DeclarationStatus.DRAFT


class ChainEntry(models.Model):
    """One recipient behind the service: the processor itself (no upstream) or a sub-processor."""

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="entries", verbose_name=_("declaration")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    upstream = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="downstream",
        verbose_name=_("engaged by"),
        help_text=_("Empty for the processor the agency contracts with."),
    )
    legal_name = models.CharField(_("legal entity"), max_length=200)
    parent_name = models.CharField(_("parent company"), max_length=200, blank=True)
    parent_country = models.CharField(_("parent company country"), max_length=2, blank=True)
    intra_group = models.BooleanField(
        _("in the same group as the entity engaging it"), default=False
    )
    country = models.CharField(_("country"), max_length=2)
    function = models.CharField(_("function"), max_length=200)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.PROCESSOR)
    data_categories = models.JSONField(
        _("data categories it can reach"),
        default=list,
        blank=True,
        help_text=_("Empty means every category the customer processes in the service."),
    )
    access = models.CharField(_("access"), max_length=10, choices=Access.choices)
    scc_module = models.PositiveSmallIntegerField(
        _("SCC module signed"), null=True, blank=True, help_text=_("1–4, empty if none")
    )
    tia_done = models.BooleanField(_("transfer impact assessment done"), default=False)
    bcr = models.BooleanField(_("binding corporate rules"), default=False)
    dpf_claimed = models.BooleanField(_("relies on the Data Privacy Framework"), default=False)
    dpf_entity = models.CharField(
        _("name on the DPF list"),
        max_length=200,
        blank=True,
        help_text=_("Only when it differs from the legal entity and a person has confirmed it."),
    )

    tenant_owner = "declaration__service__vendor"
    tenant_published = Q(declaration__status=DeclarationStatus.PUBLISHED)

    objects = _EntryQuerySet.as_manager()

    class Meta:
        ordering = ["declaration_id", "position", "id"]
        verbose_name = _("chain entry")
        verbose_name_plural = _("chain entries")

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.country})"

    def save(self, *args, **kwargs):  # type: ignore[override]
        status = self._declaration_status()
        if status is not None and status != DeclarationStatus.DRAFT:
            raise ImmutableDeclarationError(
                f"Declaration {self.declaration_id} is published; its chain cannot change."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        status = self._declaration_status()
        if status is not None and status != DeclarationStatus.DRAFT:
            raise ImmutableDeclarationError(
                f"Declaration {self.declaration_id} is published; its chain cannot change."
            )
        return super().delete(*args, **kwargs)

    def _declaration_status(self) -> str | None:
        return (
            Declaration._base_manager.filter(pk=self.declaration_id)
            .values_list("status", flat=True)
            .first()
        )

    @property
    def hop_id(self) -> str:
        return f"e{self.position}"


class DpfListEntry(models.Model):
    """One organisation on the EU–US Data Privacy Framework List (reference data).

    Filled by a DPF list import; the engine matches declared legal entities against it.
    """

    organisation = models.CharField(_("organisation"), max_length=200, db_index=True)
    covered_entities = models.JSONField(_("covered entities"), default=list, blank=True)
    eu_us = models.CharField(_("EU–US status"), max_length=10, default="active")
    hr = models.BooleanField(_("HR data covered"), default=False)
    non_hr = models.BooleanField(_("non-HR data covered"), default=True)
    next_due = models.DateField(_("next certification due"), null=True, blank=True)
    uk_extension = models.CharField(_("UK extension status"), max_length=10, blank=True)
    swiss_us = models.CharField(_("Swiss–US status"), max_length=10, blank=True)
    original_certification = models.DateField(_("first certified"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Reference data: every logged-in user reads it, only the operator changes it.
    tenant_owner = None

    class Meta:
        ordering = ["organisation", "id"]
        verbose_name = _("DPF list entry")
        verbose_name_plural = _("DPF list entries")

    def __str__(self) -> str:
        return self.organisation


class RecordKind(models.TextChoices):
    CONTROLLER = "controller", _("Art. 30(1): we are the controller")
    PROCESSOR = "processor", _("Art. 30(2): we process on behalf of another controller")


class ProcessingActivity(models.Model):
    """One entry of the agency's record of processing activities (GDPR Art. 30)."""

    agency = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="processing_activities",
        verbose_name=_("agency"),
    )
    kind = models.CharField(
        _("record"), max_length=10, choices=RecordKind.choices, default=RecordKind.CONTROLLER
    )
    name = models.CharField(_("name"), max_length=200)
    # Art. 30(1)(a) / 30(2)(a)
    controller_contact = models.TextField(_("controller name and contact details"), blank=True)
    joint_controller = models.TextField(_("joint controller"), blank=True)
    representative = models.TextField(_("representative"), blank=True)
    dpo_contact = models.TextField(_("data protection officer"), blank=True)
    processor_for = models.TextField(
        _("controllers we process for"),
        blank=True,
        help_text=_("Art. 30(2)(a): name and contact details of each controller."),
    )
    # Art. 30(1)(b)
    purposes = models.TextField(_("purposes"), blank=True)
    legal_bases = models.JSONField(_("legal bases"), default=list, blank=True)
    special_condition = models.TextField(
        _("condition for special categories or offence data"),
        blank=True,
        help_text=_("Art. 9(2) or Art. 10 and the national provision relied on."),
    )
    # Art. 30(1)(c)
    data_subjects = models.JSONField(_("categories of data subjects"), default=list, blank=True)
    data_categories = models.JSONField(_("categories of personal data"), default=list, blank=True)
    # Art. 30(1)(d)
    recipients = models.TextField(_("recipients"), blank=True)
    # Art. 30(1)(e) / 30(2)(c): transfers outside the chains of linked services.
    other_transfers = models.TextField(
        _("other third-country transfers and safeguards"), blank=True
    )
    # Art. 30(1)(f)
    erasure_limits = models.TextField(_("time limits for erasure"), blank=True)
    # Art. 30(1)(g) / 30(2)(d)
    security_measures = models.TextField(
        _("technical and organisational security measures"), blank=True
    )
    public_powers = models.BooleanField(
        _("exercises public powers"),
        default=True,
        help_text=_("Art. 49(3): derogations (a)–(c) are then not available."),
    )
    services = models.ManyToManyField(
        "registry.Service",
        blank=True,
        related_name="privacy_activities",
        verbose_name=_("services used"),
    )
    # Summary of the stored assessment, for lists without reading every hop.
    hops_ok = models.PositiveIntegerField(default=0)
    hops_action = models.PositiveIntegerField(default=0)
    hops_blocked = models.PositiveIntegerField(default=0)
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_owner = "agency"

    class Meta:
        ordering = ["agency_id", "name", "id"]
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")

    def __str__(self) -> str:
        return self.name

    @property
    def worst_status(self) -> str:
        if self.hops_blocked:
            return HopStatus.BLOCKED
        if self.hops_action:
            return HopStatus.ACTION
        return HopStatus.OK


class HopAssessment(models.Model):
    """The engine's verdict on one hop of one linked chain, as of the last assessment."""

    activity = models.ForeignKey(ProcessingActivity, on_delete=models.CASCADE, related_name="hops")
    service = models.ForeignKey("registry.Service", on_delete=models.CASCADE, related_name="+")
    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    hop_id = models.CharField(max_length=40)
    from_hop = models.CharField(max_length=40)
    entity = models.CharField(_("legal entity"), max_length=200)
    country = models.CharField(_("country"), max_length=2)
    function = models.CharField(_("function"), max_length=200, blank=True)
    access = models.CharField(_("access"), max_length=10, choices=Access.choices)
    mechanism = models.CharField(_("transfer ground"), max_length=12)
    scc_module = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=HopStatus.choices, db_index=True)
    documents = models.JSONField(default=list)
    missing_documents = models.JSONField(default=list)
    flags = models.JSONField(default=list)
    rule = models.CharField(max_length=20)
    legal_basis = models.JSONField(default=list)
    explanation_nb = models.TextField()
    explanation_en = models.TextField()
    assessed_on = models.DateField()
    method_version = models.CharField(max_length=20)

    tenant_owner = "activity__agency"

    class Meta:
        ordering = ["activity_id", "service_id", "position", "id"]
        verbose_name = _("hop assessment")
        verbose_name_plural = _("hop assessments")
        indexes = [models.Index(fields=["declaration", "status"], name="privacy_hop_decl")]

    def __str__(self) -> str:
        return f"{self.entity} ({self.country}): {self.status}"


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    OBJECTED = "objected", _("Objected")


class ReviewTask(models.Model):
    """An agency's task to review a vendor's new declaration of a service it uses (Art. 28(2))."""

    agency = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="privacy_reviews"
    )
    service = models.ForeignKey("registry.Service", on_delete=models.CASCADE, related_name="+")
    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="+")
    previous = models.ForeignKey(
        Declaration, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    diff = models.JSONField(_("changes"), default=dict)
    objection_deadline = models.DateField(_("objection deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_owner = "agency"

    class Meta:
        ordering = ["agency_id", "-created_at", "-id"]
        verbose_name = _("review task")
        verbose_name_plural = _("review tasks")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "declaration"], name="privacy_one_review_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service}: v{self.declaration.number if self.declaration_id else '?'}"


class Notification(models.Model):
    """A message to an agency: a service it uses changed its chain."""

    agency = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="privacy_notifications",
    )
    review = models.ForeignKey(
        ReviewTask, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    tenant_owner = "agency"

    class Meta:
        ordering = ["agency_id", "-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.subject


class DpfControl(models.Model):
    """An agency checked, on a day, that a DPF-certified recipient it relies on is still listed."""

    agency = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="dpf_controls"
    )
    entity = models.CharField(_("legal entity"), max_length=200)
    controlled_on = models.DateField(_("controlled on"))
    note = models.TextField(_("note"), blank=True)
    controlled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_owner = "agency"

    class Meta:
        ordering = ["agency_id", "entity", "-controlled_on", "-id"]
        verbose_name = _("DPF control")
        verbose_name_plural = _("DPF controls")
        indexes = [
            models.Index(fields=["agency", "entity", "-controlled_on"], name="privacy_dpf_control")
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.controlled_on}"


class AgencyTia(models.Model):
    """The agency's own transfer impact assessment for one recipient behind one service.

    A vendor declares the tools it has in place; an agency may do the TIA itself (as the
    exporter, EDPB Recommendations 01/2020). Recorded once, it counts for every activity
    of the agency that uses the service.
    """

    agency = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="privacy_tias"
    )
    service = models.ForeignKey("registry.Service", on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(_("legal entity"), max_length=200)
    done_on = models.DateField(_("done on"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_owner = "agency"

    class Meta:
        ordering = ["agency_id", "service_id", "entity"]
        verbose_name = _("transfer impact assessment")
        verbose_name_plural = _("transfer impact assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "service", "entity"], name="privacy_one_tia_per_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"TIA {self.entity} ({self.done_on})"


class NameMatchDecision(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class DpfNameMatch(models.Model):
    """A person's decision on a close DPF list name for a vendor's declared legal entity.

    The engine grants DPF only on the identical name; a vendor's "Acme Cloud Inc" and the
    list's "Acme Cloud, Inc." are the same entity only once a person (the vendor or the
    operator) confirms it. A confirmation is used for every chain of that vendor that
    declares the entity (published declarations are frozen, so it is not stored on them);
    a rejection keeps the suggestion off the list of names to confirm.
    """

    vendor = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="dpf_name_matches",
        verbose_name=_("vendor"),
    )
    entity = models.CharField(_("declared legal entity"), max_length=200)
    listed_name = models.CharField(_("name on the DPF list"), max_length=200)
    organisation = models.CharField(_("DPF organisation"), max_length=200)
    decision = models.CharField(_("decision"), max_length=10, choices=NameMatchDecision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    tenant_owner = "vendor"

    class Meta:
        ordering = ["vendor_id", "entity", "listed_name"]
        verbose_name = _("DPF name match")
        verbose_name_plural = _("DPF name matches")
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "entity", "listed_name"], name="privacy_one_decision_per_name"
            ),
            models.UniqueConstraint(
                fields=["vendor", "entity"],
                condition=Q(decision="confirmed"),
                name="privacy_one_confirmed_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} → {self.listed_name} ({self.decision})"
