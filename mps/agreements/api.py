"""Agreements, lots, memberships, call-offs and OCDS release packages in the API.

Reads are scoped by the tenancy rule; writes call the same actions as the web pages.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from mps.agreements import actions, builders, documents, ocds
from mps.agreements.models import Award, CallOff, FrameworkAgreement, Lot, Membership
from mps.core.tenancy import get_visible_or_404, visible

router = Router(tags=["agreements"])
PREFIX = "/agreements"


# --- schemas -------------------------------------------------------------------------


class AwardOut(Schema):
    vendor_id: int
    vendor_name: str
    service_ids: list[int]


class LotOut(Schema):
    id: int
    number: int
    name: str
    category: str
    awards: list[AwardOut] = []


class AgreementOut(Schema):
    id: int
    name: str
    reference: str
    description_nb: str
    description_en: str
    period_start: date
    period_end: date
    status: str


class AgreementDetailOut(AgreementOut):
    lots: list[LotOut]


class MembershipOut(Schema):
    id: int
    agency_id: int
    agreement_id: int
    status: str
    decided_on: date | None
    decided_by_id: int | None
    note: str


class MembershipIn(Schema):
    status: Literal["joined", "opted_out", "undecided"]
    note: str = ""
    agency_id: int | None = None  # the operator may record a decision for an agency


class CallOffOut(Schema):
    id: int
    agency_id: int
    agreement_id: int
    lot_id: int
    vendor_id: int
    service_ids: list[int]
    title: str
    estimated_value: Decimal
    start: date
    end: date
    notice_months: int
    notice_deadline: date
    status: str
    requirements: str

    @staticmethod
    def resolve_service_ids(obj: CallOff) -> list[int]:
        return [s.pk for s in obj.services.all()]

    @staticmethod
    def resolve_notice_deadline(obj: CallOff) -> date:
        return obj.notice_by


class CallOffIn(Schema):
    agreement_id: int
    lot_id: int
    vendor_id: int
    service_ids: list[int] = []
    title: str
    estimated_value: Decimal
    start: date
    end: date
    notice_months: int = 3
    requirements: str = ""


class OcdsFilter(Schema):
    agreement: int | None = None


# --- helpers -------------------------------------------------------------------------


def _lots_out(lots: list[Lot]) -> list[LotOut]:
    return [
        LotOut(
            id=lot.pk,
            number=lot.number,
            name=lot.name,
            category=lot.category,
            awards=[
                AwardOut(
                    vendor_id=a.vendor_id,
                    vendor_name=a.vendor.name,
                    service_ids=[s.pk for s in a.services.all()],
                )
                for a in lot.awards.all()
            ],
        )
        for lot in lots
    ]


def _lots(request: HttpRequest, agreement: FrameworkAgreement) -> list[Lot]:
    from mps.registry.models import Service

    services = visible(Service, request.viewer).only("pk")
    awards = Award.objects.select_related("vendor").prefetch_related(
        Prefetch("services", queryset=services)
    )
    return list(
        visible(Lot, request.viewer)
        .filter(agreement=agreement)
        .prefetch_related(Prefetch("awards", queryset=awards.order_by("vendor__name")))
        .order_by("number")
    )


def _calloff_out(c: CallOff) -> CallOff:
    """Call-offs are serialised by CallOffOut's resolvers; this marks where that happens."""
    return c


def _calloff_input(request: HttpRequest, payload: CallOffIn) -> actions.CallOffInput:
    from mps.organisations.models import Organisation
    from mps.registry.models import Service

    viewer = request.viewer
    agreement = get_visible_or_404(FrameworkAgreement, viewer, pk=payload.agreement_id)
    lot = get_visible_or_404(Lot, viewer, pk=payload.lot_id)
    vendor = get_visible_or_404(Organisation, viewer, pk=payload.vendor_id)
    services = list(visible(Service, viewer).filter(pk__in=payload.service_ids))
    missing = sorted(set(payload.service_ids) - {s.pk for s in services})
    if missing:
        raise ValidationError(
            {"service_ids": f"No such service(s): {', '.join(map(str, missing))}."}
        )
    return actions.CallOffInput(
        agreement=agreement,
        lot=lot,
        vendor=vendor,
        services=services,
        title=payload.title,
        estimated_value=payload.estimated_value,
        start=payload.start,
        end=payload.end,
        notice_months=payload.notice_months,
        requirements=payload.requirements,
    )


