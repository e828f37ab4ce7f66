"""Serve N hosts of the local test internet for the scanner benchmark, in a process of its own.

Prints one JSON line (names, resolver, ports, CA and trust-anchor files) when ready, then serves
until stdin closes. Run by bench/scanner/bench_scan.py; not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from mps.testnet import https  # noqa: E402
from mps.testnet.ca import TestCA  # noqa: E402
from mps.testnet.dns_server import DnsTestServer  # noqa: E402
from mps.testnet.hostile import SlowDripServer, StalledTlsServer  # noqa: E402
from mps.testnet.internet import LocalInternet, Server, address  # noqa: E402
from mps.testnet.latency import DelayProxy  # noqa: E402
from mps.testnet.listeners import BANNERS, BannerListener  # noqa: E402
from mps.testnet.world import TEST_PORTS  # noqa: E402
from mps.testnet.zones import Signing, ZoneSpec, build_zones  # noqa: E402

ZONE = "bench.test"
RESOLVER_IP = "127.10.255.53"
# Public addresses start here; with latency, the real servers sit 128 /24s higher (127.10.128+).
BACKEND_OFFSET = 128 * 254
# Every this-many-th host also exposes FTP and MySQL (with banners), to exercise the services family.
SERVICES_EVERY = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--rtt-ms", type=float, default=0.0)
    parser.add_argument("--hostile-fraction", type=float, default=0.0)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument(
        "--first-host",
        type=int,
        default=1001,
        help="address number of the first host in 127.10.0.0/17 (1001 and up stay clear of the test suite)",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    ca = TestCA(args.workdir / "ca")
    cert = ca.issue([f"*.{ZONE}"], key="ec256", label="bench-wildcard")
    profiles = [https.excellent(), https.absent(), https.weak()]
    ports = TEST_PORTS
    rtt = args.rtt_ms / 1000
    hostile_every = round(1 / args.hostile_fraction) if args.hostile_fraction > 0 else 0
    servers: list[Server] = []
    names: dict[str, str] = {}

    def listen(public_ip: str, backend_ip: str, port: int, make) -> None:  # type: ignore[no-untyped-def]
        if rtt > 0:
            servers.append(make(backend_ip, port))
            servers.append(DelayProxy(public_ip, port, backend_ip, port, rtt))
        else:
            servers.append(make(public_ip, port))

    for i in range(1, args.hosts + 1):
        name = f"host{i:05d}.{ZONE}"
        ip = address(args.first_host + i - 1)
        backend = address(args.first_host + i - 1 + BACKEND_OFFSET)
        names[name] = ip
        if hostile_every and i % hostile_every == 0:
            listen(ip, backend, ports["https"], lambda a, p: StalledTlsServer(a, p))
            listen(ip, backend, ports["http"], lambda a, p: SlowDripServer(a, p))
            continue
        profile = profiles[i % len(profiles)]
        listen(
            ip,
            backend,
            ports["https"],
            lambda a, p, pr=profile: https.WebServer(
                a, p, pr, cert=cert, https_port=ports["https"]
            ),
        )
        listen(
            ip,
            backend,
            ports["http"],
            lambda a, p, pr=profile: https.WebServer(a, p, pr, https_port=ports["https"]),
        )
        if i % SERVICES_EVERY == 0:
            for svc in ("ftp", "mysql"):
                listen(
                    ip, backend, ports[svc], lambda a, p, b=BANNERS[svc]: BannerListener(a, p, b)
                )

    body = (
        "@ NS ns1\nns1 A "
        + RESOLVER_IP
        + "\n"
        + "".join(f"{n.split('.')[0]} A {ip}\n" for n, ip in names.items())
    )
    zones = build_zones((ZoneSpec(f"{ZONE}.", body, signing=Signing.SIGNED),))
    anchor = zones.write_anchor(args.workdir / "anchor.txt")
    dns_server = DnsTestServer(zones, RESOLVER_IP, 0)
    dns_server.start()
    net = LocalInternet()
    for start in range(0, len(servers), 500):
        net.add_many(servers[start : start + 500])
    print(
        json.dumps(
            {
                "names": list(names),
                "addresses": names,
                "resolver": f"{RESOLVER_IP}:{dns_server.port}",
                "ports": ports,
                "ca_file": str(ca.root_pem_path),
                "trust_anchor": str(anchor),
                "servers": len(servers),
            }
        ),
        flush=True,
    )
    try:
        sys.stdin.read()
    finally:
        net.close()
        dns_server.stop()


if __name__ == "__main__":
    main()
