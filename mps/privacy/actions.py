"""Writes for privacy in the supplier chain: declarations, processing activities, reviews.

Views, the API and the demo call these; none writes the models directly. Each checked
action (`do_…`) asks the tenancy helpers first; every write records the audit log.
Publishing a declaration freezes it, computes the difference from the previous version,
opens a review task (with the Art. 28(2) objection deadline) and a notification for every
agency whose activities use the service, and re-assesses those activities' chains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mps.core import audit
from mps.core.tenancy import Viewer, get_changeable_or_404, require_act_for, visible
from mps.privacy import chain, taxonomy
from mps.privacy.diff import ChainDiff, diff_chains
from mps.privacy.models import (
    Access,
    AgencyTia,
    ChainEntry,
    Declaration,
    DeclarationStatus,
    HopAssessment,
    Notification,
    ProcessingActivity,
    RecordKind,
    ReviewStatus,
    ReviewTask,
    Role,
)
from mps.privacy.rules import ScenarioError
from mps.privacy.rules.refdata import reference
from mps.registry.models import Service
from mps.registry.models import Status as ServiceStatus

DEFAULT_OBJECTION_DAYS = 30
MAX_OBJECTION_DAYS = 365
MAX_ENTRIES = 100
MAX_NAME = 200
MAX_TEXT = 5_000
MAX_SERVICES = 50


# ---------------------------------------------------------------------------------------
# Vendor declarations


@dataclass(frozen=True)
class EntryData:
    legal_name: str
    country: str
    function: str
    access: str
    upstream: int | None = None  # index of the engaging entry in the list; None = the processor
    data_categories: tuple[str, ...] = ()
    parent_name: str = ""
    parent_country: str = ""
    intra_group: bool = False
    role: str = Role.PROCESSOR
    scc_module: int | None = None
    tia_done: bool = False
    bcr: bool = False
    dpf_claimed: bool = False
    dpf_entity: str = ""


@dataclass(frozen=True)
class DeclarationData:
    processing_locations: tuple[str, ...] = ()
    dpa_version: str = ""
    dpa_date: date | None = None
    dpa_url: str = ""
    encryption_at_rest: bool = False
    encryption_in_transit: bool = False
    customer_keys_in_eea: bool = False
    objection_days: int = DEFAULT_OBJECTION_DAYS
    change_note: str = ""
    entries: tuple[EntryData, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, declaration: Declaration) -> DeclarationData:
        entries = list(declaration.entries.order_by("position", "id"))
        index = {e.pk: i for i, e in enumerate(entries)}
        return cls(
            processing_locations=tuple(declaration.processing_locations or ()),
            dpa_version=declaration.dpa_version,
            dpa_date=declaration.dpa_date,
            dpa_url=declaration.dpa_url,
            encryption_at_rest=declaration.encryption_at_rest,
            encryption_in_transit=declaration.encryption_in_transit,
            customer_keys_in_eea=declaration.customer_keys_in_eea,
            objection_days=declaration.objection_days,
            change_note="",
            entries=tuple(
                EntryData(
                    legal_name=e.legal_name,
                    country=e.country,
                    function=e.function,
                    access=e.access,
                    upstream=index.get(e.upstream_id),
                    data_categories=tuple(e.data_categories or ()),
                    parent_name=e.parent_name,
                    parent_country=e.parent_country,
                    intra_group=e.intra_group,
                    role=e.role,
                    scc_module=e.scc_module,
                    tia_done=e.tia_done,
                    bcr=e.bcr,
                    dpf_claimed=e.dpf_claimed,
                    dpf_entity=e.dpf_entity,
                )
                for e in entries
            ),
        )


def _country(value: str) -> str | None:
    code = (value or "").strip().upper()
    return code if code in reference().iso_alpha2 else None


def _add(errors: dict[str, list[str]], key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def validate_declaration(data: DeclarationData) -> DeclarationData:
    """Clean and check; a ValidationError names the entry, field and value."""
    errors: dict[str, list[str]] = {}
    locations = []
    for value in data.processing_locations:
        code = _country(value)
        if code is None:
            _add(
                errors,
                "processing_locations",
                _("%(value)s is not an ISO 3166-1 alpha-2 country code.") % {"value": repr(value)},
            )
        elif code not in locations:
            locations.append(code)
    if not 0 <= data.objection_days <= MAX_OBJECTION_DAYS:
        _add(
            errors,
            "objection_days",
            _("The objection period must be 0 to %(max)s days, not %(value)s.")
            % {"max": MAX_OBJECTION_DAYS, "value": data.objection_days},
        )
    if len(data.dpa_version) > 60 or len(data.dpa_url) > 500 or len(data.change_note) > MAX_TEXT:
        _add(errors, "dpa_version", _("DPA version, link or change note is too long."))
    if len(data.entries) > MAX_ENTRIES:
        _add(errors, "entries", _("At most %(max)s entries in a chain.") % {"max": MAX_ENTRIES})
    entries = []
    for i, e in enumerate(data.entries, start=1):
        where = _("Entry %(i)s (%(name)s)") % {"i": i, "name": e.legal_name.strip() or "?"}
        name = " ".join(e.legal_name.split())
        if not name or len(name) > MAX_NAME:
            _add(
                errors, "entries", _("%(where)s: give the legal entity's name.") % {"where": where}
            )
        country = _country(e.country)
        if country is None:
            _add(
                errors,
                "entries",
                _("%(where)s: country %(value)s is not an ISO 3166-1 alpha-2 code.")
                % {"where": where, "value": repr(e.country)},
            )
        parent_country = ""
        if e.parent_country.strip():
            parent_country = _country(e.parent_country) or ""
            if not parent_country:
                _add(
                    errors,
                    "entries",
                    _("%(where)s: parent country %(value)s is not an ISO 3166-1 alpha-2 code.")
                    % {"where": where, "value": repr(e.parent_country)},
                )
        if e.access not in Access.values:
            _add(
                errors,
                "entries",
                _("%(where)s: unknown access %(value)s.")
                % {"where": where, "value": repr(e.access)},
            )
        if e.role not in Role.values:
            _add(
                errors,
                "entries",
                _("%(where)s: unknown role %(value)s.") % {"where": where, "value": repr(e.role)},
            )
        if e.scc_module is not None and e.scc_module not in (1, 2, 3, 4):
            _add(
                errors,
                "entries",
                _("%(where)s: SCC module %(value)s does not exist; use 1 to 4.")
                % {"where": where, "value": e.scc_module},
            )
        unknown = [c for c in e.data_categories if c not in taxonomy.CATEGORY_BY_CODE]
        if unknown:
            _add(
                errors,
                "entries",
                _("%(where)s: unknown data category %(value)s.")
                % {"where": where, "value": repr(unknown[0])},
            )
        # `upstream` is a 0-based index into the entries; `i` counts from 1 for messages.
        if e.upstream is not None and (
            not 0 <= e.upstream < len(data.entries) or e.upstream == i - 1
        ):
            _add(
                errors,
                "entries",
                _("%(where)s: it must be engaged by another entry of this chain.")
                % {"where": where},
            )
        if not e.function.strip():
            _add(errors, "entries", _("%(where)s: say what it does.") % {"where": where})
        entries.append(
            EntryData(
                legal_name=name,
                country=country or "",
                function=" ".join(e.function.split())[:MAX_NAME],
                access=e.access,
                upstream=e.upstream,
                data_categories=tuple(dict.fromkeys(e.data_categories)),
                parent_name=e.parent_name.strip()[:MAX_NAME],
                parent_country=parent_country,
                intra_group=e.intra_group,
                role=e.role,
                scc_module=e.scc_module,
                tia_done=e.tia_done,
                bcr=e.bcr,
                dpf_claimed=e.dpf_claimed,
                dpf_entity=e.dpf_entity.strip()[:MAX_NAME],
            )
        )
    if errors:
        raise ValidationError(errors)
    return DeclarationData(
        processing_locations=tuple(locations),
        dpa_version=data.dpa_version.strip(),
        dpa_date=data.dpa_date,
        dpa_url=data.dpa_url.strip(),
        encryption_at_rest=data.encryption_at_rest,
        encryption_in_transit=data.encryption_in_transit,
        customer_keys_in_eea=data.customer_keys_in_eea,
        objection_days=data.objection_days,
        change_note=data.change_note.strip(),
        entries=tuple(entries),
    )


def _snapshot(declaration: Declaration) -> dict[str, Any]:
    snap = audit.snapshot(declaration)
    snap["entries"] = [audit.snapshot(e) for e in declaration.entries.order_by("position")]
    return snap


def _write_entries(declaration: Declaration, entries: tuple[EntryData, ...]) -> None:
    declaration.entries.all().delete()
    made: list[ChainEntry] = []
    for position, e in enumerate(entries):
        made.append(
            ChainEntry.objects.create(
                declaration=declaration,
                position=position,
                legal_name=e.legal_name,
                country=e.country,
                function=e.function,
                access=e.access,
                data_categories=list(e.data_categories),
                parent_name=e.parent_name,
                parent_country=e.parent_country,
                intra_group=e.intra_group,
                role=e.role,
                scc_module=e.scc_module,
                tia_done=e.tia_done,
                bcr=e.bcr,
                dpf_claimed=e.dpf_claimed,
                dpf_entity=e.dpf_entity,
            )
        )
    for entry, e in zip(made, entries, strict=True):
        if e.upstream is not None:
            entry.upstream = made[e.upstream]
            entry.save(update_fields=["upstream"])


def draft_of(service: Service) -> Declaration | None:
    return Declaration.objects.filter(service=service, status=DeclarationStatus.DRAFT).first()


def current_of(service: Service) -> Declaration | None:
    return (
        Declaration.objects.filter(service=service, status=DeclarationStatus.PUBLISHED)
        .order_by("-number")
        .first()
    )


def _locked(service: Service) -> Service:
    return Service.objects.select_for_update().select_related("vendor").get(pk=service.pk)


@transaction.atomic
def save_declaration_draft(actor: Any, service: Service, data: DeclarationData) -> Declaration:
    """Create or replace the service's draft declaration (unchecked: callers check tenancy)."""
    data = validate_declaration(data)
    service = _locked(service)
    draft = draft_of(service)
    before = None
    if draft is None:
        number = (
            Declaration.objects.filter(service=service).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        draft = Declaration(service=service, number=number, created_by=_user(actor))
    else:
        before = _snapshot(draft)
    for name in (
        "dpa_version",
        "dpa_date",
        "dpa_url",
        "encryption_at_rest",
        "encryption_in_transit",
        "customer_keys_in_eea",
        "objection_days",
        "change_note",
    ):
        setattr(draft, name, getattr(data, name))
    draft.processing_locations = list(data.processing_locations)
    draft.save()
    _write_entries(draft, data.entries)
    audit.record(
        actor, "privacy.declaration.save_draft", draft, before=before, after=_snapshot(draft)
    )
    return draft


@transaction.atomic
def start_declaration(actor: Any, service: Service) -> Declaration:
    """The service's draft, or a new one copied from the current published version."""
    draft = draft_of(service)
    if draft is not None:
        return draft
    current = current_of(service)
    data = DeclarationData.of(current) if current is not None else DeclarationData()
    return save_declaration_draft(actor, service, data)


@dataclass
class PublishResult:
    declaration: Declaration
    previous: Declaration | None
    diff: ChainDiff
    reviews: list[ReviewTask]
    hops_assessed: int


def diff_between(previous: Declaration | None, declaration: Declaration) -> ChainDiff:
    old = list(previous.entries.all()) if previous is not None else []
    new = list(declaration.entries.all())
    return diff_chains(
        chain.entry_facts(old),
        chain.entry_facts(new),
        chain.declaration_facts(previous),
        chain.declaration_facts(declaration),
    )


def agencies_using(service: Service) -> list[Any]:
    """Agencies with at least one processing activity linked to the service."""
    from mps.organisations.models import Organisation

    return list(
        Organisation.objects.filter(processing_activities__services=service)
        .distinct()
        .order_by("name", "pk")
    )


@transaction.atomic
def publish_declaration(actor: Any, service: Service, today: date | None = None) -> PublishResult:
    """Freeze the draft, notify every agency using the service, and re-assess their chains."""
    today = today or timezone.localdate()
    service = _locked(service)
    draft = draft_of(service)
    if draft is None:
        raise ValidationError(
            {
                "status": _("Service %(name)s has no draft declaration to publish.")
                % {"name": service.name}
            }
        )
    entries = list(draft.entries.order_by("position"))
    if not entries:
        raise ValidationError({"entries": _("Declare at least the processor before publishing.")})
    if not any(e.upstream_id is None for e in entries):
        raise ValidationError(
            {"entries": _("One entry must be the processor itself (engaged by no one).")}
        )
    try:
        chain.check_declaration(draft, entries, today)
    except ScenarioError as exc:
        raise ValidationError({"entries": str(exc)}) from exc
    previous = current_of(service)
    draft.status = DeclarationStatus.PUBLISHED
    draft.published_at = timezone.now()
    # The guard in save() reads the stored status (still draft), so this save is allowed.
    draft.save()
    changes = diff_between(previous, draft)
    audit.record(
        actor,
        "privacy.declaration.publish",
        draft,
        after=_snapshot(draft) | {"diff": changes.to_dict()},
    )
    reviews = _open_reviews(actor, service, draft, previous, changes, today)
    activities = ProcessingActivity.objects.filter(services=service).select_related("agency")
    hops = chain.reassess(activities, today)
    return PublishResult(draft, previous, changes, reviews, hops)


def _open_reviews(
    actor: Any,
    service: Service,
    declaration: Declaration,
    previous: Declaration | None,
    changes: ChainDiff,
    today: date,
) -> list[ReviewTask]:
    deadline = today + timedelta(days=declaration.objection_days)
    diff = changes.to_dict()
    with translation.override("nb"):
        subject = _("%(service)s has published privacy declaration version %(n)s") % {
            "service": service.name,
            "n": declaration.number,
        }
        body = _summary_text(changes, deadline)
    # Written in bulk: a popular service is used by hundreds of agencies, and the vendor's
    # publication should notify them all within a second.
    reviews = ReviewTask.objects.bulk_create(
        [
            ReviewTask(
                agency=agency,
                service=service,
                declaration=declaration,
                previous=previous,
                diff=diff,
                objection_deadline=deadline,
            )
            for agency in agencies_using(service)
        ],
        batch_size=500,
    )
    Notification.objects.bulk_create(
        [
            Notification(agency=task.agency, review=task, subject=subject[:300], body=body)
            for task in reviews
        ],
        batch_size=500,
    )
    audit_many(actor, "privacy.review.open", reviews)
    return reviews


def audit_many(actor: Any, action: str, objects: list[Any]) -> None:
    """`audit.record(actor, action, obj, after=snapshot)` for many objects in one insert."""
    from mps.core.models import AuditEntry

    user = _user(actor)
    name = user.get_username() if user else (actor if isinstance(actor, str) else "system")
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=user,
                actor_name=name,
                organisation=audit.owner_of(obj),
                action=action,
                object_type=obj._meta.label,
                object_id=str(obj.pk),
                object_repr=str(obj)[:300],
                after=audit.snapshot(obj),
            )
            for obj in objects
        ],
        batch_size=500,
    )