def _calloffs(request: HttpRequest):
    return visible(CallOff, request.viewer).prefetch_related("services")


# --- agreements and lots -------------------------------------------------------------


@router.get("/", response=list[AgreementOut])
@paginate
def list_agreements(request: HttpRequest, status: str | None = None):
    rows = visible(FrameworkAgreement, request.viewer).order_by("-period_start", "pk")
    if status:
        rows = rows.filter(status=status)
    return rows


@router.get("/memberships", response=list[MembershipOut])
@paginate
def list_memberships(request: HttpRequest, agreement: int | None = None, status: str | None = None):
    rows = visible(Membership, request.viewer).order_by("agreement_id", "agency_id")
    if agreement is not None:
        rows = rows.filter(agreement_id=agreement)
    if status:
        rows = rows.filter(status=status)
    return rows


@router.get("/ocds", url_name="agreements_ocds")
def ocds_release_package(request: HttpRequest, filters: Query[OcdsFilter]):
    """OCDS 1.1 release package of the agreements and the (non-draft) call-offs you may see."""
    if filters.agreement is not None:
        get_visible_or_404(FrameworkAgreement, request.viewer, pk=filters.agreement)
    package = builders.ocds_package(
        request.viewer, uri=request.build_absolute_uri(), agreement_id=filters.agreement
    )
    return ocds.to_json(package)


@router.get("/{int:frameworkagreement_id}", response=AgreementDetailOut)
def get_agreement(request: HttpRequest, frameworkagreement_id: int):
    agreement = get_visible_or_404(FrameworkAgreement, request.viewer, pk=frameworkagreement_id)
    out = AgreementOut.from_orm(agreement).dict()
    return AgreementDetailOut(**out, lots=_lots_out(_lots(request, agreement)))


@router.get("/{int:frameworkagreement_id}/lots", response=list[LotOut])
def list_lots(request: HttpRequest, frameworkagreement_id: int):
    agreement = get_visible_or_404(FrameworkAgreement, request.viewer, pk=frameworkagreement_id)
    return _lots_out(_lots(request, agreement))


@router.get("/lots/{int:lot_id}", response=LotOut)
def get_lot(request: HttpRequest, lot_id: int):
    lot = get_visible_or_404(Lot, request.viewer, pk=lot_id)
    return next(out for out in _lots_out(_lots(request, lot.agreement)) if out.id == lot.pk)


# --- membership ----------------------------------------------------------------------


@router.get("/{int:frameworkagreement_id}/membership", response=MembershipOut)
def get_membership(request: HttpRequest, frameworkagreement_id: int):
    """Your organisation's decision on the agreement."""
    agreement = get_visible_or_404(FrameworkAgreement, request.viewer, pk=frameworkagreement_id)
    membership = (
        visible(Membership, request.viewer)
        .filter(agreement=agreement, agency=request.viewer.organisation_id)
        .first()
    )
    if membership is None:
        raise Http404("No decision recorded.")
    return membership


@router.put("/{int:frameworkagreement_id}/membership", response=MembershipOut)
def set_membership(request: HttpRequest, frameworkagreement_id: int, payload: MembershipIn):
    """Join, opt out or mark undecided (for your own agency; the operator may name one)."""
    from mps.organisations.models import Organisation

    viewer = request.viewer
    agreement = get_visible_or_404(FrameworkAgreement, viewer, pk=frameworkagreement_id)
    if payload.agency_id is not None:
        agency = get_visible_or_404(Organisation, viewer, pk=payload.agency_id)
    else:
        agency = viewer.organisation
    if agency is None:
        raise PermissionDenied("You belong to no organisation.")
    return actions.do_set_membership(viewer, agency, agreement, payload.status, payload.note)


