"""Register pages: search, detail, the vendor portal and its flows, with fixed query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mps.core.tenancy import viewer_for
from mps.registry.models import Service
from mps.registry.overview import card
from tests.registry.factories import make_service


def _fill(world, n, prefix="Tjeneste"):
    soon = timezone.localdate() + timedelta(days=30)
    for i in range(n):
        make_service(
            world.vendor if i % 2 else world.other_vendor,
            f"{prefix} {i:03d}",
            category="IaaS" if i % 3 else "SaaS",
            countries=("NO", "SE") if i % 2 else ("NO",),
            certs=(("ISO/IEC 27001", soon), ("SOC 2", soon - timedelta(days=60))),
        )


def _queries(django_assert_max_num_queries, client, url, limit):
    with django_assert_max_num_queries(limit) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


SEARCH_URLS = [
    reverse("registry:search"),
    reverse("registry:search") + "?q=tjeneste&category=IaaS&location=eea&standard=ISO%2FIEC+27001",
]


@pytest.mark.parametrize("url", SEARCH_URLS)
def test_search_page_query_count_does_not_grow_with_the_register(
    world, login, django_assert_max_num_queries, url
):
    client = login(world.alice)
    _fill(world, 3)
    small = _queries(django_assert_max_num_queries, client, url, 8)
    _fill(world, 30, prefix="Mer")
    large = _queries(django_assert_max_num_queries, client, url, 8)
    assert small == large


def test_search_page_shows_results_filters_and_expiry_flags_without_javascript(world, login):
    _fill(world, 2)
    response = login(world.alice).get(reverse("registry:search"), {"q": "tjeneste 001"})
    body = response.content.decode()
    assert "Tjeneste 001" in body and "Tjeneste 000" not in body
    assert 'label for="id_category"' in body and "<script" not in body
    assert "expiring soon" in body or "utløper snart" in body
    assert "expired" in body or "utløpt" in body


def test_search_page_paginates_and_keeps_the_filters(world, login):
    _fill(world, 40)  # 26 IaaS services: two pages of 25
    body = login(world.alice).get(reverse("registry:search"), {"category": "IaaS"}).content.decode()
    assert "category=IaaS&amp;page=2" in body


def test_detail_page_shows_history_locations_and_certificates(
    world, login, django_assert_max_num_queries
):
    service = make_service(
        world.vendor,
        "Sky Lagring",
        countries=("NO",),
        region="Azure norwayeast",
        certs=(("BSI C5", timezone.localdate() - timedelta(days=1)),),
    )
    client = login(world.alice)
    url = reverse("registry:detail", args=[service.pk])
    _queries(django_assert_max_num_queries, client, url, 9)
    body = client.get(url).content.decode()
    assert "Azure norwayeast" in body and "BSI C5" in body
    assert "expired" in body or "utløpt" in body


def test_an_agency_cannot_see_a_vendors_draft(world, login):
    draft = make_service(world.vendor, "Hemmelig", publish=False)
    assert login(world.alice).get(reverse("registry:detail", args=[draft.pk])).status_code == 404


def test_agencies_have_no_vendor_portal(world, login):
    assert login(world.alice).get(reverse("registry:vendor_portal")).status_code == 403


def test_vendor_portal_lists_only_the_vendors_own_services(
    world, login, django_assert_max_num_queries
):
    make_service(world.vendor, "Vår tjeneste")
    make_service(world.other_vendor, "Deres tjeneste")
    client = login(world.vera)
    small = _queries(django_assert_max_num_queries, client, reverse("registry:vendor_portal"), 6)
    _fill(world, 20)
    large = _queries(django_assert_max_num_queries, client, reverse("registry:vendor_portal"), 6)
    assert small == large
    body = client.get(reverse("registry:vendor_portal")).content.decode()
    assert "Vår tjeneste" in body and "Deres tjeneste" not in body


def _post_service(client, url, name, **extra):
    data = {
        "name": name,
        "category": "PaaS",
        "description_nb": "Plattform",
        "description_en": "",
        "loc-TOTAL_FORMS": "3",
        "loc-INITIAL_FORMS": "0",
        "loc-0-country": "no",
        "loc-0-region": "Azure norwayeast",
        "cert-TOTAL_FORMS": "3",
        "cert-INITIAL_FORMS": "0",
        "cert-0-standard": "ISO/IEC 27001",
        "cert-0-valid_until": "2030-01-01",
        "cert-0-scope": "",
        "cert-0-issuer": "",
        **extra,
    }
    return client.post(url, data)


def test_a_vendor_creates_edits_publishes_and_withdraws_a_service_in_the_portal(world, login):
    client = login(world.vera)
    response = _post_service(client, reverse("registry:create"), "Plattform X")
    assert response.status_code == 302
    service = Service.objects.get(name="Plattform X")
    assert service.vendor == world.vendor and service.status == "draft"
    assert list(service.versions.get().locations.values_list("country", flat=True)) == ["NO"]

    assert (
        _post_service(
            client, reverse("registry:edit", args=[service.pk]), "Plattform Y"
        ).status_code
        == 302
    )
    confirm = client.get(reverse("registry:publish", args=[service.pk]))
    assert confirm.status_code == 200 and b'name="confirm"' in confirm.content
    assert Service.objects.get(pk=service.pk).status == "draft"  # GET only asks
    client.post(reverse("registry:publish", args=[service.pk]), {"confirm": "yes"})
    service.refresh_from_db()
    assert service.status == "published" and service.name == "Plattform Y"

    client.post(reverse("registry:new_version", args=[service.pk]))
    assert service.versions.filter(status="draft", number=2).exists()

    assert client.get(reverse("registry:withdraw", args=[service.pk])).status_code == 200
    client.post(reverse("registry:withdraw", args=[service.pk]), {"confirm": "yes"})
    assert Service.objects.get(pk=service.pk).status == "withdrawn"


def test_invalid_input_is_shown_with_the_form(world, login):
    client = login(world.vera)
    response = _post_service(client, reverse("registry:create"), "", **{"loc-0-country": "ZZ"})
    assert response.status_code == 400
    assert not Service.objects.exists()


def test_the_operator_creates_a_service_for_a_chosen_vendor(world, login):
    client = login(world.ola)
    response = _post_service(
        client, reverse("registry:create"), "Operatørs tjeneste", vendor=str(world.other_vendor.pk)
    )
    assert response.status_code == 302
    assert Service.objects.get(name="Operatørs tjeneste").vendor == world.other_vendor


def test_a_read_only_vendor_user_cannot_create(world, login):
    from tests.conftest import make_user

    reader = make_user(world.vendor, "vilde", "read_only")
    assert login(reader).get(reverse("registry:create")).status_code == 403


def test_another_vendor_cannot_publish_or_withdraw(world, login):
    theirs = make_service(world.other_vendor, "Deres tjeneste")
    client = login(world.vera)
    assert (
        client.post(reverse("registry:withdraw", args=[theirs.pk]), {"confirm": "yes"}).status_code
        == 403
    )
    assert Service.objects.get(pk=theirs.pk).status == "published"


def test_overview_card_counts_published_services_in_constant_queries(
    world, login, django_assert_max_num_queries
):
    _fill(world, 3)
    client = login(world.alice)
    small = _queries(django_assert_max_num_queries, client, reverse("core:overview"), 30)
    _fill(world, 20, prefix="Mer")
    large = _queries(django_assert_max_num_queries, client, reverse("core:overview"), 30)
    assert small == large
    assert "23" in client.get(reverse("core:overview")).content.decode()


def test_vendors_overview_card_shows_their_services_by_status(world, login):
    make_service(world.vendor, "Publisert")
    make_service(world.vendor, "Kladd", publish=False)
    make_service(world.other_vendor, "Ikke vår")
    result = card(viewer_for(world.vera))
    assert [n for _, n in result.context["by_status"]] == [1, 1, 0]  # draft, published, withdrawn
    assert result.context["total"] == 2


def test_a_bad_filter_value_is_reported_and_the_other_filters_still_apply(world, login):
    _fill(world, 3)
    response = login(world.alice).get(
        reverse("registry:search"), {"q": "tjeneste 001", "category": "Cloud"}
    )
    body = response.content.decode()
    assert "Tjeneste 001" in body and "Tjeneste 002" not in body
    assert 'class="errorlist"' in body


def test_a_vendor_declares_its_shared_platform_domains_in_the_portal_and_they_are_shown(
    world, login, client
):
    vendor = login(world.vera)
    response = _post_service(
        vendor,
        reverse("registry:create"),
        "Skyhotell",
        platform_domains="*.kunde.Skyhotell.no\nskyhotell-cdn.net\n",
    )
    assert response.status_code == 302
    service = Service.objects.get(name="Skyhotell")
    assert service.versions.get().platform_domains == ["kunde.skyhotell.no", "skyhotell-cdn.net"]
    vendor.post(reverse("registry:publish", args=[service.pk]), {"confirm": "yes"})
    page = client.get(reverse("registry:detail", args=[service.pk])).content.decode()
    assert "<code>kunde.skyhotell.no</code>" in page


def test_a_bad_platform_domain_is_shown_on_its_field_and_nothing_is_saved(world, login):
    response = _post_service(
        login(world.vera), reverse("registry:create"), "Skyhotell", platform_domains="ex ample"
    )
    assert response.status_code == 400
    assert "ex ample" in response.content.decode()
    assert not Service.objects.exists()