def _summary_text(changes: ChainDiff, deadline: date) -> str:
    parts = []
    if changes.added:
        parts.append(
            _("New sub-processors: %(names)s.")
            % {"names": ", ".join(f"{e.legal_name} ({e.country})" for e in changes.added)}
        )
    if changes.replaced:
        parts.append(
            _("Replaced: %(pairs)s.")
            % {
                "pairs": ", ".join(
                    f"{o.legal_name} → {n.legal_name} ({n.country})" for o, n in changes.replaced
                )
            }
        )
    if changes.removed:
        parts.append(
            _("Removed: %(names)s.") % {"names": ", ".join(e.legal_name for e in changes.removed)}
        )
    if changes.changed:
        parts.append(
            _("Changed: %(names)s.")
            % {"names": ", ".join(e.legal_name for e, _c in changes.changed)}
        )
    if changes.objection_relevant:
        parts.append(
            _("You may object to new or replaced sub-processors until %(date)s (GDPR Art. 28(2)).")
            % {"date": deadline.isoformat()}
        )
    if not parts:
        parts.append(_("No sub-processor changed."))
    return " ".join(parts)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _vendor_service(viewer: Viewer, service: Service) -> Service:
    return get_changeable_or_404(Service, viewer, pk=service.pk)


def do_save_declaration(viewer: Viewer, service: Service, data: DeclarationData) -> Declaration:
    return save_declaration_draft(viewer.user, _vendor_service(viewer, service), data)


