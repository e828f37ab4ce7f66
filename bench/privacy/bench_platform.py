"""Benchmark the privacy platform in the database: 600 agencies x 50 activities.

Issue 5: re-assessing every chain after a DPF list import in under 10 s; one vendor
change re-evaluated and notified in under a second. Unlike bench_assess.py (the engine
alone), this goes through the real actions with the database: `dpf.import_snapshot`
(diff, store, re-assess, alert) and `actions.publish_declaration` (freeze, diff, review
tasks and notifications for every agency using the service, re-assess).

    .venv/bin/python bench/privacy/bench_platform.py                       # SQLite in a temp dir
    .venv/bin/python bench/privacy/bench_platform.py \
        --db postgres://postgres@127.0.0.1:5432/mps_bench_privacy          # dropped and re-created

The fill (organisations, activities, links, the DPF list) is written in bulk and is not
measured; the first full assessment of every chain is measured and reported too. (a) and
(b) run --repeat times (default 5), each import moving every due date again and lapsing
another organisation, each publication on another service; medians are reported with
every run, and a digest of the stored verdicts to compare two versions of the code.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import setup_django, synthetic_orgnrs  # noqa: E402

TODAY = date(2026, 11, 29)
CATEGORIES = ["contact", "identity", "hr", "health", "national_id", "case_data", "financial"]
SERVICES = 40
VENDORS = 10
DPF_ORGS = 3000


def configure(db: str) -> str:
    return setup_django(db, "mps-bench-privacy-", settings_module="mps.settings")[0]


PROFILE = ""
PROFILE_SORT = "tottime"
PROFILE_FILTER = ""


def timed(fn: Any, case: str = "") -> tuple[Any, float, float]:
    """Result, wall-clock and CPU seconds (CPU is steadier on a shared machine); with
    --profile CASE that case runs once under cProfile instead (its timings include it)."""
    if PROFILE and case == PROFILE:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        out = profile.runcall(fn)
        stats = pstats.Stats(profile, stream=sys.stderr).sort_stats(PROFILE_SORT)
        stats.print_stats(PROFILE_FILTER, 40)
        return out, 0.0, 0.0
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def dpf_snapshot(rng: random.Random, shift_days: int = 0):
    from mps.privacy.dpfwatch import ListedOrganisation, Snapshot
    from mps.privacy.rules.model import DpfEntry

    orgs = []
    for i in range(DPF_ORGS):
        due = TODAY + timedelta(days=rng.randint(90, 365) + shift_days)
        entry = DpfEntry(
            organisation=f"US Cloud {i}, Inc.",
            covered_entities=(f"US Cloud {i} Services LLC",) if i % 3 == 0 else (),
            eu_us="active",
            hr=i % 5 != 0,
            non_hr=True,
            next_due=due,
        )
        orgs.append(ListedOrganisation(entry=entry))
    return Snapshot(organisations=tuple(orgs))


def chain_for(rng: random.Random, s: int):
    """An EEA processor with a US sub-processor on the DPF list (every chain relies on DPF, so
    a list import that touches every used name re-assesses every chain) and 0-3 others."""
    from mps.privacy.actions import EntryData

    entries = [
        EntryData(
            f"Leverandør {s} Norge AS",
            rng.choice(["NO", "IE", "SE", "DE"]),
            "Drift",
            "processing",
            parent_country=rng.choice(["", "US", "DE"]),
        ),
        EntryData(
            f"US Cloud {s * 7}, Inc.",
            "US",
            "Lagring",
            "storage",
            upstream=0,
            dpf_claimed=True,
        ),
    ]
    others = [
        EntryData(
            f"Support {s} India Pvt Ltd", "IN", "Kundestøtte", "remote", upstream=0, scc_module=3
        ),
        EntryData(f"Backup {s} AG", "CH", "Sikkerhetskopi", "storage", upstream=0),
        EntryData(f"Leverandør {s} UK Ltd", "GB", "Drift", "processing", upstream=0),
    ]
    entries += rng.sample(others, rng.randint(0, 3))
    return tuple(entries)


def fill(agencies: int, per_agency: int, rng: random.Random) -> dict[str, Any]:
    from django.db import transaction

    from mps.organisations.models import Organisation
    from mps.privacy import actions, dpf
    from mps.privacy.actions import DeclarationData
    from mps.privacy.models import ProcessingActivity
    from mps.registry import actions as registry
    from mps.registry.actions import LocationData, ServiceData

    t0 = time.perf_counter()
    numbers = synthetic_orgnrs(agencies + VENDORS, first_seed=40_000)
    with transaction.atomic():
        Organisation.objects.bulk_create(
            [
                Organisation(name=f"Leverandør {v:02d} AS", kind="vendor", orgnr=numbers[v])
                for v in range(VENDORS)
            ]
            + [
                Organisation(name=f"Virksomhet {a:03d}", kind="agency", orgnr=numbers[VENDORS + a])
                for a in range(agencies)
            ],
            batch_size=1000,
        )
    vendors = list(Organisation.objects.filter(kind="vendor").order_by("pk"))
    dpf._store(dpf_snapshot(random.Random(1)))
    services = []
    for s in range(SERVICES):
        service = registry.create_service(
            None,
            vendors[s % VENDORS],
            ServiceData(
                name=f"Tjeneste {s:02d}",
                category="SaaS",
                description_nb="",
                description_en="",
                locations=(LocationData("NO", ""),),
                certifications=(),
            ),
        )
        registry.publish(None, service)
        actions.save_declaration_draft(
            None, service, DeclarationData(processing_locations=("NO",), entries=chain_for(rng, s))
        )
        actions.publish_declaration(None, service, TODAY)
        services.append(service)
    agency_ids = list(
        Organisation.objects.filter(kind="agency").order_by("pk").values_list("pk", flat=True)
    )
    rows = []
    for agency_id in agency_ids:
        for k in range(per_agency):
            rows.append(
                ProcessingActivity(
                    agency_id=agency_id,
                    name=f"Behandling {k:02d}",
                    purposes="Saksbehandling",
                    legal_bases=["6_1_e"],
                    data_subjects=["residents"],
                    data_categories=rng.sample(CATEGORIES, rng.randint(1, 4)),
                    special_condition="Art. 9(2)(g) og særlov",
                )
            )
    through = ProcessingActivity.services.through
    with transaction.atomic():
        ProcessingActivity.objects.bulk_create(rows, batch_size=2000)
        ids = list(ProcessingActivity.objects.order_by("pk").values_list("pk", flat=True))
        through.objects.bulk_create(
            [
                through(processingactivity_id=pk, service_id=services[rng.randrange(SERVICES)].pk)
                for pk in ids
            ],
            batch_size=5000,
        )
    return {"fill_s": round(time.perf_counter() - t0, 1), "services": services}


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The medians of wall and CPU time over the runs, and every run."""
    return {
        "wall_s_median": round(statistics.median(r["wall_s"] for r in runs), 2),
        "cpu_s_median": round(statistics.median(r["cpu_s"] for r in runs), 2),
        "runs": runs,
    }


