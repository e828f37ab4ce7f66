"""Demo data: a CIPS-like framework agreement with IaaS and PaaS lots, memberships for the demo
agencies and call-offs with realistic values and dates. Idempotent: rows are looked up by
natural keys and only missing ones are created, so `mps demo` can run again.

Seed data is written directly (bulk), not through the actions: it describes a past that no
user acted in, and hundreds of audit entries for it would only bury the real ones.
"""

from __future__ import annotations

import calendar
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from mps.agreements import documents
from mps.agreements.dates import notice_deadline
from mps.agreements.models import (
    AgreementDocument,
    Award,
    CallOff,
    CallOffTemplate,
    FrameworkAgreement,
    Lot,
    Membership,
)

ORDER = 20
DEMO_REFERENCE = "DEMO-CIPS-2025"
PLANNED_REFERENCE = "DEMO-SAAS-2027"
#: Share of agencies that joined / opted out; the rest are undecided. Roughly what a new
#: national framework sees in its first year (most join, a minority keeps its own contracts).
JOINED_SHARE = 0.75
OPTED_OUT_SHARE = 0.10
#: How many agencies get call-offs, and how many the demo login's agency gets.
CALLOFF_AGENCIES = 36
DEMO_AGENCY_CALLOFFS = 4
#: Fixed seed so the same agencies join, opt out and order on every run.
DEMO_SEED = 2025
#: Estimated call-off values in NOK (small municipality IaaS to a large agency's platform).
VALUE_RANGE_NOK = (150_000, 18_000_000)

LOTS = (
    (1, "Infrastruktur som tjeneste (IaaS)", Lot.Category.IAAS),
    (2, "Plattform som tjeneste (PaaS)", Lot.Category.PAAS),
)
TITLES = (
    "Drift av fagsystem i skyen",
    "Lagring og sikkerhetskopi",
    "Plattform for digitale tjenester",
    "Kontainerplattform for utviklingsteam",
    "Databaseplattform",
    "Virtuelle maskiner for sak/arkiv",
    "Testmiljø i skyen",
    "Dataplattform for analyse",
)
REQUIREMENTS = (
    "Data skal lagres i Norge eller EØS. Leverandøren skal ha gyldig ISO/IEC 27001-sertifikat.",
    "Tjenesten skal ha tilgjengelighet på minst 99,9 % per måned. Logger skal oppbevares i 12 måneder.",
    "Kryptering av data i ro og under overføring. Kunden skal ha egne nøkler (BYOK).",
    "Databehandleravtale etter GDPR art. 28 skal inngås før oppstart.",
)


def load(ctx: Any) -> None:
    with transaction.atomic():
        agreement = _agreement(ctx)
        _planned_agreement(ctx)
        lots = _lots(agreement)
        awards = _awards(ctx, lots)
        _documents(agreement)
        _template()
        joined = _memberships(ctx, agreement)
        made = _calloffs(ctx, agreement, awards, joined)
    ctx.log(
        f"agreement {agreement.reference}: {len(lots)} lots, {sum(len(a) for a in awards.values())} awards, "
        f"{len(joined)} agencies joined, {made} new call-offs"
    )


def _agreement(ctx: Any) -> FrameworkAgreement:
    start = date(ctx.today.year - 1, 1, 1)
    agreement, _created = FrameworkAgreement.objects.get_or_create(
        reference=DEMO_REFERENCE,
        defaults={
            "name": "Skytjenester for infrastruktur og plattform (CIPS) – demo",
            "description_nb": (
                "Fiktiv demoavtale etter mønster av den nasjonale rammeavtalen for skytjenester "
                "(Cloud Infrastructure and Platform Services). Delkontrakt 1 gjelder infrastruktur "
                "som tjeneste, delkontrakt 2 plattform som tjeneste. Ikke en ekte avtale."
            ),
            "description_en": (
                "Fictitious demo agreement modelled on the national cloud framework agreement "
                "(Cloud Infrastructure and Platform Services). Lot 1 covers infrastructure as a "
                "service, lot 2 platform as a service. Not a real agreement."
            ),
            "period_start": start,
            "period_end": date(start.year + 4, 12, 31),
            "status": FrameworkAgreement.Status.ACTIVE,
        },
    )
    return agreement


def _planned_agreement(ctx: Any) -> None:
    FrameworkAgreement.objects.get_or_create(
        reference=PLANNED_REFERENCE,
        defaults={
            "name": "Programvare som tjeneste (SaaS) – demo",
            "description_nb": "Fiktiv planlagt demoavtale for programvare som tjeneste.",
            "description_en": "Fictitious planned demo agreement for software as a service.",
            "period_start": date(ctx.today.year + 1, 1, 1),
            "period_end": date(ctx.today.year + 4, 12, 31),
            "status": FrameworkAgreement.Status.PLANNED,
        },
    )


def _lots(agreement: FrameworkAgreement) -> dict[str, Lot]:
    lots = {}
    for number, name, category in LOTS:
        lot, _created = Lot.objects.get_or_create(
            agreement=agreement, number=number, defaults={"name": name, "category": category}
        )
        lots[category] = lot
    return lots


