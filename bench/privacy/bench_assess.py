"""Benchmark: re-assess every chain of 600 agencies x 50 activities after a DPF list import.

Target (issue 5): well under 10 s on one machine. Run from the repository root:

    .venv/bin/python bench/privacy/bench_assess.py            # 600 x 50, median of 5 runs
    .venv/bin/python bench/privacy/bench_assess.py --runs 3 --agencies 100

The workload is synthetic but shaped like the demo: 40 vendor services with chains of 2-5
hops (EEA processors, US sub-processors on or off the DPF list, an Indian support centre,
Swiss and UK sub-processors), a DPF list of 3,000 organisations, and per activity its own
data categories. reassess_all assesses every hop of every activity on its own; reassess_all_shared_hops uses
assess_many, which evaluates each distinct (hop, exporter role, categories, date) once.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta
from typing import Any

from mps.privacy.rules import assess, assess_many, parse_scenario
from mps.privacy.rules.dpf import DpfIndex
from mps.privacy.rules.model import Scenario

ASSESSED_ON = date(2026, 11, 29)
CATEGORIES = ["contact", "hr", "health", "national_id", "case_file", "payment"]
SERVICES = 40
DPF_ORGS = 3000


def dpf_list(rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for i in range(DPF_ORGS):
        due = ASSESSED_ON + timedelta(days=rng.randint(-60, 365))
        out.append(
            {
                "organisation": f"US Vendor {i}, Inc.",
                "covered_entities": [f"US Vendor {i} Services LLC"] if i % 3 == 0 else [],
                "eu_us": "active" if rng.random() < 0.9 else "inactive",
                "hr": rng.random() < 0.6,
                "non_hr": True,
                "next_due": due.isoformat(),
            }
        )
    return out


def service_chain(rng: random.Random, s: int) -> list[dict[str, Any]]:
    """One vendor's declared chain: an EEA processor and 1-4 sub-processors."""
    us_name = f"US Vendor {rng.randrange(DPF_ORGS * 11 // 10)}, Inc."  # ~10% not on the list
    hops: list[dict[str, Any]] = [
        {
            "id": f"s{s}h1",
            "from": "controller",
            "entity": f"Vendor {s} Norge AS",
            "country": rng.choice(["NO", "IE", "SE", "DE"]),
            "role": "processor",
            "access": "processing",
            "intra_group": False,
            "safeguards": [],
            "parent_country": rng.choice(["NO", "US", "US", "DE"]),
        },
    ]
    options = [
        {
            "entity": us_name,
            "country": "US",
            "access": "storage",
            "intra_group": True,
            "safeguards": rng.choice([[], ["scc"], ["scc", "tia"], ["encryption_eea_keys"]]),
        },
        {
            "entity": f"Vendor {s} Support India Pvt Ltd",
            "country": "IN",
            "access": "remote",
            "intra_group": True,
            "safeguards": rng.choice([[], ["scc"], ["scc", "tia"], ["bcr", "tia"]]),
        },
        {
            "entity": f"Vendor {s} Backup AG",
            "country": "CH",
            "access": "storage",
            "intra_group": False,
            "safeguards": [],
        },
        {
            "entity": f"Vendor {s} UK Ltd",
            "country": "GB",
            "access": "processing",
            "intra_group": True,
            "safeguards": [],
        },
    ]
    for k, option in enumerate(rng.sample(options, rng.randint(1, 4)), start=2):
        hops.append({"id": f"s{s}h{k}", "from": f"s{s}h1", "role": "processor", **option})
    return hops


def workload(
    agencies: int, activities: int, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(seed)
    dpf = dpf_list(rng)
    services = [service_chain(rng, s) for s in range(SERVICES)]
    raws = []
    for a in range(agencies):
        controller = {"name": f"Agency {a}", "country": "NO", "public_authority": True}
        for _ in range(activities):
            cats = rng.sample(CATEGORIES, rng.randint(1, 4))
            raws.append(
                {
                    "assessed_on": ASSESSED_ON.isoformat(),
                    "controller": controller,
                    "data_categories": cats,
                    "hops": services[rng.randrange(SERVICES)],
                }
            )
    return dpf, raws


def timed(fn: Any) -> tuple[float, float]:
    """Wall-clock and CPU seconds; CPU time is steadier on a shared machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agencies", type=int, default=600)
    parser.add_argument("--activities", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    dpf_raw, raws = workload(args.agencies, args.activities, args.seed)
    # The DPF snapshot is parsed once per import; each activity's chain is parsed without it.
    dpf_entries = parse_scenario({**raws[0], "dpf_list": dpf_raw}).dpf_list
    scenarios: list[Scenario] = [parse_scenario(r) for r in raws]
    hops = sum(len(s.hops) for s in scenarios)

    def reassess() -> None:
        index = DpfIndex(dpf_entries)  # built once per DPF import
        for scenario in scenarios:
            assess(scenario, dpf_index=index)

    def reassess_shared_hops() -> None:
        # Vendors declare a chain once; every distinct hop is evaluated once per import.
        for _ in assess_many(scenarios, dpf_entries):
            pass

    def parse_and_reassess() -> None:
        index = DpfIndex(dpf_entries)
        for raw in raws:
            assess(parse_scenario(raw), dpf_index=index)

    one_service = [
        s for s, r in zip(scenarios, raws, strict=True) if r["hops"][0]["id"].startswith("s7h")
    ]

    def one_vendor_change() -> None:
        index = DpfIndex(dpf_entries)
        for scenario in one_service:
            assess(scenario, dpf_index=index)

    results = {}
    for name, fn in (
        ("reassess_all", reassess),
        ("reassess_all_shared_hops", reassess_shared_hops),
        ("parse_and_reassess_all", parse_and_reassess),
        ("one_vendor_change", one_vendor_change),
    ):
        runs = [timed(fn) for _ in range(args.runs)]
        times = [wall for wall, _ in runs]
        cpu = [c for _, c in runs]
        results[name] = cpu
        print(
            f"{name}: median {statistics.median(times):.3f} s wall, "
            f"{statistics.median(cpu):.3f} s CPU "
            f"(wall min {min(times):.3f}, max {max(times):.3f}; {args.runs} runs)"
        )
    print(
        f"workload: {args.agencies} agencies x {args.activities} activities = {len(scenarios)} chains, "
        f"{hops} hops, DPF list {len(dpf_entries)} organisations; one vendor = {len(one_service)} chains"
    )
    per_hop_us = statistics.median(results["reassess_all"]) / hops * 1e6
    print(f"per hop (reassess_all, CPU): {per_hop_us:.1f} us")


if __name__ == "__main__":
    main()
