"""Price pages: vendors' price changes and alerts, SKU history, basket prices and index, paid prices.

Catalogue and baskets are reference data every logged-in user reads; only the operator imports.
What an agency paid is private: its own members and the operator see it (mps.core.tenancy).
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from mps.core.tenancy import get_changeable_or_404, get_visible_or_404, visible
from mps.costs.models import CostImport
from mps.organisations.models import Organisation
from mps.prices import actions, charts, reports
from mps.prices.forms import (
    BasketForm,
    DayForm,
    ImportForm,
    LineFormSet,
    MappingFormSet,
    basket_data,
    basket_initial,
)
from mps.prices.models import Basket, PriceSku

NAV = "prices"
CHANGES_SHOWN = 200


@login_required
def index(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    form = ImportForm() if viewer.is_operator and viewer.can_write else None
    status = 200
    result = None
    if request.method == "POST":
        if not (viewer.is_operator and viewer.can_write):
            raise PermissionDenied(_("Only the operator changes the price catalogue."))
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            uploads = form.cleaned_data["file"]
            with tempfile.TemporaryDirectory() as tmp:
                paths = []
                for number, upload in enumerate(uploads):
                    path = Path(tmp) / f"upload-{number}"
                    with path.open("wb") as out:
                        for chunk in upload.chunks():
                            out.write(chunk)
                    paths.append(path)
                try:
                    result = actions.do_import_prices(
                        request.user,
                        form.cleaned_data["vendor"],
                        paths,
                        form.cleaned_data["format"] or None,
                        [upload.name for upload in uploads],
                        agreement=form.cleaned_data["agreement"] or None,
                    )
                except ValidationError as exc:
                    field = "format" if "format" in getattr(exc, "error_dict", {}) else "agreement"
                    form.add_error(field, " ".join(exc.messages))
            if result is not None and result.ok:
                messages.success(
                    request,
                    _("%(file)s: %(new)d new, %(updated)d updated, %(same)d unchanged prices.")
                    % {
                        "file": result.file,
                        "new": result.prices_created,
                        "updated": result.prices_updated,
                        "same": result.prices_unchanged,
                    },
                )
                return redirect("prices:index")
            status = 400
        else:
            status = 400
    rows = reports.change_rows(limit=CHANGES_SHOWN)
    return render(
        request,
        "prices/index.html",
        {
            "rows": rows,
            "alerts": [r for r in rows if r.alert],
            "threshold": actions.alert_threshold(),
            "sku_count": PriceSku.objects.count(),
            "baskets": Basket.objects.all(),
            "form": form,
            "result": result,
            "nav": NAV,
        },
        status=status,
    )


@login_required
def sku(request: HttpRequest, pricesku_id: int) -> HttpResponse:
    item = get_visible_or_404(PriceSku, request.viewer, pk=pricesku_id)
    prices = reports.sku_history(item)
    series: dict[str, list[tuple[date, float]]] = {}
    for price in prices:
        name = (
            price.currency
            if not price.tier_min_units
            else f"{price.currency} ≥ {price.tier_min_units:g}"
        )
        series.setdefault(name, []).append((price.effective_from, float(price.unit_price)))
    history = charts.lines(
        series,
        _("List price of %(sku)s over time") % {"sku": item.sku_id},
        "; ".join(
            f"{p.effective_from.isoformat()}: {number_format(p.unit_price, 6)} {p.currency}"
            for p in prices
        ),
        value_text=lambda v: number_format(v, 6),
        step=True,
    )
    return render(
        request,
        "prices/sku.html",
        {
            "sku": item,
            "history_chart": history,
            "prices": prices,
            "changes": reports.sku_changes(item),
            "threshold": actions.alert_threshold(),
            "nav": NAV,
        },
    )


@login_required
def baskets(request: HttpRequest) -> HttpResponse:
    items = visible(Basket, request.viewer)
    return render(
        request,
        "prices/baskets.html",
        {"baskets": items, "can_edit": _may_edit_baskets(request), "nav": NAV},
    )


@login_required
def basket(request: HttpRequest, basket_id: int) -> HttpResponse:
    item = get_visible_or_404(Basket, request.viewer, pk=basket_id)
    form = DayForm(request.GET or None)
    day = reports.default_day(timezone.localdate())
    if form.is_valid() and form.cleaned_data["dato"]:
        day = form.cleaned_data["dato"]
    report = reports.basket_report(item, day)
    totals = [(p.vendor, float(p.total_nok)) for p in report.prices if p.complete and p.lines]
    summary = "; ".join(f"{v}: {_whole(t)} NOK" for v, t in totals) or _(
        "No vendor can price the whole basket."
    )
    bar_chart = charts.bars(
        totals,
        _("Monthly price per vendor on %(day)s") % {"day": day.isoformat()},
        summary,
        "NOK",
        value_text=_whole,
    )
    series = {
        v: [(p.day, float(p.index)) for p in points] for v, points in report.index.items() if points
    }
    index_summary = "; ".join(
        _("%(vendor)s: %(index)s (list prices %(price)s, exchange rates %(fx)s points)")
        % {
            "vendor": v,
            "index": number_format(pts[-1].index, 1),
            "price": _signed(pts[-1].price_points),
            "fx": _signed(pts[-1].fx_points),
        }
        for v, pts in report.index.items()
        if pts
    ) or _("Not enough prices for an index.")
    index_chart = charts.lines(
        series,
        _("Price index (first fully priced month = 100)"),
        index_summary,
        value_text=lambda v: number_format(v, 1),
    )
    return render(
        request,
        "prices/basket.html",
        {
            "basket": item,
            "lines": item.lines.prefetch_related("mappings"),
            "report": report,
            "day": day,
            "form": form,
            "bar_chart": bar_chart,
            "index_chart": index_chart,
            "index_rows": [(v, p) for v, pts in sorted(report.index.items()) for p in pts],
            "can_edit": _may_edit_baskets(request),
            "nav": NAV,
        },
    )


def _may_edit_baskets(request: HttpRequest) -> bool:
    viewer = request.viewer
    return bool(viewer.is_operator and viewer.can_write)


@login_required
def basket_new(request: HttpRequest) -> HttpResponse:
    """The basket editor for a new basket (operator only)."""
    if not _may_edit_baskets(request):
        raise PermissionDenied(_("Only the operator changes the workload baskets."))
    return _basket_editor(request, None)


@login_required
def basket_edit(request: HttpRequest, basket_id: int) -> HttpResponse:
    """The basket editor: names, description, lines and the SKU each vendor sells a line as."""
    item = get_changeable_or_404(Basket, request.viewer, pk=basket_id)
    return _basket_editor(request, item)


def _basket_editor(request: HttpRequest, item: Basket | None) -> HttpResponse:
    head, line_rows, mapping_rows = basket_initial(item)
    posted = request.method == "POST"
    if posted:
        # No initial rows on a post: a row equal to its initial value would count as unchanged
        # and be skipped like a blank row.
        form = BasketForm(request.POST)
        lines = LineFormSet(request.POST, prefix="lines")
        mappings = MappingFormSet(request.POST, prefix="skus")
    else:
        form = BasketForm(initial=head)
        lines = LineFormSet(initial=line_rows, prefix="lines")
        mappings = MappingFormSet(initial=mapping_rows, prefix="skus")
    problems: list[str] = []
    if posted:
        form.is_valid()
        rows_valid = [lines.is_valid(), mappings.is_valid()]  # both, for their errors
        if not lines.non_form_errors() and not mappings.non_form_errors():
            data, refused = basket_data(form, lines, mappings)
            if refused or not all(rows_valid):
                # Not saved; the action still names what else is wrong, on the same page.
                problems = _place(actions.basket_problems(data, item), form, lines, mappings)
            else:
                try:
                    if item is None:
                        item = actions.do_create_basket(request.user, data)
                        messages.success(request, _("The basket was created."))
                    else:
                        item = actions.do_update_basket(request.user, item, data)
                        messages.success(request, _("The basket was saved."))
                except actions.BasketInvalid as exc:
                    problems = _place(exc.problems, form, lines, mappings)
                else:
                    return redirect("prices:basket", basket_id=item.pk)
        problems = _error_summary(form, lines, mappings) + problems
    return render(
        request,
        "prices/basket_edit.html",
        {
            "basket": item,
            "form": form,
            "lines": lines,
            "mappings": mappings,
            "problems": problems,
            "vendors": PriceSku.objects.order_by("vendor_name")
            .values_list("vendor_name", flat=True)
            .distinct(),
            "labels": _labels(lines) if posted else [r["label"] for r in line_rows],
            "nav": NAV,
        },
        status=400 if posted else 200,
    )


def _labels(lines: object) -> list[str]:
    """The line labels on a posted page, offered in the SKU rows' line field."""
    return [
        f.cleaned_data["label"].strip()
        for f in lines  # type: ignore[attr-defined]
        if getattr(f, "cleaned_data", None) and f.cleaned_data.get("label", "").strip()
    ]


