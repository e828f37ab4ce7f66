"""Store a DPF list import, re-assess the chains it can change, and alert exactly the
agencies a worsening change touches (lapsed, removed, HR or non-HR coverage dropped,
covered entity removed).

Parsing, diffing and impact are plain Python in mps.privacy.dpfwatch; this module keeps
the stored list, the hops that rely on listed names, and the notifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from mps.core.tenancy import Viewer
from mps.organisations.models import Organisation
from mps.privacy import chain
from mps.privacy.actions import audit_many
from mps.privacy.dpfwatch import (
    DpfChange,
    EntityUse,
    ListedOrganisation,
    Snapshot,
    describe,
    diff_snapshots,
    impacts,
)
from mps.privacy.models import (
    ChainEntry,
    DpfListEntry,
    HopAssessment,
    Notification,
)
from mps.privacy.rules.model import DpfEntry


@dataclass
class DpfImportResult:
    changes: tuple[DpfChange, ...]
    alerted_agency_ids: list[int]
    notifications: int
    hops_assessed: int


def stored_snapshot() -> Snapshot:
    fields = (
        "organisation",
        "covered_entities",
        "eu_us",
        "hr",
        "non_hr",
        "next_due",
        "uk_extension",
        "swiss_us",
        "original_certification",
    )
    return Snapshot(
        organisations=tuple(
            ListedOrganisation(
                entry=DpfEntry(
                    organisation=organisation,
                    covered_entities=tuple(covered or ()),
                    eu_us=eu_us,
                    hr=hr,
                    non_hr=non_hr,
                    next_due=next_due,
                ),
                uk_extension=uk or None,
                swiss_us=swiss or None,
                original_certification=first,
            )
            for organisation, covered, eu_us, hr, non_hr, next_due, uk, swiss, first in (
                DpfListEntry.objects.order_by("organisation", "id").values_list(*fields)
            )
        )
    )


def _store(snapshot: Snapshot) -> None:
    DpfListEntry.objects.all().delete()
    DpfListEntry.objects.bulk_create(
        [
            DpfListEntry(
                organisation=o.entry.organisation,
                covered_entities=list(o.entry.covered_entities),
                eu_us=o.entry.eu_us,
                hr=o.entry.hr,
                non_hr=o.entry.non_hr,
                next_due=o.entry.next_due,
                uk_extension=o.uk_extension or "",
                swiss_us=o.swiss_us or "",
                original_certification=o.original_certification,
            )
            for o in snapshot.organisations
        ],
        batch_size=1000,
    )


def entity_uses(names: set[str]) -> list[EntityUse]:
    """Stored hops whose matched name is among `names`, with the categories they reach."""
    if not names:
        return []
    hops = list(
        HopAssessment.objects.filter(country="US").values_list(
            "activity_id",
            "activity__agency_id",
            "activity__data_categories",
            "declaration_id",
            "service_id",
            "hop_id",
            "entity",
        )
    )
    entries = {
        (declaration_id, f"e{position}"): (dpf_entity, categories)
        for declaration_id, position, dpf_entity, categories in ChainEntry.objects.filter(
            declaration_id__in={h[3] for h in hops}
        ).values_list("declaration_id", "position", "dpf_entity", "data_categories")
    }
    confirmed = chain.confirmed_names({h[4] for h in hops})
    uses = []
    for (
        activity_id,
        agency_id,
        activity_categories,
        declaration_id,
        service_id,
        hop_id,
        entity,
    ) in hops:
        dpf_entity, reach = entries.get((declaration_id, hop_id), ("", None))
        name = dpf_entity or confirmed.get(service_id, {}).get(entity) or entity
        if name not in names:
            continue
        activity_categories = list(activity_categories or [])
        categories = (
            tuple(c for c in reach if c in activity_categories)
            if reach
            else tuple(activity_categories)
        )
        uses.append(
            EntityUse(entity=name, agency=agency_id, chain=activity_id, categories=categories)
        )
    return uses


@transaction.atomic
def import_snapshot(actor: Any, snapshot: Snapshot, today: date | None = None) -> DpfImportResult:
    today = today or timezone.localdate()
    changes = diff_snapshots(stored_snapshot(), snapshot)
    _store(snapshot)
    names = {n for c in changes for n in c.names}
    uses = entity_uses(names)
    # Every chain that relies on a changed name gets a fresh verdict (better or worse).
    activity_ids = {u.chain for u in uses}
    hops = chain.reassess_ids(activity_ids, today)
    touched = impacts(changes, uses)
    agencies = Organisation.objects.in_bulk(list(touched))
    notes = []
    for agency_id, pairs in sorted(touched.items()):
        seen: set[tuple[str, str]] = set()
        lines = []
        for _use, change in pairs:
            key = (change.kind, change.organisation)
            if key in seen:
                continue
            seen.add(key)
            lines.append(describe(change).nb)
        notes.append(
            Notification(
                agency=agencies[agency_id],
                subject=f"Endring på DPF-listen: {', '.join(sorted({o for _k, o in seen}))}"[:300],
                body=" ".join(lines),
            )
        )
    # In bulk, with their audit entries: a lapsed name can touch hundreds of agencies.
    notes = Notification.objects.bulk_create(notes, batch_size=500)
    audit_many(actor, "privacy.dpf.alert", notes)
    return DpfImportResult(
        changes=changes,
        alerted_agency_ids=sorted(touched),
        notifications=len(notes),
        hops_assessed=hops,
    )


def do_import_snapshot(viewer: Viewer, snapshot: Snapshot) -> DpfImportResult:
    """The operator imports the list for everyone (it is reference data)."""
    if not (viewer.is_operator and viewer.can_write):
        raise PermissionDenied("Only the marketplace operator imports the DPF list.")
    return import_snapshot(viewer.user, snapshot)
