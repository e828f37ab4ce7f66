"""Agreement, membership, call-off, contract register and national pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mps.agreements.models import CallOff, Membership
from mps.organisations.models import Organisation
from mps.organisations.orgnr import synthetic_orgnr
from tests.agreements.helpers import active_calloff, join, make_cips, make_service

pytestmark = pytest.mark.django_db


def _agencies(n: int, start: int = 100, sector: str = "municipality"):
    return Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Kommune {i}", kind="agency", orgnr=synthetic_orgnr(i * 10), sector=sector
            )
            for i in range(start, start + n)
        ]
    )


def test_agreement_list_shows_agreements_and_own_membership(world, login):
    cips = make_cips(world)
    join(world.alice, cips)
    response = login(world.alice).get(reverse("agreements:list"))
    assert response.status_code == 200
    assert "Skytjenester (test)" in response.content.decode()
    assert response.context["rows"][0][1].status == "joined"


def test_agreement_detail_shows_lots_vendors_services_and_documents(
    world, login, django_assert_max_num_queries
):
    cips = make_cips(world)
    from mps.agreements.models import AgreementDocument

    AgreementDocument.objects.create(
        agreement=cips.agreement, title="Avtaledokument", url="https://example.test/a.pdf"
    )
    client = login(world.alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("agreements:detail", args=[cips.agreement.pk]))
    body = response.content.decode()
    for text in ("Infrastruktur", "Skyleverandør AS", "Annen Sky AS", "Sky VM", "Avtaledokument"):
        assert text in body


def test_agreement_detail_query_count_does_not_grow_with_awards(
    world, login, django_assert_num_queries
):
    cips = make_cips(world)
    client = login(world.alice)
    url = reverse("agreements:detail", args=[cips.agreement.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    from mps.agreements.models import Award

    for i in range(8):
        vendor = Organisation.objects.create(
            name=f"Leverandør {i}", kind="vendor", orgnr=synthetic_orgnr(5000 + i * 10)
        )
        award = Award.objects.create(lot=cips.paas, vendor=vendor)
        award.services.set([make_service(vendor, f"Tjeneste {i}", "PaaS")])
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_joining_goes_through_a_confirmation_page(world, login):
    cips = make_cips(world)
    client = login(world.mari)
    url = reverse("agreements:membership", args=[cips.agreement.pk])
    page = client.get(url + "?status=joined")
    assert page.status_code == 200 and page.context["chosen"] == "joined"
    assert 'name="confirm"' in page.content.decode()
    assert not Membership.objects.exists()
    unconfirmed = client.post(url, {"status": "joined"})
    assert unconfirmed.status_code == 400 and not Membership.objects.exists()
    done = client.post(url, {"status": "joined", "confirm": "on"})
    assert done.status_code == 302
    assert Membership.objects.get(agency=world.eksempel).status == "joined"


def test_read_only_user_gets_no_membership_form(world, login):
    cips = make_cips(world)
    response = login(world.rolf).post(
        reverse("agreements:membership", args=[cips.agreement.pk]),
        {"status": "joined", "confirm": "on"},
    )
    assert response.status_code == 403
    assert not Membership.objects.exists()


def test_call_off_wizard_walks_agreement_lot_vendor_then_creates_a_draft(world, login):
    cips = make_cips(world)
    join(world.alice, cips)
    client = login(world.alice)
    url = reverse("agreements:calloff_create")
    step1 = client.get(url)
    assert cips.agreement in step1.context["agreements"]
    step2 = client.get(url, {"agreement": cips.agreement.pk})
    assert cips.iaas in step2.context["lots"]
    step3 = client.get(url, {"agreement": cips.agreement.pk, "lot": cips.iaas.pk})
    assert {a.vendor for a in step3.context["awards"]} == {world.vendor, world.other_vendor}
    step4 = client.get(
        url, {"agreement": cips.agreement.pk, "lot": cips.iaas.pk, "vendor": world.vendor.pk}
    )
    assert set(step4.context["form"].fields["services"].queryset) == {cips.vm, cips.storage}
    response = client.post(
        url + f"?agreement={cips.agreement.pk}&lot={cips.iaas.pk}&vendor={world.vendor.pk}",
        {
            "services": [cips.vm.pk],
            "title": "Ny plattform",
            "estimated_value": "250000",
            "start": "2026-02-01",
            "end": "2027-01-31",
            "notice_months": "2",
            "requirements": "Logg i 12 måneder.",
        },
    )
    calloff = CallOff.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "agreements:calloff_detail", args=[calloff.pk]
    )
    assert calloff.status == "draft" and calloff.agency == world.eksempel


def test_call_off_form_shows_errors_naming_the_value(world, login):
    cips = make_cips(world)
    join(world.alice, cips)
    url = (
        reverse("agreements:calloff_create")
        + f"?agreement={cips.agreement.pk}&lot={cips.iaas.pk}&vendor={world.vendor.pk}"
    )
    response = login(world.alice).post(
        url,
        {
            "title": "X",
            "estimated_value": "10",
            "start": "2026-02-01",
            "end": "2026-01-01",
            "notice_months": "3",
        },
    )
    assert response.status_code == 400
    assert "2026-01-01" in response.content.decode()
    assert not CallOff.objects.exists()


def test_call_off_activation_needs_confirmation(world, login):
    cips = make_cips(world)
    join(world.alice, cips)
    from mps.agreements import actions
    from mps.core.tenancy import viewer_for
    from tests.agreements.helpers import calloff_input

    calloff = actions.do_create_calloff(
        viewer_for(world.alice), world.eksempel, calloff_input(cips, world)
    )
    client = login(world.alice)
    url = reverse("agreements:calloff_activate", args=[calloff.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    calloff.refresh_from_db()
    assert calloff.status == "active"


def test_other_agency_gets_404_for_a_call_off(world, login):
    cips = make_cips(world)
    calloff = active_calloff(world.alice, cips, world)
    client = login(world.bob)
    assert client.get(reverse("agreements:calloff_detail", args=[calloff.pk])).status_code == 404
    assert client.get(reverse("agreements:calloff_pdf", args=[calloff.pk])).status_code == 404


def test_vendor_of_a_call_off_cannot_read_it(world, login):
    """Call-offs are agency-owned only (the tenancy contract has one owner per model)."""
    cips = make_cips(world)
    calloff = active_calloff(world.alice, cips, world)
    assert (
        login(world.vera).get(reverse("agreements:calloff_detail", args=[calloff.pk])).status_code
        == 404
    )


def test_contract_register_lists_due_soon_and_query_count_is_flat(
    world, login, django_assert_max_num_queries
):
    cips = make_cips(world)
    today = timezone.localdate()
    soon = active_calloff(
        world.alice,
        cips,
        world,
        title="Snart",
        start=today - timedelta(days=300),
        end=today + timedelta(days=100),
        notice_months=3,
    )
    later = active_calloff(
        world.alice, cips, world, title="Senere", start=today, end=today + timedelta(days=900)
    )
    client = login(world.alice)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("agreements:contracts"))
    assert [c.pk for c in response.context["due"]] == [soon.pk]
    assert {c.pk for c in response.context["page"]} == {soon.pk, later.pk}
    for i in range(10):
        active_calloff(
            world.alice, cips, world, title=f"Avrop {i}", end=today + timedelta(days=40 + i)
        )
    with django_assert_max_num_queries(8):
        response = client.get(reverse("agreements:contracts"))
    assert len(response.context["due"]) == 11


def test_contract_register_is_not_for_vendors(world, login):
    assert login(world.vera).get(reverse("agreements:contracts")).status_code == 403


def test_national_picture_counts_by_sector_and_names_who_opted_out(
    world, login, django_assert_max_num_queries
):
    cips = make_cips(world)
    agencies = _agencies(6) + _agencies(5, start=200, sector="state")
    for org in agencies[:4]:
        Membership.objects.create(agency=org, agreement=cips.agreement, status="joined")
    Membership.objects.create(
        agency=agencies[4], agreement=cips.agreement, status="opted_out", note="Egen driftsavtale"
    )
    Membership.objects.create(agency=agencies[6], agreement=cips.agreement, status="undecided")
    client = login(world.ola)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("agreements:national"))
    picture = response.context["pictures"][0]
    municipalities = next(s for s in picture.sectors if s.sector == "municipality")
    # 6 created here + Eksempel and Annen kommune from the world fixture
    assert (municipalities.total, municipalities.joined, municipalities.opted_out) == (8, 4, 1)
    state = next(s for s in picture.sectors if s.sector == "state")
    assert (state.undecided, state.no_answer) == (1, 4)
    body = response.content.decode()
    assert "Kommune 104" in body and "Egen driftsavtale" in body and "<svg" in body
    _agencies(30, start=300)
    with django_assert_max_num_queries(10):
        client.get(reverse("agreements:national"))


def test_central_function_sees_counts_but_no_names(world, login):
    cips = make_cips(world)
    agencies = _agencies(6)
    Membership.objects.create(
        agency=agencies[0], agreement=cips.agreement, status="opted_out", note="Hemmelig grunn"
    )
    response = login(world.nina).get(reverse("agreements:national"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kommune 100" not in body and "Hemmelig grunn" not in body


def test_agencies_cannot_see_the_national_picture(world, login):
    assert login(world.alice).get(reverse("agreements:national")).status_code == 403


def test_overview_card_shows_memberships_and_next_notice_deadline(
    world, login, django_assert_max_num_queries
):
    cips = make_cips(world)
    today = timezone.localdate()
    active_calloff(
        world.alice,
        cips,
        world,
        title="Lagring",
        start=today,
        end=today + timedelta(days=200),
        notice_months=1,
    )
    from mps.agreements.overview import card
    from mps.core.tenancy import viewer_for

    with django_assert_max_num_queries(3):
        c = card(viewer_for(world.alice))
    assert c.context["joined"] == 1 and c.context["active_calloffs"] == 1
    assert c.context["next_notice"].title == "Lagring"
    body = login(world.alice).get(reverse("core:overview")).content.decode()
    assert "Lagring" in body
    assert card(viewer_for(world.vera)) is None


def test_document_link_redirects_and_missing_file_is_404(world, login):
    cips = make_cips(world)
    from mps.agreements.models import AgreementDocument

    link = AgreementDocument.objects.create(
        agreement=cips.agreement, title="Lenke", url="https://example.test/a.pdf"
    )
    missing = AgreementDocument.objects.create(
        agreement=cips.agreement, title="Fil", file="agreements/x/none.pdf"
    )
    client = login(world.alice)
    assert client.get(reverse("agreements:document", args=[link.pk])).status_code == 302
    assert client.get(reverse("agreements:document", args=[missing.pk])).status_code == 404


def test_uploaded_document_is_served_from_the_data_dir(world, login, settings):
    cips = make_cips(world)
    from django.core.files.base import ContentFile

    from mps.agreements.models import AgreementDocument

    doc = AgreementDocument(agreement=cips.agreement, title="Bilag 1")
    doc.file.save("bilag1.txt", ContentFile(b"Bilag 1: krav"), save=True)
    assert str(settings.DATA_DIR) in doc.file.path
    response = login(world.bob).get(reverse("agreements:document", args=[doc.pk]))
    assert b"".join(response.streaming_content) == b"Bilag 1: krav"


def test_national_chart_numbers_are_not_localised_in_norwegian(world, login):
    cips = make_cips(world)
    Membership.objects.create(agency=world.eksempel, agreement=cips.agreement, status="joined")
    client = login(world.ola)
    client.cookies["django_language"] = "nb"
    body = client.get(reverse("agreements:national"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert 'x="190.0"' in svg and ",0" not in svg


def test_call_off_list_query_count_does_not_grow_with_call_offs(
    world, login, django_assert_max_num_queries
):
    cips = make_cips(world)
    active_calloff(world.alice, cips, world)
    client = login(world.alice)
    with django_assert_max_num_queries(7):
        client.get(reverse("agreements:calloffs"))
    for i in range(15):
        active_calloff(world.alice, cips, world, title=f"Avrop {i}")
    with django_assert_max_num_queries(7):
        response = client.get(reverse("agreements:calloffs"))
    assert len(response.context["page"]) == 16