def _place(
    problems: list[actions.BasketProblem], form: BasketForm, lines: object, mappings: object
) -> list[str]:
    """Put each of the action's problems beside its field (a line's, or the SKU row of the line
    and vendor it is about); those about no field shown are returned."""
    rows = {f.row: f for f in lines if not f.is_blank()}  # type: ignore[attr-defined]
    skus = {
        (f.values()["line"].casefold(), f.values()["vendor"].casefold()): f
        for f in mappings  # type: ignore[attr-defined]
        if not f.is_blank()
    }
    elsewhere = []
    for problem in problems:
        target: Any = form if problem.row == 0 else rows.get(problem.row)
        if problem.vendor is not None and target is not None:
            label = target.values()["label"].casefold()
            target = skus.get((label, problem.vendor.casefold()))
        if target is not None and problem.field in target.fields:
            if problem.field not in target.errors:  # one problem a field: the form's own first
                target.add_error(problem.field, problem.text)
        else:
            elsewhere.append(problem.text)
    return elsewhere


def _error_summary(form: BasketForm, lines: object, mappings: object) -> list[str]:
    out = []
    for name, errs in form.errors.items():
        label = str(form[name].label) if name in form.fields else ""
        out += [str(e) if not label or str(e).startswith(label) else f"{label}: {e}" for e in errs]
    for formset in (lines, mappings):
        out += [str(e) for e in formset.non_form_errors()]  # type: ignore[attr-defined]
        for f in formset:  # type: ignore[attr-defined]
            out += [str(e) for errs in f.errors.values() for e in errs if str(e)]
    return out