def publish_new_version(service: Any) -> None:
    """A draft of `service`'s current chain with one more sub-processor."""
    from mps.privacy import actions
    from mps.privacy.actions import DeclarationData, EntryData

    entries = list(actions.current_of(service).entries.order_by("position"))
    data = DeclarationData(
        processing_locations=("NO",),
        entries=tuple(
            EntryData(
                e.legal_name,
                e.country,
                e.function,
                e.access,
                upstream=0 if e.upstream_id else None,
                parent_country=e.parent_country,
                scc_module=e.scc_module,
                dpf_claimed=e.dpf_claimed,
            )
            for e in entries
        )
        + (EntryData("Ny Underleverandør Oy", "FI", "Overvåking", "storage", upstream=0),),
        change_note="Ny underleverandør",
    )
    actions.save_declaration_draft(None, service, data)


def digest() -> str:
    """A hash of every stored verdict and hop count (not the row ids), to check that two
    versions of the code leave the same result."""
    from mps.privacy.models import HopAssessment, ProcessingActivity

    fields = [f.attname for f in HopAssessment._meta.concrete_fields if f.attname != "id"]
    h = hashlib.sha256()
    for row in (
        HopAssessment.objects.order_by("activity_id", "service_id", "position")
        .values_list(*fields)
        .iterator(chunk_size=5000)
    ):
        h.update(json.dumps(row, default=str, sort_keys=True).encode())
    for row in ProcessingActivity.objects.order_by("pk").values_list(
        "pk", "hops_ok", "hops_action", "hops_blocked"
    ):
        h.update(json.dumps(row).encode())
    return h.hexdigest()[:16]


