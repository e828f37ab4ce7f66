"""Register pages: agency search and service detail, and the vendor portal.

Reads go through the tenancy helpers; writes go through mps.registry.actions. Every page
runs a fixed number of queries whatever the size of the register.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from mps.core.tenancy import get_changeable_or_404, get_visible_or_404, may_act_for, visible
from mps.organisations.models import Organisation
from mps.registry import actions
from mps.registry.engine.rules import EXPIRY_WARNING_DAYS, cert_status
from mps.registry.forms import (
    CertificationFormSet,
    LocationFormSet,
    SearchForm,
    ServiceForm,
    VendorForm,
    initial_from,
    service_data,
)
from mps.registry.models import Certification, LocationZone, Service, ServiceVersion, Status
from mps.registry.search import award_model, search_services

PAGE_SIZE = 25
SCOPE_LABELS = {
    LocationZone.NORWAY: _lazy("Norway"),
    LocationZone.EEA: _lazy("EEA"),
    LocationZone.OUTSIDE_EEA: _lazy("Outside the EEA"),
    "": _lazy("Not given"),
}


def _lot_options(viewer):
    """Lots (with their agreements) for the search filters, or (None, None) without agreements."""
    award = award_model()
    if award is None:
        return None, None
    lot_model = award._meta.get_field("lot").related_model
    lots = list(
        visible(lot_model, viewer).select_related("agreement").order_by("agreement__name", "pk")
    )
    agreements = list({lot.agreement.pk: lot.agreement for lot in lots}.values())
    return agreements, lots


def _today():
    return timezone.localdate()


@dataclass(frozen=True)
class ResultRow:
    """One search result, prepared in Python so the template does no per-row includes."""

    service: Service
    scope_label: str
    scope_flag: bool  # outside the EEA: shown with a warning badge
    certificates: list[tuple[str, str]]  # (standard, valid | expiring | expired)


def _row(service: Service, today) -> ResultRow:
    certs = service.current_version.certifications.all() if service.current_version_id else []
    return ResultRow(
        service=service,
        scope_label=str(SCOPE_LABELS.get(service.location_scope, SCOPE_LABELS[""])),
        scope_flag=service.location_scope == LocationZone.OUTSIDE_EEA,
        certificates=[(c.standard, cert_status(c.valid_until, today).value) for c in certs],
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    agreements, lots = _lot_options(viewer)
    form = SearchForm(request.GET or None, agreements=agreements, lots=lots)
    filters = form.filters()
    today = _today()
    services = (
        search_services(viewer, filters, today)
        .select_related("vendor")
        .prefetch_related(
            Prefetch(
                "current_version__certifications",
                queryset=Certification.objects.order_by("position", "id"),
            )
        )
    )
    page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    rows = [_row(service, today) for service in page]
    return render(
        request,
        "registry/search.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query_string": query_string,
            "today": today,
            "warning_days": EXPIRY_WARNING_DAYS,
            "nav": "registry",
        },
    )


@login_required
def service_detail(request: HttpRequest, service_id: int) -> HttpResponse:
    viewer = request.viewer
    service = get_visible_or_404(
        Service.objects.select_related("vendor", "current_version"), viewer, pk=service_id
    )
    versions = list(visible(ServiceVersion, viewer).filter(service=service).order_by("-number"))
    shown = service.current_version or (versions[0] if versions else None)
    return render(
        request, "registry/detail.html", _version_context(request, service, shown, versions)
    )


@login_required
def version_detail(request: HttpRequest, serviceversion_id: int) -> HttpResponse:
    viewer = request.viewer
    version = get_visible_or_404(
        ServiceVersion.objects.select_related(
            "service", "service__vendor", "service__current_version"
        ),
        viewer,
        pk=serviceversion_id,
    )
    versions = list(
        visible(ServiceVersion, viewer).filter(service_id=version.service_id).order_by("-number")
    )
    return render(
        request,
        "registry/detail.html",
        _version_context(request, version.service, version, versions),
    )


def _version_context(request, service, shown, versions) -> dict:
    viewer = request.viewer
    awards = []
    award = award_model()
    if award is not None and service.status != Status.DRAFT:
        awards = list(
            award.objects.filter(services=service).select_related("lot", "lot__agreement")
        )
    return {
        "service": service,
        "version": shown,
        "description": shown.description(get_language()) if shown else "",
        "locations": list(shown.locations.all()) if shown else [],
        "certifications": list(shown.certifications.all()) if shown else [],
        "versions": versions,
        "awards": awards,
        "can_change": may_act_for(viewer, service.vendor),
        "has_draft": any(v.status == Status.DRAFT for v in versions),
        "today": _today(),
        "warning_days": EXPIRY_WARNING_DAYS,
        "nav": "registry",
    }


# --- Vendor portal -------------------------------------------------------------------


def _require_portal(viewer) -> None:
    if not (viewer.is_vendor or viewer.is_operator):
        raise PermissionDenied(_("The vendor portal is for vendors and the marketplace operator."))


@login_required
def vendor_portal(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    _require_portal(viewer)
    services = visible(Service, viewer)
    if not viewer.is_operator:
        services = services.filter(vendor_id=viewer.organisation_id)
    drafts = ServiceVersion.objects.filter(service_id=OuterRef("pk"), status=Status.DRAFT)
    services = (
        services.select_related("vendor", "current_version")
        .annotate(has_draft=Exists(drafts))
        .order_by("vendor__name", "sort_name", "id")
    )
    page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/portal.html",
        {"page": page, "can_create": viewer.can_write, "nav": "vendor"},
    )


def _edit_forms(request: HttpRequest, data: actions.ServiceData | None):
    initial, locations, certifications = initial_from(data)
    post = request.POST if request.method == "POST" else None
    return (
        ServiceForm(post, initial=initial),
        LocationFormSet(post, initial=locations, prefix="loc"),
        CertificationFormSet(post, initial=certifications, prefix="cert"),
    )


def _show_errors(form: ServiceForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def service_create(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    _require_portal(viewer)
    if not viewer.can_write:
        raise PermissionDenied(_("Your role may not change the register."))
    form, locations, certifications = _edit_forms(request, None)
    vendor_form = None
    if viewer.is_operator:
        vendors = Organisation.objects.filter(kind=Organisation.Kind.VENDOR).order_by("name")
        vendor_form = VendorForm(request.POST or None, vendors=visible(vendors, viewer))
    if request.method == "POST":
        valid = all([form.is_valid(), locations.is_valid(), certifications.is_valid()])
        if vendor_form is not None:
            valid = vendor_form.is_valid() and valid
        if valid:
            vendor = (
                vendor_form.cleaned_data["vendor"]
                if vendor_form is not None
                else viewer.organisation
            )
            try:
                service = actions.do_create_service(
                    viewer, vendor, service_data(form, locations, certifications)
                )
            except ValidationError as exc:
                _show_errors(form, exc)
            else:
                messages.success(request, _("The service was created as a draft."))
                return redirect("registry:detail", service_id=service.pk)
    return render(
        request,
        "registry/edit.html",
        {
            "form": form,
            "vendor_form": vendor_form,
            "locations": locations,
            "certifications": certifications,
            "service": None,
            "nav": "vendor",
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def service_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    viewer = request.viewer
    service = get_changeable_or_404(
        Service.objects.select_related("vendor", "current_version"), viewer, pk=service_id
    )
    draft = actions.draft_of(service)
    source = draft or service.current_version
    form, locations, certifications = _edit_forms(
        request, actions.ServiceData.of_version(source) if source else None
    )
    posted = request.method == "POST"
    if posted and all([form.is_valid(), locations.is_valid(), certifications.is_valid()]):
        try:
            saved = actions.do_save_draft(
                viewer, service, service_data(form, locations, certifications)
            )
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(
                request, _("Draft version %(number)s was saved.") % {"number": saved.number}
            )
            return redirect("registry:detail", service_id=service.pk)
    return render(
        request,
        "registry/edit.html",
        {
            "form": form,
            "vendor_form": None,
            "locations": locations,
            "certifications": certifications,
            "service": service,
            "draft": draft,
            "nav": "vendor",
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def new_version(request: HttpRequest, service_id: int) -> HttpResponse:
    service = get_changeable_or_404(Service, request.viewer, pk=service_id)
    draft = actions.do_start_new_version(request.viewer, service)
    messages.success(request, _("Draft version %(number)s was started.") % {"number": draft.number})
    return redirect("registry:edit", service_id=service.pk)


def _confirm(request: HttpRequest, service_id: int, *, verb: str):
    viewer = request.viewer
    service = get_changeable_or_404(
        Service.objects.select_related("vendor", "current_version"), viewer, pk=service_id
    )
    if request.method == "POST":
        try:
            if verb == "publish":
                version = actions.do_publish(viewer, service)
                messages.success(
                    request, _("Version %(number)s is published.") % {"number": version.number}
                )
            else:
                actions.do_withdraw(viewer, service)
                messages.success(request, _("The service is withdrawn from the register."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("registry:detail", service_id=service.pk)
    draft = actions.draft_of(service)
    return render(
        request,
        "registry/confirm.html",
        {"service": service, "draft": draft, "verb": verb, "nav": "vendor"},
    )


@login_required
def publish(request: HttpRequest, service_id: int) -> HttpResponse:
    """GET: what will be published, and a confirm button; POST: publish the draft."""
    return _confirm(request, service_id, verb="publish")


@login_required
def withdraw(request: HttpRequest, service_id: int) -> HttpResponse:
    """GET: a confirmation page; POST: withdraw the service from search."""
    return _confirm(request, service_id, verb="withdraw")