def do_start_declaration(viewer: Viewer, service: Service) -> Declaration:
    return start_declaration(viewer.user, _vendor_service(viewer, service))


def do_publish_declaration(viewer: Viewer, service: Service) -> PublishResult:
    return publish_declaration(viewer.user, _vendor_service(viewer, service))


# ---------------------------------------------------------------------------------------
# Agency processing activities


@dataclass(frozen=True)
class ActivityData:
    name: str
    kind: str = RecordKind.CONTROLLER
    controller_contact: str = ""
    joint_controller: str = ""
    representative: str = ""
    dpo_contact: str = ""
    processor_for: str = ""
    purposes: str = ""
    legal_bases: tuple[str, ...] = ()
    special_condition: str = ""
    data_subjects: tuple[str, ...] = ()
    data_categories: tuple[str, ...] = ()
    recipients: str = ""
    other_transfers: str = ""
    erasure_limits: str = ""
    security_measures: str = ""
    public_powers: bool = True
    service_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, activity: ProcessingActivity) -> ActivityData:
        return cls(
            **{name: getattr(activity, name) for name in _TEXT_FIELDS},
            name=activity.name,
            kind=activity.kind,
            legal_bases=tuple(activity.legal_bases or ()),
            data_subjects=tuple(activity.data_subjects or ()),
            data_categories=tuple(activity.data_categories or ()),
            public_powers=activity.public_powers,
            service_ids=tuple(activity.services.values_list("pk", flat=True)),
        )