# --- call-offs -----------------------------------------------------------------------


@router.get("/calloffs", response=list[CallOffOut])
@paginate
def list_calloffs(request: HttpRequest, status: str | None = None, agreement: int | None = None):
    rows = _calloffs(request).order_by("-start", "-pk")
    if status:
        rows = rows.filter(status=status)
    if agreement is not None:
        rows = rows.filter(agreement_id=agreement)
    return rows


@router.post("/calloffs", response={201: CallOffOut})
def create_calloff(request: HttpRequest, payload: CallOffIn):
    viewer = request.viewer
    if viewer.organisation is None:
        raise PermissionDenied("You belong to no organisation.")
    calloff = actions.do_create_calloff(
        viewer, viewer.organisation, _calloff_input(request, payload)
    )
    return Status(201, _calloff_out(calloff))


@router.get("/calloffs/{int:calloff_id}", response=CallOffOut)
def get_calloff(request: HttpRequest, calloff_id: int):
    return _calloff_out(get_visible_or_404(_calloffs(request), request.viewer, pk=calloff_id))


@router.put("/calloffs/{int:calloff_id}", response=CallOffOut)
def update_calloff(request: HttpRequest, calloff_id: int, payload: CallOffIn):
    from mps.core.tenancy import get_changeable_or_404

    calloff = get_changeable_or_404(CallOff, request.viewer, pk=calloff_id)
    data = _calloff_input(request, payload)
    if (data.agreement.pk, data.lot.pk, data.vendor.pk) != (
        calloff.agreement_id,
        calloff.lot_id,
        calloff.vendor_id,
    ):
        raise ValidationError(
            {
                "agreement_id": "Agreement, lot and vendor of a call-off cannot change; make a new call-off."
            }
        )
    calloff = actions.do_update_calloff(request.viewer, calloff, data)
    return _calloff_out(CallOff.objects.prefetch_related("services").get(pk=calloff.pk))


@router.delete("/calloffs/{int:calloff_id}", response=CallOffOut)
def cancel_calloff(request: HttpRequest, calloff_id: int):
    """Call-offs are kept for the record: deleting one cancels it."""
    from mps.core.tenancy import get_changeable_or_404

    calloff = get_changeable_or_404(CallOff, request.viewer, pk=calloff_id)
    return _calloff_out(actions.do_cancel_calloff(request.viewer, calloff))


def _transition(request: HttpRequest, calloff_id: int, name: str) -> CallOff:
    from mps.core.tenancy import get_changeable_or_404

    calloff = get_changeable_or_404(CallOff, request.viewer, pk=calloff_id)
    return _calloff_out(actions.do_transition_calloff(request.viewer, calloff, name))


@router.post("/calloffs/{int:calloff_id}/activate", response=CallOffOut)
def activate_calloff(request: HttpRequest, calloff_id: int):
    return _transition(request, calloff_id, "activate")


@router.post("/calloffs/{int:calloff_id}/end", response=CallOffOut)
def end_calloff(request: HttpRequest, calloff_id: int):
    return _transition(request, calloff_id, "end")


@router.get("/calloffs/{int:calloff_id}/document")
def calloff_document(
    request: HttpRequest, calloff_id: int, format: Literal["pdf", "odt", "docx"] = "pdf"
):  # noqa: A002
    """The call-off document generated from the template: PDF, or editable ODT or DOCX."""
    calloff = get_visible_or_404(
        visible(CallOff, request.viewer).select_related("agency", "vendor", "agreement", "lot"),
        request.viewer,
        pk=calloff_id,
    )
    content = builders.calloff_document(calloff, format)
    response = HttpResponse(content, content_type=documents.MEDIA_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="avrop-{calloff.pk}.{format}"'
    return response
