"""Cross-cutting records: the append-only audit log."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):  # type: ignore[override]
        raise AppendOnlyError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One change: who did what to which object, with the object's state before and after."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("actor"), max_length=200)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        help_text=_("The organisation that owns the changed object."),
    )
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEntryQuerySet.as_manager()

    tenant_owner = "organisation"

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["organisation", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")


class EvidenceGrant(models.Model):
    """The operator lets a central function see one organisation's evidence, for a reason and
    until a date (issue 4: drill-down stops at the grade unless the operator grants more).

    Models whose rows are evidence say ``tenant_evidence = True``; the tenancy rule then lets
    the grantee read those rows of the subject while the grant is in force.
    """

    grantee = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="evidence_grants",
        verbose_name=_("central function"),
    )
    subject = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )
    reason = models.TextField(_("reason"))
    expires_on = models.DateField(_("expires on"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    tenant_owner = "grantee"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("evidence grant")
        verbose_name_plural = _("evidence grants")
        indexes = [models.Index(fields=["grantee", "subject"])]

    def __str__(self) -> str:
        return f"{self.grantee} → {self.subject} ({self.expires_on})"
