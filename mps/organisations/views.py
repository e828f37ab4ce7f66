"""Organisation pages: the public list and detail, and editing one's own organisation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mps.core.tenancy import get_changeable_or_404, get_visible_or_404, visible
from mps.organisations.actions import do_update_organisation
from mps.organisations.forms import OrganisationForm
from mps.organisations.models import Organisation

PAGE_SIZE = 50


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()
    kind = request.GET.get("kind") or ""
    orgs = visible(Organisation, request.viewer)
    if query:
        orgs = orgs.filter(Q(name__icontains=query) | Q(orgnr=query))
    if kind in Organisation.Kind.values:
        orgs = orgs.filter(kind=kind)
    page = Paginator(orgs.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/list.html",
        {
            "page": page,
            "q": query,
            "kind": kind,
            "kinds": Organisation.Kind.choices,
            "nav": "organisations",
        },
    )


@login_required
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = get_visible_or_404(
        Organisation.objects.select_related("parent"), request.viewer, pk=organisation_id
    )
    return render(request, "organisations/detail.html", {"org": org, "nav": "organisations"})


@login_required
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = get_changeable_or_404(Organisation, request.viewer, pk=organisation_id)
    form = OrganisationForm(request.POST or None, instance=Organisation.objects.get(pk=org.pk))
    if request.method == "POST" and form.is_valid():
        do_update_organisation(request.viewer, org, {f: form.cleaned_data[f] for f in form.fields})
        messages.success(request, _("Saved."))
        return redirect("organisations:detail", organisation_id=org.pk)
    return render(
        request,
        "organisations/edit.html",
        {"org": org, "form": form, "nav": "organisations"},
        status=400 if form.errors else 200,
    )