_TEXT_FIELDS = (
    "controller_contact",
    "joint_controller",
    "representative",
    "dpo_contact",
    "processor_for",
    "purposes",
    "special_condition",
    "recipients",
    "other_transfers",
    "erasure_limits",
    "security_measures",
)


def validate_activity(data: ActivityData) -> ActivityData:
    errors: dict[str, list[str]] = {}
    name = " ".join(data.name.split())
    if not name:
        _add(errors, "name", _("Give the activity a name."))
    elif len(name) > MAX_NAME:
        _add(errors, "name", _("The name is longer than %(max)s characters.") % {"max": MAX_NAME})
    if data.kind not in RecordKind.values:
        _add(errors, "kind", _("Unknown record kind %(value)s.") % {"value": repr(data.kind)})
    for name_, allowed, values in (
        ("legal_bases", taxonomy.LEGAL_BASIS_CODES, data.legal_bases),
        ("data_subjects", taxonomy.SUBJECT_CODES, data.data_subjects),
        ("data_categories", set(taxonomy.CATEGORY_BY_CODE), data.data_categories),
    ):
        unknown = [v for v in values if v not in allowed]
        if unknown:
            _add(errors, name_, _("Unknown value %(value)s.") % {"value": repr(unknown[0])})
    for key in _TEXT_FIELDS:
        if len(getattr(data, key)) > MAX_TEXT:
            _add(errors, key, _("At most %(max)s characters.") % {"max": MAX_TEXT})
    if len(data.service_ids) > MAX_SERVICES:
        _add(errors, "services", _("At most %(max)s services.") % {"max": MAX_SERVICES})
    if not data.special_condition.strip() and any(
        taxonomy.CATEGORY_BY_CODE[c].article
        for c in data.data_categories
        if c in taxonomy.CATEGORY_BY_CODE
    ):
        _add(
            errors,
            "special_condition",
            _(
                "Special categories (Art. 9) or offence data (Art. 10) need the condition relied on."
            ),
        )
    if errors:
        raise ValidationError(errors)
    return ActivityData(
        **{key: getattr(data, key).strip() for key in _TEXT_FIELDS},
        name=name,
        kind=data.kind,
        legal_bases=tuple(dict.fromkeys(data.legal_bases)),
        data_subjects=tuple(dict.fromkeys(data.data_subjects)),
        data_categories=tuple(dict.fromkeys(data.data_categories)),
        public_powers=data.public_powers,
        service_ids=tuple(dict.fromkeys(data.service_ids)),
    )


