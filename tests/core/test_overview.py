from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mps.organisations.models import Organisation
from mps.organisations.orgnr import synthetic_orgnr


def overview_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("core:overview")).status_code == 200
    return len(ctx.captured_queries)


def test_the_overview_shows_a_card_per_capability_for_an_agency(world, login):
    body = login(world.alice).get(reverse("core:overview")).content.decode()
    assert "Eksempel kommune" in body
    assert body.count('class="card"') >= 1


def test_the_overview_query_count_does_not_grow_with_data(world, login):
    client = login(world.ola)
    small = overview_queries(client)
    Organisation.objects.bulk_create(
        Organisation(
            name=f"Kommune {i}",
            kind="agency",
            orgnr=synthetic_orgnr(10_000 + 10 * i),
            sector="municipality",
        )
        for i in range(60)
    )
    assert overview_queries(client) == small
