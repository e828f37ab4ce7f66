"""Privacy in the supplier chain in the API: declarations, processing activities, assessments.

Writes call mps.privacy.actions, the same functions the pages use; errors are RFC 9457
problem details (see mps/api.py).
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from mps.core.tenancy import get_visible_or_404, visible
from mps.privacy import actions
from mps.privacy.models import (
    Declaration,
    HopAssessment,
    ProcessingActivity,
    ReviewTask,
)
from mps.registry.models import Service

router = Router(tags=["privacy"])
PREFIX = "/privacy"


class EntrySchema(Schema):
    legal_name: str
    country: str
    function: str
    access: str  # storage | processing | remote
    upstream: int | None = None  # index (0-based) of the engaging entry; null = the processor
    data_categories: list[str] = []
    parent_name: str = ""
    parent_country: str = ""
    intra_group: bool = False
    role: str = "processor"
    scc_module: int | None = None
    tia_done: bool = False
    bcr: bool = False
    dpf_claimed: bool = False
    dpf_entity: str = ""


class DeclarationIn(Schema):
    processing_locations: list[str] = []
    dpa_version: str = ""
    dpa_date: date | None = None
    dpa_url: str = ""
    encryption_at_rest: bool = False
    encryption_in_transit: bool = False
    customer_keys_in_eea: bool = False
    objection_days: int = actions.DEFAULT_OBJECTION_DAYS
    change_note: str = ""
    entries: list[EntrySchema] = []


class DeclarationOut(DeclarationIn):
    id: int
    service_id: int
    number: int
    status: str
    published_at: datetime | None


class ChangeOut(Schema):
    added: list[dict]
    removed: list[dict]
    replaced: list[dict]
    changed: list[dict]
    declaration: list[dict]


class PublishOut(Schema):
    declaration: DeclarationOut
    changes: ChangeOut
    agencies_notified: int
    hops_assessed: int


class ActivityIn(Schema):
    name: str
    kind: str = "controller"
    controller_contact: str = ""
    joint_controller: str = ""
    representative: str = ""
    dpo_contact: str = ""
    processor_for: str = ""
    purposes: str = ""
    legal_bases: list[str] = []
    special_condition: str = ""
    data_subjects: list[str] = []
    data_categories: list[str] = []
    recipients: str = ""
    other_transfers: str = ""
    erasure_limits: str = ""
    security_measures: str = ""
    public_powers: bool = True
    service_ids: list[int] = []


class ActivityOut(ActivityIn):
    id: int
    agency_id: int
    hops_ok: int
    hops_action: int
    hops_blocked: int
    assessed_at: datetime | None


class HopOut(Schema):
    service_id: int
    declaration_id: int
    hop_id: str
    from_hop: str
    entity: str
    country: str
    function: str
    access: str
    mechanism: str
    scc_module: int | None
    status: str
    documents: list[str]
    missing_documents: list[str]
    flags: list[str]
    rule: str
    legal_basis: list[str]
    explanation: dict[str, str]
    assessed_on: date
    method_version: str

    @staticmethod
    def resolve_explanation(obj: HopAssessment) -> dict[str, str]:
        return {"nb": obj.explanation_nb, "en": obj.explanation_en}


class ReviewOut(Schema):
    id: int
    agency_id: int
    service_id: int
    declaration_id: int
    previous_id: int | None
    status: str
    objection_deadline: date
    changes: dict
    note: str

    @staticmethod
    def resolve_changes(obj: ReviewTask) -> dict:
        return obj.diff


class DecisionIn(Schema):
    decision: str  # accepted | objected
    note: str = ""


def _declaration_out(d: Declaration) -> DeclarationOut:
    data = actions.DeclarationData.of(d)
    return DeclarationOut(
        id=d.pk,
        service_id=d.service_id,
        number=d.number,
        status=d.status,
        published_at=d.published_at,
        processing_locations=list(data.processing_locations),
        dpa_version=data.dpa_version,
        dpa_date=data.dpa_date,
        dpa_url=data.dpa_url,
        encryption_at_rest=data.encryption_at_rest,
        encryption_in_transit=data.encryption_in_transit,
        customer_keys_in_eea=data.customer_keys_in_eea,
        objection_days=data.objection_days,
        change_note=d.change_note,
        entries=[
            EntrySchema(**{**e.__dict__, "data_categories": list(e.data_categories)})
            for e in data.entries
        ],
    )


def _declaration_data(payload: DeclarationIn) -> actions.DeclarationData:
    return actions.DeclarationData(
        processing_locations=tuple(payload.processing_locations),
        dpa_version=payload.dpa_version,
        dpa_date=payload.dpa_date,
        dpa_url=payload.dpa_url,
        encryption_at_rest=payload.encryption_at_rest,
        encryption_in_transit=payload.encryption_in_transit,
        customer_keys_in_eea=payload.customer_keys_in_eea,
        objection_days=payload.objection_days,
        change_note=payload.change_note,
        entries=tuple(
            actions.EntryData(**{**e.dict(), "data_categories": tuple(e.data_categories)})
            for e in payload.entries
        ),
    )


def _activity_out(a: ProcessingActivity) -> ActivityOut:
    data = actions.ActivityData.of(a)
    return ActivityOut(
        id=a.pk,
        agency_id=a.agency_id,
        hops_ok=a.hops_ok,
        hops_action=a.hops_action,
        hops_blocked=a.hops_blocked,
        assessed_at=a.assessed_at,
        **{
            **data.__dict__,
            "legal_bases": list(data.legal_bases),
            "data_subjects": list(data.data_subjects),
            "data_categories": list(data.data_categories),
            "service_ids": list(data.service_ids),
        },
    )


def _activity_data(payload: ActivityIn) -> actions.ActivityData:
    raw = payload.dict()
    for key in ("legal_bases", "data_subjects", "data_categories", "service_ids"):
        raw[key] = tuple(raw[key])
    return actions.ActivityData(**raw)


@router.get("/declarations", response=list[DeclarationOut])
@paginate
def list_declarations(request: HttpRequest, service_id: int | None = None):
    """Published declarations (and, for their vendor, drafts), newest version first."""
    rows = visible(Declaration, request.viewer).order_by("service_id", "-number")
    if service_id is not None:
        rows = rows.filter(service_id=service_id)
    return [_declaration_out(d) for d in rows.prefetch_related("entries")[:1000]]


@router.get("/declarations/{int:declaration_id}", response=DeclarationOut)
def get_declaration(request: HttpRequest, declaration_id: int):
    return _declaration_out(get_visible_or_404(Declaration, request.viewer, pk=declaration_id))


@router.put("/services/{int:service_id}/declaration", response=DeclarationOut)
def save_declaration(request: HttpRequest, service_id: int, payload: DeclarationIn):
    """Create or replace the service's draft declaration (the vendor or the operator)."""
    service = get_visible_or_404(Service, request.viewer, pk=service_id)
    draft = actions.do_save_declaration(request.viewer, service, _declaration_data(payload))
    return _declaration_out(draft)


