"""Cost data in the relational database: import records and exchange rates only.

Billing rows live in Parquet under DATA_DIR/costs (mps.costs.engine); the database keeps what
an operator needs to audit an import and to convert currencies.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExchangeRate(models.Model):
    """NOK for one unit of a currency on a business day (reference data, Source: Norges Bank)."""

    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217"))
    day = models.DateField(_("day"))
    nok_per_unit = models.DecimalField(_("NOK per unit"), max_digits=24, decimal_places=12)
    source = models.CharField(_("source"), max_length=100, default="Norges Bank")
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
