"""Benchmark of the DNS, e-mail and IPv6 families on the local test internet.

Run: .venv/bin/python bench/scanner/bench_dns_email.py [HOSTS] [DELAY_MS]
(not part of the test suite). Scanner CPU is the main thread's CPU time: the test servers run
in other threads of the same process and are not counted there; process CPU includes them.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from mps.scanner.config import ScanConfig  # noqa: E402
from mps.scanner.runner import scan_sync  # noqa: E402
from mps.testnet.ca import TestCA  # noqa: E402
from mps.testnet.dns_server import start_dns_mail_world  # noqa: E402

NAMES = (
    "good.test", "www.good.test", "shop.good.test", "unsigned.test", "old.unsigned.test",
    "bogus.test", "samenet.test", "mail-plain.test", "mail-badcert.test", "spf-many.test",
    "parked.test", "parked-bad.test",
)  # fmt: skip


def main(hosts: int = 600, delay_ms: float = 0.0) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ca = TestCA(Path(tmp) / "ca")
        world = start_dns_mail_world(Path(tmp), ca, dns_delay=delay_ms / 1000)
        try:
            settings = world.scan_settings()
            config = ScanConfig(
                resolver=settings["resolver"],
                trust_anchor_file=settings["trust_anchor_file"],
                ca_file=Path(ca.root_pem_path),
                ports=settings["ports"],
                allowed_networks=("127.20.0.0/16",),
                families=("dns", "email", "ipv6"),
            )
            targets = [NAMES[i % len(NAMES)] for i in range(hosts)]
            wall, main_cpu, proc_cpu = time.perf_counter(), time.thread_time(), time.process_time()
            results = scan_sync(targets, config)
            wall = time.perf_counter() - wall
            main_cpu = time.thread_time() - main_cpu
            proc_cpu = time.process_time() - proc_cpu
        finally:
            world.stop()
    findings = sum(len(r.findings) for r in results)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"hosts={hosts} dns_delay={delay_ms:.0f}ms findings={findings} "
        f"wall={wall:.2f}s ({hosts / wall:.1f} hosts/s) "
        f"scanner_cpu/host={1000 * main_cpu / hosts:.1f}ms "
        f"process_cpu/host={1000 * proc_cpu / hosts:.1f}ms "
        f"queries={world.resolver.queries} max_rss={rss:.0f}MiB"
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 600,
        float(sys.argv[2]) if len(sys.argv) > 2 else 0.0,
    )
