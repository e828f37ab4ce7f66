"""The demo loader gives each fictitious vendor a realistic mix, once."""

import random
from datetime import date

from mps.demo.context import DemoContext
from mps.registry import demo
from mps.registry.models import Certification, Service, ServiceVersion


def _ctx(world):
    return DemoContext(
        today=date(2026, 11, 29),
        rng=random.Random(1),
        operator=world.operator,
        central=world.central,
        agencies=[world.eksempel, world.annen],
        vendors=[world.vendor, world.other_vendor],
        users={},
        log=lambda *a: None,
    )


def test_demo_services_are_a_realistic_mix_and_loading_twice_changes_nothing(world):
    ctx = _ctx(world)
    demo.load(ctx)
    count, versions = Service.objects.count(), ServiceVersion.objects.count()
    assert count >= 8
    assert {s.category for s in Service.objects.all()} >= {"IaaS", "PaaS", "SaaS"}
    assert {s.location_scope for s in Service.objects.all()} >= {"norway", "eea", "outside_eea"}
    assert Certification.objects.filter(valid_until__lt=ctx.today).exists()
    services = ctx.extra["services_by_vendor"][world.vendor]
    assert services and all(s.vendor == world.vendor and s.status == "published" for s in services)
    demo.load(_ctx(world))
    assert (Service.objects.count(), ServiceVersion.objects.count()) == (count, versions)