def _linkable_services(ids: tuple[int, ...]) -> list[Service]:
    services = list(
        Service.objects.filter(pk__in=ids, status=ServiceStatus.PUBLISHED).order_by("pk")
    )
    missing = set(ids) - {s.pk for s in services}
    if missing:
        raise ValidationError(
            {"services": _("No published service with id %(ids)s.") % {"ids": sorted(missing)}}
        )
    return services


def _activity_snapshot(activity: ProcessingActivity) -> dict[str, Any]:
    snap = audit.snapshot(
        activity, exclude=("hops_ok", "hops_action", "hops_blocked", "assessed_at")
    )
    snap["services"] = sorted(activity.services.values_list("pk", flat=True))
    return snap


def _fill(activity: ProcessingActivity, data: ActivityData) -> None:
    for key in _TEXT_FIELDS:
        setattr(activity, key, getattr(data, key))
    activity.name = data.name
    activity.kind = data.kind
    activity.legal_bases = list(data.legal_bases)
    activity.data_subjects = list(data.data_subjects)
    activity.data_categories = list(data.data_categories)
    activity.public_powers = data.public_powers


@transaction.atomic
def create_activity(actor: Any, agency: Any, data: ActivityData) -> ProcessingActivity:
    if getattr(agency, "kind", None) != "agency":
        raise ValidationError({"agency": _("Only agencies keep processing records here.")})
    data = validate_activity(data)
    services = _linkable_services(data.service_ids)
    activity = ProcessingActivity(agency=agency)
    _fill(activity, data)
    activity.save()
    activity.services.set(services)
    audit.record(actor, "privacy.activity.create", activity, after=_activity_snapshot(activity))
    chain.reassess([activity])
    return activity


