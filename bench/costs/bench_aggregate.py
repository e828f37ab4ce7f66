"""Re-aggregation benchmark: a full rebuild of the pre-aggregated cost tables.

Input: a Parquet store written by the real ingest, kept by the ingest benchmark:

    .venv/bin/python bench/costs/bench_ingest.py --rows 10000000 --keep-store --dir /tmp/costbench
    .venv/bin/python bench/costs/bench_aggregate.py --store /tmp/costbench/store-10000000 --orgs 10

`--orgs N` copies the organisation's store N times (real file copies, not links), as if N
agencies had imported such a file, and rebuilds them all in one process, one after the other, as
`mps costs aggregate` does (aggregate.build, then the per-month KPIs it stores; the database
upsert of those few rows is left out: the engine needs no Django). The child process reports
wall time, CPU seconds and peak RSS. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ORG = "974760673"


def child(costs_dir: Path, orgs: list[str]) -> None:
    from mps.costs.engine import aggregate, analyses

    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    per_org = []
    for org in orgs:
        mark = time.perf_counter()
        info = aggregate.build(costs_dir, org)
        con = aggregate.connect(costs_dir, org)
        kpis = analyses.month_kpis(con) if con is not None else []
        if con is not None:
            con.close()
        assert info is not None
        per_org.append(
            {
                "org": org,
                "seconds": time.perf_counter() - mark,
                "daily_rows": info.daily_rows,
                "tag_rows": info.tag_rows,
                "months": len(kpis),
            }
        )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": (after.ru_utime + after.ru_stime)
                - (before.ru_utime + before.ru_stime),
                "peak_rss_mib": after.ru_maxrss / 1024,
                "orgs": per_org,
            }
        )
    )


def billing_rows(costs_dir: Path, org: str) -> int:
    """Rows in the organisation's current generation (from the Parquet footers)."""
    import duckdb

    glob = str(costs_dir / org / "current" / "**" / "*.parquet")
    sql = f"SELECT sum(num_rows) FROM parquet_file_metadata('{glob}')"  # noqa: S608
    return int(duckdb.connect().execute(sql).fetchone()[0])  # type: ignore[index]


def prepare(store: Path, work: Path, copies: int) -> list[str]:
    """A costs directory with `copies` organisations, each a copy of the kept store's one."""
    work.mkdir(parents=True, exist_ok=True)
    orgs = []
    for n in range(copies):
        org = f"{ORG}-{n:03d}"
        target = work / org
        if not target.exists():
            shutil.copytree(store / ORG, target, symlinks=True)
        shutil.rmtree(target / "aggregates", ignore_errors=True)
        orgs.append(org)
    return orgs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", type=Path, help="costs directory kept by bench_ingest.py")
    parser.add_argument("--orgs", type=int, default=1, help="organisations (copies of the store)")
    parser.add_argument("--work", type=Path, help="where the copies go (default STORE-orgs)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1:])
        return
    if args.store is None:
        parser.error("--store is required")
    work = args.work or args.store.with_name(args.store.name + "-orgs")
    orgs = prepare(args.store, work, args.orgs)
    rows = sum(billing_rows(work, org) for org in orgs)
    print(f"{len(orgs)} organisation(s), {rows:,} billing rows", flush=True)
    for run in range(args.repeat):
        load = os.getloadavg()[0]
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(work), *orgs],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"aggregate failed:\n{proc.stderr[-3000:]}")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        org0 = r["orgs"][0]
        print(
            f"run {run + 1}: {rows:,} rows in {r['seconds']:.1f} s wall "
            f"({rows / r['seconds']:,.0f} rows/s), CPU {r['cpu_seconds']:.1f} s "
            f"({rows / r['cpu_seconds']:,.0f} rows per CPU s), peak RSS {r['peak_rss_mib']:.0f} MiB, "
            f"load {load:.1f} → {os.getloadavg()[0]:.1f}; per organisation "
            f"{min(o['seconds'] for o in r['orgs']):.1f}–{max(o['seconds'] for o in r['orgs']):.1f} s, "
            f"{org0['daily_rows']:,} daily rows, {org0['tag_rows']:,} tag rows, "
            f"{org0['months']} months",
            flush=True,
        )


if __name__ == "__main__":
    main()