@router.post("/services/{int:service_id}/declaration/publish", response=PublishOut)
def publish_declaration(request: HttpRequest, service_id: int):
    """Publish the draft: agencies using the service get a review task and a notification."""
    service = get_visible_or_404(Service, request.viewer, pk=service_id)
    result = actions.do_publish_declaration(request.viewer, service)
    return PublishOut(
        declaration=_declaration_out(result.declaration),
        changes=ChangeOut(**result.diff.to_dict()),
        agencies_notified=len(result.reviews),
        hops_assessed=result.hops_assessed,
    )


@router.get("/activities", response=list[ActivityOut])
@paginate
def list_activities(request: HttpRequest):
    rows = visible(ProcessingActivity, request.viewer).prefetch_related("services")
    return [_activity_out(a) for a in rows.order_by("agency_id", "name", "id")[:1000]]


@router.post("/activities", response={201: ActivityOut})
def create_activity(request: HttpRequest, payload: ActivityIn):
    activity = actions.do_create_activity(request.viewer, _activity_data(payload))
    return 201, _activity_out(activity)


@router.get("/activities/{int:processingactivity_id}", response=ActivityOut)
def get_activity(request: HttpRequest, processingactivity_id: int):
    return _activity_out(
        get_visible_or_404(ProcessingActivity, request.viewer, pk=processingactivity_id)
    )


@router.put("/activities/{int:processingactivity_id}", response=ActivityOut)
def update_activity(request: HttpRequest, processingactivity_id: int, payload: ActivityIn):
    activity = get_visible_or_404(ProcessingActivity, request.viewer, pk=processingactivity_id)
    return _activity_out(
        actions.do_update_activity(request.viewer, activity, _activity_data(payload))
    )


@router.get("/activities/{int:processingactivity_id}/assessment", response=list[HopOut])
def get_assessment(request: HttpRequest, processingactivity_id: int):
    """Every hop of every linked chain, as last assessed."""
    activity = get_visible_or_404(ProcessingActivity, request.viewer, pk=processingactivity_id)
    return list(HopAssessment.objects.filter(activity=activity).order_by("service_id", "position"))


@router.post("/activities/{int:processingactivity_id}/reassess", response=list[HopOut])
def reassess(request: HttpRequest, processingactivity_id: int):
    activity = get_visible_or_404(ProcessingActivity, request.viewer, pk=processingactivity_id)
    actions.do_reassess(request.viewer, activity)
    return list(HopAssessment.objects.filter(activity=activity).order_by("service_id", "position"))


@router.get("/reviews", response=list[ReviewOut])
@paginate
def list_reviews(request: HttpRequest, status: str = ""):
    rows = visible(ReviewTask, request.viewer).order_by("-created_at", "-id")
    if status:
        rows = rows.filter(status=status)
    return rows


@router.post("/reviews/{int:reviewtask_id}/decision", response=ReviewOut)
def decide(request: HttpRequest, reviewtask_id: int, payload: DecisionIn):
    task = get_visible_or_404(ReviewTask, request.viewer, pk=reviewtask_id)
    return actions.do_decide_review(request.viewer, task, payload.decision, payload.note)
