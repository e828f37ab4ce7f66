"""The risk score card on the overview: the latest grade, or the national picture's link."""

from __future__ import annotations

from django.utils.translation import gettext as _

from mps.core.overview import Card, MenuItem
from mps.core.tenancy import Viewer
from mps.riskscore.models import ScoreSnapshot


def card(viewer: Viewer) -> Card | None:
    org = viewer.organisation
    if org is None:
        return None
    if viewer.is_central or viewer.is_operator:
        return Card(
            title=_("Cyber Risk Score"),
            template="riskscore/card.html",
            order=30,
            context={"snapshot": None, "national": True, "link_name": "riskscore:national"},
        )
    if not viewer.is_agency:
        return None
    snapshot = (
        ScoreSnapshot.objects.filter(organisation=org, score__isnull=False)
        .order_by("-date")
        .first()
    )
    return Card(
        title=_("Cyber Risk Score"),
        template="riskscore/card.html",
        order=30,
        context={"snapshot": snapshot, "national": False, "link_name": "riskscore:index"},
    )


def menu(viewer: Viewer) -> list[MenuItem]:
    if viewer.is_vendor:
        return []
    return [MenuItem("riskscore", _("Risk score"), "riskscore:index", order=30)]
