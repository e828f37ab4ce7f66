"""The overview card for one's own organisation (and the register's size for the operator)."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from mps.core.overview import Card
from mps.core.tenancy import Viewer
from mps.organisations.models import Organisation


def card(viewer: Viewer) -> Card | None:
    org = viewer.organisation
    if org is None:
        return None
    context: dict = {"org": org}
    if viewer.is_operator or viewer.is_central:
        context["by_kind"] = list(
            Organisation.objects.values("kind").annotate(n=Count("pk")).order_by("kind")
        )
        context["kinds"] = dict(Organisation.Kind.choices)
    return Card(
        title=_("Your organisation"), template="organisations/card.html", order=1, context=context
    )
