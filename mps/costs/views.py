"""Cost pages: the agency's overview, breakdowns, anomalies, forecast and budget, imports and
uploads, benchmarks; the operator's data-quality report per provider.

An organisation's costs are shown to its own members and to the operator only. Reads come from
the pre-aggregated tables (mps.costs.reports); every write calls an action.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mps.core.tenancy import get_visible_or_404, may_act_for, visible
from mps.costs import actions, charts, national, reports
from mps.costs import benchmark as bench
from mps.costs.engine import analyses
from mps.costs.engine.analyses import AnalysisError
from mps.costs.forms import BudgetForm, UploadForm
from mps.costs.models import ConformanceWarning, CostImport, CostUpload
from mps.organisations.models import Organisation

NAV = "costs"
IMPORTS_SHOWN = 100
# Seconds between refreshes of the upload status page while the import runs.
REFRESH_SECONDS = 2
BREAKDOWN_DIMENSIONS = (
    "provider",
    "service_category",
    "service",
    "region",
    "sub_account",
    "sku",
    "currency",
    "month",
)


def _organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    """The organisation, if the viewer is one of its members or the operator; else 404."""
    viewer = request.viewer
    org = get_visible_or_404(Organisation, viewer, pk=organisation_id)
    if viewer.is_operator or viewer.organisation_id == org.pk:
        return org
    raise Http404("Not found")


def _context(org: Organisation, tab: str, **extra: Any) -> dict[str, Any]:
    return {"org": org, "tab": tab, "nav": NAV, **extra}


def _dimension_labels() -> dict[str, str]:
    return {
        "provider": _("Provider"),
        "service_category": _("Service category"),
        "service": _("Service"),
        "region": _("Region"),
        "sub_account": _("Sub-account"),
        "sku": _("SKU"),
        "currency": _("Billing currency"),
        "month": _("Month"),
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    if viewer.is_operator:
        orgs = (
            Organisation.objects.filter(cost_months__isnull=False)
            .annotate(total=Sum("cost_months__effective_nok"), months=Count("cost_months"))
            .order_by("name")
        )
        return render(request, "costs/operator.html", {"orgs": orgs, "nav": NAV})
    if viewer.is_central:
        return redirect("costs:national")
    if viewer.organisation is None or not viewer.is_agency:
        raise Http404("Not found")
    return redirect("costs:organisation", organisation_id=viewer.organisation_id)


OWN_PAGES = ("breakdown", "anomalies", "forecast", "benchmark", "imports")


@login_required
def own(request: HttpRequest, page: str) -> HttpResponse:
    """Redirect an agency's member to one of its own cost pages."""
    viewer = request.viewer
    if page not in OWN_PAGES or viewer.organisation is None or not viewer.is_agency:
        raise Http404("Not found")
    return redirect(f"costs:{page}", organisation_id=viewer.organisation_id)


def _provider_chart(view: reports.Overview) -> tuple[charts.Svg | None, list[dict[str, Any]]]:
    mp = view.by_month_provider
    if mp is None or not mp.months:
        return None, []
    series = [(p, [mp.effective_nok.get((m, p), 0.0) for m in mp.months]) for p in mp.providers]
    total = sum(mp.month_total(m) for m in mp.months)
    summary = _(
        "Effective cost per month and provider, %(first)s to %(last)s: %(total)s NOK in all."
    ) % {"first": mp.months[0], "last": mp.months[-1], "total": f"{total:,.0f}".replace(",", " ")}
    svg = charts.stacked_months(mp.months, series, _("Cost per month and provider"), summary)
    table = [
        {
            "month": m,
            "cells": [
                (mp.effective_nok.get((m, p)), mp.billed_original.get((m, p), {}))
                for p in mp.providers
            ],
            "total": mp.month_total(m),
        }
        for m in mp.months
    ]
    return svg, table


