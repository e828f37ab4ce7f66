"""Yearly DPF controls: every (agency, recipient) that relies on DPF must be checked once a
year, and again when its certification falls due (mps.privacy.dpfwatch.controls decides
when). This module reads the stored hops and controls and records a control.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.core import audit
from mps.core.tenancy import Viewer, require_act_for
from mps.privacy.dpfwatch import ControlTask, DpfReliance, due_controls
from mps.privacy.models import DpfControl, DpfListEntry, HopAssessment


def _certification_due() -> dict[str, date]:
    due: dict[str, date] = {}
    for row in DpfListEntry.objects.filter(eu_us="active"):
        for name in (row.organisation, *(row.covered_entities or ())):
            if row.next_due is not None:
                due[name] = row.next_due
    return due


def reliances(agency_ids: Iterable[int] | None = None) -> list[DpfReliance]:
    """One per (agency, recipient entity) with at least one hop that relies on DPF."""
    hops = HopAssessment.objects.filter(mechanism="dpf")
    controls = DpfControl.objects.all()
    if agency_ids is not None:
        ids = list(agency_ids)
        hops = hops.filter(activity__agency_id__in=ids)
        controls = controls.filter(agency_id__in=ids)
    rows = hops.values("activity__agency_id", "entity").annotate(since=Min("activity__created_at"))
    last = {
        (c["agency_id"], c["entity"]): c["last"]
        for c in controls.values("agency_id", "entity").annotate(last=Max("controlled_on"))
    }
    cert = _certification_due()
    return [
        DpfReliance(
            key=(r["activity__agency_id"], r["entity"]),
            entity=r["entity"],
            last_control=last.get((r["activity__agency_id"], r["entity"])),
            relied_since=timezone.localdate(r["since"]) if r["since"] else None,
            certification_due=cert.get(r["entity"]),
            agency=r["activity__agency_id"],
        )
        for r in rows.order_by("activity__agency_id", "entity")
    ]


def tasks(agency_ids: Iterable[int] | None, on: date) -> tuple[ControlTask, ...]:
    return due_controls(reliances(agency_ids), on)


@transaction.atomic
def record_control(actor: Any, agency: Any, entity: str, on: date, note: str = "") -> DpfControl:
    relied = HopAssessment.objects.filter(
        activity__agency=agency, mechanism="dpf", entity=entity
    ).exists()
    if not relied:
        raise ValidationError(
            {
                "entity": _("No hop of yours relies on DPF for %(entity)s.")
                % {"entity": repr(entity)}
            }
        )
    control = DpfControl.objects.create(
        agency=agency,
        entity=entity,
        controlled_on=on,
        note=note.strip()[:2000],
        controlled_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(actor, "privacy.dpf.control", control, after=audit.snapshot(control))
    return control


def do_record_control(viewer: Viewer, entity: str, note: str = "") -> DpfControl:
    require_act_for(viewer, viewer.organisation)
    if not viewer.is_agency:
        raise ValidationError({"entity": _("Only agencies record DPF controls.")})
    return record_control(viewer.user, viewer.organisation, entity, timezone.localdate(), note)
