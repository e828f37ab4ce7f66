"""Privacy pages: vendors declare chains; agencies keep Art. 30 records and see every hop.

Reads go through the tenancy helpers; every write calls an action. GET never writes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mps.agreements.models import CallOff
from mps.core.tenancy import changeable, get_changeable_or_404, get_visible_or_404, visible
from mps.organisations.models import Organisation
from mps.privacy import actions, controls, picture, taxonomy
from mps.privacy.diff import ChainDiff
from mps.privacy.forms import (
    ActivityForm,
    DeclarationForm,
    EntryForm,
    EntryFormSet,
    ReviewForm,
    declaration_data,
)
from mps.privacy.models import (
    AgencyTia,
    ChainEntry,
    Declaration,
    DeclarationStatus,
    DpfListEntry,
    HopAssessment,
    HopStatus,
    Notification,
    ProcessingActivity,
    ReviewStatus,
    ReviewTask,
)
from mps.privacy.rules.refdata import reference
from mps.registry.models import Service
from mps.registry.models import Status as ServiceStatus

NAV = "privacy"
MAX_SNAPSHOT_BYTES = 20 * 1024 * 1024
MECHANISMS = ("eea", "adequacy", "dpf", "bcr", "scc", "derogation", "none")
TOP_RISKS = 8


def _nb() -> bool:
    return (get_language() or "nb").startswith("nb")


def _country(code: str) -> str:
    ref = reference()
    names = ref.country_names_nb if _nb() else ref.country_names
    return f"{names.get(code, code)} ({code})" if code else ""


def _error_messages(request: HttpRequest, exc: ValidationError) -> None:
    if hasattr(exc, "message_dict"):
        for msgs in exc.message_dict.values():
            for m in msgs:
                messages.error(request, m)
    else:
        for m in exc.messages:
            messages.error(request, m)


def mechanism_label(code: str) -> str:
    return {
        "eea": _("Within the EEA"),
        "adequacy": _("Adequacy decision"),
        "dpf": _("Data Privacy Framework"),
        "bcr": _("Binding corporate rules"),
        "scc": _("Standard contractual clauses"),
        "derogation": _("Art. 49 derogation"),
        "none": _("No transfer ground"),
    }.get(code, code)


def flag_label(code: str) -> str:
    return {
        "dpf_only_ground": _("DPF is the only ground: nothing to fall back on"),
        "dpf_due_within_60_days": _("DPF re-certification due within 60 days"),
        "dpf_entity_name_mismatch": _("Entity name differs from the DPF list"),
        "remote_access_third_country": _("Remote access from a third country"),
        "clear_text_parent_third_country": _(
            "Data in clear at an entity with a third-country parent"
        ),
        "special_categories_or_national_id": _(
            "Special categories, national identity numbers or confidential data"
        ),
        "adequacy_eea_incorporation_pending": _(
            "Adequacy not yet incorporated in the EEA Agreement"
        ),
        "derogation_barred_art49_3": _("Derogation barred for public powers (Art. 49(3))"),
        "bcr_not_intra_group": _("BCR declared outside the group"),
        "upstream_blocked": _("A hop above is blocked"),
    }.get(code, code)


def document_label(code: str) -> str:
    if code.startswith("scc_module_"):
        return _("SCC module %(n)s") % {"n": code.rsplit("_", 1)[1]}
    return {
        "dpa_art28": _("Data processing agreement (Art. 28)"),
        "scc_annexes_i_iii": _("SCC Annexes I–III"),
        "tia": _("Transfer impact assessment"),
        "bcr_art47": _("Binding corporate rules (Art. 47)"),
        "dpf_yearly_certification_check": _("Yearly DPF certification check"),
        "adequacy_scope_confirmation": _("Confirmation of the adequacy scope"),
        "derogation_record_art49": _("Record of the Art. 49 derogation"),
    }.get(code, code)


def _status_text(status: str) -> str:
    return str(HopStatus(status).label) if status in HopStatus.values else status


# ---------------------------------------------------------------------------------------
# Start page


@login_required
def index(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    if viewer.is_agency:
        return redirect("privacy:activities")
    if viewer.is_vendor:
        return redirect("privacy:vendor")
    if viewer.is_operator:
        return redirect("privacy:national")
    return render(request, "privacy/index.html", {"nav": NAV})


# ---------------------------------------------------------------------------------------
# Vendor portal


@login_required
def vendor(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    if not (viewer.is_vendor or viewer.is_operator):
        raise PermissionDenied(_("The declarations portal is for vendors."))
    services = visible(Service, viewer).exclude(status=ServiceStatus.WITHDRAWN)
    if not viewer.is_operator:
        services = services.filter(vendor_id=viewer.organisation_id)
    published = Declaration.objects.filter(
        service_id=OuterRef("pk"), status=DeclarationStatus.PUBLISHED
    )
    drafts = Declaration.objects.filter(service_id=OuterRef("pk"), status=DeclarationStatus.DRAFT)
    rows = list(
        services.select_related("vendor")
        .annotate(declared=Exists(published), has_draft=Exists(drafts))
        .annotate(
            users=Count("privacy_activities__agency", distinct=True),
        )
        .order_by("vendor__name", "sort_name", "id")[:500]
    )
    return render(request, "privacy/vendor.html", {"rows": rows, "nav": NAV})


def _field_label(name: str) -> str:
    return {
        "processing_locations": _("Processing locations"),
        "dpa_version": _("DPA version"),
        "dpa_date": _("DPA date"),
        "dpa_url": _("DPA link"),
        "encryption_at_rest": _("Encryption at rest"),
        "encryption_in_transit": _("Encryption in transit"),
        "customer_keys_in_eea": _("Customer-held keys kept in the EEA"),
        "country": _("Country"),
        "function": _("Function"),
        "access": _("Access"),
        "data_categories": _("Data categories"),
        "tools": _("Transfer tools"),
        "upstream": _("Engaged by"),
    }.get(name, name)


def _value_text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "–"
    return str(value)


def _changes(changes: list[dict]) -> list[dict[str, str]]:
    return [
        {
            "field": _field_label(c["field"]),
            "before": _value_text(c["before"]),
            "after": _value_text(c["after"]),
        }
        for c in changes
    ]


def _diff_rows(diff: ChainDiff | dict | None, first: bool = False) -> dict[str, Any]:
    """The diff for templates, with readable field names and values; a first version lists
    its chain as new and nothing else."""
    data = diff.to_dict() if isinstance(diff, ChainDiff) else (diff or {})
    declaration = [] if first else _changes(data.get("declaration", []))
    changed = [
        {"entry": c["entry"], "changes": _changes(c["changes"])} for c in data.get("changed", [])
    ]
    return {
        "first": first,
        "added": data.get("added", []),
        "replaced": data.get("replaced", []),
        "removed": data.get("removed", []),
        "changed": changed,
        "declaration": declaration,
        "empty": not (
            data.get("added")
            or data.get("replaced")
            or data.get("removed")
            or changed
            or declaration
        ),
    }


def _entries_view(entries: list[ChainEntry]) -> list[dict[str, Any]]:
    by_pk = {e.pk: i for i, e in enumerate(entries, start=1)}
    return [
        {
            "no": i,
            "entry": e,
            "country": _country(e.country),
            "parent_country": _country(e.parent_country),
            "upstream_no": by_pk.get(e.upstream_id),
            "categories": [taxonomy.label(c) for c in e.data_categories or []],
            "tools": _tools(e),
        }
        for i, e in enumerate(entries, start=1)
    ]


def _tools(e: ChainEntry) -> list[str]:
    out = []
    if e.scc_module:
        out.append(_("SCC module %(n)s") % {"n": e.scc_module})
    if e.tia_done:
        out.append(_("TIA"))
    if e.bcr:
        out.append(_("BCR"))
    if e.dpf_claimed:
        out.append(_("DPF") + (f" ({e.dpf_entity})" if e.dpf_entity else ""))
    return out


@login_required
def service(request: HttpRequest, service_id: int) -> HttpResponse:
    """A service's declarations: the current version's chain and the version history."""
    viewer = request.viewer
    svc = get_visible_or_404(Service.objects.select_related("vendor"), viewer, pk=service_id)
    versions = list(
        visible(Declaration, viewer)
        .filter(service=svc)
        .prefetch_related(Prefetch("entries", queryset=ChainEntry.objects.order_by("position")))
        .order_by("-number")
    )
    published = [d for d in versions if d.status == DeclarationStatus.PUBLISHED]
    history = []
    for i, d in enumerate(published):
        previous = published[i + 1] if i + 1 < len(published) else None
        history.append(
            {
                "declaration": d,
                "diff": _diff_rows(actions.diff_between(previous, d), first=previous is None),
            }
        )
    current = published[0] if published else None
    draft = next((d for d in versions if d.status == DeclarationStatus.DRAFT), None)
    can_change = changeable(Service, viewer).filter(pk=svc.pk).exists()
    return render(
        request,
        "privacy/service.html",
        {
            "service": svc,
            "current": current,
            "entries": _entries_view(list(current.entries.all())) if current else [],
            "locations": [_country(c) for c in (current.processing_locations if current else [])],
            "history": history,
            "draft": draft,
            "can_change": can_change,
            "nav": NAV,
        },
    )


@login_required
def declaration(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """One version (a draft only for its vendor), with the difference from the previous one."""
    viewer = request.viewer
    d = get_visible_or_404(
        Declaration.objects.select_related("service", "service__vendor"), viewer, pk=declaration_id
    )
    previous = (
        Declaration.objects.filter(
            service_id=d.service_id, status=DeclarationStatus.PUBLISHED, number__lt=d.number
        )
        .order_by("-number")
        .first()
    )
    entries = list(d.entries.order_by("position"))
    return render(
        request,
        "privacy/declaration.html",
        {
            "declaration": d,
            "entries": _entries_view(entries),
            "locations": [_country(c) for c in d.processing_locations or []],
            "previous": previous,
            "diff": _diff_rows(actions.diff_between(previous, d), first=previous is None),
            "nav": NAV,
        },
    )


@login_required
def declaration_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    """Edit the draft (a new draft copies the current version when saved)."""
    viewer = request.viewer
    svc = get_changeable_or_404(Service.objects.select_related("vendor"), viewer, pk=service_id)
    draft = actions.draft_of(svc)
    current = actions.current_of(svc)
    source = draft or current
    data = actions.DeclarationData.of(source) if source else actions.DeclarationData()
    if draft is None:
        data = actions.DeclarationData(**{**data.__dict__, "change_note": ""})
    if request.method == "POST":
        form = DeclarationForm(request.POST)
        entries = EntryFormSet(request.POST, prefix="entries")
        if form.is_valid() and entries.is_valid():
            try:
                actions.do_save_declaration(viewer, svc, declaration_data(form, list(entries)))
            except ValidationError as exc:
                _error_messages(request, exc)
            else:
                messages.success(request, _("The draft declaration is saved."))
                return redirect("privacy:service", service_id=svc.pk)
    else:
        form = DeclarationForm(initial=DeclarationForm.initial_of(data))
        entries = EntryFormSet(
            prefix="entries", initial=[EntryForm.initial_of(e) for e in data.entries]
        )
    return render(
        request,
        "privacy/declaration_edit.html",
        {"service": svc, "form": form, "entries": entries, "draft": draft, "nav": NAV},
    )


@login_required
def declaration_publish(request: HttpRequest, service_id: int) -> HttpResponse:
    """GET: the difference that will be sent to every agency using the service; POST: publish."""
    viewer = request.viewer
    svc = get_changeable_or_404(Service.objects.select_related("vendor"), viewer, pk=service_id)
    draft = actions.draft_of(svc)
    if request.method == "POST":
        try:
            result = actions.do_publish_declaration(viewer, svc)
        except ValidationError as exc:
            _error_messages(request, exc)
            return redirect("privacy:service", service_id=svc.pk)
        messages.success(
            request,
            _("Version %(n)s is published; %(k)s agencies were notified.")
            % {"n": result.declaration.number, "k": len(result.reviews)},
        )
        return redirect("privacy:service", service_id=svc.pk)
    if draft is None:
        raise Http404("No draft")
    users = len(actions.agencies_using(svc))
    current = actions.current_of(svc)
    return render(
        request,
        "privacy/publish.html",
        {
            "service": svc,
            "draft": draft,
            "diff": _diff_rows(actions.diff_between(current, draft), first=current is None),
            "users": users,
            "nav": NAV,
        },
    )


# ---------------------------------------------------------------------------------------
# Agency: processing activities


def _require_agency(viewer) -> None:
    if not (viewer.is_agency or viewer.is_operator):
        raise PermissionDenied(_("Processing records are kept by agencies."))


@login_required
def activities(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    _require_agency(viewer)
    rows = (
        visible(ProcessingActivity, viewer)
        .select_related("agency")
        .annotate(n_services=Count("services", distinct=True))
        .order_by("agency__name", "name", "id")
    )
    rows = list(rows[:500])
    reviews = visible(ReviewTask, viewer).filter(status=ReviewStatus.OPEN).count()
    return render(
        request,
        "privacy/activities.html",
        {
            "rows": rows,
            "open_reviews": reviews,
            "can_create": viewer.can_write and viewer.is_agency,
            "nav": NAV,
        },
    )


def _service_choices(
    viewer, agency_id: int | None, keep: tuple[int, ...] = ()
) -> list[tuple[str, str]]:
    """Published services (and any already linked), those the agency bought marked and first."""
    bought = (
        set(CallOff.objects.filter(agency_id=agency_id).values_list("services", flat=True))
        if agency_id
        else set()
    )
    services = (
        visible(Service, viewer)
        .filter(Q(status=ServiceStatus.PUBLISHED) | Q(pk__in=keep))
        .select_related("vendor")
        .order_by("sort_name", "id")
    )
    choices = []
    for s in services:
        mark = _(" (bought)") if s.pk in bought else ""
        choices.append((s.pk in bought, str(s.pk), f"{s.name} – {s.vendor.name}{mark}"))
    choices.sort(key=lambda c: not c[0])
    return [(value, text) for _b, value, text in choices]


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    if not viewer.is_agency or not viewer.can_write:
        raise PermissionDenied(_("Only agency members create processing records."))
    choices = _service_choices(viewer, viewer.organisation_id)
    if request.method == "POST":
        form = ActivityForm(request.POST, service_choices=choices)
        if form.is_valid():
            try:
                act = actions.do_create_activity(viewer, form.to_data())
            except ValidationError as exc:
                _error_messages(request, exc)
            else:
                messages.success(request, _("The processing activity is saved and assessed."))
                return redirect("privacy:activity", processingactivity_id=act.pk)
    else:
        initial_service = request.GET.get("service", "")
        form = ActivityForm(
            initial={"public_powers": True, "services": [initial_service]},
            service_choices=choices,
        )
    return render(
        request, "privacy/activity_edit.html", {"form": form, "activity": None, "nav": NAV}
    )


@login_required
def activity_edit(request: HttpRequest, processingactivity_id: int) -> HttpResponse:
    viewer = request.viewer
    act = get_changeable_or_404(ProcessingActivity, viewer, pk=processingactivity_id)
    data = actions.ActivityData.of(act)
    choices = _service_choices(viewer, act.agency_id, data.service_ids)
    if request.method == "POST":
        form = ActivityForm(request.POST, service_choices=choices)
        if form.is_valid():
            try:
                actions.do_update_activity(viewer, act, form.to_data())
            except ValidationError as exc:
                _error_messages(request, exc)
            else:
                messages.success(request, _("The processing activity is saved and assessed."))
                return redirect("privacy:activity", processingactivity_id=act.pk)
    else:
        form = ActivityForm(initial=ActivityForm.initial_of(data), service_choices=choices)
    return render(
        request, "privacy/activity_edit.html", {"form": form, "activity": act, "nav": NAV}
    )


def _hop_view(h: HopAssessment) -> dict[str, Any]:
    return {
        "hop": h,
        "country": _country(h.country),
        "mechanism": mechanism_label(h.mechanism),
        "status_text": _status_text(h.status),
        "flags": [flag_label(f) for f in h.flags],
        "documents": [document_label(d) for d in h.documents],
        "missing": [document_label(d) for d in h.missing_documents],
        "explanation": h.explanation_nb if _nb() else h.explanation_en,
    }


def _picture(agency_name: str, service_name: str, hops: list[HopAssessment], uid: str) -> str:
    nodes = [
        picture.Node(
            id=h.hop_id,
            parent=None if h.from_hop == "controller" else h.from_hop,
            lines=(
                h.entity,
                _country(h.country),
                (
                    _("SCC module %(n)s") % {"n": h.scc_module}
                    if h.mechanism == "scc" and h.scc_module
                    else mechanism_label(h.mechanism)
                ),
                _("Status: %(s)s") % {"s": _status_text(h.status)},
            ),
            status=h.status,
        )
        for h in hops
    ]
    counts = Counter(h.status for h in hops)
    desc = _("%(service)s: %(n)s hops; %(ok)s OK, %(action)s need action, %(blocked)s blocked.") % {
        "service": service_name,
        "n": len(hops),
        "ok": counts["ok"],
        "action": counts["action"],
        "blocked": counts["blocked"],
    }
    return picture.chain_svg(
        agency_name, nodes, _("Supplier chain of %(s)s") % {"s": service_name}, desc, uid
    )


@login_required
def activity(request: HttpRequest, processingactivity_id: int) -> HttpResponse:
    viewer = request.viewer
    act = get_visible_or_404(
        ProcessingActivity.objects.select_related("agency"), viewer, pk=processingactivity_id
    )
    services = list(act.services.select_related("vendor").order_by("sort_name", "id"))
    hops = list(
        HopAssessment.objects.filter(activity=act)
        .select_related("declaration")
        .order_by("service_id", "position")
    )
    by_service: dict[int, list[HopAssessment]] = defaultdict(list)
    for h in hops:
        by_service[h.service_id].append(h)
    chains = []
    for s in services:
        service_hops = by_service.get(s.pk, [])
        chains.append(
            {
                "service": s,
                "declaration": service_hops[0].declaration if service_hops else None,
                "hops": [_hop_view(h) for h in service_hops],
                "svg": _picture(act.agency.name, s.name, service_hops, f"chain-{s.pk}")
                if service_hops
                else "",
            }
        )
    return render(
        request,
        "privacy/activity.html",
        {
            "activity": act,
            "chains": chains,
            "legal_bases": [str(dict(taxonomy.LEGAL_BASES).get(c, c)) for c in act.legal_bases],
            "subjects": [str(dict(taxonomy.DATA_SUBJECTS).get(c, c)) for c in act.data_subjects],
            "categories": [
                (taxonomy.label(c), c in taxonomy.risky([c])) for c in act.data_categories
            ],
            "can_change": changeable(ProcessingActivity, viewer).filter(pk=act.pk).exists(),
            "nav": NAV,
        },
    )


@login_required
def hop_scc(request: HttpRequest, hopassessment_id: int, fmt: str) -> HttpResponse:
    """A draft of SCC Annexes I–III for one hop that leaves the EEA, filled from the chain."""
    from mps.privacy import chain
    from mps.privacy.exports import scc
    from mps.privacy.rules import assess_many, parse_scenario

    viewer = request.viewer
    hop = get_visible_or_404(
        HopAssessment.objects.select_related("activity", "activity__agency", "declaration"),
        viewer,
        pk=hopassessment_id,
    )
    activity, declaration = hop.activity, hop.declaration
    entries = list(declaration.entries.order_by("position"))
    tia = frozenset(
        AgencyTia.objects.filter(
            agency_id=activity.agency_id, service_id=hop.service_id
        ).values_list("entity", flat=True)
    )
    scenario = parse_scenario(
        chain.scenario_dict(
            activity,
            declaration,
            entries,
            hop.assessed_on,
            tia,
            chain.confirmed_names([hop.service_id]).get(hop.service_id),
        )
    )
    assessment = next(assess_many([scenario], chain.dpf_entries()))
    language = "nb" if _nb() else "en"
    with translation.override(language):
        subjects = dict(taxonomy.DATA_SUBJECTS)
        measures = []
        if declaration.encryption_at_rest:
            measures.append(scc.Measure(_("Encryption"), _("Encryption at rest")))
        if declaration.encryption_in_transit:
            measures.append(scc.Measure(_("Encryption"), _("Encryption in transit")))
        try:
            draft = scc.draft_from_chain(
                scenario,
                assessment,
                hop.hop_id,
                language=language,
                functions={e.hop_id: e.function for e in entries},
                category_labels={c.code: str(c.label) for c in taxonomy.DATA_CATEGORIES},
                measures=tuple(measures),
                data_subjects=tuple(str(subjects.get(s, s)) for s in activity.data_subjects),
                purposes=activity.purposes,
                retention=activity.erasure_limits,
                supervisory_authority="Datatilsynet",
            )
        except ValueError as exc:
            raise Http404(str(exc)) from exc
    response = HttpResponse(scc.render(draft, fmt), content_type=scc.MEDIA_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="scc-vedlegg-{hop.pk}.{fmt}"'
    return response


@login_required
@require_POST
def hop_tia(request: HttpRequest, hopassessment_id: int) -> HttpResponse:
    viewer = request.viewer
    hop = get_changeable_or_404(HopAssessment, viewer, pk=hopassessment_id)
    activity_id = hop.activity_id
    try:
        actions.do_record_tia(viewer, hop, request.POST.get("note", ""))
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("The transfer impact assessment is recorded."))
    return redirect("privacy:activity", processingactivity_id=activity_id)


@login_required
@require_POST
def activity_reassess(request: HttpRequest, processingactivity_id: int) -> HttpResponse:
    viewer = request.viewer
    act = get_changeable_or_404(ProcessingActivity, viewer, pk=processingactivity_id)
    hops = actions.do_reassess(viewer, act)
    messages.success(request, _("%(n)s hops were assessed again.") % {"n": hops})
    return redirect("privacy:activity", processingactivity_id=act.pk)


# ---------------------------------------------------------------------------------------
# Review tasks and notifications


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    _require_agency(viewer)
    tasks = list(
        visible(ReviewTask, viewer)
        .select_related("agency", "service", "service__vendor", "declaration")
        .order_by("status", "objection_deadline", "-id")[:300]
    )
    notes = list(visible(Notification, viewer).order_by("-created_at", "-id")[:20])
    return render(request, "privacy/reviews.html", {"tasks": tasks, "notes": notes, "nav": NAV})


@login_required
def review(request: HttpRequest, reviewtask_id: int) -> HttpResponse:
    viewer = request.viewer
    task = get_visible_or_404(
        ReviewTask.objects.select_related(
            "agency", "service", "service__vendor", "declaration", "previous"
        ),
        viewer,
        pk=reviewtask_id,
    )
    can_decide = (
        task.status == ReviewStatus.OPEN
        and changeable(ReviewTask, viewer).filter(pk=task.pk).exists()
    )
    if request.method == "POST":
        task = get_changeable_or_404(ReviewTask, viewer, pk=reviewtask_id)
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                actions.do_decide_review(
                    viewer, task, form.cleaned_data["decision"], form.cleaned_data["note"]
                )
            except ValidationError as exc:
                _error_messages(request, exc)
            else:
                messages.success(request, _("Your decision is recorded."))
            return redirect("privacy:review", reviewtask_id=task.pk)
    else:
        form = ReviewForm()
    affected = list(
        visible(ProcessingActivity, viewer)
        .filter(agency_id=task.agency_id, services=task.service_id)
        .order_by("name")
    )
    return render(
        request,
        "privacy/review.html",
        {
            "task": task,
            "diff": _diff_rows(task.diff, first=task.previous_id is None),
            "form": form,
            "can_decide": can_decide,
            "affected": affected,
            "nav": NAV,
        },
    )


# ---------------------------------------------------------------------------------------
# Summaries


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    """Management summary for the agency: hops by status, top risks, open reviews."""
    viewer = request.viewer
    _require_agency(viewer)
    hops = visible(HopAssessment, viewer)
    by_status = dict(hops.values("status").annotate(n=Count("id")).values_list("status", "n"))
    status_rows = [(label, by_status.get(value, 0)) for value, label in HopStatus.choices]
    flags: Counter[str] = Counter()
    for row in hops.values_list("flags", flat=True):
        flags.update(row or [])
    top = [(flag_label(f), n) for f, n in flags.most_common(TOP_RISKS)]
    blocked = list(
        hops.filter(status=HopStatus.BLOCKED)
        .select_related("activity", "service")
        .order_by("activity__name", "position")[:50]
    )
    mechanisms = dict(
        hops.values("mechanism").annotate(n=Count("id")).values_list("mechanism", "n")
    )
    activities_n = visible(ProcessingActivity, viewer).count()
    open_reviews = visible(ReviewTask, viewer).filter(status=ReviewStatus.OPEN).count()
    agency_ids = None if viewer.is_operator else [viewer.organisation_id]
    control_tasks = controls.tasks(agency_ids, timezone.localdate())
    return render(
        request,
        "privacy/summary.html",
        {
            "controls": control_tasks[:100],
            "can_control": viewer.is_agency and viewer.can_write,
            "status_rows": status_rows,
            "top": top,
            "blocked": [_hop_view(h) for h in blocked],
            "mechanisms": [(mechanism_label(m), mechanisms.get(m, 0)) for m in MECHANISMS],
            "activities_n": activities_n,
            "open_reviews": open_reviews,
            "nav": NAV,
        },
    )


@login_required
def dpf_list(request: HttpRequest) -> HttpResponse:
    """Operator: the stored DPF list and the import of a new snapshot (JSON or CSV)."""
    viewer = request.viewer
    if not viewer.is_operator:
        raise PermissionDenied(_("This page is for the marketplace operator."))
    from mps.privacy import dpf, names
    from mps.privacy.dpfwatch import SnapshotError, describe, parse_snapshot

    report = None
    if request.method == "POST":
        upload = request.FILES.get("snapshot")
        if upload is None or upload.size > MAX_SNAPSHOT_BYTES:
            messages.error(request, _("Choose a DPF list file (JSON or CSV) of at most 20 MB."))
        else:
            try:
                snapshot = parse_snapshot(upload.read(), source=upload.name)
                result = dpf.do_import_snapshot(viewer, snapshot)
            except SnapshotError as exc:
                messages.error(request, str(exc))
            else:
                report = {
                    "changes": [
                        describe(c).nb if _nb() else describe(c).en for c in result.changes
                    ],
                    "alerted": len(result.alerted_agency_ids),
                    "hops": result.hops_assessed,
                    "names": len(names.pending()),
                }
                messages.success(
                    request,
                    _("The DPF list is imported: %(n)s changes, %(k)s agencies alerted.")
                    % {"n": len(result.changes), "k": len(result.alerted_agency_ids)},
                )
    entries = list(DpfListEntry.objects.order_by("organisation", "id")[:300])
    return render(
        request,
        "privacy/dpf_list.html",
        {
            "entries": entries,
            "total": DpfListEntry.objects.count(),
            "report": report,
            "nav": NAV,
        },
    )


@login_required
def dpf_names(request: HttpRequest) -> HttpResponse:
    """Close DPF list names for declared US entities, to confirm or reject (operator: all
    vendors; a vendor: its own entities)."""
    from mps.privacy import names
    from mps.privacy.models import DpfNameMatch

    viewer = request.viewer
    if not (viewer.is_operator or viewer.is_vendor):
        raise PermissionDenied(_("This page is for vendors and the marketplace operator."))
    if request.method == "POST":
        try:
            if request.POST.get("withdraw"):
                names.do_withdraw_name(viewer, int(request.POST["withdraw"]))
                messages.success(request, _("The decision is withdrawn."))
            else:
                _match, hops = names.do_decide_name(
                    viewer,
                    int(request.POST.get("vendor", "0")),
                    request.POST.get("entity", "")[:200],
                    request.POST.get("listed_name", "")[:200],
                    request.POST.get("decision", ""),
                )
                messages.success(
                    request,
                    _("The decision is recorded; %(n)s hops were re-assessed.") % {"n": hops},
                )
        except ValueError as exc:
            raise Http404("Not found") from exc
        except ValidationError as exc:
            _error_messages(request, exc)
        return redirect("privacy:dpf_names")
    vendor_ids = None if viewer.is_operator else {viewer.organisation_id}
    decided = list(
        visible(DpfNameMatch, viewer).select_related("vendor").order_by("vendor__name", "entity")
    )
    return render(
        request,
        "privacy/dpf_names.html",
        {
            "pending": names.pending(vendor_ids),
            "decided": decided,
            "can_decide": viewer.can_write,
            "nav": NAV,
        },
    )


@login_required
@require_POST
def dpf_control(request: HttpRequest) -> HttpResponse:
    """Record that the agency checked a DPF-certified recipient today."""
    viewer = request.viewer
    try:
        controls.do_record_control(
            viewer, request.POST.get("entity", "")[:200], request.POST.get("note", "")
        )
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("The control is recorded."))
    return redirect("privacy:summary")


@login_required
def record_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The agency's Article 30 record as a file (ODS, XLSX, CSV, PDF or JSON)."""
    viewer = request.viewer
    if not viewer.is_agency:
        raise PermissionDenied(_("Processing records are kept by agencies."))
    from mps.privacy.exports import export_record
    from mps.privacy.record import article30_record

    today = timezone.localdate()
    content, media_type, extension = export_record(
        article30_record(viewer.organisation, today), fmt
    )
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = (
        f'attachment; filename="behandlingsprotokoll-{today.isoformat()}.{extension}"'
    )
    return response


