"""Risk score records: footprint assets, scan runs, findings with history, snapshots, disputes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mps.riskscore.footprint import display_name


class Asset(models.Model):
    """A domain, host name, IP address or CIDR block that an organisation says is its own."""

    class Kind(models.TextChoices):
        DOMAIN = "domain", _("Domain")
        HOST = "host", _("Host name")
        IP = "ip", _("IP address")
        CIDR = "cidr", _("CIDR block")

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        PENDING = "pending", _("Awaiting validation")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        # On a vendor's shared platform (service register): the vendor's, never scored here.
        VENDOR = "vendor", _("On a vendor's platform")

    class Method(models.TextChoices):
        DNS_TXT = "dns_txt", _("DNS TXT record")
        WELL_KNOWN = "well_known", _("File under /.well-known/")
        OPERATOR = "operator", _("Confirmed by the operator")
        PARENT = "parent", _("Covered by a verified domain")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="risk_assets"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=253, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    method = models.CharField(
        _("validation method"), max_length=12, choices=Method.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    token = models.CharField(_("validation token"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=20, default="manual")
    discovered_via = models.CharField(_("discovered via"), max_length=253, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("validation last checked"), null=True, blank=True)
    last_check_detail = models.CharField(_("result of the last check"), max_length=500, blank=True)
    last_scanned_at = models.DateTimeField(_("last measured"), null=True, blank=True, db_index=True)
    # For status VENDOR: the service whose declared platform domain covers this name.
    platform_service = models.ForeignKey(
        "registry.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vendor platform"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_owner = "organisation"
    # Evidence: a central function sees these rows under an operator's grant (core.EvidenceGrant).
    tenant_evidence = True

    class Meta:
        ordering = ["kind", "value"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "value"], name="riskscore_asset_unique"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        if self.kind in (self.Kind.DOMAIN, self.Kind.HOST):
            return display_name(self.value)
        return self.value

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED


class ScanRun(models.Model):
    """One scan of (part of) an organisation's footprint."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="scan_runs"
    )
    trigger = models.CharField(_("trigger"), max_length=20, default="manual")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    started_at = models.DateTimeField(_("started"), db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    method_version = models.CharField(_("method version"), max_length=60)
    assets_scanned = models.PositiveIntegerField(default=0)
    findings_recorded = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    tenant_owner = "organisation"
    # Evidence: a central function sees these rows under an operator's grant (core.EvidenceGrant).
    tenant_evidence = True

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("scan run")

    def __str__(self) -> str:
        return f"{self.organisation} {self.started_at:%Y-%m-%d %H:%M}"


class Finding(models.Model):
    """The latest measurement of one check at one address and port of an asset, with history.

    Keyed by asset + check + address + port, so writing the same result twice (a retried task)
    updates the row instead of duplicating it. ``status`` is the last conclusive measurement;
    an inconclusive probe never changes it.
    """

    class State(models.TextChoices):
        OK = "ok", _("Passing")
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        REOPENED = "reopened", _("Reopened")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="risk_findings"
    )
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="findings")
    check_id = models.CharField(_("check"), max_length=60)
    factor = models.CharField(_("factor"), max_length=12)
    severity = models.CharField(_("severity"), max_length=10)
    status = models.CharField(_("status"), max_length=14)
    address = models.CharField(_("address"), max_length=45, blank=True, default="")
    port = models.PositiveIntegerField(_("port"), default=0)
    target = models.CharField(_("target"), max_length=253)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, db_index=True)
    first_seen = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    observed_at = models.DateTimeField(_("measured"))
    last_inconclusive_at = models.DateTimeField(null=True, blank=True)
    method_version = models.CharField(max_length=60)
    last_run = models.ForeignKey(
        ScanRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    tenant_owner = "organisation"
    # Evidence: a central function sees these rows under an operator's grant (core.EvidenceGrant).
    tenant_evidence = True

    class Meta:
        ordering = ["asset_id", "check_id", "address", "port"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "check_id", "address", "port"], name="riskscore_finding_key"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "state"]),
            models.Index(fields=["check_id", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.check_id} {self.target}"

    @property
    def is_problem(self) -> bool:
        return self.status in ("fail", "warn")


class ScoreSnapshot(models.Model):
    """The organisation's score on one day, per factor; ``generated`` marks back-filled demo data."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="score_snapshots"
    )
    date = models.DateField(_("date"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True)
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    confidence = models.DecimalField(_("confidence"), max_digits=3, decimal_places=2, null=True)
    tls = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    web = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    email = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    dns = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    ipv6 = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    services = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    software = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    assets = models.PositiveIntegerField(default=0)
    open_findings = models.PositiveIntegerField(default=0)
    method_version = models.CharField(max_length=60)
    # Checks that cost points that day (one entry per check): the national picture counts the
    # organisations affected from the latest snapshots instead of every finding row.
    failing_checks = models.JSONField(default=list, blank=True)
    generated = models.BooleanField(
        _("generated"), default=False, help_text=_("Back-filled demo history, not measured.")
    )

    tenant_owner = "organisation"

    class Meta:
        ordering = ["organisation_id", "date"]
        verbose_name = _("score snapshot")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "date"], name="riskscore_snapshot_day"),
        ]
        indexes = [
            models.Index(fields=["date", "grade"]),
            # Covers "newest scored snapshot of an organisation in a date range" without reading
            # the rows (the national trend seeks it per agency and week).
            models.Index(
                fields=["organisation", "date", "score"], name="riskscore_snap_org_day_score"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.date} {self.grade}"


class Dispute(models.Model):
    """An organisation's objection to a finding (comply or explain), decided by re-test or operator."""

    class Kind(models.TextChoices):
        FALSE_POSITIVE = "false_positive", _("False positive")
        NOT_OURS = "not_ours", _("Not ours")
        COMPENSATING = "compensating_control", _("Compensating control")
        ACCEPTED_RISK = "accepted_risk", _("Accepted risk")

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RESOLVED = "resolved", _("Closed: re-test passed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Kinds that, once approved, take the finding out of the score (docs/scoring.md).
    WAIVING_KINDS = (Kind.FALSE_POSITIVE, Kind.NOT_OURS, Kind.COMPENSATING)

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="risk_disputes"
    )
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="disputes")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    justification = models.TextField(_("justification"))
    expires_on = models.DateField(_("expires"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    retest_at = models.DateTimeField(null=True, blank=True)
    retest_detail = models.TextField(blank=True)

    tenant_owner = "organisation"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.finding}"


class AssetScan(models.Model):
    """One asset's part of a scan run: exactly one row per run and asset, however often a
    distributed task is delivered again (a killed worker's task is redone; ``attempts`` counts it).
    """

    run = models.ForeignKey(ScanRun, on_delete=models.CASCADE, related_name="asset_scans")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="scans")
    attempts = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    findings_written = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    tenant_owner = "asset__organisation"

    class Meta:
        ordering = ["run_id", "asset_id"]
        verbose_name = _("asset scan")
        constraints = [
            models.UniqueConstraint(fields=["run", "asset"], name="riskscore_assetscan_once"),
        ]
        indexes = [models.Index(fields=["run", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.asset_id}"


class ScanSchedule(models.Model):
    """How often an organisation's footprint is rescanned (``mps scan --due``); without a row,
    the default cadence applies."""

    DEFAULT_CADENCE_DAYS = 7

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="scan_schedule"
    )
    cadence_days = models.PositiveIntegerField(
        _("rescan every (days)"),
        default=DEFAULT_CADENCE_DAYS,
        help_text=_("A verified asset measured longer ago than this is scanned again."),
    )
    paused = models.BooleanField(_("paused"), default=False)

    tenant_owner = "organisation"

    class Meta:
        verbose_name = _("scan schedule")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.cadence_days} d"