@login_required
def organisation(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = _organisation(request, organisation_id)
    view = reports.overview(org)
    chart, table = _provider_chart(view)
    change = view.last_change
    return render(
        request,
        "costs/organisation.html",
        _context(
            org,
            "overview",
            view=view,
            chart=chart,
            table=table,
            providers=view.by_month_provider.providers if view.by_month_provider else [],
            change=change,
            may_upload=may_act_for(request.viewer, org),
        ),
    )


def _month_range(request: HttpRequest, months: list[str]) -> tuple[str, str] | None:
    start, end = request.GET.get("from", ""), request.GET.get("to", "")
    if not months:
        return None
    start = start if start in months else months[max(len(months) - 12, 0)]
    end = end if end in months else months[-1]
    if start > end:
        start, end = end, start
    return start, end


@login_required
def breakdown(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = _organisation(request, organisation_id)
    requested = request.GET.get("dim", "service")
    with reports.aggregates(org) as con:
        months = analyses.months(con) if con else []
        tag_keys = analyses.tag_keys(con) if con else []
        valid = set(BREAKDOWN_DIMENSIONS) | {f"tag:{k}" for k in tag_keys}
        dimension = requested if requested in valid else "service"
        window = _month_range(request, months)
        try:
            groups = analyses.breakdown(con, dimension, window) if con and months else []
        except AnalysisError:
            groups = []
    error = None if requested == dimension else _("Unknown dimension; showing services.")
    total = sum(g.effective_nok for g in groups)
    labels = _dimension_labels()
    choices = [(d, labels[d]) for d in BREAKDOWN_DIMENSIONS]
    choices += [(f"tag:{k}", _("Tag: %(key)s") % {"key": k}) for k in tag_keys]
    return render(
        request,
        "costs/breakdown.html",
        _context(
            org,
            "breakdown",
            months=months,
            window=window,
            dimension=dimension,
            dimension_label=dict(choices).get(dimension, dimension),
            choices=choices,
            groups=groups,
            total=total,
            is_tag=dimension.startswith("tag:"),
            error=error,
        ),
    )


@login_required
def anomalies(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = _organisation(request, organisation_id)
    found = reports.anomaly_list(org)
    labels = {"sku": _("SKU"), "region": _("Region"), "sub_account": _("Sub-account")}
    return render(
        request,
        "costs/anomalies.html",
        _context(org, "anomalies", anomalies=found, driver_labels=labels),
    )


@login_required
def forecast(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = _organisation(request, organisation_id)
    may_edit = may_act_for(request.viewer, org)
    view = reports.forecast_view(org)
    year = view.forecast.year if view.forecast else date.today().year
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("You may not set this organisation's budget.")
        form = BudgetForm(request.POST)
        if form.is_valid():
            try:
                actions.do_set_budget(
                    request.user,
                    org,
                    form.cleaned_data["year"],
                    form.cleaned_data["amount_nok"],
                    form.cleaned_data["reference_date"],
                    form.cleaned_data["note"],
                )
            except ValidationError as exc:
                for field, errs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                    form.add_error(None if field == "__all__" else field, errs)
            else:
                messages.success(request, _("Budget saved."))
                return redirect("costs:forecast", organisation_id=org.pk)
    else:
        budget = view.budget
        form = BudgetForm(
            initial={
                "year": year,
                "amount_nok": budget.amount_nok if budget else None,
                "reference_date": budget.reference_date if budget else date(year, 1, 1),
                "note": budget.note if budget else "",
            }
        )
    return render(
        request,
        "costs/forecast.html",
        _context(org, "forecast", view=view, f=view.forecast, form=form, may_edit=may_edit),
    )


@login_required
def imports(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = _organisation(request, organisation_id)
    records = list(
        visible(CostImport, request.viewer)
        .filter(organisation=org)
        .annotate(warning_total=Sum("warnings__count"))
        .order_by("-created_at")[:IMPORTS_SHOWN]
    )
    uploads = list(
        visible(CostUpload, request.viewer)
        .filter(organisation=org)
        .exclude(status__in=[CostUpload.Status.DONE])
        .order_by("-created_at")[:20]
    )
    return render(
        request,
        "costs/imports.html",
        _context(
            org,
            "imports",
            records=records,
            uploads=uploads,
            may_upload=may_act_for(request.viewer, org),
        ),
    )


@login_required
def import_detail(request: HttpRequest, costimport_id: int) -> HttpResponse:
    record = get_visible_or_404(
        CostImport.objects.select_related("organisation"), request.viewer, pk=costimport_id
    )
    org = _organisation(request, record.organisation_id)
    warnings = list(record.warnings.order_by("provider", "rule", "column"))
    snapshots = list(record.snapshots.order_by("provider", "billing_month"))
    return render(
        request,
        "costs/import_detail.html",
        _context(org, "imports", record=record, warnings=warnings, snapshots=snapshots),
    )


@login_required
def upload(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = _organisation(request, organisation_id)
    if not may_act_for(request.viewer, org):
        raise PermissionDenied("You may not import cost data for this organisation.")
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            queued = actions.do_queue_upload(request.user, org, form.cleaned_data["file"])
            return redirect("costs:upload_status", costupload_id=queued.pk)
    else:
        form = UploadForm()
    return render(request, "costs/upload.html", _context(org, "imports", form=form))


@login_required
def upload_status(request: HttpRequest, costupload_id: int) -> HttpResponse:
    item = get_visible_or_404(
        CostUpload.objects.select_related("organisation", "cost_import"),
        request.viewer,
        pk=costupload_id,
    )
    org = _organisation(request, item.organisation_id)
    refresh = None if item.finished or request.GET.get("stop") else REFRESH_SECONDS
    response = render(
        request, "costs/upload_status.html", _context(org, "imports", item=item, refresh=refresh)
    )
    if refresh:
        # The HTTP form of <meta http-equiv="refresh">: works without JavaScript, and no CSP
        # directive governs it (base.html has no head block for a meta element). The page
        # offers a link that stops it (WCAG 2.2.1).
        response["Refresh"] = str(refresh)
    return response


@login_required
def benchmark(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = _organisation(request, organisation_id)
    result = bench.benchmark_for(org)
    labels = {
        "per_employee": (_("Cost per employee (NOK)"), False),
        "per_resident": (_("Cost per resident (NOK)"), False),
        "savings_rate": (_("Effective savings rate"), True),
        "tagged_share": (_("Tagged share"), True),
        "norway_share": (_("Share of spend in Norway"), True),
        "eea_share": (_("Share of spend in the EEA (incl. Norway)"), True),
    }
    bands = {
        "small": _("small"),
        "medium": _("medium"),
        "large": _("large"),
        "very_large": _("very large"),
        "unknown": _("unknown"),
    }
    sector, band = result.group_label or ("", "unknown")
    return render(
        request,
        "costs/benchmark.html",
        _context(
            org,
            "benchmark",
            result=result,
            labels=labels,
            min_group=bench.MIN_GROUP,
            sector_label=dict(Organisation.Sector.choices).get(sector, sector or "–"),
            band_label=bands.get(band, band),
        ),
    )


@login_required
def data_quality(request: HttpRequest) -> HttpResponse:
    if not request.viewer.is_operator:
        raise Http404("Not found")
    rows = (
        ConformanceWarning.objects.values("provider", "rule", "column")
        .annotate(total=Sum("count"), imports=Count("cost_import", distinct=True))
        .order_by("provider", "-total", "rule")
    )
    by_provider: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_provider.setdefault(r["provider"] or "—", []).append(r)
    rejected = (
        CostImport.objects.filter(outcome=CostImport.Outcome.REJECTED)
        .select_related("organisation")
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "costs/data_quality.html",
        {"by_provider": by_provider, "rejected": rejected, "nav": NAV},
    )


def _money_text(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _split_table(
    rows: list[national.MonthRow], names: list[str], attr: str
) -> tuple[list[dict[str, Any]], bool]:
    """Per month: each named group's cell, the combined small groups, the total."""
    table, any_rest = [], False
    for row in rows:
        parts: national.Split | None = getattr(row, attr)
        cells = [parts.groups.get(n) if parts else None for n in names]
        rest = parts.rest if parts else None
        any_rest = any_rest or rest is not None
        table.append({"month": row.month, "cells": cells, "rest": rest, "total": row.total})
    return table, any_rest


def _split_chart(
    rows: list[national.MonthRow], names: list[str], attr: str, title: str, ident: str
) -> charts.Svg | None:
    shown = [r for r in rows if not r.total.suppressed]
    if not shown:
        return None
    series = []
    for name in names:
        values = []
        for r in shown:
            cell = getattr(r, attr).groups.get(name)
            values.append(cell.value or 0.0 if cell else 0.0)
        series.append((name, values))
    rest = [(getattr(r, attr).rest.value or 0.0) if getattr(r, attr).rest else 0.0 for r in shown]
    if any(rest):
        series.append((_("Other (small groups combined)"), rest))
    total = sum(r.total.value or 0.0 for r in shown)
    summary = _("%(first)s to %(last)s: %(total)s NOK in all.") % {
        "first": shown[0].month,
        "last": shown[-1].month,
        "total": _money_text(total),
    }
    return charts.stacked_months([r.month for r in shown], series, title, summary, ident=ident)


@login_required
def national_view(request: HttpRequest) -> HttpResponse:
    """The national cost picture: central functions and the operator only (404 for others)."""
    viewer = request.viewer
    if not (viewer.is_central or viewer.is_operator):
        raise Http404("Not found")
    picture = national.national_picture()
    rows = picture.months
    provider_table, provider_rest = _split_table(rows, picture.providers, "by_provider")
    category_table, category_rest = _split_table(rows, picture.categories, "by_category")
    last_change = next((r for r in reversed(rows) if not r.change.suppressed), None)
    effect_labels = {
        "usage": _("Usage (quantity)"),
        "price": _("Unit price"),
        "fx": _("Exchange rate"),
        "other": _("Other (taxes, credits, fees)"),
    }
    effect_chart = None
    if last_change is not None:
        effect_chart = charts.hbars(
            [(effect_labels[k], last_change.effects[k] or 0.0) for k in national.EFFECTS],
            _("Change from the month before, split"),
            _(
                "%(month)s: the change of %(change)s NOK split into usage, unit price, "
                "exchange rate and other."
            )  # fmt: skip
            % {"month": last_change.month, "change": _money_text(last_change.change.value or 0)},
            ident="effects",
        )
    rate_chart = None
    if picture.savings_rate:
        rate_chart = charts.hbars(
            [(_("%(p)s. percentile") % {"p": k[1:]}, v) for k, v in picture.savings_rate.items()],
            _("Effective savings rate across agencies"),
            _("Percentiles of the effective savings rate over %(n)d agencies.")
            % {"n": picture.savings_rate_agencies},
            ident="esr",
            unit="share",
        )
    share_labels = {
        "norway": _("In Norway"),
        "eea": _("In other EEA countries"),
        "non_eea": _("Outside the EEA"),
        "unknown": _("Region unknown"),
        "untagged": _("Untagged"),
    }
    share_chart = None
    if picture.shares:
        share_chart = charts.hbars(
            [(share_labels[k], picture.shares[k]) for k in (*national.RESIDENCY, "untagged")],
            _("Data residency and untagged share"),
            _("Shares of effective cost over the last 12 months."),
            ident="shares",
            unit="share",
        )
    sectors = dict(Organisation.Sector.choices)
    return render(
        request,
        "costs/national.html",
        {
            "nav": "costs_national",
            "picture": picture,
            "min_group": national.MIN_GROUP,
            "total_chart": _split_chart(
                rows, picture.providers, "by_provider", _("Cost per month and provider"), "prov"
            ),
            "category_chart": _split_chart(
                rows,
                picture.categories,
                "by_category",
                _("Cost per month and service category"),
                "cat",
            ),
            "provider_table": provider_table,
            "provider_rest": provider_rest,
            "category_table": category_table,
            "category_rest": category_rest,
            "last_change": last_change,
            "effect_chart": effect_chart,
            "effect_rows": [(effect_labels[k], k) for k in national.EFFECTS],
            "rate_chart": rate_chart,
            "share_chart": share_chart,
            "share_rows": [(share_labels[k], k) for k in ("untagged", *national.RESIDENCY)],
            "sector_rows": [
                (str(sectors.get(s.sector, _("No sector"))), s.cell) for s in picture.sectors
            ],
        },
    )
