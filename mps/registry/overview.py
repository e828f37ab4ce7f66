"""The register's card on the overview page: what is on offer, or (for vendors) their own services."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from mps.core.overview import Card, MenuItem
from mps.core.tenancy import Viewer, visible
from mps.registry.models import Service, Status

# How many recently published services the card lists.
RECENT = 5


def card(viewer: Viewer) -> Card | None:
    if not viewer.is_authenticated:
        return None
    if viewer.is_vendor:
        rows = (
            visible(Service, viewer)
            .filter(vendor_id=viewer.organisation_id)
            .values("status")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts = {row["status"]: row["n"] for row in rows}
        by_status = [(label, counts.get(value, 0)) for value, label in Status.choices]
        return Card(
            title=_("Your services"),
            template="registry/overview_vendor.html",
            order=10,
            context={"by_status": by_status, "total": sum(counts.values())},
        )
    published = visible(Service, viewer).filter(status=Status.PUBLISHED)
    recent = list(published.select_related("vendor").order_by("-published_at", "-id")[:RECENT])
    return Card(
        title=_("Service register"),
        template="registry/overview_card.html",
        order=10,
        context={"published": published.count(), "recent": recent},
    )


def menu(viewer: Viewer) -> list[MenuItem]:
    items = [MenuItem("registry", _("Service register"), "registry:search", order=10)]
    if viewer.is_vendor or viewer.is_operator:
        items.append(MenuItem("vendor", _("Vendor portal"), "registry:vendor_portal", order=11))
    return items