@login_required
def record_fides(request: HttpRequest) -> HttpResponse:
    """The agency's activities as a Fides (fideslang) document, JSON (YAML readers read it)."""
    from mps.privacy import fides

    viewer = request.viewer
    if not viewer.is_agency:
        raise PermissionDenied(_("Processing records are kept by agencies."))
    activities = ProcessingActivity.objects.filter(agency=viewer.organisation).order_by(
        "name", "id"
    )
    response = HttpResponse(
        fides.export_json(viewer.organisation, activities), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="fides-{timezone.localdate().isoformat()}.json"'
    )
    return response


@login_required
@require_POST
def fides_upload(request: HttpRequest) -> HttpResponse:
    """Import a Fides document into the agency's record: every system or none."""
    from mps.privacy.fides import FidesImportError
    from mps.privacy.fides_import import do_import_activities

    viewer = request.viewer
    if not viewer.is_agency:
        raise PermissionDenied(_("Processing records are kept by agencies."))
    upload = request.FILES.get("fides")
    if upload is None or upload.size > MAX_SNAPSHOT_BYTES:
        messages.error(request, _("Choose a Fides document (JSON) of at most 20 MB."))
        return redirect("privacy:activities")
    try:
        result = do_import_activities(viewer, viewer.organisation, upload.read(), upload.name)
    except FidesImportError as exc:
        messages.error(
            request,
            _("Nothing was imported: %(n)s values do not map.") % {"n": len(exc.issues)},
        )
        for issue in exc.issues[:50]:
            messages.error(request, str(issue))
    else:
        messages.success(
            request,
            _("Imported: %(c)s activities created, %(u)s updated.")
            % {"c": len(result.created), "u": len(result.updated)},
        )
    return redirect("privacy:activities")


