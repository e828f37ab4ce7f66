"""Risk score pages: the agency's grade and findings, footprint, disputes, the national picture.

Reads go through the tenancy helpers; every write calls an action. Central functions see the
national picture and an organisation's grade, never its evidence.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mps.core import actions as core_actions
from mps.core.models import EvidenceGrant
from mps.core.tenancy import changeable, get_visible_or_404, may_act_for, visible
from mps.organisations.models import Organisation
from mps.riskscore import actions, charts, reports
from mps.riskscore.footprint import challenge_name, expected_record
from mps.riskscore.forms import AssetForm, DecisionForm, DisputeForm, GrantForm, VerifyForm
from mps.riskscore.models import Asset, Dispute, Finding
from mps.scanner.catalogue import CATALOGUE

NAV = "riskscore"
FINDINGS_SHOWN = 200


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def _organisation(request: HttpRequest, organisation_id: int) -> tuple[Organisation, bool]:
    """The organisation and whether the viewer sees its evidence (own, operator, or a central
    function the operator has granted it to)."""
    return reports.organisation_for(request.viewer, organisation_id)


def _grant(viewer: Any, org: Organisation) -> EvidenceGrant | None:
    """The grant under which a central function sees this organisation's evidence, if any."""
    if not viewer.is_central:
        return None
    return (
        visible(EvidenceGrant, viewer)
        .filter(subject=org, revoked_at__isnull=True, expires_on__gte=timezone.localdate())
        .order_by("-expires_on")
        .first()
    )


