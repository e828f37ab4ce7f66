"""The price card on the operator's overview (recent price rises) and the menu item."""

from __future__ import annotations

from django.utils.translation import gettext as _

from mps.core.overview import Card, MenuItem
from mps.core.tenancy import Viewer
from mps.prices import actions, reports

# How many alerts the card lists.
SHOWN = 5


def card(viewer: Viewer) -> Card | None:
    if viewer.is_operator:
        alerts = reports.change_rows(limit=SHOWN, only_alerts=True)
        return Card(
            title=_("Vendor prices"),
            template="prices/overview_card.html",
            order=60,
            context={"alerts": alerts, "threshold": actions.alert_threshold(), "agency": False},
        )
    if viewer.is_agency:
        return Card(
            title=_("Prices you pay"),
            template="prices/overview_card.html",
            order=60,
            context={"alerts": [], "agency": True},
        )
    return None


def menu(viewer: Viewer) -> list[MenuItem]:
    if not viewer.is_authenticated:
        return []
    return [MenuItem("prices", _("Prices"), "prices:index", order=55)]