@login_required
def national(request: HttpRequest) -> HttpResponse:
    """Operator: vendors × transfer grounds, across every agency's assessed chains."""
    viewer = request.viewer
    if not viewer.is_operator:
        raise PermissionDenied(_("This page is for the marketplace operator."))
    rows = (
        HopAssessment.objects.values("service__vendor__name", "mechanism")
        .annotate(hops=Count("id"), agencies=Count("activity__agency", distinct=True))
        .order_by("service__vendor__name")
    )
    table: dict[str, dict[str, int]] = defaultdict(dict)
    agencies: dict[str, int] = defaultdict(int)
    for r in rows:
        table[r["service__vendor__name"]][r["mechanism"]] = r["hops"]
        agencies[r["service__vendor__name"]] = max(
            agencies[r["service__vendor__name"]], r["agencies"]
        )
    blocked = dict(
        HopAssessment.objects.filter(status=HopStatus.BLOCKED)
        .values("service__vendor__name")
        .annotate(n=Count("id"))
        .values_list("service__vendor__name", "n")
    )
    matrix = [
        {
            "vendor": name,
            "cells": [cells.get(m, 0) for m in MECHANISMS],
            "blocked": blocked.get(name, 0),
            "agencies": agencies[name],
        }
        for name, cells in sorted(table.items())
    ]
    overdue = [t for t in controls.tasks(None, timezone.localdate()) if t.status == "overdue"]
    agency_names = dict(
        Organisation.objects.filter(pk__in={t.reliance.agency for t in overdue}).values_list(
            "pk", "name"
        )
    )
    declared = (
        Declaration.objects.filter(status=DeclarationStatus.PUBLISHED)
        .values("service")
        .distinct()
        .count()
    )
    return render(
        request,
        "privacy/national.html",
        {
            "matrix": matrix,
            "mechanisms": [mechanism_label(m) for m in MECHANISMS],
            "declared": declared,
            "overdue": [(agency_names.get(t.reliance.agency, ""), t) for t in overdue[:200]],
            "nav": NAV,
        },
    )
