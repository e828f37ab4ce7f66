"""Register search gives the same results on PostgreSQL and SQLite.

The suite runs on one database at a time (CI runs it on both), so each run checks the engine
against fixed expected results and against the Python reference semantics of
mps/registry/engine/text.py; agreeing with both on both engines means the engines agree.
"""

import random
from datetime import date, timedelta

import pytest
from django.db import connection

from mps.core.tenancy import viewer_for
from mps.registry import actions
from mps.registry.engine.text import matches, query_words
from mps.registry.models import Service
from mps.registry.search import SearchFilters, search_services, text_match
from tests.registry.factories import make_service, service_data

TODAY = date(2026, 11, 29)


def names(viewer, **filters):
    return [s.name for s in search_services(viewer, SearchFilters(**filters), TODAY)]


@pytest.fixture
def register(world):
    far = TODAY + timedelta(days=400)
    make_service(
        world.vendor,
        "Blåbær Lagring",
        category="IaaS",
        countries=("NO",),
        region="Azure norwayeast",
        certs=(("ISO/IEC 27001", far),),
        description_nb="Objektlagring i Norge",
    )
    make_service(
        world.vendor,
        "Zeta Compute",
        category="IaaS",
        countries=("NO", "SE"),
        region="swedencentral",
        certs=(("ISO/IEC 27001", TODAY - timedelta(days=1)),),
        description_en="Virtual machines",
    )
    make_service(
        world.vendor,
        "azure kubernetes plattform",
        category="PaaS",
        countries=("DE",),
        certs=(("BSI C5", far),),
        description_nb="Kubernetes i Frankfurt",
    )
    make_service(
        world.other_vendor,
        "Ærlig Epost",
        category="SaaS",
        countries=("NO", "US"),
        certs=(("SOC 2", far),),
        description_nb="E-post for kommuner",
    )
    make_service(
        world.other_vendor,
        "Økonomi 365",
        category="SaaS",
        countries=("IE",),
        description_en="Accounting, finance",
    )
    make_service(world.other_vendor, "Draft Lagring", publish=False)
    withdrawn = make_service(world.other_vendor, "Withdrawn Lagring")
    actions.withdraw(None, withdrawn)
    return world


# Fixed expectations, identical on both engines: code-point order of the case-folded name,
# so "azure…" < "blåbær…" < "zeta…" < "ærlig…" < "økonomi…".
FIXED = [
    (
        {},
        [
            "azure kubernetes plattform",
            "Blåbær Lagring",
            "Zeta Compute",
            "Ærlig Epost",
            "Økonomi 365",
        ],
    ),
    ({"q": "lagring"}, ["Blåbær Lagring"]),
    ({"q": "LAG"}, ["Blåbær Lagring"]),
    ({"q": "blåb"}, ["Blåbær Lagring"]),
    ({"q": "bla"}, []),  # no diacritic folding on either engine
    ({"q": "azure"}, ["azure kubernetes plattform", "Blåbær Lagring"]),
    ({"q": "az nor"}, ["Blåbær Lagring"]),
    ({"q": "ærl"}, ["Ærlig Epost"]),
    ({"q": "e-post kommune"}, ["Ærlig Epost"]),
    ({"q": "365"}, ["Økonomi 365"]),
    ({"q": "iso 27001"}, ["Blåbær Lagring", "Zeta Compute"]),
    ({"q": "skyleverandør"}, ["azure kubernetes plattform", "Blåbær Lagring", "Zeta Compute"]),
    ({"q": "kubernetes frankfurt"}, ["azure kubernetes plattform"]),
    ({"q": "\"'; DROP TABLE --"}, []),
    (
        {"q": "*"},
        [
            "azure kubernetes plattform",
            "Blåbær Lagring",
            "Zeta Compute",
            "Ærlig Epost",
            "Økonomi 365",
        ],
    ),
    ({"category": "IaaS"}, ["Blåbær Lagring", "Zeta Compute"]),
    ({"location": "norway"}, ["Blåbær Lagring"]),
    (
        {"location": "eea"},
        ["azure kubernetes plattform", "Blåbær Lagring", "Zeta Compute", "Økonomi 365"],
    ),
    ({"location": "outside_eea"}, ["Ærlig Epost"]),
    ({"standard": "ISO/IEC 27001"}, ["Blåbær Lagring"]),  # Zeta's certificate has expired
    ({"standard": "BSI C5", "location": "eea"}, ["azure kubernetes plattform"]),
    ({"q": "lagring", "category": "SaaS"}, []),
]


@pytest.mark.parametrize(("filters", "expected"), FIXED, ids=[str(f) for f, _ in FIXED])
def test_search_gives_the_fixed_expected_results(register, filters, expected):
    assert names(viewer_for(register.alice), **filters) == expected


def test_drafts_and_withdrawn_services_are_never_found(register):
    for user in (register.alice, register.viktor, register.ola):
        found = names(viewer_for(user), q="lagring")
        assert "Draft Lagring" not in found and "Withdrawn Lagring" not in found


VOCABULARY = [
    "lagring",
    "lager",
    "lagringstjeneste",
    "sky",
    "skyen",
    "azure",
    "aws",
    "norge",
    "norwayeast",
    "blåbær",
    "blå",
    "bla",
    "ærlig",
    "øl",
    "ål",
    "straße",
    "strasse",
    "İstanbul",
    "istanbul",
    "ǅemal",
    "ﬁle",
    "file",
    "Ωmega",
    "ωmega",
    "東京",
    "東",
    "z",
    "zz",
    "za",
    "27001",
    "270",
    "v2",
    "x²",
    "½",
    "e-post",
    "co-op",
    "ab_cd",
    "naïve",
    "naive",
    "café",
    "cafe",
]


def test_search_matches_the_python_reference_on_random_services(world):
    """Whatever the engine, a query finds exactly the services whose tokens it prefixes."""
    rng = random.Random(20261129)
    services = []
    for i in range(40):
        words = rng.sample(VOCABULARY, rng.randint(1, 5))
        services.append(make_service(world.vendor, f"S{i:02d} " + " ".join(words)))
    viewer = viewer_for(world.alice)
    queries = [
        " ".join(rng.sample(VOCABULARY, rng.randint(1, 2)))[: rng.randint(1, 12)] for _ in range(60)
    ]
    queries += ["İ", "ǆ", "FILE", "STRASSE", "Ω", "東", "z", "²", "½"]
    for query in queries:
        words = query_words(query)
        expected = sorted(
            (s for s in services if matches(s.search_words, words)),
            key=lambda s: (s.sort_name, s.pk),
        )
        found = list(search_services(viewer, SearchFilters(q=query), TODAY))
        assert [s.pk for s in found] == [s.pk for s in expected], (
            f"{connection.vendor}: query {query!r}"
        )


def test_search_runs_a_fixed_number_of_queries(register, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(
            search_services(
                viewer_for(register.alice),
                SearchFilters(
                    q="lagring", category="IaaS", location="eea", standard="ISO/IEC 27001"
                ),
                TODAY,
            )
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgresql_search_can_use_the_gin_index(register):
    qs = text_match(Service.objects.order_by(), "lagring")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = qs.explain()
        cursor.execute("RESET enable_seqscan")
    assert "registry_service_search_gin" in plan


def test_a_new_published_version_replaces_the_searchable_text(register):
    service = Service.objects.get(name="Zeta Compute")
    actions.save_draft(None, service, service_data("Omega Compute", category="IaaS"))
    actions.publish(None, service)
    viewer = viewer_for(register.alice)
    assert names(viewer, q="omega") == ["Omega Compute"]
    assert names(viewer, q="zeta") == []
