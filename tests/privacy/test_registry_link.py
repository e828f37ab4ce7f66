"""The registry's service page links to the service's published privacy declaration."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mps.privacy import actions
from mps.privacy.models import Declaration
from tests.privacy.factories import declaration, declared_service, eea_chain
from tests.registry.factories import make_service

pytestmark = pytest.mark.django_db


def test_the_service_page_links_to_the_newest_published_declaration(
    world, login, django_assert_max_num_queries
):
    service = declared_service(world.vendor, "Sak", eea_chain())
    actions.save_declaration_draft(None, service, declaration(eea_chain(), change_note="v2"))
    actions.publish_declaration(None, service)
    actions.save_declaration_draft(None, service, declaration(eea_chain(), change_note="utkast"))
    newest = Declaration.objects.filter(service=service, status="published").order_by("-number")[0]
    client = login(world.alice)
    with django_assert_max_num_queries(9):
        body = client.get(reverse("registry:detail", args=[service.pk])).content.decode()
    assert reverse("privacy:declaration", args=[newest.pk]) in body
    assert newest.number == 2


def test_a_service_without_a_published_declaration_has_no_privacy_link(world, login):
    service = make_service(world.vendor, "Uten erklæring")
    actions.save_declaration_draft(None, service, declaration(eea_chain()))
    body = login(world.alice).get(reverse("registry:detail", args=[service.pk])).content.decode()
    assert "/personvern/erklaeringer/" not in body
