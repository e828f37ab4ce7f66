"""Cost data in the relational database: import records and exchange rates only.

Billing rows live in Parquet under DATA_DIR/costs (mps.costs.engine); the database keeps what
an operator needs to audit an import and to convert currencies.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mps.costs.engine import fx


class ExchangeRate(models.Model):
    """NOK for one unit of a currency on a business day (reference data).

    One rate per currency and day: Norges Bank's where it has one, otherwise the ECB cross rate
    via the euro (mps.costs.engine.fx; docs/costs.md).
    """

    class Source(models.TextChoices):
        NORGES_BANK = fx.SOURCE_NORGES_BANK, _("Norges Bank")
        ECB = fx.SOURCE_ECB, _("ECB (cross rate via the euro)")

    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217"))
    day = models.DateField(_("day"))
    nok_per_unit = models.DecimalField(_("NOK per unit"), max_digits=24, decimal_places=12)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.NORGES_BANK
    )
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency", "day"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "day"], name="unique_rate_per_currency_day")
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.day}: {self.nok_per_unit} NOK"


class CostImport(models.Model):
    """One attempt to import one FOCUS export for one organisation."""

    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        UNCHANGED = "unchanged", _("Unchanged (already imported)")
        REJECTED = "rejected", _("Rejected")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="cost_imports",
        verbose_name=_("organisation"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    focus_version = models.CharField(_("FOCUS version"), max_length=8, blank=True)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    error_count = models.PositiveBigIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("first errors"), default=list, blank=True)
    error_counts = models.JSONField(_("errors per rule"), default=list, blank=True)
    seconds = models.JSONField(_("time per phase"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    tenant_owner = "organisation"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("cost import")
        verbose_name_plural = _("cost imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_outcome_display()}, {self.rows} rows)"


class CostSnapshot(models.Model):
    """The rows of one provider, billing account and billing period that one import brought.

    A newer import of the same key replaces it (`replaced_by`): providers write many full
    snapshots per billing period, and summing them would multiply the totals.
    """

    cost_import = models.ForeignKey(CostImport, on_delete=models.CASCADE, related_name="snapshots")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="cost_snapshots"
    )
    provider = models.CharField(_("provider"), max_length=200)
    billing_account_id = models.CharField(_("billing account"), max_length=500, blank=True)
    billing_period_start = models.DateTimeField(_("billing period start"))
    billing_period_end = models.DateTimeField(_("billing period end"))
    billing_month = models.CharField(_("billing month"), max_length=7, db_index=True)
    key = models.CharField(_("snapshot key"), max_length=32, db_index=True)
    rows = models.PositiveBigIntegerField(_("rows"))
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced"
    )

    tenant_owner = "organisation"

    class Meta:
        ordering = ["organisation", "provider", "billing_month"]
        verbose_name = _("billing snapshot")
        verbose_name_plural = _("billing snapshots")

    def __str__(self) -> str:
        return f"{self.provider} {self.billing_account_id} {self.billing_month}"


class ConformanceWarning(models.Model):
    """How often one import broke one FOCUS rule for one provider: the data-quality report."""

    cost_import = models.ForeignKey(CostImport, on_delete=models.CASCADE, related_name="warnings")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="cost_warnings"
    )
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    rule = models.CharField(_("rule"), max_length=64)
    column = models.CharField(_("column"), max_length=200, blank=True)
    count = models.PositiveBigIntegerField(_("count"))

    tenant_owner = "organisation"

    class Meta:
        ordering = ["provider", "rule", "column"]
        verbose_name = _("conformance warning")
        verbose_name_plural = _("conformance warnings")

    def __str__(self) -> str:
        return f"{self.provider}: {self.rule} {self.column} × {self.count}"


class CostMonth(models.Model):
    """One organisation-month of key figures, rebuilt from the daily aggregate after each import.

    The relational pre-aggregate (docs/costs.md): benchmarks across agencies, the national
    picture and the overview card read only this table. Amounts in NOK, effective cost unless
    named otherwise.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="cost_months"
    )
    month = models.CharField(_("month"), max_length=7)
    billed_nok = models.FloatField(_("billed cost (NOK)"), default=0)
    effective_nok = models.FloatField(_("effective cost (NOK)"), default=0)
    list_nok_ex_purchases = models.FloatField(default=0)
    effective_nok_ex_purchases = models.FloatField(default=0)
    tagged_nok = models.FloatField(default=0)
    norway_nok = models.FloatField(default=0)
    eea_nok = models.FloatField(default=0)  # other EEA countries
    non_eea_nok = models.FloatField(default=0)
    unknown_region_nok = models.FloatField(default=0)
    # Effective cost per provider and per service category, for the national picture.
    by_provider = models.JSONField(default=dict, blank=True)
    by_service_category = models.JSONField(default=dict, blank=True)
    # The change from the calendar month before split into usage, unit price, exchange rate and
    # other (mps.costs.engine.decompose); null when the organisation has no data that month.
    usage_effect_nok = models.FloatField(null=True, blank=True)
    price_effect_nok = models.FloatField(null=True, blank=True)
    fx_effect_nok = models.FloatField(null=True, blank=True)
    other_effect_nok = models.FloatField(null=True, blank=True)

    tenant_owner = "organisation"

    class Meta:
        ordering = ["organisation", "month"]
        verbose_name = _("cost month")
        verbose_name_plural = _("cost months")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="unique_cost_month")
        ]
        indexes = [models.Index(fields=["month", "organisation"], name="costmonth_month_org")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month}: {self.effective_nok:.2f} NOK"


class Budget(models.Model):
    """An agency's cloud budget for a calendar year, in NOK.

    `reference_date` fixes the exchange rates the budget assumed: the forecast converted at those
    rates tells whether the krone alone pushes the agency over (docs/costs.md).
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="cost_budgets",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount_nok = models.DecimalField(_("budget (NOK)"), max_digits=16, decimal_places=2)
    reference_date = models.DateField(
        _("exchange-rate reference date"),
        help_text=_("The day whose exchange rates the budget assumed."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # The forecast and its alerts as of the last import or budget change, for the overview card.
    forecast_nok = models.FloatField(_("forecast (NOK)"), null=True, blank=True)
    alerts = models.JSONField(_("alerts"), default=list, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)

    tenant_owner = "organisation"

    class Meta:
        ordering = ["organisation", "-year"]
        verbose_name = _("cost budget")
        verbose_name_plural = _("cost budgets")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="unique_budget_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount_nok} NOK"


class CostUpload(models.Model):
    """A FOCUS file uploaded in the web UI, imported by a background task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="cost_uploads",
        verbose_name=_("organisation"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    stored_path = models.CharField(max_length=500)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    message = models.CharField(_("message"), max_length=500, blank=True)
    cost_import = models.ForeignKey(
        CostImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    tenant_owner = "organisation"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("cost upload")
        verbose_name_plural = _("cost uploads")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
