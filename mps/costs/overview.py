"""The cost card on the overview: the last month's cost, the change and the savings rate.

Reads only the relational CostMonth pre-aggregate (one query), never the billing rows.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from mps.core.overview import Card, MenuItem
from mps.core.tenancy import Viewer
from mps.costs.models import Budget, CostMonth

MONTHS = 13  # the last month and the same month a year before


def card(viewer: Viewer) -> Card | None:
    org = viewer.organisation
    if org is None:
        return None
    if viewer.is_operator:
        return Card(
            title=_("Cloud costs"),
            template="costs/card.html",
            order=40,
            context={"operator": True},
        )
    if not viewer.is_agency:
        return None
    months = list(
        CostMonth.objects.filter(organisation=org)
        .order_by("-month")
        .values("month", "effective_nok", "list_nok_ex_purchases", "effective_nok_ex_purchases")[
            :MONTHS
        ]
    )
    last = months[0] if months else None
    previous = months[1] if len(months) > 1 else None
    change = None
    if last and previous and previous["effective_nok"]:
        change = (last["effective_nok"] - previous["effective_nok"]) / previous["effective_nok"]
    listed = sum(m["list_nok_ex_purchases"] for m in months[:12])
    effective = sum(m["effective_nok_ex_purchases"] for m in months[:12])
    rate = (listed - effective) / listed if listed else None
    budget = (
        Budget.objects.filter(organisation=org, year=int(last["month"][:4])).first()
        if last
        else None
    )
    return Card(
        title=_("Cloud costs"),
        template="costs/card.html",
        order=40,
        context={
            "operator": False,
            "org_id": org.pk,
            "last": last,
            "change": change,
            "savings_rate": rate,
            "budget": budget,
            "alert_kinds": [a["kind"] for a in budget.alerts] if budget else [],
        },
    )


def menu(viewer: Viewer) -> list[MenuItem]:
    items = []
    if viewer.is_operator or viewer.is_agency:
        items.append(MenuItem("costs", _("Costs"), "costs:index", order=40))
    if viewer.is_operator or viewer.is_central:
        # The national picture: sums over agencies (mps.costs.national), never one agency's.
        items.append(MenuItem("costs_national", _("National costs"), "costs:national", order=41))
    return items
