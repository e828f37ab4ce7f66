"""Scanner benchmark: a full scan (all families) of N hosts of the local test internet.

The servers run in their own process (bench/scanner/serve.py) so the CPU time measured here is
the scanner's alone. Reports hosts/s, wall and CPU ms per host, peak RSS, and whether the run
finished within its deadline; --rtt-ms adds simulated round-trip time (a user-space delay proxy,
see mps/testnet/latency.py), --hostile-fraction makes that share of hosts hostile.

    .venv/bin/python bench/scanner/bench_scan.py --hosts 1000 --rtt-ms 0 30
    .venv/bin/python bench/scanner/bench_scan.py --hosts 1000 --rtt-ms 0 --hostile-fraction 0.1

Not part of the test suite. `--append docs/benchmarks.md` adds the table to that file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from mps.scanner.config import ScanConfig  # noqa: E402
from mps.scanner.runner import scan  # noqa: E402

# Issue 3's goal: >= 11 hosts/s at 30 ms RTT on one 2-core machine, CPU <= 100 ms per host.
GOAL_HOSTS_PER_S = 11
GOAL_CPU_MS = 100


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_once(
    hosts: int, rtt_ms: float, hostile: float, concurrency: int, run_deadline: float
) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="mps-scanbench-"))
    server = subprocess.Popen(
        [sys.executable, str(REPO / "bench/scanner/serve.py"), "--hosts", str(hosts), "--rtt-ms", str(rtt_ms),
         "--hostile-fraction", str(hostile), "--workdir", str(workdir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        host, port = info["resolver"].split(":")
        config = ScanConfig(
            resolver=(host, int(port)),
            trust_anchor_file=Path(info["trust_anchor"]),
            ca_file=Path(info["ca_file"]),
            ports=info["ports"],
            allow_private=True,
            concurrency=concurrency,
            # All bench hosts share four /24s; real targets are spread over many networks.
            per_network_concurrency=10_000,
            run_deadline=run_deadline,
        )
        statuses: Counter[str] = Counter()
        durations: list[float] = []
        count = 0

        async def consume() -> None:
            nonlocal count
            async for result in scan(info["names"], config):
                count += 1
                durations.append((result.finished_at - result.started_at).total_seconds())
                statuses.update(str(f.status) for f in result.findings)

        load0 = os.getloadavg()[0]
        server_cpu0 = _process_cpu(server.pid)
        cpu0, wall0 = time.process_time(), time.monotonic()
        asyncio.run(consume())
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        server_cpu = _process_cpu(server.pid) - server_cpu0
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(30)
    return {
        "hosts": hosts,
        "rtt_ms": rtt_ms,
        "hostile_fraction": hostile,
        "concurrency": concurrency,
        "results": count,
        "wall_s": round(wall, 2),
        "hosts_per_s": round(count / wall, 1),
        "wall_ms_per_host_p50": round(statistics.median(durations) * 1000),
        "wall_ms_per_host_p95": round(sorted(durations)[int(0.95 * (len(durations) - 1))] * 1000),
        "cpu_ms_per_host": round(cpu / max(count, 1) * 1000, 1),
        # The test internet's own CPU (TLS servers, delay proxies, DNS) on the same machine.
        "server_cpu_ms_per_host": round(server_cpu / max(count, 1) * 1000, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "within_deadline": wall <= run_deadline,
        "load_avg_1m_before": round(load0, 1),
        "load_avg_1m": round(os.getloadavg()[0], 1),
        "findings": dict(statuses),
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    head = (
        "| hosts | RTT | hostile | hosts/s | wall s | wall p50 / p95 per host | scanner CPU per host | test-internet CPU per host | peak RSS | within deadline | inconclusive findings | machine load (1 min, before → after) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    body = "".join(
        f"| {r['hosts']} | {r['rtt_ms']:g} ms | {r['hostile_fraction']:.0%} | {r['hosts_per_s']} | "
        f"{r['wall_s']} | {r['wall_ms_per_host_p50']} / {r['wall_ms_per_host_p95']} ms | "
        f"{r['cpu_ms_per_host']} ms | {r['server_cpu_ms_per_host']} ms | "
        f"{r['peak_rss_mb']} MB | {'yes' if r['within_deadline'] else 'NO'} | "
        f"{r['findings'].get('inconclusive', 0)} of {sum(r['findings'].values())} | "
        f"{r['load_avg_1m_before']} → {r['load_avg_1m']} |\n"
        for r in rows
    )
    return head + body


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, nargs="+", default=[1000])
    parser.add_argument("--rtt-ms", type=float, nargs="+", default=[0.0, 30.0])
    parser.add_argument("--hostile-fraction", type=float, default=0.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--run-deadline", type=float, default=900.0)
    parser.add_argument("--append", type=Path, help="append the Markdown table to this file")
    args = parser.parse_args()
    rows = []
    for hosts in args.hosts:
        for rtt in args.rtt_ms:
            # Each configuration in a fresh process so peak RSS belongs to that run alone.
            cmd = [
                sys.executable,
                __file__,
                "--one",
                json.dumps(
                    [hosts, rtt, args.hostile_fraction, args.concurrency, args.run_deadline]
                ),
            ]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            row = json.loads(out.strip().splitlines()[-1])
            print(json.dumps(row), flush=True)
            rows.append(row)
    table = markdown(rows)
    print(table)
    if args.append:
        machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        with args.append.open("a", encoding="utf-8") as fh:
            fh.write(
                f"\n<!-- scanner run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine} -->\n{table}"
            )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(run_once(*json.loads(sys.argv[2]))))
    else:
        main()
