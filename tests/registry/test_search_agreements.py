"""Search by framework agreement and lot, through the agreements app's awards."""

from datetime import date

import pytest
from django.urls import reverse

from mps.core.tenancy import viewer_for
from mps.registry.search import SearchFilters, award_model, search_services
from tests.registry.factories import make_service

pytestmark = pytest.mark.skipif(
    award_model() is None, reason="the agreements app has no Award model yet"
)

TODAY = date(2026, 11, 29)


@pytest.fixture
def awarded(world):
    from mps.agreements.models import Award, FrameworkAgreement, Lot

    cips = FrameworkAgreement.objects.create(
        name="CIPS",
        reference="CIPS-2026",
        period_start=date(2026, 1, 1),
        period_end=date(2030, 12, 31),
    )
    other = FrameworkAgreement.objects.create(
        name="Annen avtale",
        reference="AA-2026",
        period_start=date(2026, 1, 1),
        period_end=date(2030, 12, 31),
    )
    iaas = Lot.objects.create(agreement=cips, number=1, name="IaaS", category="IaaS")
    paas = Lot.objects.create(agreement=cips, number=2, name="PaaS", category="PaaS")
    saas = Lot.objects.create(agreement=other, number=1, name="SaaS", category="SaaS")
    vm = make_service(world.vendor, "Virtuelle maskiner", category="IaaS")
    k8s = make_service(world.vendor, "Kubernetes", category="PaaS")
    mail = make_service(world.other_vendor, "E-post", category="SaaS")
    make_service(world.other_vendor, "Uten avtale")
    Award.objects.create(lot=iaas, vendor=world.vendor).services.add(vm, k8s)
    Award.objects.create(lot=paas, vendor=world.vendor).services.add(k8s)
    Award.objects.create(lot=saas, vendor=world.other_vendor).services.add(mail)
    return {"cips": cips, "other": other, "iaas": iaas, "paas": paas, "saas": saas}


def _names(world, **filters):
    return [
        s.name for s in search_services(viewer_for(world.alice), SearchFilters(**filters), TODAY)
    ]


def test_filtering_by_agreement_finds_each_awarded_service_once(world, awarded):
    assert _names(world, agreement=awarded["cips"].pk) == ["Kubernetes", "Virtuelle maskiner"]
    assert _names(world, agreement=awarded["other"].pk) == ["E-post"]


def test_filtering_by_lot_finds_the_services_awarded_in_that_lot(world, awarded):
    assert _names(world, lot=awarded["paas"].pk) == ["Kubernetes"]
    assert _names(world, lot=awarded["iaas"].pk, q="virt") == ["Virtuelle maskiner"]
    assert _names(world, lot=awarded["saas"].pk, agreement=awarded["cips"].pk) == []


def test_the_search_page_offers_agreement_and_lot_filters(world, awarded, login):
    client = login(world.alice)
    body = client.get(reverse("registry:search"), {"lot": awarded["paas"].pk}).content.decode()
    assert 'id="id_agreement"' in body and 'id="id_lot"' in body
    assert "Kubernetes" in body and "Virtuelle maskiner" not in body


def test_the_api_filters_by_agreement(world, awarded, login):
    client = login(world.alice)
    data = client.get("/api/v1/services/", {"agreement": awarded["other"].pk}).json()
    assert [s["name"] for s in data["items"]] == ["E-post"]


def test_the_detail_page_lists_the_lots_a_service_is_offered_under(world, awarded, login):
    from mps.registry.models import Service

    k8s = Service.objects.get(name="Kubernetes")
    body = login(world.alice).get(reverse("registry:detail", args=[k8s.pk])).content.decode()
    assert "CIPS" in body and "PaaS" in body
