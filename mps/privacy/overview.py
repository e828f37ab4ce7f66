"""The privacy card on the overview and the menu item."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext as _

from mps.core.overview import Card, MenuItem
from mps.core.tenancy import Viewer, visible
from mps.privacy.models import (
    Declaration,
    DeclarationStatus,
    ProcessingActivity,
    ReviewStatus,
    ReviewTask,
)
from mps.registry.models import Service
from mps.registry.models import Status as ServiceStatus


def card(viewer: Viewer) -> Card | None:
    if not viewer.is_authenticated or viewer.organisation is None:
        return None
    title = _("Privacy in the supplier chain")
    if viewer.is_agency:
        activities = visible(ProcessingActivity, viewer).filter(agency_id=viewer.organisation_id)
        totals = activities.aggregate(
            ok=Sum("hops_ok"), action=Sum("hops_action"), blocked=Sum("hops_blocked")
        )
        context = {
            "kind": "agency",
            "activities": activities.count(),
            "ok": totals["ok"] or 0,
            "action": totals["action"] or 0,
            "blocked": totals["blocked"] or 0,
            "open_reviews": visible(ReviewTask, viewer)
            .filter(agency_id=viewer.organisation_id, status=ReviewStatus.OPEN)
            .count(),
        }
    elif viewer.is_vendor:
        services = visible(Service, viewer).filter(
            vendor_id=viewer.organisation_id, status=ServiceStatus.PUBLISHED
        )
        declared = (
            Declaration.objects.filter(service__in=services, status=DeclarationStatus.PUBLISHED)
            .values("service")
            .distinct()
            .count()
        )
        context = {"kind": "vendor", "services": services.count(), "declared": declared}
    elif viewer.is_operator:
        declared = (
            Declaration.objects.filter(status=DeclarationStatus.PUBLISHED)
            .values("service")
            .distinct()
            .count()
        )
        context = {"kind": "operator", "declared": declared}
    else:
        return None
    return Card(title=title, template="privacy/card.html", order=40, context=context)


def menu(viewer: Viewer) -> list:
    if viewer.is_central or not viewer.is_authenticated:
        return []
    return [MenuItem("privacy", _("Privacy"), "privacy:index", order=35)]
