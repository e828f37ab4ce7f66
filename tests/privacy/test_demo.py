"""The privacy demo: realistic chains for every profile, activities for the demo agency, once."""

import random
from datetime import date

from mps.agreements import demo as agreements_demo
from mps.demo.context import DemoContext
from mps.organisations.models import Organisation
from mps.organisations.orgnr import synthetic_orgnr
from mps.privacy import demo
from mps.privacy.models import Declaration, HopAssessment, ProcessingActivity, ReviewTask
from mps.registry import demo as registry_demo


def _ctx(world, vendors):
    return DemoContext(
        today=date(2026, 11, 29),
        rng=random.Random(1),
        operator=world.operator,
        central=world.central,
        agencies=[world.eksempel, world.annen],
        vendors=vendors,
        users={},
        extra={"demo_agency": world.eksempel},
        log=lambda *a: None,
    )


def _vendors(world):
    parent = Organisation.objects.create(
        name="Atlantic Hyperscale Inc.",
        kind="vendor",
        country="US",
        synthetic=True,
        foreign_scheme="US-EIN",
        foreign_id="00-0000001",
    )
    atlantic = Organisation.objects.create(
        name="Atlantic Hyperscale Norge AS",
        kind="vendor",
        orgnr=synthetic_orgnr(7770),
        synthetic=True,
        parent=parent,
    )
    return [world.vendor, world.other_vendor, atlantic]


def test_the_demo_declares_every_chain_profile_and_the_demo_agency_sees_them_assessed(world):
    vendors = _vendors(world)
    for loader in (registry_demo, agreements_demo, demo):
        loader.load(_ctx(world, vendors))
    hops = HopAssessment.objects.filter(activity__agency=world.eksempel)
    countries = set(hops.values_list("country", flat=True))
    assert {"NO", "US", "IN", "CH"} <= countries
    assert set(hops.values_list("mechanism", flat=True)) >= {"eea", "dpf", "scc", "adequacy"}
    salary = ProcessingActivity.objects.get(agency=world.eksempel, name="Lønn og personal")
    assert HopAssessment.objects.filter(activity=salary, country="US", status="blocked").exists()
    assert ReviewTask.objects.filter(agency=world.eksempel).exists()  # the India replacement
    assert Declaration.objects.filter(status="draft").exists()  # the vendor login's draft

    counts = (
        Declaration.objects.count(),
        ProcessingActivity.objects.count(),
        ReviewTask.objects.count(),
    )
    for loader in (registry_demo, agreements_demo, demo):
        loader.load(_ctx(world, vendors))
    assert (
        Declaration.objects.count(),
        ProcessingActivity.objects.count(),
        ReviewTask.objects.count(),
    ) == counts
