"""The agreements card on the overview page: memberships, active call-offs, next notice deadline."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.agreements.models import CallOff, FrameworkAgreement, Membership
from mps.core.overview import Card, MenuItem
from mps.core.tenancy import Viewer, visible

ORDER = 20


def card(viewer: Viewer) -> Card | None:
    """Three queries whatever the number of agreements or call-offs."""
    if not (viewer.is_agency or viewer.is_operator):
        return None
    memberships = visible(Membership, viewer)
    calloffs = visible(CallOff, viewer).filter(status=CallOff.Status.ACTIVE)
    if viewer.is_agency:
        memberships = memberships.filter(agency=viewer.organisation_id)
        calloffs = calloffs.filter(agency=viewer.organisation_id)
    counts = dict(memberships.values_list("status").annotate(n=Count("id")).order_by())
    today = timezone.localdate()
    active = calloffs.aggregate(n=Count("id"))["n"]
    next_notice = (
        calloffs.filter(notice_by__gte=today)
        .select_related("vendor")
        .order_by("notice_by", "pk")
        .first()
    )
    open_agreements = None
    if viewer.is_operator:
        open_agreements = (
            visible(FrameworkAgreement, viewer)
            .filter(status__in=[FrameworkAgreement.Status.OPEN, FrameworkAgreement.Status.ACTIVE])
            .count()
        )
    return Card(
        title=_("Agreements and contracts"),
        template="agreements/overview_card.html",
        order=ORDER,
        context={
            "joined": counts.get(Membership.Status.JOINED, 0),
            "opted_out": counts.get(Membership.Status.OPTED_OUT, 0),
            "undecided": counts.get(Membership.Status.UNDECIDED, 0),
            "active_calloffs": active,
            "next_notice": next_notice,
            "days_to_notice": (next_notice.notice_by - today).days if next_notice else None,
            "open_agreements": open_agreements,
        },
    )


def menu(viewer: Viewer) -> list[MenuItem]:
    items = [MenuItem("agreements", _("Agreements"), "agreements:list", order=20)]
    if viewer.is_agency or viewer.is_operator:
        items.append(MenuItem("contracts", _("Contracts"), "agreements:contracts", order=21))
    if viewer.is_operator:
        items.append(MenuItem("national", _("National picture"), "agreements:national", order=22))
    return items
