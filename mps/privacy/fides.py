"""Exchange an agency's processing activities with Fides-based tools (fideslang keys).

The document has the shape of fideslang's resources as Fides documents them publicly
(https://ethyca.github.io/fideslang/resources/system/): an `organization` list and a
`system` list whose items have `fides_key`, `name`, `description`, `system_type`,
`data_responsibility_title` and `privacy_declarations` (each with `name`,
`data_categories`, `data_use`, `data_subjects`). One processing activity is one system
with one privacy declaration. It is written as JSON, which every YAML 1.2 reader also
reads, so a Fides YAML loader accepts the download as is.

Keys map through mps.privacy.taxonomy where a fideslang key exists; codes without one
travel as `tags` ("mps:category:confidential", "mps:subject:residents") so a round trip
through mps loses nothing. This module is plain Python; the import action that writes
activities is mps.privacy.fides_import (all-or-nothing).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mps.privacy import taxonomy

SYSTEM_TYPE = "Processing activity"
TAG_CATEGORY = "mps:category:"
TAG_SUBJECT = "mps:subject:"
MAX_SYSTEMS = 2_000

#: Our data subjects -> fideslang default data subjects, where one means the same people.
SUBJECT_TO_FIDES: dict[str, str] = {
    "employees": "employee",
    "applicants": "job_applicant",
    "patients": "patient",
    "clients": "customer",
    "suppliers": "supplier_vendor",
    "pupils": "trainee",
}
SUBJECT_FROM_FIDES = {v: k for k, v in SUBJECT_TO_FIDES.items()}

#: Art. 6(1) points <-> fideslang's `legal_basis_for_processing` values.
LEGAL_BASIS_TO_FIDES: dict[str, str] = {
    "6_1_a": "Consent",
    "6_1_b": "Contract",
    "6_1_c": "Legal obligations",
    "6_1_d": "Vital interests",
    "6_1_e": "Public interest",
    "6_1_f": "Legitimate interests",
}
LEGAL_BASIS_FROM_FIDES = {v.casefold(): k for k, v in LEGAL_BASIS_TO_FIDES.items()}

#: fideslang default data uses (keys only); an imported `data_use` must be one of them.
KNOWN_DATA_USES = frozenset(
    [
        "analytics",
        "analytics.reporting",
        "analytics.reporting.ad_performance",
        "analytics.reporting.content_performance",
        "analytics.reporting.campaign_insights",
        "analytics.reporting.system",
        "analytics.reporting.system.performance",
        "collect",
        "employment",
        "employment.recruitment",
        "essential",
        "essential.fraud_detection",
        "essential.legal_obligation",
        "essential.service",
        "essential.service.authentication",
        "essential.service.notifications",
        "essential.service.notifications.email",
        "essential.service.notifications.sms",
        "essential.service.operations",
        "essential.service.operations.support",
        "essential.service.operations.improve",
        "essential.service.payment_processing",
        "essential.service.security",
        "essential.service.upgrades",
        "finance",
        "functional",
        "functional.storage",
        "functional.service",
        "functional.service.improve",
        "marketing",
        "marketing.advertising",
        "marketing.communications",
        "operations",
        "personalize",
        "personalize.content",
        "personalize.system",
        "sales",
        "third_party_sharing",
        "third_party_sharing.legal_obligation",
        "train_ai_system",
    ]
)


def data_use(legal_bases: Iterable[str], subjects: Iterable[str]) -> str:
    """The fideslang data use that best names an activity's purpose (the record keeps the
    purposes as free text): recruitment, employment, a legal obligation, else the service."""
    subjects = set(subjects)
    if "applicants" in subjects:
        return "employment.recruitment"
    if "employees" in subjects:
        return "employment"
    if "6_1_c" in set(legal_bases):
        return "essential.legal_obligation"
    return "essential.service"


def system_for(activity: Any) -> dict[str, Any]:
    categories = list(activity.data_categories or [])
    subjects = list(activity.data_subjects or [])
    bases = list(activity.legal_bases or [])
    declaration: dict[str, Any] = {
        "name": activity.name,
        "data_categories": taxonomy.to_fides(categories),
        "data_use": data_use(bases, subjects),
        "data_subjects": [SUBJECT_TO_FIDES[s] for s in subjects if s in SUBJECT_TO_FIDES],
    }
    if bases:
        declaration["legal_basis_for_processing"] = LEGAL_BASIS_TO_FIDES[bases[0]]
    if activity.special_condition:
        declaration["special_category_legal_basis"] = activity.special_condition
    tags = [f"{TAG_CATEGORY}{c}" for c in categories if not _category_fides(c)]
    tags += [f"{TAG_SUBJECT}{s}" for s in subjects if s not in SUBJECT_TO_FIDES]
    tags += [f"mps:legal_basis:{b}" for b in bases[1:]]
    system: dict[str, Any] = {
        "fides_key": f"mps_activity_{activity.pk}",
        "name": activity.name,
        "description": activity.purposes,
        "system_type": SYSTEM_TYPE,
        "data_responsibility_title": "Processor" if activity.kind == "processor" else "Controller",
        "privacy_declarations": [declaration],
    }
    if tags:
        system["tags"] = tags
    return system


def _category_fides(code: str) -> str:
    category = taxonomy.CATEGORY_BY_CODE.get(code)
    return category.fides if category else ""


def export_document(agency: Any, activities: Iterable[Any]) -> dict[str, Any]:
    org_key = f"mps_org_{agency.orgnr or agency.pk}"
    systems = [system_for(a) | {"organization_fides_key": org_key} for a in activities]
    return {
        "organization": [{"fides_key": org_key, "name": agency.name}],
        "system": systems,
    }


def export_json(agency: Any, activities: Iterable[Any]) -> bytes:
    return json.dumps(export_document(agency, activities), ensure_ascii=False, indent=2).encode()


# ---------------------------------------------------------------------------------------
# Import


@dataclass(frozen=True)
class FidesIssue:
    """One thing the import cannot map: where (file, item, field) and what (value)."""

    file: str
    item: str
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.field} = {self.value!r}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {
            "file": self.file,
            "item": self.item,
            "field": self.field,
            "value": self.value,
            "message": self.message,
        }


class FidesImportError(ValueError):
    """The file cannot be imported as a whole; nothing was written."""

    def __init__(self, issues: list[FidesIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass
class PlannedActivity:
    """What one Fides system becomes: the record fields the file can set."""

    item: str
    name: str
    purposes: str | None
    kind: str
    data_categories: list[str] = field(default_factory=list)
    data_subjects: list[str] = field(default_factory=list)
    legal_bases: list[str] = field(default_factory=list)
    special_condition: str | None = None
    data_uses: list[str] = field(default_factory=list)


def _strings(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def parse_document(data: bytes, source: str = "<file>") -> list[PlannedActivity]:
    """Validate a Fides JSON document and map its keys; raise FidesImportError listing every
    key that does not map (file, item, field, value)."""
    issues: list[FidesIssue] = []

    def issue(item: str, field_: str, value: Any, message: str) -> None:
        issues.append(FidesIssue(source, item, field_, str(value), message))

    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FidesImportError(
            [FidesIssue(source, "-", "-", "", f"not a JSON document: {exc}")]
        ) from None
    systems = doc.get("system") if isinstance(doc, dict) else None
    if not isinstance(systems, list):
        raise FidesImportError(
            [FidesIssue(source, "-", "system", "", "expected a list of systems under 'system'")]
        )
    if len(systems) > MAX_SYSTEMS:
        raise FidesImportError(
            [FidesIssue(source, "-", "system", str(len(systems)), f"at most {MAX_SYSTEMS}")]
        )
    planned: list[PlannedActivity] = []
    names: set[str] = set()
    for i, system in enumerate(systems):
        if not isinstance(system, dict):
            issue(f"system[{i}]", "-", type(system).__name__, "expected an object")
            continue
        item = f"system[{i}] {system.get('fides_key') or system.get('name') or ''}".strip()
        name = system.get("name")
        if not isinstance(name, str) or not name.strip():
            issue(item, "name", name, "a system needs a name")
            continue
        name = " ".join(name.split())
        if name.casefold() in names:
            issue(item, "name", name, "the same name is on two systems")
        names.add(name.casefold())
        description = system.get("description")
        title = system.get("data_responsibility_title") or "Controller"
        kind = {"controller": "controller", "processor": "processor", "sub-processor": "processor"}
        if not isinstance(title, str) or title.casefold() not in kind:
            issue(item, "data_responsibility_title", title, "expected Controller or Processor")
            title = "Controller"
        plan = PlannedActivity(
            item=item,
            name=name,
            purposes=description if isinstance(description, str) else None,
            kind=kind[title.casefold()],
        )
        declarations = system.get("privacy_declarations")
        if not isinstance(declarations, list):
            issue(item, "privacy_declarations", declarations, "expected a list")
            declarations = []
        for j, declaration in enumerate(declarations):
            where = f"privacy_declarations[{j}]"
            if not isinstance(declaration, dict):
                issue(item, where, declaration, "expected an object")
                continue
            _plan_declaration(plan, declaration, item, where, issue)
        tags = _strings(system.get("tags"))
        if tags is None:
            issue(item, "tags", system.get("tags"), "expected a list of strings")
            tags = []
        for tag in tags:
            if tag.startswith(TAG_CATEGORY):
                code = tag.removeprefix(TAG_CATEGORY)
                if code in taxonomy.CATEGORY_BY_CODE:
                    plan.data_categories.append(code)
                else:
                    issue(item, "tags", tag, "unknown data category")
            elif tag.startswith(TAG_SUBJECT):
                code = tag.removeprefix(TAG_SUBJECT)
                if code in taxonomy.SUBJECT_CODES:
                    plan.data_subjects.append(code)
                else:
                    issue(item, "tags", tag, "unknown data subject")
            elif tag.startswith("mps:legal_basis:"):
                code = tag.removeprefix("mps:legal_basis:")
                if code in taxonomy.LEGAL_BASIS_CODES:
                    plan.legal_bases.append(code)
                else:
                    issue(item, "tags", tag, "unknown legal basis")
        plan.data_categories = list(dict.fromkeys(plan.data_categories))
        plan.data_subjects = list(dict.fromkeys(plan.data_subjects))
        plan.legal_bases = list(dict.fromkeys(plan.legal_bases))
        planned.append(plan)
    if issues:
        raise FidesImportError(issues)
    return planned


def _plan_declaration(
    plan: PlannedActivity, declaration: dict[str, Any], item: str, where: str, issue: Any
) -> None:
    keys = _strings(declaration.get("data_categories"))
    if keys is None:
        issue(
            item, f"{where}.data_categories", declaration.get("data_categories"), "expected a list"
        )
        keys = []
    for key in keys:
        mapped = taxonomy.from_fides([key])
        if mapped:
            plan.data_categories.extend(mapped)
        else:
            issue(item, f"{where}.data_categories", key, "no mps data category for this key")
    subjects = _strings(declaration.get("data_subjects"))
    if subjects is None:
        issue(item, f"{where}.data_subjects", declaration.get("data_subjects"), "expected a list")
        subjects = []
    for key in subjects:
        if key in SUBJECT_FROM_FIDES:
            plan.data_subjects.append(SUBJECT_FROM_FIDES[key])
        else:
            issue(item, f"{where}.data_subjects", key, "no mps data subject for this key")
    use = declaration.get("data_use")
    if use is not None:
        if isinstance(use, str) and use in KNOWN_DATA_USES:
            plan.data_uses.append(use)
        else:
            issue(item, f"{where}.data_use", use, "not a fideslang data use")
    basis = declaration.get("legal_basis_for_processing")
    if basis is not None:
        code = LEGAL_BASIS_FROM_FIDES.get(basis.casefold()) if isinstance(basis, str) else None
        if code:
            plan.legal_bases.append(code)
        else:
            issue(item, f"{where}.legal_basis_for_processing", basis, "no Art. 6(1) point for it")
    special = declaration.get("special_category_legal_basis")
    if special is not None:
        if isinstance(special, str):
            plan.special_condition = special
        else:
            issue(item, f"{where}.special_category_legal_basis", special, "expected text")
