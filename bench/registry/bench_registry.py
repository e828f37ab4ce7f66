"""Benchmark: register search and the agency overview page with 10,000 services, 600 organisations.

Not part of the test suite. Builds a fresh database (SQLite file in a temporary directory, or
a PostgreSQL database it drops and re-creates), fills it in bulk, then measures p50/p95 of
typical searches (the search function: count + first page, as the page does), of the search
page and of the agency overview page (`/` through Django's test client), and the number of
queries each page runs at a small and at the full data size.

    .venv/bin/python bench/registry/bench_registry.py --db sqlite
    .venv/bin/python bench/registry/bench_registry.py --db postgres://postgres@127.0.0.1:5432/mps_bench_registry
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import percentile, setup_django, synthetic_orgnrs, timed  # noqa: E402

# Goals from issue 2 §8.
SEARCH_P95_GOAL_MS = 50
OVERVIEW_P95_GOAL_MS = 150
PAGE_SIZE = 25  # as mps.registry.views.PAGE_SIZE

# A vocabulary for generated names and descriptions: Norwegian and English service words.
WORDS = (
    "sky",
    "skytjeneste",
    "lagring",
    "objektlagring",
    "sikkerhetskopi",
    "plattform",
    "database",
    "analyse",
    "integrasjon",
    "kommune",
    "helse",
    "journal",
    "arkiv",
    "sak",
    "økonomi",
    "lønn",
    "regnskap",
    "innbygger",
    "dialog",
    "chat",
    "skjema",
    "nettside",
    "publisering",
    "e-post",
    "kalender",
    "samarbeid",
    "kubernetes",
    "container",
    "virtuell",
    "maskin",
    "nettverk",
    "brannmur",
    "overvåking",
    "logging",
    "identitet",
    "tilgang",
    "kryptering",
    "nøkkel",
    "sertifikat",
    "drift",
    "støtte",
    "døgnåpen",
    "storage",
    "backup",
    "platform",
    "analytics",
    "identity",
    "monitoring",
    "network",
    "encryption",
    "support",
    "managed",
)
REGIONS = (
    ("NO", "Azure norwayeast"),
    ("NO", "Azure norwaywest"),
    ("NO", "Oslo DC1"),
    ("NO", "Google europe-north2"),
    ("SE", "Azure swedencentral"),
    ("FI", "Google europe-north1"),
    ("DE", "AWS eu-central-1"),
    ("IE", "Azure northeurope"),
    ("NL", "Azure westeurope"),
    ("US", "AWS us-east-1"),
    ("GB", "AWS eu-west-2"),
)
STANDARDS = (
    "ISO/IEC 27001",
    "ISO/IEC 27017",
    "ISO/IEC 27018",
    "ISO/IEC 27701",
    "SOC 2",
    "BSI C5",
    "CSA STAR",
)
CATEGORIES = ("IaaS", "PaaS", "SaaS", "SaaS", "SaaS", "DCaaS", "other")

SEARCHES = (
    {},
    {"q": "lagring"},
    {"q": "azure norwayeast"},
    {"q": "sky"},
    {"q": "kubernetes plattform", "category": "PaaS"},
    {"category": "SaaS", "location": "norway"},
    {"standard": "ISO/IEC 27001", "location": "eea"},
    {"q": "journal", "standard": "ISO/IEC 27701", "location": "norway"},
)


@dataclass
class Timing:
    name: str
    runs: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    # CPU time of this process (on SQLite that includes the database work): on a shared,
    # overloaded machine it shows the work apart from waiting for a core.
    cpu_p50_ms: float
    cpu_p95_ms: float


def _timing(name: str, samples: list[tuple[float, float]]) -> Timing:
    ms = [wall * 1000 for wall, _ in samples]
    cpu = [c * 1000 for _, c in samples]
    return Timing(
        name,
        len(ms),
        round(statistics.median(ms), 2),
        round(percentile(ms, 95), 2),
        round(max(ms), 2),
        round(statistics.median(cpu), 2),
        round(percentile(cpu, 95), 2),
    )


def configure(db: str) -> str:
    return setup_django(db, "mps-bench-registry-")[0]


def fill(n_services: int, n_orgs: int, rng: random.Random, start: int = 0) -> None:
    """Organisations (once) and services in bulk, with the same denormalised fields the actions write."""
    from django.db import transaction
    from django.utils import timezone

    from mps.organisations.models import Organisation
    from mps.registry.actions import CertificationData, LocationData, ServiceData, search_fields
    from mps.registry.models import Certification, DataLocation, Service, ServiceVersion

    with transaction.atomic():
        if not Organisation.objects.exists():
            n_vendors = max(10, n_orgs // 10)
            numbers = synthetic_orgnrs(n_orgs, first_seed=10_000)
            Organisation.objects.bulk_create(
                [
                    Organisation(
                        name=f"Leverandør {i:03d} AS",
                        kind="vendor",
                        orgnr=numbers[i],
                        synthetic=True,
                    )
                    for i in range(n_vendors)
                ]
                + [
                    Organisation(
                        name=f"Virksomhet {i:03d}",
                        kind="agency",
                        orgnr=numbers[n_vendors + i],
                        sector="municipality" if i % 3 else "state",
                    )
                    for i in range(n_orgs - n_vendors)
                ]
            )
        vendors = list(Organisation.objects.filter(kind="vendor").order_by("pk"))
        today = date.today()
        now = timezone.now()
        services, versions, datas = [], [], []
        for i in range(start, start + n_services):
            vendor = vendors[i % len(vendors)]
            words = rng.sample(WORDS, 12)
            locations = tuple(LocationData(c, r) for c, r in rng.sample(REGIONS, rng.randint(1, 3)))
            certs = tuple(
                CertificationData(s, today + timedelta(days=rng.randint(-200, 900)), "Drift", "DNV")
                for s in rng.sample(STANDARDS, rng.randint(0, 3))
            )
            data = ServiceData(
                name=f"{words[0].capitalize()} {words[1]} {i}",
                category=rng.choice(CATEGORIES),
                description_nb=" ".join(words[2:9]),
                description_en=" ".join(words[9:]),
                locations=locations,
                certifications=certs,
            )
            fields = search_fields(vendor.name, data)
            services.append(Service(vendor=vendor, status="published", published_at=now, **fields))
            datas.append(data)
        Service.objects.bulk_create(services, batch_size=1000)
        for service, data in zip(services, datas, strict=True):
            versions.append(
                ServiceVersion(
                    service=service,
                    number=1,
                    status="published",
                    name=data.name,
                    category=data.category,
                    description_nb=data.description_nb,
                    description_en=data.description_en,
                    published_at=now,
                )
            )
        ServiceVersion.objects.bulk_create(versions, batch_size=1000)
        locs, certs = [], []
        for version, data in zip(versions, datas, strict=True):
            locs += [
                DataLocation(version=version, country=loc.country, region=loc.region, position=k)
                for k, loc in enumerate(data.locations)
            ]
            certs += [
                Certification(
                    version=version,
                    standard=c.standard,
                    scope=c.scope,
                    issuer=c.issuer,
                    valid_until=c.valid_until,
                    position=k,
                )
                for k, c in enumerate(data.certifications)
            ]
        DataLocation.objects.bulk_create(locs, batch_size=2000)
        Certification.objects.bulk_create(certs, batch_size=2000)
        for service, version in zip(services, versions, strict=True):
            service.current_version = version
        Service.objects.bulk_update(services, ["current_version"], batch_size=1000)


def agency_user():
    from mps.accounts.models import User
    from mps.organisations.models import Organisation

    user = User.objects.filter(username="bench-agency").first()
    if user is None:
        org = Organisation.objects.filter(kind="agency").order_by("pk").first()
        user = User.objects.create(username="bench-agency", organisation=org, role="member")
    return user


def run_search(viewer, filters: dict) -> int:
    from mps.registry.search import SearchFilters, search_services

    qs = search_services(viewer, SearchFilters(**filters), date.today()).select_related("vendor")
    total = qs.count()
    list(qs[:PAGE_SIZE])
    return total


def measure(repeat: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from mps.core.tenancy import viewer_for

    user = agency_user()
    viewer = viewer_for(user)
    client = Client()
    client.force_login(user)
    results: dict = {"searches": [], "queries": {}}
    all_search: list[tuple[float, float]] = []
    for filters in SEARCHES:
        run_search(viewer, filters)  # warm
        hits = run_search(viewer, filters)
        samples = [timed(lambda f=filters: run_search(viewer, f)) for _ in range(repeat)]
        all_search += samples
        results["searches"].append(
            {
                "filters": filters,
                "hits": hits,
                **asdict(_timing(json.dumps(filters, ensure_ascii=False), samples)),
            }
        )
    results["search_all"] = asdict(_timing("search (all typical queries)", all_search))

    pages = {
        "search_page": ("/tjenester/", {"q": "lagring", "location": "eea"}),
        "overview": ("/", {}),
    }
    for name, (url, params) in pages.items():
        client.get(url, params)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        results["queries"][name] = len(ctx.captured_queries)
        samples = [timed(lambda u=url, p=params: client.get(u, p)) for _ in range(repeat)]
        results[name] = asdict(_timing(name, samples))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db",
        default="sqlite",
        help="'sqlite' or a postgres:// URL of a database named mps_bench*",
    )
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--orgs", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    configure(args.db)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    small = max(1, args.services // 10)
    fill(small, args.orgs, rng)
    small_queries = measure(3)["queries"]
    t0 = time.perf_counter()
    fill(args.services - small, args.orgs, rng, start=small)
    fill_seconds = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    results = measure(args.repeat)
    results["queries_at_small_size"] = small_queries
    results["setup"] = {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "database": connection.vendor,
        "services": args.services,
        "organisations": args.orgs,
        "repeat": args.repeat,
        "fill_seconds": round(fill_seconds, 1),
    }
    results["goals_met"] = {
        "search_p95": results["search_all"]["p95_ms"] < SEARCH_P95_GOAL_MS,
        "overview_p95": results["overview"]["p95_ms"] < OVERVIEW_P95_GOAL_MS,
        "query_counts_constant": small_queries == results["queries"],
    }
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return
    setup = results["setup"]
    print(
        f"{setup['database']}: {setup['services']} services, {setup['organisations']} organisations,"
        f" {setup['repeat']} runs each; load average {setup['load_average']} on {setup['cpus']} CPUs"
    )
    for s in results["searches"]:
        print(
            f"  search {s['name']:<75} hits {s['hits']:>5}  p50 {s['p50_ms']:>7} ms  p95 {s['p95_ms']:>7} ms"
            f"  (cpu p50 {s['cpu_p50_ms']:>6}, p95 {s['cpu_p95_ms']:>6})"
        )
    for key in ("search_all", "search_page", "overview"):
        r = results[key]
        print(
            f"  {r['name']:<40} p50 {r['p50_ms']:>7} ms  p95 {r['p95_ms']:>7} ms  max {r['max_ms']:>7} ms"
            f"  (cpu p50 {r['cpu_p50_ms']:>6}, p95 {r['cpu_p95_ms']:>6})"
        )
    print(f"  queries per page: {results['queries']} (at {small} services: {small_queries})")
    print(f"  goals met: {results['goals_met']}")


if __name__ == "__main__":
    main()
