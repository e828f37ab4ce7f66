"""Import a Fides document into an agency's record: all activities or none.

Every system of the file is mapped first (mps.privacy.fides.parse_document lists every key
that does not map); then each becomes an activity through the activity actions (audited,
re-assessed). An activity of the agency with the same name is updated: the file sets its
categories, data subjects and, where given, its purposes, legal bases and special-category
condition; the rest of the record and its linked services stay. A record that would not
validate (e.g. health data without the Art. 9 condition) is reported like an unmapped key,
and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from mps.core import audit
from mps.core.tenancy import Viewer, require_act_for
from mps.privacy import actions
from mps.privacy.actions import ActivityData
from mps.privacy.fides import FidesImportError, FidesIssue, PlannedActivity, parse_document
from mps.privacy.models import ProcessingActivity


@dataclass
class FidesImportResult:
    created: list[str]
    updated: list[str]


class _Rollback(Exception):
    pass


def _data_for(plan: PlannedActivity, existing: ProcessingActivity | None) -> ActivityData:
    base = ActivityData.of(existing) if existing else ActivityData(name=plan.name)
    purposes = plan.purposes if plan.purposes is not None else base.purposes
    if plan.data_uses:
        line = "Fides data use: " + ", ".join(plan.data_uses)
        if line not in purposes:
            purposes = f"{purposes}\n{line}".strip()
    return ActivityData(
        **{
            **base.__dict__,
            "name": plan.name,
            "kind": plan.kind,
            "purposes": purposes,
            "data_categories": tuple(plan.data_categories),
            "data_subjects": tuple(plan.data_subjects),
            "legal_bases": tuple(plan.legal_bases) or base.legal_bases,
            "special_condition": plan.special_condition
            if plan.special_condition is not None
            else base.special_condition,
        }
    )


def import_activities(
    actor: Any, agency: Any, data: bytes, source: str = "<file>"
) -> FidesImportResult:
    """Create or update one activity per Fides system; raise FidesImportError (nothing
    written) when any key does not map or any record would not validate."""
    planned = parse_document(data, source)
    issues: list[FidesIssue] = []
    result = FidesImportResult(created=[], updated=[])
    try:
        with transaction.atomic():
            existing = {
                a.name.casefold(): a
                for a in ProcessingActivity.objects.filter(agency=agency).select_related("agency")
            }
            for plan in planned:
                current = existing.get(plan.name.casefold())
                try:
                    if current is None:
                        actions.create_activity(actor, agency, _data_for(plan, None))
                        result.created.append(plan.name)
                    else:
                        actions.update_activity(actor, current, _data_for(plan, current))
                        result.updated.append(plan.name)
                except ValidationError as exc:
                    details = (
                        exc.message_dict if hasattr(exc, "message_dict") else {"-": exc.messages}
                    )
                    for field_, messages in details.items():
                        for message in messages:
                            issues.append(FidesIssue(source, plan.item, field_, "", str(message)))
            if issues:
                raise _Rollback
            audit.record(
                actor,
                "privacy.fides.import",
                agency,
                after={"source": source, "created": result.created, "updated": result.updated},
            )
    except _Rollback:
        raise FidesImportError(issues) from None
    return result


def do_import_activities(
    viewer: Viewer, agency: Any, data: bytes, source: str = "<file>"
) -> FidesImportResult:
    require_act_for(viewer, agency)
    return import_activities(viewer.user, agency, data, source)