def _texts(check_id: str) -> dict[str, Any]:
    spec = CATALOGUE.get(check_id)
    if spec is None:
        return {"title": check_id, "remediation": "", "references": []}
    nb = (get_language() or "nb").startswith("nb")
    return {
        "title": spec.title_nb if nb else spec.title_en,
        "remediation": spec.remediation_nb if nb else spec.remediation_en,
        "references": spec.references,
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    if viewer.is_central:
        return redirect("riskscore:national")
    if viewer.is_operator:
        disputes = (
            Dispute.objects.filter(status=Dispute.Status.OPEN)
            .select_related("organisation", "finding")
            .order_by("created_at")[:100]
        )
        latest = sorted(reports.latest_snapshots(), key=lambda s: (s.score, s.organisation.name))
        return render(
            request,
            "riskscore/operator.html",
            {"disputes": disputes, "latest": latest[:200], "nav": NAV},
        )
    if viewer.organisation is None:
        raise Http404("Not found")
    return redirect("riskscore:organisation", organisation_id=viewer.organisation_id)


def _finding_rows(findings: list[tuple[Finding, dict[str, Any]]]) -> str:
    """The findings table body (up to FINDINGS_SHOWN rows), escaped; built here because the
    template engine takes tens of milliseconds for two hundred rows."""
    return format_html_join(
        "",
        '<tr><th scope="row"><a href="{}">{}</a></th><td>{}{}</td><td>{} / {}</td><td>{}</td>'
        "<td>{}</td></tr>",
        (
            (
                reverse("riskscore:finding", args=[f.pk]),
                texts["title"],
                f.target,
                f":{f.port}" if f.port else "",
                f.severity,
                f.status,
                f.get_state_display(),
                timezone.localtime(f.first_seen).date().isoformat() if f.first_seen else "",
            )
            for f, texts in findings
        ),
    )


@login_required
def organisation(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org, full = _organisation(request, organisation_id)
    report = reports.organisation_report(org, with_fixes=full)
    snaps = reports.history(org.pk)
    points = [(s.date, float(s.score)) for s in snaps if s.score is not None]
    if points:
        summary = _("Score from %(first)s (%(a).1f) to %(last)s (%(b).1f).") % {
            "first": points[0][0].isoformat(),
            "a": points[0][1],
            "last": points[-1][0].isoformat(),
            "b": points[-1][1],
        }
    else:
        summary = _("No history yet.")
    trend = charts.score_trend(points, _("Score over time"), summary)
    generated = any(s.generated for s in snaps)
    context: dict[str, Any] = {
        "org": org,
        "full": full,
        "can_act": may_act_for(request.viewer, org),
        "grant": _grant(request.viewer, org) if full else None,
        "report": report,
        "trend": trend,
        "generated": generated,
        "nav": NAV,
    }
    if full:
        factor_items = [
            (f.factor, float(f.score)) for f in report.result.factors if f.score is not None
        ]
        context["factor_chart"] = charts.bars(
            factor_items,
            _("Factor scores"),
            ", ".join(f"{name} {value:g}" for name, value in factor_items),
        )
        context["peers"] = reports.peer_position(org)
        context["ttr"] = reports.time_to_remediate(org.pk)
        problems = (
            Finding.objects.filter(
                organisation=org, status__in=["fail", "warn"], asset__status=Asset.Status.VERIFIED
            )
            .select_related("asset")
            .order_by("-severity", "check_id")[:FINDINGS_SHOWN]
        )
        context["findings"] = [(f, _texts(f.check_id)) for f in problems]
        context["finding_rows"] = _finding_rows(context["findings"])
        context["fixes"] = [(fix, _texts(fix.check)) for fix in report.fixes]
    return render(request, "riskscore/organisation.html", context)


@login_required
def explain(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org, full = _organisation(request, organisation_id)
    if not full:
        raise Http404("Not found")
    report = reports.organisation_report(org, with_fixes=False)
    rows = [(d, _texts(d.deduction.check)) for d in report.deductions]
    lost = None if report.result.score is None else 100 - report.result.score
    return render(
        request,
        "riskscore/explain.html",
        {"org": org, "report": report, "rows": rows, "lost_total": lost, "nav": NAV},
    )


@login_required
def scan_now(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org, full = _organisation(request, organisation_id)
    if not full:
        raise Http404("Not found")
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            run = actions.do_scan(request.viewer, org)
        except PermissionDenied:
            raise
        messages.success(
            request, _("Scan finished: %(n)d results written.") % {"n": run.findings_recorded}
        )
        return redirect("riskscore:organisation", organisation_id=org.pk)
    if not request.viewer.can_write:
        raise PermissionDenied(_("You may not start scans."))
    return render(request, "riskscore/scan_confirm.html", {"org": org, "nav": NAV})


@login_required
def footprint(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org, full = _organisation(request, organisation_id)
    if not full:
        raise Http404("Not found")
    form = AssetForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                asset = actions.do_add_asset(
                    request.viewer, org, form.cleaned_data["kind"], form.cleaned_data["value"]
                )
            except ValidationError as exc:
                form.add_error(None, _error_text(exc))
                status = 400
            else:
                messages.success(request, _("Added %(name)s.") % {"name": asset.display})
                return redirect("riskscore:asset", asset_id=asset.pk)
        else:
            status = 400
    mine = visible(Asset, request.viewer).filter(organisation=org)
    assets = mine.exclude(status=Asset.Status.VENDOR).order_by("status", "kind", "value")
    on_platforms = (
        mine.filter(status=Asset.Status.VENDOR)
        .select_related("platform_service__vendor")
        .order_by("value")
    )
    return render(
        request,
        "riskscore/footprint.html",
        {
            "org": org,
            "assets": assets,
            "on_platforms": on_platforms,
            "form": form,
            "can_act": may_act_for(request.viewer, org),
            "nav": NAV,
        },
        status=status,
    )


@login_required
def asset(request: HttpRequest, asset_id: int) -> HttpResponse:
    item = get_visible_or_404(
        Asset.objects.select_related("organisation"), request.viewer, pk=asset_id
    )
    form = VerifyForm(request.POST or None)
    outcome = None
    status = 200
    if request.method == "POST":
        try:
            action = request.POST.get("action", "verify")
            if action == "accept":
                actions.do_decide_suggestion(request.viewer, item, True)
            elif action == "reject":
                actions.do_decide_suggestion(request.viewer, item, False)
            elif action == "discover":
                found = actions.do_discover(request.viewer, item)
                messages.success(request, _("%(n)d names suggested.") % {"n": len(found)})
            elif form.is_valid():
                outcome = actions.do_verify_asset(
                    request.viewer,
                    item,
                    form.cleaned_data["method"],
                    note=form.cleaned_data["note"],
                )
                if outcome.verified:
                    messages.success(request, _("Verified."))
                else:
                    messages.error(
                        request, _("Not verified: %(detail)s") % {"detail": outcome.detail}
                    )
            else:
                status = 400
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            status = 400
        if status == 200:
            return redirect("riskscore:asset", asset_id=item.pk)
        item.refresh_from_db()
    suggestions = []
    if item.kind == Asset.Kind.DOMAIN:
        suggestions = list(
            visible(Asset, request.viewer).filter(
                organisation_id=item.organisation_id,
                status=Asset.Status.SUGGESTED,
                discovered_via__endswith=item.value,
            )[:100]
        )
    context = {
        "asset": item,
        "form": form,
        "challenge_name": challenge_name(item.value),
        "challenge_value": expected_record(item.token) if item.token else "",
        "suggestions": suggestions,
        "can_act": may_act_for(request.viewer, item.organisation),
        "nav": NAV,
    }
    return render(request, "riskscore/asset.html", context, status=status)


@login_required
def asset_remove(request: HttpRequest, asset_id: int) -> HttpResponse:
    item = get_visible_or_404(
        Asset.objects.select_related("organisation"), request.viewer, pk=asset_id
    )
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        org_id = item.organisation_id
        actions.do_remove_asset(request.viewer, item)
        messages.success(request, _("Removed."))
        return redirect("riskscore:footprint", organisation_id=org_id)
    if not changeable(Asset, request.viewer).filter(pk=item.pk).exists():
        raise PermissionDenied(_("You may not change this asset."))
    return render(request, "riskscore/asset_remove.html", {"asset": item, "nav": NAV})


@login_required
def finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    item = get_visible_or_404(
        Finding.objects.select_related("asset", "organisation"), request.viewer, pk=finding_id
    )
    form = DisputeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.do_open_dispute(
                    request.viewer,
                    item,
                    form.cleaned_data["kind"],
                    form.cleaned_data["justification"],
                    form.cleaned_data["expires_on"],
                )
            except ValidationError as exc:
                form.add_error(None, _error_text(exc))
                status = 400
            else:
                messages.success(request, _("Dispute registered."))
                return redirect("riskscore:finding", finding_id=item.pk)
        else:
            status = 400
    disputes = item.disputes.all().order_by("-created_at")
    return render(
        request,
        "riskscore/finding.html",
        {
            "finding": item,
            "texts": _texts(item.check_id),
            "form": form,
            "disputes": disputes,
            "can_act": may_act_for(request.viewer, item.organisation),
            "nav": NAV,
        },
        status=status,
    )


@login_required
@require_POST
def retest(request: HttpRequest, finding_id: int) -> HttpResponse:
    item = get_visible_or_404(
        Finding.objects.select_related("asset", "organisation"), request.viewer, pk=finding_id
    )
    try:
        outcome = actions.do_retest(request.viewer, item)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("riskscore:finding", finding_id=item.pk)
    if outcome.passed:
        messages.success(request, _("Re-test passed: the finding is closed and the score updated."))
    else:
        messages.error(
            request, _("Re-test still finds the problem (%(status)s).") % {"status": outcome.status}
        )
    return redirect("riskscore:finding", finding_id=item.pk)


@login_required
def dispute(request: HttpRequest, dispute_id: int) -> HttpResponse:
    item = get_visible_or_404(
        Dispute.objects.select_related("finding", "organisation", "finding__asset"),
        request.viewer,
        pk=dispute_id,
    )
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "withdraw":
                actions.do_withdraw_dispute(request.viewer, item)
                messages.success(request, _("Withdrawn."))
                return redirect("riskscore:dispute", dispute_id=item.pk)
            if form.is_valid():
                actions.do_decide_dispute(
                    request.viewer,
                    item,
                    form.cleaned_data["decision"] == "approve",
                    form.cleaned_data["reason"],
                )
                messages.success(request, _("Decision recorded."))
                return redirect("riskscore:dispute", dispute_id=item.pk)
            status = 400
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
            status = 400
    return render(
        request,
        "riskscore/dispute.html",
        {"dispute": item, "form": form, "nav": NAV},
        status=status,
    )


@login_required
def national(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    if not (viewer.is_central or viewer.is_operator):
        raise Http404("Not found")
    picture = reports.national_picture()
    grade_chart = charts.bars(
        [(g, float(n)) for g, n in picture.grades.items()],
        _("Grade distribution"),
        ", ".join(f"{g}: {n}" for g, n in picture.grades.items()),
        top=float(max(picture.grades.values(), default=0) or 1),
    )
    trend = charts.score_trend(
        [(week, float(avg)) for week, avg, _n in picture.trend],
        _("Average score per week"),
        _("%(n)d weeks of average scores.") % {"n": len(picture.trend)},
    )
    grades = sorted(picture.snapshots, key=lambda s: s.organisation.name)
    # Hundreds of rows: built here, as the template engine would take tens of milliseconds.
    grade_rows = format_html_join(
        "",
        '<tr><th scope="row"><a href="{}">{}</a></th><td>{}</td><td>{}</td></tr>',
        (
            (
                reverse("riskscore:organisation", args=[s.organisation_id]),
                s.organisation.name,
                s.grade,
                s.date.isoformat(),
            )
            for s in grades
        ),
    )
    return render(
        request,
        "riskscore/national.html",
        {
            "picture": picture,
            "grade_chart": grade_chart,
            "trend": trend,
            "grades": grades,
            "grade_rows": grade_rows,
            "min_group": reports.MIN_GROUP,
            "today": timezone.localdate(),
            "nav": NAV,
        },
    )


@login_required
def grants(request: HttpRequest) -> HttpResponse:
    """Evidence grants: the operator opens and ends them; a central function sees its own."""
    viewer = request.viewer
    if not (viewer.is_operator or viewer.is_central):
        raise Http404("Not found")
    form = GrantForm(request.POST or None) if viewer.is_operator else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only the operator grants access to evidence.")
        if form.is_valid():
            try:
                core_actions.do_grant_evidence(
                    viewer,
                    form.cleaned_data["grantee"],
                    form.cleaned_data["subject"],
                    form.cleaned_data["reason"],
                    form.cleaned_data["expires_on"],
                )
            except ValidationError as exc:
                form.add_error(None, _error_text(exc))
                status = 400
            else:
                messages.success(request, _("Access granted."))
                return redirect("riskscore:grants")
        else:
            status = 400
    today = timezone.localdate()
    rows = visible(EvidenceGrant, viewer).select_related("grantee", "subject", "granted_by")
    context = {
        "active": rows.filter(revoked_at__isnull=True, expires_on__gte=today),
        "ended": rows.exclude(revoked_at__isnull=True, expires_on__gte=today)[:50],
        "form": form,
        "nav": NAV,
    }
    return render(request, "riskscore/grants.html", context, status=status)


@login_required
@require_POST
def revoke_grant(request: HttpRequest, evidencegrant_id: int) -> HttpResponse:
    grant = get_visible_or_404(EvidenceGrant, request.viewer, pk=evidencegrant_id)
    core_actions.do_revoke_evidence(request.viewer, grant)
    messages.success(request, _("Access ended."))
    return redirect("riskscore:grants")
