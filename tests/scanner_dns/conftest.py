"""The DNS and mail part of the local test internet, started once per test session.

- 127.20.0.53: the test DNS server, authoritative for every zone under test. and acting
  as the scanner's resolver; 127.20.0.54 never answers; 127.20.0.55 answers SERVFAIL.
- 127.20.1.25 SMTP with STARTTLS and a test-CA certificate for mail.good.test (also on ::1
  when this machine has IPv6 loopback); 127.20.2.25 SMTP without STARTTLS; 127.20.3.25
  STARTTLS with a self-signed certificate.
- [::1]:<https port> a TCP listener standing in for a web server reachable over IPv6.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

import pytest

from mps.scanner.config import ScanConfig
from mps.scanner.context import TargetContext
from mps.scanner.model import Finding, Status
from mps.testnet.ca import TestCA
from mps.testnet.dns_server import DnsTestServer, start_dns_mail_world

ALLOWED = ("127.20.0.0/16", "::1/128")


@dataclass
class DnsNet:
    config: ScanConfig
    silent: tuple[str, int]
    servfail: tuple[str, int]
    ipv6_loopback: bool
    server: DnsTestServer
    ca: TestCA

    def with_resolver(self, address: tuple[str, int]) -> ScanConfig:
        return replace(self.config, resolver=address, ports=dict(self.config.ports))


def _free_port(host: str, family: int = socket.AF_INET) -> int:
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _ipv6_listener() -> socket.socket | None:
    """A TCP listener on [::1] that accepts and closes, or None without IPv6 loopback.

    MPS_TEST_NO_IPV6=1 pretends ::1 is missing, to check the suite passes on such machines.
    """
    if os.environ.get("MPS_TEST_NO_IPV6") == "1":
        return None
    try:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        sock.bind(("::1", 0))
        sock.listen(64)
    except OSError:
        return None

    def accept_forever() -> None:
        with contextlib.suppress(OSError):  # ends when the socket is closed at teardown
            while True:
                conn, _ = sock.accept()
                conn.close()

    threading.Thread(target=accept_forever, daemon=True).start()
    return sock


@pytest.fixture(scope="session")
def dnsnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsNet]:
    directory = tmp_path_factory.mktemp("dnsnet")
    ca = TestCA(directory / "ca")
    web6 = _ipv6_listener()
    world = start_dns_mail_world(directory, ca, smtp_on_ipv6_loopback=web6 is not None)
    try:
        https = web6.getsockname()[1] if web6 is not None else _free_port("127.20.0.1")
        settings = world.scan_settings()
        config = ScanConfig(
            resolver=settings["resolver"],
            trust_anchor_file=settings["trust_anchor_file"],
            ca_file=Path(ca.root_pem_path),
            ports={**settings["ports"], "https": https, "http": _free_port("127.20.0.1")},
            allowed_networks=ALLOWED,
            probe_timeout=3.0,  # generous: the shared machine is often heavily loaded
        )
        yield DnsNet(
            config, world.silent.address, world.servfail.address, web6 is not None,
            world.resolver, ca,
        )  # fmt: skip
    finally:
        world.stop()
        if web6 is not None:
            web6.close()


def run_family(family: ModuleType, name: str, config: ScanConfig) -> list[Finding]:
    """Run one check family against one name, as the runner would."""

    async def go() -> list[Finding]:
        ctx = await TargetContext.create(name, config)
        return list(await family.run(ctx))

    return asyncio.run(go())


def only(findings: list[Finding], check: str, address: str | None = None) -> Finding:
    """The single finding of ``check`` (at ``address``); fails the test when not exactly one."""
    matching = [
        f for f in findings if f.check == check and (address is None or f.address == address)
    ]
    assert len(matching) == 1, f"expected one {check} finding, got {matching}"
    return matching[0]


def statuses(findings: list[Finding], check: str) -> list[Status]:
    return [f.status for f in findings if f.check == check]