@transaction.atomic
def update_activity(
    actor: Any, activity: ProcessingActivity, data: ActivityData
) -> ProcessingActivity:
    data = validate_activity(data)
    # An agency keeps links to services since withdrawn; only new links must be published.
    kept = set(activity.services.filter(pk__in=data.service_ids).values_list("pk", flat=True))
    services = _linkable_services(tuple(i for i in data.service_ids if i not in kept))
    before = _activity_snapshot(activity)
    _fill(activity, data)
    activity.save()
    activity.services.set([*kept, *(s.pk for s in services)])
    audit.record(
        actor,
        "privacy.activity.update",
        activity,
        before=before,
        after=_activity_snapshot(activity),
    )
    chain.reassess([activity])
    return activity


@transaction.atomic
def link_service(actor: Any, activity: ProcessingActivity, service: Service) -> None:
    data = ActivityData.of(activity)
    if service.pk not in data.service_ids:
        update_activity(
            actor,
            activity,
            ActivityData(**{**data.__dict__, "service_ids": (*data.service_ids, service.pk)}),
        )


def do_create_activity(
    viewer: Viewer, data: ActivityData, agency: Any = None
) -> ProcessingActivity:
    agency = agency or viewer.organisation
    require_act_for(viewer, agency)
    return create_activity(viewer.user, agency, data)


