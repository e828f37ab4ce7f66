"""A small local test internet for the risk score platform, on 127.40.0.0/16.

- 127.40.0.53: authoritative DNS for eksempel.test and annen.test (acts as the resolver);
  ``_mps-challenge.eksempel.test`` holds ``mps-verification=DNS-TOKEN``.
- 127.40.1.1 eksempel.test / www.eksempel.test: a web site whose header profile the tests
  switch from absent to excellent (a fix), and which serves ``/.well-known/mps-challenge.txt``.
- 127.40.1.2 annen.test: a well-configured site.
Built from the scanner engineers' mps.testnet servers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from mps.scanner.config import ScanConfig
from mps.testnet import https, zones
from mps.testnet.ca import TestCA
from mps.testnet.dns_server import DnsTestServer
from mps.testnet.internet import LocalInternet
from mps.testnet.world import TEST_PORTS

DNS_IP = "127.40.0.53"
EKSEMPEL_IP = "127.40.1.1"
ANNEN_IP = "127.40.1.2"
DNS_TOKEN = "DNS-TOKEN"
WELL_KNOWN_TOKEN = "WELL-KNOWN-TOKEN"

ZONES = (
    zones.ZoneSpec(
        "eksempel.test.",
        f"""
@ NS ns1
@ NS ns2
@ MX 10 mail
@ TXT "v=spf1 mx include:spf.leverandor.test -all"
@ A {EKSEMPEL_IP}
www A {EKSEMPEL_IP}
portal CNAME portal.hosting.test.
mail A {EKSEMPEL_IP}
ns1 A {DNS_IP}
ns2 A {DNS_IP}
_mps-challenge TXT "mps-verification={DNS_TOKEN}"
""",
    ),
    zones.ZoneSpec(
        "annen.test.",
        f"""
@ NS ns1
@ A {ANNEN_IP}
ns1 A {DNS_IP}
""",
    ),
)


class TokenSite(https.WebServer):
    """A test site that also serves the validation file, with a profile tests can swap."""

    token: str | None = WELL_KNOWN_TOKEN

    def respond(self, path: str, host: str, secure: bool) -> bytes:
        if path == "/.well-known/mps-challenge.txt" and self.token:
            body = f"{self.token}\n".encode()
            return (
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                + str(len(body)).encode()
                + b"\r\nConnection: close\r\n\r\n"
                + body
            )
        return super().respond(path, host, secure)


@dataclass
class RiskNet:
    config: ScanConfig
    sites: dict[str, list[TokenSite]]

    def set_profile(self, name: str, profile: https.HeaderProfile) -> None:
        for site in self.sites[name]:
            site.profile = profile

    def set_token(self, name: str, token: str | None) -> None:
        for site in self.sites[name]:
            site.token = token

    def only(self, *families: str) -> ScanConfig:
        return replace(self.config, families=families, ports=dict(self.config.ports))


@pytest.fixture(scope="session")
def risknet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RiskNet]:
    directory = tmp_path_factory.mktemp("risknet")
    built = zones.build_zones(ZONES)
    anchor = built.write_anchor(directory / "anchor.txt")
    ca = TestCA(directory / "ca")
    dns = DnsTestServer(built, DNS_IP)
    dns.start()
    net = LocalInternet()
    sites: dict[str, list[TokenSite]] = {}
    try:
        for name, ip, profile in (
            ("eksempel.test", EKSEMPEL_IP, https.absent()),
            ("annen.test", ANNEN_IP, https.excellent()),
        ):
            cert = ca.issue([name, f"www.{name}"])
            secure = TokenSite(
                ip, TEST_PORTS["https"], profile, cert=cert, https_port=TEST_PORTS["https"]
            )
            plain = TokenSite(ip, TEST_PORTS["http"], profile, https_port=TEST_PORTS["https"])
            net.add_many([secure, plain])
            sites[name] = [secure, plain]
        config = ScanConfig(
            resolver=dns.address,
            trust_anchor_file=anchor,
            ca_file=Path(ca.root_pem_path),
            ports=dict(TEST_PORTS),
            allow_private=True,
            probe_timeout=1.0,
            host_deadline=20.0,
            per_network_concurrency=100,
        )
        yield RiskNet(config, sites)
    finally:
        net.close()
        dns.stop()
