"""A small CIPS-like agreement for tests: two lots, both vendors awarded, published services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from mps.agreements import actions
from mps.agreements.models import Award, FrameworkAgreement, Lot
from mps.core.tenancy import viewer_for


@dataclass
class Cips:
    agreement: Any
    iaas: Any
    paas: Any
    award: Any  # Skyleverandør AS on IaaS
    other_award: Any  # Annen Sky AS on IaaS
    vm: Any
    storage: Any
    other_vm: Any
    unawarded: Any  # a published service of Skyleverandør AS not under any award


def make_service(vendor, name: str, category: str = "IaaS", status: str = "published"):
    from mps.registry.models import Service

    return Service.objects.create(
        vendor=vendor, name=name, sort_name=name.casefold(), category=category, status=status
    )


def make_cips(world, status: str = "active") -> Cips:
    agreement = FrameworkAgreement.objects.create(
        name="Skytjenester (test)",
        reference="TEST-CIPS",
        period_start=date(2025, 1, 1),
        period_end=date(2029, 12, 31),
        status=status,
        description_nb="Rammeavtale for test.",
    )
    iaas = Lot.objects.create(agreement=agreement, number=1, name="Infrastruktur", category="IaaS")
    paas = Lot.objects.create(agreement=agreement, number=2, name="Plattform", category="PaaS")
    vm = make_service(world.vendor, "Sky VM")
    storage = make_service(world.vendor, "Sky Objektlager")
    other_vm = make_service(world.other_vendor, "Annen VM")
    unawarded = make_service(world.vendor, "Sky Epost", category="SaaS")
    award = Award.objects.create(lot=iaas, vendor=world.vendor)
    award.services.set([vm, storage])
    other_award = Award.objects.create(lot=iaas, vendor=world.other_vendor)
    other_award.services.set([other_vm])
    return Cips(agreement, iaas, paas, award, other_award, vm, storage, other_vm, unawarded)


def calloff_input(cips: Cips, world, **overrides) -> actions.CallOffInput:
    values: dict[str, Any] = {
        "agreement": cips.agreement,
        "lot": cips.iaas,
        "vendor": world.vendor,
        "services": [cips.vm],
        "title": "Drift av fagsystem",
        "estimated_value": "1200000",
        "start": date(2026, 1, 1),
        "end": date(2028, 12, 31),
        "notice_months": 3,
        "requirements": "Data lagres i Norge.",
    }
    values.update(overrides)
    return actions.CallOffInput(**values)


def join(user, cips: Cips):
    return actions.do_join_agreement(viewer_for(user), user.organisation, cips.agreement)


def active_calloff(user, cips: Cips, world, **overrides):
    join(user, cips)
    viewer = viewer_for(user)
    calloff = actions.do_create_calloff(
        viewer, user.organisation, calloff_input(cips, world, **overrides)
    )
    return actions.do_activate_calloff(viewer, calloff)
