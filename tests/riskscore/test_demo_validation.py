"""The served demo's footprint journeys on real DNS: an agency validates a domain, and
discovery attributes a name on a vendor's shared platform to the vendor.

The demo's local test internet publishes a validation record for the demo agency's second
domain; the agency user presses "validate" and the platform finds the token the way it would
on the internet.
"""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from mps.core.tenancy import viewer_for
from mps.demo.context import DemoContext
from mps.registry.demo import platform_domain
from mps.riskscore import actions, demo
from mps.riskscore.models import Asset
from tests.registry.factories import make_service

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def demo_internet(world, tmp_path):
    make_service(world.vendor, "Skyhotell", platform_domains=(platform_domain(world.vendor),))
    ctx = DemoContext(
        today=timezone.localdate(),
        rng=random.Random(1),
        operator=None,
        central=None,
        agencies=[world.eksempel],
        vendors=[world.vendor],
        users={},
        data_dir=tmp_path,
        extra={"demo_agency": world.eksempel},
        log=lambda *_: None,
    )
    stop = demo.prepare(ctx)
    try:
        demo.load(ctx)
        yield ctx
    finally:
        stop()
        actions.set_scan_config(None)


def test_the_demo_agency_validates_its_second_domain_with_the_dns_record_the_demo_published(
    world, login, demo_internet
):
    name, _token = demo_internet.extra["riskscore_unclaimed"][world.eksempel.orgnr]
    pending = Asset.objects.get(organisation=world.eksempel, value=name)
    assert pending.status == Asset.Status.PENDING

    page = login(world.alice).post(f"/risiko/eiendel/{pending.pk}/", {"method": "dns_txt"})

    assert page.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Asset.Status.VERIFIED
    assert pending.method == Asset.Method.DNS_TXT


def test_a_second_demo_start_gives_a_still_pending_domain_the_token_now_in_dns(
    world, demo_internet, tmp_path
):
    name, token = demo_internet.extra["riskscore_unclaimed"][world.eksempel.orgnr]
    Asset.objects.filter(value=name).update(token="stale-token-from-the-last-start")

    demo.load(demo_internet)

    assert Asset.objects.get(value=name).token == token


def test_discovery_in_the_demo_attributes_the_portal_on_a_vendors_platform_to_the_vendor(
    world, demo_internet
):
    [domain] = Asset.objects.filter(
        organisation=world.eksempel, kind="domain", status=Asset.Status.VERIFIED
    )

    found = actions.do_discover(viewer_for(world.alice), domain)

    on_platform = [a for a in found if a.status == Asset.Status.VENDOR]
    assert [a.value for a in on_platform] == [
        f"{domain.value.removesuffix('.test')}.{platform_domain(world.vendor)}"
    ]
    assert on_platform[0].platform_service.vendor == world.vendor