@login_required
def basket_delete(request: HttpRequest, basket_id: int) -> HttpResponse:
    """GET: what will be deleted, and a confirm button; POST: delete the basket."""
    item = get_changeable_or_404(Basket, request.viewer, pk=basket_id)
    if request.method == "POST":
        name = item.display_name
        actions.do_delete_basket(request.user, item)
        messages.success(request, _("The basket “%(name)s” was deleted.") % {"name": name})
        return redirect("prices:baskets")
    return render(
        request,
        "prices/basket_delete.html",
        {"basket": item, "lines": item.lines.all(), "nav": NAV},
    )


def _whole(value: float) -> str:
    return number_format(value, 0, force_grouping=True)


def _signed(value: object) -> str:
    text = number_format(value, 1)
    return text if text.startswith("-") else f"+{text}"


def _agency(request: HttpRequest, organisation_id: int) -> Organisation:
    viewer = request.viewer
    org = get_visible_or_404(Organisation, viewer, pk=organisation_id)
    if org.kind != Organisation.Kind.AGENCY:
        raise Http404("Not found")
    if viewer.is_operator or viewer.organisation_id == org.pk:
        return org
    raise Http404("Not found")


@login_required
def paid_own(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    if viewer.is_agency:
        return redirect("prices:paid", organisation_id=viewer.organisation_id)
    if not viewer.is_operator:
        raise Http404("Not found")
    ids = CostImport.objects.filter(outcome=CostImport.Outcome.IMPORTED).values("organisation_id")
    agencies = Organisation.objects.filter(pk__in=ids, kind=Organisation.Kind.AGENCY).order_by(
        "name"
    )[:500]
    return render(request, "prices/paid_choose.html", {"agencies": agencies, "nav": NAV})


@login_required
def paid(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = _agency(request, organisation_id)
    rows = reports.paid_rows(org)
    return render(
        request, "prices/paid.html", {"org": org, "rows": rows, "nav": NAV, "today": date.today()}
    )
