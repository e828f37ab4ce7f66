"""Demo data: vendors declare realistic chains; agencies record processing activities.

A service's chain follows its kind (the registry demo's catalogue hints at it):
- most services stay in the EEA (customer-held keys in Norway);
- citizen dialogue and e-mail run on an Irish group company with US sub-processors
  certified under the Data Privacy Framework (one is due for re-certification soon);
- the vendor with a US parent (Atlantic Hyperscale) sends data to the parent, which is
  DPF-certified for non-HR data only, so HR data there has no ground;
- analytics has a support centre in India under SCC module 3 (no TIA yet): its first
  version had support in Ireland, and the second (a replacement under Art. 28(2)) opens
  review tasks for the agencies already using it;
- databases and backup use a Swiss sub-processor (adequacy); web publishing a UK one.
Every legal entity name is invented for the demo.

The demo agency (Drammen) and the agencies with call-offs record processing activities
linked to the services they bought. Idempotent: declarations are made only for services
without one, activities are looked up by agency and name, and the DPF list by organisation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from mps.agreements.models import CallOff
from mps.organisations.models import Organisation
from mps.privacy import actions, chain
from mps.privacy.actions import DeclarationData, EntryData
from mps.privacy.models import Declaration, DeclarationStatus, DpfListEntry, ProcessingActivity
from mps.registry.models import Service
from mps.registry.models import Status as ServiceStatus

ORDER = 25
DEMO_SEED = 5
#: How many agencies with call-offs (besides the demo agency) get activities.
OTHER_AGENCIES = 30


def _e(name, country, function, access, upstream=None, **kw) -> EntryData:
    return EntryData(name, country, function, access, upstream=upstream, **kw)


#: Chain profile by the service's kind (the registry demo names services "<Vendor> <kind>");
#: the catalogue's own data locations hint at them (US support for e-mail, India for analytics).
PROFILE_BY_KIND = {
    "Analyseplattform": "india",
    "Innbyggerdialog": "dpf",
    "E-post og samhandling": "dpf",
    "Database som tjeneste": "swiss",
    "Sikkerhetskopi": "swiss",
    "Nettsidepublisering": "uk",
}


def profile_of(vendor: Any, service: Service) -> str:
    if vendor.parent_id and vendor.parent.country == "US":
        return "us_parent"
    kind = service.name.split(" ", 1)[1] if " " in service.name else service.name
    return PROFILE_BY_KIND.get(kind, "eea")


def chain_for(profile: str, vendor: Any, first_version: bool = False) -> tuple[EntryData, ...]:
    """The declared chain of a demo service; every legal entity name is invented."""
    name = vendor.name
    short = name.split()[0]
    me = _e(name, "NO", "Drift og forvaltning av tjenesten", "processing")
    if profile == "us_parent":
        parent = vendor.parent.name
        return (
            _e(
                name,
                "NO",
                "Drift av tjenesten",
                "processing",
                parent_name=parent,
                parent_country="US",
            ),
            _e(
                parent,
                "US",
                "Global plattform og support",
                "processing",
                0,
                intra_group=True,
                dpf_claimed=True,
            ),
        )
    if profile == "dpf":
        return (
            me,
            _e(
                f"{short} Cloud Ireland Ltd",
                "IE",
                "Skyplattform",
                "processing",
                0,
                intra_group=True,
                parent_name=name,
                parent_country="NO",
            ),
            _e(
                "Cirrus Mailworks, Inc.",
                "US",
                "E-postutsending",
                "processing",
                1,
                data_categories=("contact", "identity", "case_data", "hr"),
                dpf_claimed=True,
            ),
            _e(
                "Stratus Insight LLC",
                "US",
                "Feilsøking og overvåking",
                "remote",
                1,
                data_categories=("online_identifiers", "contact"),
                dpf_claimed=True,
                scc_module=3,
                tia_done=True,
            ),
        )
    if profile == "india":
        support = (
            _e(f"{short} Support Ireland Ltd", "IE", "Kundestøtte", "remote", 0, intra_group=True)
            if first_version
            else _e(
                f"{short} Support Services Pvt Ltd",
                "IN",
                "Kundestøtte",
                "remote",
                0,
                intra_group=True,
                scc_module=3,
                data_categories=("contact", "identity", "case_data"),
            )
        )
        return (me, _e("Nordvik Backup AB", "SE", "Sikkerhetskopi", "storage", 0), support)
    if profile == "swiss":
        return (
            me,
            _e("Alpenwolke Rechenzentren AG", "CH", "Sekundært datasenter", "storage", 0),
            _e(f"{short} Drift AB", "SE", "Plattformdrift", "processing", 0, intra_group=True),
        )
    if profile == "uk":
        return (me, _e("Thames Monitoring Ltd", "GB", "Overvåking av drift", "remote", 0))
    return (
        me,
        _e(f"{short} Datasenter Gjøvik AS", "NO", "Datasenter og drift", "storage", 0),
        _e("Rheinhalle Rechenzentrum GmbH", "DE", "Sekundært datasenter", "storage", 0),
    )


DPF_LIST = (
    # organisation, hr, non_hr, days until next due
    ("Cirrus Mailworks, Inc.", True, True, 240),
    ("Stratus Insight LLC", False, True, 45),  # due within 60 days: a flag
    ("Atlantic Hyperscale Inc.", False, True, 300),  # not certified for HR data
)


@dataclass(frozen=True)
class ActivityTemplate:
    name: str
    purposes: str
    subjects: tuple[str, ...]
    categories: tuple[str, ...]
    bases: tuple[str, ...]
    special: str = ""
    erasure: str = "Etter arkivloven og bevarings- og kassasjonsvedtak."


TEMPLATES = (
    ActivityTemplate(
        "Byggesaksbehandling",
        "Behandle søknader om tillatelse etter plan- og bygningsloven.",
        ("residents",),
        ("contact", "identity", "case_data", "national_id"),
        ("6_1_e",),
    ),
    ActivityTemplate(
        "Lønn og personal",
        "Utbetale lønn, føre fravær og følge opp ansatte.",
        ("employees",),
        ("contact", "identity", "hr", "national_id", "financial", "trade_union_membership"),
        ("6_1_b", "6_1_c"),
        special="Art. 9 nr. 2 bokstav b; arbeidsmiljøloven.",
        erasure="Lønnsdata: 5 år etter bokføringsloven; personalmappe: til arkivering.",
    ),
    ActivityTemplate(
        "Innbyggerdialog",
        "Svare på henvendelser fra innbyggere i chat og skjema.",
        ("residents", "visitors"),
        ("contact", "online_identifiers", "case_data"),
        ("6_1_e",),
        erasure="Chatlogger slettes etter 90 dager.",
    ),
    ActivityTemplate(
        "Barneverntjenesten",
        "Undersøke bekymringsmeldinger og følge opp tiltak.",
        ("children", "residents"),
        ("identity", "children", "health", "confidential", "national_id"),
        ("6_1_e", "6_1_c"),
        special="Art. 9 nr. 2 bokstav g og h; barnevernsloven.",
    ),
    ActivityTemplate(
        "Skoleadministrasjon",
        "Elevregister, fravær og vurdering.",
        ("pupils", "children"),
        ("identity", "contact", "children", "case_data"),
        ("6_1_e",),
    ),
)


def load(ctx: Any) -> None:
    today = ctx.today
    vendors = list({v.pk: v for v in ctx.vendors}.values())  # a vendor may be listed twice
    with transaction.atomic():
        _dpf_list(today)
        services = _services(vendors)
        declared = _declarations(ctx, services)
        made = _activities(ctx, services)
        revised = _revise_india(ctx, services, today)
        chain.reassess(ProcessingActivity.objects.select_related("agency"), today)
    ctx.log(
        f"privacy: {declared} declarations, {made} processing activities, "
        f"{revised} review tasks from a revised chain"
    )


def _dpf_list(today: date) -> None:
    for organisation, hr, non_hr, days in DPF_LIST:
        DpfListEntry.objects.get_or_create(
            organisation=organisation,
            defaults={
                "eu_us": "active",
                "hr": hr,
                "non_hr": non_hr,
                "next_due": today + timedelta(days=days),
            },
        )


def _services(vendors: list[Any]) -> list[tuple[Any, Service, str]]:
    """(vendor, published service, profile), in a stable order."""
    out = []
    for vendor in vendors:
        for service in Service.objects.filter(
            vendor=vendor, status=ServiceStatus.PUBLISHED
        ).order_by("sort_name", "id"):
            out.append((vendor, service, profile_of(vendor, service)))
    return out


def _first_india(services: list[tuple[Any, Service, str]]) -> Service | None:
    return next((s for _v, s, p in services if p == "india"), None)


def _declarations(ctx: Any, services: list[tuple[Any, Service, str]]) -> int:
    made = 0
    declared = set(
        Declaration.objects.filter(status=DeclarationStatus.PUBLISHED).values_list(
            "service_id", flat=True
        )
    )
    revised = _first_india(services)
    for vendor, service, profile in services:
        if service.pk in declared:
            continue
        entries = chain_for(profile, vendor, first_version=service == revised)
        data = DeclarationData(
            processing_locations=tuple(dict.fromkeys(e.country for e in entries)),
            dpa_version="2025-1",
            dpa_date=date(ctx.today.year - 1, 3, 1),
            dpa_url="https://example.test/databehandleravtale.pdf",
            encryption_at_rest=True,
            encryption_in_transit=True,
            customer_keys_in_eea=profile == "eea",
            objection_days=30,
            change_note="Første versjon.",
            entries=entries,
        )
        actions.save_declaration_draft(None, service, data)
        actions.publish_declaration(None, service, today=ctx.today)
        declared.add(service.pk)
        made += 1
    # The demo vendor login (the first vendor) has a draft in progress to show publishing.
    own = [
        s
        for v, s, _p in services
        if ctx.vendors and v.pk == ctx.vendors[0].pk and s != revised  # revised: published later
    ]
    if own and actions.draft_of(own[0]) is None:
        current = actions.DeclarationData.of(actions.current_of(own[0]))
        entries = (
            *current.entries,
            _e("Fjellvann Logganalyse AS", "NO", "Logganalyse", "processing", 0),
        )
        actions.save_declaration_draft(
            None,
            own[0],
            DeclarationData(
                **{
                    **current.__dict__,
                    "entries": entries,
                    "change_note": "Ny leverandør av logganalyse.",
                }
            ),
        )
    return made


def _bought(agency_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for agency_id, service_id in CallOff.objects.filter(agency_id__in=agency_ids).values_list(
        "agency_id", "services"
    ):
        if service_id is not None and service_id not in out.setdefault(agency_id, []):
            out[agency_id].append(service_id)
    return out


def _activities(ctx: Any, services: list[tuple[Any, Service, str]]) -> int:
    rng = random.Random(DEMO_SEED)
    demo_agency = ctx.extra.get("demo_agency")
    agency_ids = list(
        CallOff.objects.values_list("agency_id", flat=True).distinct().order_by("agency_id")
    )
    others = [a for a in agency_ids if demo_agency is None or a != demo_agency.pk]
    chosen = others[:OTHER_AGENCIES] + ([demo_agency.pk] if demo_agency else [])
    bought = _bought(chosen)
    published = {s.pk for _v, s, _p in services}
    by_profile: dict[str, list[int]] = {}
    for _v, s, p in services:
        by_profile.setdefault(p, []).append(s.pk)
    india = _first_india(services)
    existing = set(ProcessingActivity.objects.values_list("agency_id", "name"))
    agencies = {a.pk: a for a in Organisation.objects.filter(pk__in=chosen)}
    made = 0
    for agency_id in chosen:
        agency = agencies[agency_id]
        own = [s for s in bought.get(agency_id, []) if s in published]
        if demo_agency is not None and agency_id == demo_agency.pk:
            # Drammen shows every profile: what it bought, and one service of each kind.
            plan = [
                (TEMPLATES[0], own[:1] or by_profile.get("eea", [])[:1]),
                (TEMPLATES[1], by_profile.get("us_parent", [])[:1]),
                (TEMPLATES[2], by_profile.get("dpf", [])[:1]),
                (TEMPLATES[3], by_profile.get("swiss", [])[:1] + by_profile.get("uk", [])[:1]),
                (TEMPLATES[4], ([india.pk] if india else []) + own[1:2]),
            ]
        else:
            if not own:
                continue
            if india is not None and rng.random() < 0.3:
                own = [*own, india.pk]
            plan = [(t, [rng.choice(own)]) for t in rng.sample(TEMPLATES, 2)]
        for template, service_ids in plan:
            if (agency_id, template.name) in existing:
                continue
            activity = ProcessingActivity.objects.create(
                agency=agency,
                name=template.name,
                controller_contact=f"{agency.name}, postmottak",
                dpo_contact=f"Personvernombudet i {agency.name}",
                purposes=template.purposes,
                legal_bases=list(template.bases),
                special_condition=template.special,
                data_subjects=list(template.subjects),
                data_categories=list(template.categories),
                recipients="Ingen utenfor virksomheten utover databehandlerne.",
                erasure_limits=template.erasure,
                security_measures="Tilgangsstyring, logging, kryptering, opplæring.",
            )
            activity.services.set(list(dict.fromkeys(service_ids)))
            made += 1
    return made


def _revise_india(ctx: Any, services: list[tuple[Any, Service, str]], today: date) -> int:
    """The first analytics service moves support from Ireland to India: a replacement."""
    service = _first_india(services)
    if service is None:
        return 0
    current = actions.current_of(service)
    if current is None or current.number > 1:
        return 0
    vendor = service.vendor
    data = DeclarationData(
        **{
            **actions.DeclarationData.of(current).__dict__,
            "entries": chain_for("india", vendor),
            "processing_locations": ("NO", "SE", "IN"),
            "change_note": "Kundestøtten flyttes fra Irland til India.",
        }
    )
    actions.save_declaration_draft(None, service, data)
    return len(actions.publish_declaration(None, service, today=today).reviews)