def run(db: str, agencies: int, per_agency: int, repeat: int) -> dict[str, Any]:
    url = configure(db)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from mps.privacy import actions, chain, dpf
    from mps.privacy.models import HopAssessment, Notification, ProcessingActivity, ReviewTask

    rng = random.Random(2026)
    filled = fill(agencies, per_agency, rng)
    services = filled.pop("services")
    results: dict[str, Any] = {"db": connection.vendor, "url": url.split("@")[-1], **filled}

    everything = ProcessingActivity.objects.select_related("agency")
    hops, wall, cpu = timed(lambda: chain.reassess(everything, TODAY), "initial")
    results["initial_assessment"] = {"hops": hops, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # (a) A new list: every organisation's next due date moves (every chain relies on one),
    # and one organisation used by a chain lapses (its agencies are alerted). Repeated with
    # the due dates a year later each time and another used organisation lapsing (the one
    # before is reinstated), so every run is the same worst case.
    # (b) One vendor publishes a new version (a new sub-processor) of one service.
    imports: list[dict[str, Any]] = []
    publishes: list[dict[str, Any]] = []
    for i in range(repeat):
        new = dpf_snapshot(random.Random(1), shift_days=365 * (i + 1))
        lapsed_org = f"US Cloud {7 * (i % SERVICES)}, Inc."  # chain_for: service s uses 7s
        new = replace(
            new,
            organisations=tuple(
                replace(o, entry=replace(o.entry, eu_us="inactive"))
                if o.entry.organisation == lapsed_org
                else o
                for o in new.organisations
            ),
        )
        result, wall, cpu = timed(lambda new=new: dpf.import_snapshot(None, new, TODAY), "import")
        imports.append(
            {
                "changes": len(result.changes),
                "hops": result.hops_assessed,
                "agencies_alerted": len(result.alerted_agency_ids),
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
            }
        )
        service = services[(7 + i) % SERVICES]
        publish_new_version(service)
        users = ProcessingActivity.objects.filter(services=service).count()
        before = (ReviewTask.objects.count(), Notification.objects.count())
        result, wall, cpu = timed(
            lambda service=service: actions.publish_declaration(None, service, TODAY), "publish"
        )
        publishes.append(
            {
                "activities": users,
                "agencies_notified": Notification.objects.count() - before[1],
                "review_tasks": ReviewTask.objects.count() - before[0],
                "hops": result.hops_assessed,
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
            }
        )
    results["dpf_import_reassess_all"] = summary(imports)
    results["one_vendor_publishes"] = summary(publishes)
    results["stored_hops_digest"] = digest()
    results["stored_hops"] = HopAssessment.objects.count()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="sqlite", help="'sqlite' or a postgres:// URL (mps_bench*)")
    parser.add_argument("--agencies", type=int, default=600)
    parser.add_argument("--activities", type=int, default=50)
    parser.add_argument(
        "--repeat", type=int, default=5, help="Runs of (a) and (b), reported with their medians."
    )
    parser.add_argument(
        "--profile",
        default="",
        choices=["", "initial", "import", "publish"],
        help="Profile a case.",
    )
    parser.add_argument("--profile-sort", default="tottime", help="e.g. cumulative")
    parser.add_argument("--profile-filter", default="", help="a regex on file:function")
    args = parser.parse_args()
    global PROFILE, PROFILE_SORT, PROFILE_FILTER
    PROFILE, PROFILE_SORT, PROFILE_FILTER = args.profile, args.profile_sort, args.profile_filter
    load = os.getloadavg()
    results = run(args.db, args.agencies, args.activities, args.repeat)
    results["load_before"] = [round(x, 2) for x in load]
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    results["workload"] = f"{args.agencies} agencies x {args.activities} activities"
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