def do_update_activity(
    viewer: Viewer, activity: ProcessingActivity, data: ActivityData
) -> ProcessingActivity:
    activity = get_changeable_or_404(ProcessingActivity, viewer, pk=activity.pk)
    return update_activity(viewer.user, activity, data)


def do_reassess(viewer: Viewer, activity: ProcessingActivity) -> int:
    activity = get_changeable_or_404(
        ProcessingActivity.objects.select_related("agency"), viewer, pk=activity.pk
    )
    hops = chain.reassess([activity])
    audit.record(viewer.user, "privacy.activity.reassess", activity, after={"hops": hops})
    return hops


@transaction.atomic
def record_tia(actor: Any, hop: HopAssessment, note: str = "", on: date | None = None) -> AgencyTia:
    """The agency has done its own TIA for this recipient behind this service; every
    activity of the agency that uses the service is re-assessed with it."""
    on = on or timezone.localdate()
    if hop.mechanism not in ("scc", "bcr", "none") or hop.country in reference().eea:
        raise ValidationError(
            {
                "hop": _("A TIA is for transfers under SCCs or BCRs; %(entity)s needs none.")
                % {"entity": hop.entity}
            }
        )
    agency = hop.activity.agency
    tia, created = AgencyTia.objects.get_or_create(
        agency=agency,
        service_id=hop.service_id,
        entity=hop.entity,
        defaults={"done_on": on, "note": note.strip()[:MAX_TEXT], "created_by": _user(actor)},
    )
    if created:
        audit.record(actor, "privacy.tia.record", tia, after=audit.snapshot(tia))
    chain.reassess(
        ProcessingActivity.objects.filter(agency=agency, services=hop.service_id)
        .select_related("agency")
        .distinct()
    )
    return tia


def do_record_tia(viewer: Viewer, hop: HopAssessment, note: str = "") -> AgencyTia:
    hop = get_changeable_or_404(
        HopAssessment.objects.select_related("activity", "activity__agency"), viewer, pk=hop.pk
    )
    return record_tia(viewer.user, hop, note)


# ---------------------------------------------------------------------------------------
# Review tasks


@transaction.atomic
def decide_review(actor: Any, task: ReviewTask, decision: str, note: str = "") -> ReviewTask:
    if decision not in (ReviewStatus.ACCEPTED, ReviewStatus.OBJECTED):
        raise ValidationError({"decision": _("Choose accept or object.")})
    if task.status != ReviewStatus.OPEN:
        raise ValidationError({"decision": _("This review is already decided.")})
    if len(note) > MAX_TEXT:
        raise ValidationError({"note": _("At most %(max)s characters.") % {"max": MAX_TEXT}})
    before = audit.snapshot(task)
    task.status = decision
    task.note = note.strip()
    task.decided_by = _user(actor)
    task.decided_at = timezone.now()
    task.save()
    Notification.objects.filter(review=task, read_at__isnull=True).update(read_at=timezone.now())
    audit.record(actor, "privacy.review.decide", task, before=before, after=audit.snapshot(task))
    return task


def do_decide_review(viewer: Viewer, task: ReviewTask, decision: str, note: str = "") -> ReviewTask:
    task = get_changeable_or_404(ReviewTask, viewer, pk=task.pk)
    return decide_review(viewer.user, task, decision, note)


def visible_services_for_linking(viewer: Viewer) -> Any:
    """Published services an agency may link; those it bought (call-offs) first in the UI."""
    if not (viewer.is_agency or viewer.is_operator):
        raise PermissionDenied("Only agencies link services.")
    return visible(Service, viewer).filter(status=ServiceStatus.PUBLISHED)
