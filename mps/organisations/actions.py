"""Writes for organisations: the Enhetsregisteret import and edits. Each writes the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from mps.core import audit
from mps.core.tenancy import Viewer
from mps.organisations.enhetsregisteret import OrgRecord, RecordError
from mps.organisations.models import Organisation
from mps.organisations.reference import county_for_kommunenummer, municipality_by_number

# Fields the import owns; anything else (kind, opt-ins) is kept on re-import.
IMPORTED_FIELDS = (
    "name",
    "org_form",
    "sector_code",
    "sector",
    "kommunenummer",
    "county",
    "employees",
    "website",
    "population",
)


class ImportRejected(Exception):
    """The file has invalid records and --skip-invalid was not given; nothing was imported."""

    def __init__(self, errors: list[RecordError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} invalid record(s); nothing was imported")


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[RecordError] = field(default_factory=list)
    unresolved_parents: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": [
                {"position": e.position, "orgnr": e.orgnr, "reason": e.reason} for e in self.skipped
            ],
            "unresolved_parents": self.unresolved_parents,
        }


def _values(record: OrgRecord) -> dict[str, Any]:
    municipality = municipality_by_number().get(record.kommunenummer)
    population = None
    if (
        record.sector == Organisation.Sector.MUNICIPALITY
        and record.org_form == "KOMM"
        and municipality
    ):
        population = municipality.population
    return {
        "name": record.name,
        "org_form": record.org_form,
        "sector_code": record.sector_code,
        "sector": record.sector,
        "kommunenummer": record.kommunenummer,
        "county": county_for_kommunenummer(record.kommunenummer),
        "employees": record.employees,
        "website": record.website,
        "population": population,
    }


@transaction.atomic
def do_import_organisations(
    actor: Any,
    records: list[OrgRecord],
    errors: list[RecordError],
    *,
    skip_invalid: bool = False,
    kind: str = "agency",
) -> ImportSummary:
    """Create or update organisations by organisation number; all or nothing unless skip_invalid."""
    if errors and not skip_invalid:
        raise ImportRejected(errors)
    summary = ImportSummary(skipped=list(errors))
    existing = Organisation.objects.in_bulk([r.orgnr for r in records], field_name="orgnr")
    by_orgnr: dict[str, Organisation] = {}
    for record in records:
        values = _values(record)
        org = existing.get(record.orgnr)
        if org is None:
            org = Organisation(orgnr=record.orgnr, kind=kind, **values)
            org.save()
            audit.record(actor, "organisation.import.create", org, after=audit.snapshot(org))
            summary.created += 1
        else:
            before = audit.snapshot(org)
            changed = [
                f
                for f, v in values.items()
                if getattr(org, f) != v and not (f == "population" and v is None)
            ]
            if changed:
                for f in changed:
                    setattr(org, f, values[f])
                org.save()
                audit.record(
                    actor,
                    "organisation.import.update",
                    org,
                    before=before,
                    after=audit.snapshot(org),
                )
                summary.updated += 1
            else:
                summary.unchanged += 1
        by_orgnr[record.orgnr] = org
    # Parents may come later in the file or already be in the database.
    wanted = {r.parent_orgnr for r in records if r.parent_orgnr}
    parents = {**Organisation.objects.in_bulk(list(wanted), field_name="orgnr"), **by_orgnr}
    for record in records:
        if not record.parent_orgnr:
            continue
        parent = parents.get(record.parent_orgnr)
        org = by_orgnr[record.orgnr]
        if parent is None:
            summary.unresolved_parents.append(record.orgnr)
            continue
        if org.parent_id != parent.pk:
            org.parent = parent
            org.save(update_fields=["parent", "updated_at"])
    return summary


EDITABLE_FIELDS = ("name", "website", "employees", "peer_opt_in")


@transaction.atomic
def do_update_organisation(
    viewer: Viewer, org: Organisation, changes: dict[str, Any]
) -> Organisation:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: "This field cannot be changed here." for f in unknown})
    before = audit.snapshot(org)
    for key, value in changes.items():
        setattr(org, key, value)
    org.full_clean()
    org.save()
    audit.record(viewer.user, "organisation.update", org, before=before, after=audit.snapshot(org))
    return org
