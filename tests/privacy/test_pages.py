"""The privacy pages: the journey through the browser, languages, and query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mps.privacy.models import Declaration, HopAssessment, ProcessingActivity, ReviewTask
from tests.privacy.factories import (
    ACME,
    activity,
    declaration,
    declared_service,
    dpf_chain,
    dpf_listed,
    india_chain,
)
from tests.registry.factories import make_service

pytestmark = pytest.mark.django_db


def entry_post(prefix_rows: list[dict]) -> dict:
    data = {
        "entries-TOTAL_FORMS": str(len(prefix_rows)),
        "entries-INITIAL_FORMS": "0",
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "100",
    }
    for i, row in enumerate(prefix_rows):
        for key, value in row.items():
            data[f"entries-{i}-{key}"] = value
    return data


def test_a_vendor_declares_a_chain_in_the_portal_and_publishes_it(world, login):
    service = make_service(world.vendor, "Sak og arkiv")
    client = login(world.vera)
    assert client.get(reverse("privacy:vendor")).status_code == 200
    page = client.get(reverse("privacy:declaration_edit", args=[service.pk]))
    assert page.status_code == 200
    body = {
        "processing_locations": "NO, SE",
        "dpa_version": "2.1",
        "dpa_date": "2026-01-01",
        "dpa_url": "https://example.test/dpa",
        "encryption_at_rest": "on",
        "objection_days": "30",
        **entry_post(
            [
                {
                    "legal_name": "Skyleverandør AS",
                    "country": "NO",
                    "function": "Drift",
                    "access": "processing",
                    "role": "processor",
                },
                {
                    "legal_name": "",
                    "country": "",
                    "function": "",
                    "access": "",
                    "role": "processor",
                },
                {
                    "legal_name": ACME,
                    "country": "us",
                    "function": "E-post",
                    "access": "processing",
                    "role": "processor",
                    "upstream": "1",
                    "dpf_claimed": "on",
                },
            ]
        ),
    }
    saved = client.post(reverse("privacy:declaration_edit", args=[service.pk]), body)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    draft = Declaration.objects.get(service=service)
    entries = list(draft.entries.order_by("position"))
    assert [(e.legal_name, e.country, e.upstream_id) for e in entries] == [
        ("Skyleverandør AS", "NO", None),
        (ACME, "US", entries[0].pk),
    ]
    assert draft.processing_locations == ["NO", "SE"]
    preview = client.get(reverse("privacy:declaration_publish", args=[service.pk]))
    assert ACME in preview.content.decode()
    done = client.post(reverse("privacy:declaration_publish", args=[service.pk]))
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    shown = client.get(reverse("privacy:service", args=[service.pk])).content.decode()
    assert ACME in shown and "Version 1" in shown or "Versjon 1" in shown


def test_an_agency_links_an_activity_and_sees_every_hop_with_status_and_explanation(world, login):
    dpf_listed()
    service = declared_service(world.vendor, "Sak og arkiv", dpf_chain())
    client = login(world.mari)
    form = client.get(reverse("privacy:activity_create") + f"?service={service.pk}")
    assert form.status_code == 200
    response = client.post(
        reverse("privacy:activity_create"),
        {
            "name": "Byggesak",
            "kind": "controller",
            "purposes": "Behandle søknader",
            "legal_bases": ["6_1_e"],
            "data_subjects": ["residents"],
            "data_categories": ["contact", "case_data"],
            "public_powers": "on",
            "services": [str(service.pk)],
        },
    )
    assert response.status_code == 302
    act = ProcessingActivity.objects.get(name="Byggesak")
    page = client.get(reverse("privacy:activity", args=[act.pk]))
    html = page.content.decode()
    assert "<svg" in html and ACME in html
    assert "Data Privacy Framework" in html
    hop = HopAssessment.objects.get(activity=act, country="US")
    assert hop.explanation_nb[:40] in html  # Norwegian by default
    english = client.get(reverse("privacy:activity", args=[act.pk]), HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    english = client.get(reverse("privacy:activity", args=[act.pk]))
    assert hop.explanation_en[:40] in english.content.decode()


def test_review_tasks_appear_for_the_agency_and_it_can_object(world, login):
    service = declared_service(world.vendor, "Sak", dpf_chain())
    activity(world.eksempel, "Sak", [service])
    from mps.privacy import actions

    actions.save_declaration_draft(None, service, declaration(india_chain()))
    actions.publish_declaration(None, service)
    task = ReviewTask.objects.get()
    client = login(world.alice)
    listing = client.get(reverse("privacy:reviews")).content.decode()
    assert "Sak" in listing
    page = client.get(reverse("privacy:review", args=[task.pk])).content.decode()
    assert "Support Services India Pvt Ltd" in page
    client.post(reverse("privacy:review", args=[task.pk]), {"decision": "objected", "note": "Nei"})
    task.refresh_from_db()
    assert task.status == "objected"


def test_another_agency_cannot_open_the_activity_or_review(world, login):
    service = declared_service(world.vendor, "Sak", india_chain())
    act = activity(world.eksempel, "Hemmelig", [service])
    client = login(world.bob)
    assert client.get(reverse("privacy:activity", args=[act.pk])).status_code == 404
    assert client.post(reverse("privacy:activity_reassess", args=[act.pk])).status_code == 404
    assert client.get(reverse("privacy:activity_edit", args=[act.pk])).status_code == 404


def test_read_only_users_see_but_cannot_change(world, login):
    act = activity(world.eksempel, "Sak")
    client = login(world.rolf)
    assert client.get(reverse("privacy:activity", args=[act.pk])).status_code == 200
    assert client.get(reverse("privacy:activity_edit", args=[act.pk])).status_code == 403
    assert client.get(reverse("privacy:activity_create")).status_code == 403


@pytest.mark.parametrize(
    "name,user,args,limit",
    [
        ("privacy:activities", "alice", None, 12),
        ("privacy:activity", "alice", "activity", 14),
        ("privacy:reviews", "alice", None, 12),
        ("privacy:review", "alice", "review", 14),
        ("privacy:summary", "alice", None, 16),
        ("privacy:vendor", "vera", None, 12),
        ("privacy:service", "vera", "service", 14),
        ("privacy:declaration", "bob", "declaration", 14),
        ("privacy:national", "ola", None, 12),
        ("core:overview", "alice", None, 40),
    ],
)
def test_pages_read_a_bounded_number_of_queries(
    world, login, django_assert_max_num_queries, name, user, args, limit
):
    dpf_listed()
    services = [declared_service(world.vendor, f"Tjeneste {i}", dpf_chain()) for i in range(3)]
    for i in range(6):
        activity(world.eksempel, f"Behandling {i}", services)
    from mps.privacy import actions

    actions.save_declaration_draft(None, services[0], declaration(india_chain()))
    actions.publish_declaration(None, services[0])
    objects = {
        "activity": ProcessingActivity.objects.filter(agency=world.eksempel).first(),
        "review": ReviewTask.objects.first(),
        "service": services[0],
        "declaration": Declaration.objects.filter(service=services[0]).order_by("-number").first(),
    }
    client = login(getattr(world, user))
    url = reverse(name, args=[objects[args].pk]) if args else reverse(name)
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200


def test_the_operator_sees_vendors_by_transfer_ground(world, login):
    dpf_listed()
    service = declared_service(world.vendor, "Sak", dpf_chain())
    activity(world.eksempel, "Sak", [service])
    activity(world.annen, "Sak", [service])
    html = login(world.ola).get(reverse("privacy:national")).content.decode()
    assert "Skyleverandør AS" in html
    assert login(world.alice).get(reverse("privacy:national")).status_code == 403


@pytest.mark.parametrize("fmt", ["ods", "xlsx", "csv", "pdf", "json"])
def test_the_agency_downloads_its_article_30_record_with_the_assessed_transfers(world, login, fmt):
    service = declared_service(world.vendor, "Sak", india_chain())
    activity(world.eksempel, "Byggesak", [service])
    activity(world.annen, "CANARY annen", [service])
    response = login(world.alice).get(reverse(f"privacy:record_{fmt}"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    if fmt in ("csv", "json"):
        body = response.content.decode("utf-8-sig")
        assert "Byggesak" in body and "Support Services India Pvt Ltd" in body
        assert "CANARY" not in body
    assert login(world.vera).get(reverse(f"privacy:record_{fmt}")).status_code == 403


@pytest.mark.parametrize("fmt", ["odt", "docx", "md"])
def test_an_scc_annex_draft_is_filled_from_the_chain_for_a_hop_leaving_the_eea(world, login, fmt):
    service = declared_service(world.vendor, "Sak", india_chain())
    act = activity(world.eksempel, "Byggesak", [service])
    india = HopAssessment.objects.get(activity=act, country="IN")
    norway = HopAssessment.objects.get(activity=act, country="NO")
    client = login(world.alice)
    page = client.get(reverse("privacy:activity", args=[act.pk])).content.decode()
    assert reverse(f"privacy:hop_scc_{fmt}", args=[india.pk]) in page or fmt == "md"
    response = client.get(reverse(f"privacy:hop_scc_{fmt}", args=[india.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    if fmt == "md":
        assert "Support Services India Pvt Ltd" in response.content.decode()
    assert client.get(reverse(f"privacy:hop_scc_{fmt}", args=[norway.pk])).status_code == 404
    assert (
        login(world.bob).get(reverse(f"privacy:hop_scc_{fmt}", args=[india.pk])).status_code == 404
    )
