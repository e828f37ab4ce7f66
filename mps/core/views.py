"""Pages that belong to no single capability: the overview, the audit log, health."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from mps.core.models import AuditEntry
from mps.core.overview import cards_for
from mps.core.tenancy import visible

AUDIT_PAGE_SIZE = 50


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    cards = cards_for(request.viewer)
    return render(request, "core/overview.html", {"cards": cards, "nav": "overview"})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    if not (viewer.is_admin or viewer.is_operator):
        raise PermissionDenied("The audit log is for administrators.")
    entries = visible(AuditEntry, viewer).select_related("organisation")
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page, "nav": "audit"})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html", {})


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# RFC 9116 §2.5.5: Expires SHOULD be less than a year away; we renew it with every response.
SECURITY_TXT_LIFETIME = timedelta(days=180)


@require_GET
def security_txt(request: HttpRequest) -> HttpResponse:
    """How to report a vulnerability in this mps (RFC 9116), as our scanner asks of others."""
    expires = (timezone.now() + SECURITY_TXT_LIFETIME).replace(microsecond=0)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: nb, en",
        f"Canonical: {request.build_absolute_uri()}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