def _awards(ctx: Any, lots: dict[str, Lot]) -> dict[str, list[tuple[Award, list[Any]]]]:
    """Award each lot to the vendors with services of its category (or, without services, to several)."""
    services_by_vendor: dict[Any, list[Any]] = ctx.extra.get("services_by_vendor") or {}
    result: dict[str, list[tuple[Award, list[Any]]]] = {}
    for category, lot in lots.items():
        result[category] = []
        for index, vendor in enumerate(ctx.vendors):
            offered = [
                s
                for s in services_by_vendor.get(vendor, [])
                if s.category == category and getattr(s, "status", "published") == "published"
            ]
            if services_by_vendor and not offered:
                continue
            if (
                not services_by_vendor
                and index % 2 != (0 if category == Lot.Category.IAAS else 1)
                and index > 2
            ):
                continue
            award, created = Award.objects.get_or_create(
                lot=lot, vendor=vendor, defaults={"awarded_on": lot.agreement.period_start}
            )
            if created and offered:
                award.services.set(offered)
            result[category].append((award, list(award.services.all()) if not created else offered))
    return result


def _documents(agreement: FrameworkAgreement) -> None:
    AgreementDocument.objects.get_or_create(
        agreement=agreement,
        title="Om statlige fellesavtaler (anskaffelser.no)",
        defaults={"url": "https://anskaffelser.no/"},
    )


def _template() -> None:
    CallOffTemplate.objects.get_or_create(
        name="Standard avropsavtale (demo)",
        agreement=None,
        defaults={
            "title": documents.DEFAULT_TITLE,
            "body": documents.DEFAULT_BODY,
            "language": "nb",
        },
    )


def _memberships(ctx: Any, agreement: FrameworkAgreement) -> list[Any]:
    rng = random.Random(DEMO_SEED)
    existing = dict(
        Membership.objects.filter(agreement=agreement).values_list("agency_id", "status")
    )
    demo_agency = ctx.extra.get("demo_agency")
    new = []
    for agency in ctx.agencies:
        roll = rng.random()
        if demo_agency is not None and agency.pk == demo_agency.pk:
            roll = 0.0  # the demo login's agency has joined, so call-offs can be shown
        status = (
            Membership.Status.JOINED
            if roll < JOINED_SHARE
            else Membership.Status.OPTED_OUT
            if roll < JOINED_SHARE + OPTED_OUT_SHARE
            else Membership.Status.UNDECIDED
        )
        if agency.pk in existing:
            continue
        decided = agreement.period_start + timedelta(days=rng.randint(0, 300))
        new.append(
            Membership(
                agency=agency,
                agreement=agreement,
                status=status,
                decided_on=min(decided, ctx.today),
                note="Har egen driftsavtale til den løper ut."
                if status == Membership.Status.OPTED_OUT
                else "",
            )
        )
        existing[agency.pk] = status
    Membership.objects.bulk_create(new, batch_size=500)
    joined_ids = {pk for pk, status in existing.items() if status == Membership.Status.JOINED}
    return [a for a in ctx.agencies if a.pk in joined_ids]


def _calloffs(
    ctx: Any,
    agreement: FrameworkAgreement,
    awards: dict[str, list[tuple[Award, list[Any]]]],
    joined: list[Any],
) -> int:
    options = [
        (category, award, services)
        for category, items in awards.items()
        for award, services in items
    ]
    if not options or not joined:
        return 0
    rng = random.Random(DEMO_SEED + 1)
    demo_agency = ctx.extra.get("demo_agency")
    chosen = [a for a in joined if demo_agency is not None and a.pk == demo_agency.pk]
    others = [a for a in joined if a not in chosen]
    chosen += rng.sample(others, min(CALLOFF_AGENCIES, len(others)))
    already = set(CallOff.objects.filter(agreement=agreement).values_list("agency_id", flat=True))
    new: list[CallOff] = []
    picked: list[list[Any]] = []
    for agency in chosen:
        is_demo = demo_agency is not None and agency.pk == demo_agency.pk
        count = DEMO_AGENCY_CALLOFFS if is_demo else rng.randint(1, 2)
        for i in range(count):
            category, award, services = options[rng.randrange(len(options))]
            notice = rng.choice((3, 3, 6))
            if i == 0:
                # Notice deadline 10–80 days ahead: shows in "due soon" and triggers reminders.
                end = ctx.today + timedelta(days=rng.randint(10, 80))
                end = _add_months(end, notice)
            else:
                end = ctx.today + timedelta(days=rng.randint(200, 1100))
            start = end - timedelta(days=365 * rng.choice((2, 3, 4)))
            status = CallOff.Status.ACTIVE if rng.random() < 0.85 else CallOff.Status.DRAFT
            value = Decimal(rng.randrange(VALUE_RANGE_NOK[0], VALUE_RANGE_NOK[1], 10_000))
            if agency.pk in already:
                continue
            new.append(
                CallOff(
                    agency=agency,
                    agreement=agreement,
                    lot=award.lot,
                    vendor=award.vendor,
                    title=f"{rng.choice(TITLES)} ({category})",
                    estimated_value=value,
                    start=start,
                    end=end,
                    notice_months=notice,
                    notice_by=notice_deadline(end, notice),
                    status=status,
                    requirements=rng.choice(REQUIREMENTS),
                )
            )
            picked.append(
                rng.sample(services, min(len(services), rng.randint(1, 3))) if services else []
            )
    created = CallOff.objects.bulk_create(new, batch_size=500)
    through = CallOff.services.through
    through.objects.bulk_create(
        [
            through(calloff_id=c.pk, service_id=s.pk)
            for c, chosen_services in zip(created, picked, strict=True)
            for s in chosen_services
        ],
        batch_size=500,
    )
    return len(created)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
