"""Writes of the core app: evidence grants (who outside an organisation may see its evidence).

Each grant and revocation is written to the audit log under the subject organisation, so an
agency sees in its own log that, when, why and to whom the operator opened its evidence.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.core import audit
from mps.core.models import EvidenceGrant
from mps.core.tenancy import KIND_AGENCY, KIND_CENTRAL, Viewer

# A grant is for a purpose (an incident, an inspection), not for ever.
MAX_GRANT = timedelta(days=365)


def _require_operator(viewer: Viewer) -> None:
    if not (viewer.is_operator and viewer.can_write):
        raise PermissionDenied("Only the operator grants access to evidence.")


@transaction.atomic
def do_grant_evidence(
    viewer: Viewer, grantee: Any, subject: Any, reason: str, expires_on: date
) -> EvidenceGrant:
    """Let a central function see ``subject``'s evidence until ``expires_on`` (inclusive)."""
    _require_operator(viewer)
    errors: dict[str, list[str]] = {}
    if getattr(grantee, "kind", None) != KIND_CENTRAL:
        errors["grantee"] = [
            _("%(name)s is not a central function.") % {"name": getattr(grantee, "name", grantee)}
        ]
    if getattr(subject, "kind", None) != KIND_AGENCY:
        errors["subject"] = [
            _("%(name)s is not an agency.") % {"name": getattr(subject, "name", subject)}
        ]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for the access.")]
    today = timezone.localdate()
    if not today <= expires_on <= today + MAX_GRANT:
        errors["expires_on"] = [
            _("The access must end between today and %(last)s (%(value)s given).")
            % {"last": (today + MAX_GRANT).isoformat(), "value": expires_on.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    grant = EvidenceGrant.objects.create(
        grantee=grantee,
        subject=subject,
        reason=reason.strip(),
        expires_on=expires_on,
        granted_by=viewer.user,
    )
    audit.record(
        viewer.user,
        "core.evidence_grant",
        grant,
        after=audit.snapshot(grant),
        organisation=subject,
    )
    return grant


@transaction.atomic
def do_revoke_evidence(viewer: Viewer, grant: EvidenceGrant) -> EvidenceGrant:
    """End a grant now; revoking twice changes nothing."""
    _require_operator(viewer)
    grant = EvidenceGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        return grant
    before = audit.snapshot(grant)
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit.record(
        viewer.user,
        "core.evidence_revoke",
        grant,
        before=before,
        after=audit.snapshot(grant),
        organisation=grant.subject,
    )
    return grant
