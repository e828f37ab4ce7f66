"""The agreements demo loader: a CIPS-like agreement, memberships, call-offs; idempotent."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from mps.agreements import demo
from mps.agreements.models import Award, CallOff, FrameworkAgreement, Membership
from mps.demo.context import DemoContext
from mps.organisations.models import Organisation
from mps.organisations.orgnr import synthetic_orgnr
from tests.agreements.helpers import make_service

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 29)


def _ctx(world, with_services: bool) -> DemoContext:
    agencies = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Demo kommune {i}",
                kind="agency",
                orgnr=synthetic_orgnr(7000 + i * 10),
                sector="municipality",
            )
            for i in range(80)
        ]
    )
    ctx = DemoContext(
        today=TODAY,
        rng=random.Random(1),
        operator=world.operator,
        central=world.central,
        agencies=[world.eksempel, *agencies],
        vendors=[world.vendor, world.other_vendor],
        users={},
        log=lambda msg: None,
    )
    ctx.extra["demo_agency"] = world.eksempel
    if with_services:
        ctx.extra["services_by_vendor"] = {
            world.vendor: [
                make_service(world.vendor, "Demo VM", "IaaS"),
                make_service(world.vendor, "Demo Kubernetes", "PaaS"),
            ],
            world.other_vendor: [make_service(world.other_vendor, "Annen Lagring", "IaaS")],
        }
    return ctx


def _counts():
    return (
        FrameworkAgreement.objects.count(),
        Award.objects.count(),
        Membership.objects.count(),
        CallOff.objects.count(),
    )


def test_demo_loads_agreement_memberships_and_call_offs_and_is_idempotent(world):
    ctx = _ctx(world, with_services=True)
    demo.load(ctx)
    agreement = FrameworkAgreement.objects.get(reference=demo.DEMO_REFERENCE)
    assert "demo" in agreement.name and agreement.lots.count() == 2
    statuses = set(Membership.objects.filter(agreement=agreement).values_list("status", flat=True))
    assert statuses == {"joined", "opted_out", "undecided"}
    assert Membership.objects.get(agency=world.eksempel, agreement=agreement).status == "joined"
    assert CallOff.objects.filter(agency=world.eksempel).count() == demo.DEMO_AGENCY_CALLOFFS
    calloffs = list(CallOff.objects.prefetch_related("services"))
    for c in calloffs:
        assert c.notice_by == c.notice_deadline and c.end > c.start
        assert Award.objects.filter(lot=c.lot, vendor=c.vendor).exists()
        assert all(
            s.vendor_id == c.vendor_id and s.category == c.lot.category for s in c.services.all()
        )
    assert any(
        TODAY <= c.notice_by <= TODAY + timedelta(days=90) for c in calloffs if c.status == "active"
    )
    before = _counts()
    demo.load(ctx)
    assert _counts() == before


def test_demo_awards_without_services_when_the_register_has_none(world):
    demo.load(_ctx(world, with_services=False))
    assert Award.objects.count() >= 2
    assert not Award.objects.filter(services__isnull=False).exists()
    assert CallOff.objects.exists()
