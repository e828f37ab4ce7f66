"""TLS part of the scanner against sslyze and testssl.sh on the same local hosts: wall-time ratio.

Each tool checks protocol versions (SSL 3.0 to TLS 1.3) and certificate validity of the same
N hosts, served by bench/scanner/serve.py in a process of its own. sslyze (AGPL) and testssl.sh
are benchmark-only tools, never dependencies of mps:

    apt-get install testssl.sh
    python3 -m venv /tmp/sslyze-venv && /tmp/sslyze-venv/bin/pip install sslyze
    .venv/bin/python bench/scanner/bench_tls_tools.py --hosts 10 --sslyze /tmp/sslyze-venv/bin/python

Not part of the test suite. `--append docs/benchmarks.md` adds the table to that file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from mps.scanner.config import ScanConfig  # noqa: E402
from mps.scanner.model import Status  # noqa: E402
from mps.scanner.runner import scan_sync  # noqa: E402

# The mps checks that answer the tools' question: modern protocols offered, chain valid.
MPS_AGREES = (
    "tls.unavailable",
    "tls.no_tls13",
    "tls.cert.expired",
    "tls.cert.not_yet_valid",
    "tls.cert.hostname_mismatch",
    "tls.cert.untrusted",
    "tls.cert.incomplete_chain",
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], timeout: float) -> tuple[float, float, int]:
    """Wall and CPU seconds (the tool and every process it started) and the exit code."""
    cpu0, start = _children_cpu(), time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return time.monotonic() - start, _children_cpu() - cpu0, proc.returncode


def sslyze_summary(path: Path) -> str:
    """How many hosts sslyze found with TLS 1.2 and 1.3 and a chain valid against the test CA."""
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return "no JSON output"
    good = 0
    results = doc.get("server_scan_results", [])
    for r in results:
        scan = r.get("scan_result") or {}

        def accepted(key: str, scan: dict = scan) -> bool:
            result = (scan.get(key) or {}).get("result") or {}
            return bool(result.get("accepted_cipher_suites"))

        cert = (scan.get("certificate_info") or {}).get("result") or {}
        valid = any(
            p.get("was_validation_successful")
            for d in cert.get("certificate_deployments", [])
            for p in d.get("path_validation_results", [])
            if p.get("trust_store", {}).get("name") == "Supplied CA file"
        )
        if accepted("tls_1_2_cipher_suites") and accepted("tls_1_3_cipher_suites") and valid:
            good += 1
    return f"{good} of {len(results)} hosts: TLS 1.2 + 1.3, chain valid"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument(
        "--sslyze", default="/tmp/sslyze-venv/bin/python", help="python that has sslyze installed"
    )
    parser.add_argument(
        "--testssl", default=shutil.which("testssl") or shutil.which("testssl.sh") or "testssl"
    )
    parser.add_argument(
        "--tools", default="sslyze,testssl", help="comma-separated: which tools to compare"
    )
    parser.add_argument("--append", type=Path)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="mps-tlsbench-"))
    server = subprocess.Popen(
        [sys.executable, str(REPO / "bench/scanner/serve.py"), "--hosts", str(args.hosts), "--workdir", str(workdir), "--first-host", "5000"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        names: list[str] = info["names"]
        port = info["ports"]["https"]
        ips: dict[str, str] = info["addresses"]
        rows: list[tuple[str, float, float, str]] = []

        # mps: the whole TLS family (protocols, ciphers, forward secrecy, certificate) per host.
        config = ScanConfig(
            static_hosts={n: [ip] for n, ip in ips.items()},
            ca_file=Path(info["ca_file"]),
            ports=info["ports"],
            allow_private=True,
            families=("tls",),
            per_network_concurrency=10_000,
        )
        cpu0, start = time.process_time(), time.monotonic()
        results = scan_sync(names, config)
        mps_wall, mps_cpu = time.monotonic() - start, time.process_time() - cpu0
        assert len(results) == len(names)
        good = sum(
            1
            for r in results
            if {f.status for f in r.findings if f.check in MPS_AGREES} == {Status.PASS}
        )
        rows.append(
            (
                "mps (TLS family, all hosts concurrently)",
                mps_wall,
                mps_cpu,
                f"{good} of {len(results)} hosts: TLS 1.2 + 1.3, chain valid",
            )
        )

        # sslyze: protocol versions + certificate info, all hosts in one run (it parallelises).
        targets = [f"{n}:{port}{{{ips[n]}}}" for n in names]
        sslyze_cmd = [args.sslyze, "-m", "sslyze", "--quiet", "--json_out", str(workdir / "sslyze.json"),
                      "--sslv3", "--tlsv1", "--tlsv1_1", "--tlsv1_2", "--tlsv1_3", "--certinfo",
                      "--certinfo_ca_file", info["ca_file"], *targets]  # fmt: skip
        if "sslyze" in args.tools:
            wall, cpu, rc = timed(sslyze_cmd, 1800)
            summary = sslyze_summary(workdir / "sslyze.json")
            rows.append(
                ("sslyze 6 (protocols + certinfo, one run)", wall, cpu, f"exit {rc}; {summary}")
            )

        # testssl.sh: protocols + server defaults (certificate), mass mode in parallel; --nodns none
        # keeps it off the network (it would otherwise look names up; CRL/OCSP need --phone-out).
        lines = [f"--ip={ips[n]} -p -S --add-ca {info['ca_file']} {n}:{port}" for n in names]
        (workdir / "testssl.txt").write_text("\n".join(lines) + "\n")
        testssl_cmd = [args.testssl, "--quiet", "--color", "0", "--warnings", "off", "--nodns", "none", "--parallel",
                       "--file", str(workdir / "testssl.txt")]  # fmt: skip
        if "testssl" in args.tools:
            wall, cpu, rc = timed(testssl_cmd, 3600)
            rows.append(("testssl.sh 3.0 (-p -S, --parallel mass mode)", wall, cpu, f"exit {rc}"))
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(30)

    load = os.getloadavg()[0]
    table = (
        f"| tool ({len(names)} hosts, 0 ms RTT, machine load {load:.1f}) | wall time | wall per host | wall ratio to mps | CPU time | CPU ratio to mps | result |\n"
        "|---|---|---|---|---|---|---|\n"
        + "".join(
            f"| {tool} | {wall:.1f} s | {wall / len(names) * 1000:.0f} ms | {wall / mps_wall:.1f}× | "
            f"{cpu:.2f} s | {cpu / mps_cpu:.0f}× | {note} |\n"
            for tool, wall, cpu, note in rows
        )
    )
    print(table)
    if args.append:
        with args.append.open("a", encoding="utf-8") as fh:
            fh.write(
                f"\n<!-- TLS tools run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} -->\n{table}"
            )


if __name__ == "__main__":
    main()
