"""Call-off pages (avrop) and the contract register (kontraktsregister)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mps.agreements import builders, documents
from mps.agreements.actions import (
    TRANSITIONS,
    CallOffInput,
    do_create_calloff,
    do_transition_calloff,
    do_update_calloff,
)
from mps.agreements.dates import DEFAULT_REMINDER_DAYS
from mps.agreements.forms import CallOffForm
from mps.agreements.models import Award, CallOff, FrameworkAgreement, Lot, Membership
from mps.core.tenancy import get_changeable_or_404, get_visible_or_404, visible

PAGE_SIZE = 50
#: The contract register's "due soon" window: the longest default reminder threshold.
DUE_SOON_DAYS = max(DEFAULT_REMINDER_DAYS)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _form_errors(form: CallOffForm, exc: ValidationError) -> None:
    if hasattr(exc, "message_dict"):
        for field_name, msgs in exc.message_dict.items():
            for msg in msgs:
                form.add_error(field_name if field_name in form.fields else None, msg)
    else:
        for msg in exc.messages:
            form.add_error(None, msg)


def _calloffs(request: HttpRequest):
    return visible(CallOff, request.viewer).select_related("agency", "vendor", "agreement", "lot")


@login_required
def calloff_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    rows = _calloffs(request).order_by("-start", "-pk")
    if status in CallOff.Status.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "agreements/calloff_list.html",
        {
            "page": page,
            "status": status,
            "statuses": CallOff.Status.choices,
            "query_string": urlencode({"status": status}) if status else "",
            "nav": "contracts",
        },
    )


def _wizard_choices(request: HttpRequest) -> dict[str, Any]:
    """Resolve the agreement → lot → vendor chosen so far, each only from the allowed options."""
    viewer = request.viewer

    def choice(key: str) -> int | None:
        return _int(request.POST.get(key) or request.GET.get(key))

    agreements = (
        visible(FrameworkAgreement, viewer)
        .filter(
            status__in=[FrameworkAgreement.Status.OPEN, FrameworkAgreement.Status.ACTIVE],
            memberships__agency=viewer.organisation_id,
            memberships__status=Membership.Status.JOINED,
        )
        .order_by("name")
    )
    ctx: dict[str, Any] = {
        "agreements": list(agreements),
        "agreement": None,
        "lot": None,
        "vendor": None,
    }
    agreement = next((a for a in ctx["agreements"] if a.pk == choice("agreement")), None)
    if agreement is None:
        return ctx
    ctx["agreement"] = agreement
    ctx["lots"] = list(visible(Lot, viewer).filter(agreement=agreement).order_by("number"))
    lot = next((lot for lot in ctx["lots"] if lot.pk == choice("lot")), None)
    if lot is None:
        return ctx
    ctx["lot"] = lot
    ctx["awards"] = list(
        visible(Award, viewer).filter(lot=lot).select_related("vendor").order_by("vendor__name")
    )
    award = next((a for a in ctx["awards"] if a.vendor_id == choice("vendor")), None)
    if award is not None:
        ctx["award"] = award
        ctx["vendor"] = award.vendor
    return ctx


def _awarded_services(request: HttpRequest, award: Award):
    from mps.registry.models import Service

    return visible(Service, request.viewer).filter(awards=award).order_by("name", "pk")


@login_required
def calloff_create(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    if not (viewer.is_agency and viewer.can_write):
        raise PermissionDenied(_("Only agency members with write access create call-offs."))
    ctx = _wizard_choices(request)
    form = None
    if ctx["vendor"] is not None:
        services = _awarded_services(request, ctx["award"])
        form = CallOffForm(
            request.POST if request.method == "POST" else None,
            services=services,
            initial={"notice_months": 3},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                calloff = do_create_calloff(
                    viewer,
                    viewer.organisation,
                    CallOffInput(
                        agreement=ctx["agreement"],
                        lot=ctx["lot"],
                        vendor=ctx["vendor"],
                        services=list(data["services"]),
                        title=data["title"],
                        estimated_value=data["estimated_value"],
                        start=data["start"],
                        end=data["end"],
                        notice_months=data["notice_months"],
                        requirements=data["requirements"],
                    ),
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request, _("Call-off %(title)s created as a draft.") % {"title": calloff.title}
                )
                return redirect("agreements:calloff_detail", calloff_id=calloff.pk)
    ctx.update({"form": form, "nav": "contracts"})
    status = 400 if request.method == "POST" else 200
    return render(request, "agreements/calloff_create.html", ctx, status=status)


@login_required
def calloff_detail(request: HttpRequest, calloff_id: int) -> HttpResponse:
    calloff = get_visible_or_404(_calloffs(request), request.viewer, pk=calloff_id)
    services = list(calloff.services.all().order_by("name"))
    can_change = request.viewer.can_write and (
        request.viewer.is_operator or request.viewer.organisation_id == calloff.agency_id
    )
    transitions = [
        name for name, (_target, allowed) in TRANSITIONS.items() if calloff.status in allowed
    ]
    return render(
        request,
        "agreements/calloff_detail.html",
        {
            "calloff": calloff,
            "services": services,
            "can_change": can_change,
            "transitions": transitions if can_change else [],
            "formats": list(documents.MEDIA_TYPES),
            "nav": "contracts",
        },
    )


@login_required
def calloff_edit(request: HttpRequest, calloff_id: int) -> HttpResponse:
    viewer = request.viewer
    calloff = get_changeable_or_404(_calloffs(request), viewer, pk=calloff_id)
    award = Award.objects.filter(lot=calloff.lot_id, vendor=calloff.vendor_id).first()
    from mps.registry.models import Service

    services = _awarded_services(request, award) if award else Service.objects.none()
    initial = {
        "services": list(calloff.services.all()),
        "title": calloff.title,
        "estimated_value": calloff.estimated_value,
        "start": calloff.start,
        "end": calloff.end,
        "notice_months": calloff.notice_months,
        "requirements": calloff.requirements,
    }
    form = CallOffForm(
        request.POST if request.method == "POST" else None, services=services, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_update_calloff(
                viewer,
                calloff,
                CallOffInput(
                    agreement=calloff.agreement,
                    lot=calloff.lot,
                    vendor=calloff.vendor,
                    services=list(data["services"]),
                    title=data["title"],
                    estimated_value=data["estimated_value"],
                    start=data["start"],
                    end=data["end"],
                    notice_months=data["notice_months"],
                    requirements=data["requirements"],
                ),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("agreements:calloff_detail", calloff_id=calloff.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "agreements/calloff_edit.html",
        {"calloff": calloff, "form": form, "nav": "contracts"},
        status=status,
    )


@login_required
def calloff_transition(request: HttpRequest, calloff_id: int, transition: str) -> HttpResponse:
    """Activate, cancel or end a call-off, after a confirmation page."""
    viewer = request.viewer
    calloff = get_changeable_or_404(_calloffs(request), viewer, pk=calloff_id)
    errors: list[str] = []
    if request.method == "POST":
        if request.POST.get("confirm") == "yes":
            try:
                do_transition_calloff(viewer, calloff, transition)
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(
                    request, _("Call-off %(title)s updated.") % {"title": calloff.title}
                )
                return redirect("agreements:calloff_detail", calloff_id=calloff.pk)
        else:
            errors = [_("Tick the box to confirm.")]
    return render(
        request,
        "agreements/calloff_transition.html",
        {"calloff": calloff, "transition": transition, "errors": errors, "nav": "contracts"},
        status=400 if errors else 200,
    )


@login_required
def calloff_document(request: HttpRequest, calloff_id: int, fmt: str) -> HttpResponse:
    calloff = get_visible_or_404(_calloffs(request), request.viewer, pk=calloff_id)
    try:
        content = builders.calloff_document(calloff, fmt, (get_language() or "nb")[:2])
    except documents.TemplateError as exc:
        messages.error(request, _("The call-off template is broken: %(error)s") % {"error": exc})
        return redirect("agreements:calloff_detail", calloff_id=calloff.pk)
    response = HttpResponse(content, content_type=documents.MEDIA_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="avrop-{calloff.pk}.{fmt}"'
    return response


@login_required
def contracts(request: HttpRequest) -> HttpResponse:
    """The contract register: the agency's active contracts with notice deadlines, and what is due soon."""
    viewer = request.viewer
    if not (viewer.is_agency or viewer.is_operator):
        raise PermissionDenied(_("The contract register is for agencies."))
    today = timezone.localdate()
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    active = _calloffs(request).filter(status=CallOff.Status.ACTIVE)
    due = list(
        active.filter(
            Q(notice_by__range=(today, horizon)) | Q(end__range=(today, horizon))
        ).order_by("notice_by", "end", "pk")[:PAGE_SIZE]
    )
    for c in due:
        c.notice_days_left = (c.notice_by - today).days
    page = Paginator(active.order_by("end", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "agreements/contracts.html",
        {
            "page": page,
            "due": due,
            "today": today,
            "due_days": DUE_SOON_DAYS,
            "show_agency": viewer.is_operator,
            "calloffs_url": reverse("agreements:calloffs"),
            "nav": "contracts",
        },
    )
