"""Agreement pages: the list, an agreement's detail, membership decisions, documents, and the
operator's national picture. Reads go through the tenancy helpers; writes through actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mps.agreements.actions import do_set_membership
from mps.agreements.forms import MembershipForm
from mps.agreements.models import (
    AgreementDocument,
    Award,
    CallOff,
    FrameworkAgreement,
    Lot,
    Membership,
)
from mps.agreements.national import CHART_BAR_WIDTH, CHART_LABEL_WIDTH, national_picture
from mps.core.tenancy import get_visible_or_404, visible


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    agreements = list(
        visible(FrameworkAgreement, viewer)
        .annotate(lot_count=Count("lots", distinct=True))
        .order_by("-period_start", "name")
    )
    own: dict[int, Membership] = {}
    if viewer.is_agency:
        own = {
            m.agreement_id: m
            for m in visible(Membership, viewer).filter(agency=viewer.organisation_id)
        }
    rows = [(a, own.get(a.pk)) for a in agreements]
    return render(request, "agreements/list.html", {"rows": rows, "nav": "agreements"})


@login_required
def agreement_detail(request: HttpRequest, frameworkagreement_id: int) -> HttpResponse:
    viewer = request.viewer
    agreement = get_visible_or_404(FrameworkAgreement, viewer, pk=frameworkagreement_id)
    from mps.registry.models import Service

    services = visible(Service, viewer).order_by("name", "pk")
    awards = Award.objects.select_related("vendor").prefetch_related(
        Prefetch("services", queryset=services)
    )
    lots = list(
        visible(Lot, viewer)
        .filter(agreement=agreement)
        .prefetch_related(Prefetch("awards", queryset=awards.order_by("vendor__name")))
        .order_by("number")
    )
    documents = list(visible(AgreementDocument, viewer).filter(agreement=agreement))
    membership = None
    active_calloffs = 0
    if viewer.is_agency:
        membership = (
            visible(Membership, viewer)
            .filter(agency=viewer.organisation_id, agreement=agreement)
            .first()
        )
        active_calloffs = (
            visible(CallOff, viewer)
            .filter(
                agency=viewer.organisation_id, agreement=agreement, status=CallOff.Status.ACTIVE
            )
            .count()
        )
    return render(
        request,
        "agreements/detail.html",
        {
            "agreement": agreement,
            "description": agreement.description(get_language()),
            "lots": lots,
            "documents": documents,
            "membership": membership,
            "active_calloffs": active_calloffs,
            "statuses": Membership.Status.choices,
            "nav": "agreements",
        },
    )


@login_required
def membership_decide(request: HttpRequest, frameworkagreement_id: int) -> HttpResponse:
    """Join, opt out or mark undecided: GET shows the confirmation step, POST records the decision."""
    viewer = request.viewer
    agreement = get_visible_or_404(FrameworkAgreement, viewer, pk=frameworkagreement_id)
    if not (viewer.is_agency and viewer.can_write):
        raise PermissionDenied(_("Only agency members with write access decide on membership."))
    current = (
        visible(Membership, viewer)
        .filter(agency=viewer.organisation_id, agreement=agreement)
        .first()
    )
    errors: list[str] = []
    if request.method == "POST":
        form = MembershipForm(request.POST)
        if form.is_valid():
            try:
                do_set_membership(
                    viewer,
                    viewer.organisation,
                    agreement,
                    form.cleaned_data["status"],
                    form.cleaned_data["note"],
                )
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(
                    request,
                    _("Your decision on %(agreement)s is recorded.")
                    % {"agreement": agreement.name},
                )
                return redirect("agreements:detail", frameworkagreement_id=agreement.pk)
    else:
        wanted = request.GET.get("status")
        form = MembershipForm(
            initial={"status": wanted if wanted in Membership.Status.values else None}
        )
    status = 400 if (form.is_bound and (form.errors or errors)) else 200
    chosen = form.data.get("status") if form.is_bound else form.initial.get("status")
    return render(
        request,
        "agreements/membership_confirm.html",
        {
            "agreement": agreement,
            "form": form,
            "current": current,
            "chosen": chosen,
            "chosen_label": dict(Membership.Status.choices).get(chosen or "", ""),
            "errors": errors,
            "nav": "agreements",
        },
        status=status,
    )


@login_required
def document_download(request: HttpRequest, agreementdocument_id: int) -> HttpResponse:
    document = get_visible_or_404(AgreementDocument, request.viewer, pk=agreementdocument_id)
    if document.url:
        return redirect(document.url)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("The file is missing.") from exc
    name = document.file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)


@login_required
def national(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    if not (viewer.is_operator or viewer.is_central):
        raise PermissionDenied(_("The national picture is for the operator and central functions."))
    pictures = national_picture(include_names=viewer.is_operator)
    return render(
        request,
        "agreements/national.html",
        {
            "pictures": pictures,
            "show_names": viewer.is_operator,
            "chart_width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 90,
            "bar_end": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 8,
            "nav": "national",
        },
    )
