"""The web, TLS and service hosts of the local test internet, one name per loopback address.

``build_web_world`` starts them on a ``LocalInternet`` and returns the name -> address map and
the ports to put into ``ScanConfig``; tests, benchmarks and ``mps demo`` share it.
"""

from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from mps.scanner import tlswire
from mps.testnet import https
from mps.testnet.ca import IssuedCert, TestCA
from mps.testnet.hostile import (
    EndlessHeadersServer,
    SlowDripServer,
    StalledTlsServer,
)
from mps.testnet.internet import LocalInternet, Server, address
from mps.testnet.legacy_tls import LegacyTlsServer
from mps.testnet.listeners import BANNERS, BannerListener

# Unprivileged stand-ins for the standard ports (no root needed); every host uses the same ones.
TEST_PORTS: dict[str, int] = {
    "https": 14443,
    "http": 14080,
    "smtp": 14025,
    "ftp": 14021,
    "telnet": 14023,
    "smb": 14445,
    "rdp": 13389,
    "vnc": 15900,
    "mssql": 11433,
    "mysql": 13306,
    "postgresql": 15432,
    "mongodb": 17017,
    "redis": 16379,
    "elasticsearch": 19200,
    "memcached": 21211,
}


def chain_der(cert: IssuedCert) -> list[bytes]:
    return [
        c.public_bytes(serialization.Encoding.DER)
        for c in x509.load_pem_x509_certificates(cert.chain_pem.encode())
    ]


@dataclass
class WebWorld:
    hosts: dict[str, str] = field(default_factory=dict)  # name -> address
    ports: dict[str, int] = field(default_factory=lambda: dict(TEST_PORTS))
    servers: dict[str, list[Server]] = field(default_factory=dict)

    def static_hosts(self) -> dict[str, list[str]]:
        return {name: [ip] for name, ip in self.hosts.items()}


class _Builder:
    def __init__(self, ca: TestCA, ports: dict[str, int], first_host: int) -> None:
        self.ca = ca
        self.ports = ports
        self.next = first_host
        self.world = WebWorld(ports=dict(ports))
        self.pending: list[Server] = []

    def host(self, name: str, *servers_for_ip: object) -> str:
        ip = address(self.next)
        self.next += 1
        self.world.hosts[name] = ip
        return ip

    def add(self, name: str, server: Server) -> None:
        self.world.servers.setdefault(name, []).append(server)
        self.pending.append(server)

    def site(
        self,
        name: str,
        profile: https.HeaderProfile,
        cert: IssuedCert | None,
        *,
        tls: https.TlsSettings | None = None,
        plain_http: bool = True,
    ) -> str:
        ip = self.host(name)
        hp = self.ports["https"]
        if cert is not None:
            self.add(name, https.WebServer(ip, hp, profile, cert=cert, tls=tls, https_port=hp))
        if plain_http:
            self.add(name, https.WebServer(ip, self.ports["http"], profile, https_port=hp))
        return ip


def build_web_world(
    net: LocalInternet, ca: TestCA, *, ports: dict[str, int] | None = None, first_host: int = 1
) -> WebWorld:
    """Start every web/TLS/service/hostile test host and return where they are."""
    b = _Builder(ca, ports or TEST_PORTS, first_host)
    now = dt.datetime.now(dt.UTC)
    issue = ca.issue
    b.site("good.test", https.excellent(), issue(["good.test", "www.good.test"]))
    b.site("ec.test", https.excellent(), issue(["ec.test"], key="ec256"))
    b.site(
        "expired.test",
        https.excellent(),
        issue(
            ["expired.test"],
            not_before=now - dt.timedelta(days=100),
            not_after=now - dt.timedelta(days=5),
        ),
    )
    b.site(
        "notyet.test",
        https.excellent(),
        issue(
            ["notyet.test"],
            not_before=now + dt.timedelta(days=5),
            not_after=now + dt.timedelta(days=100),
        ),
    )
    b.site(
        "expiring.test",
        https.excellent(),
        issue(["expiring.test"], not_after=now + dt.timedelta(days=10)),
    )
    b.site(
        "expiring30.test",
        https.excellent(),
        issue(["expiring30.test"], not_after=now + dt.timedelta(days=20)),
    )
    b.site("wronghost.test", https.excellent(), issue(["other.test"]))
    b.site("selfsigned.test", https.excellent(), issue(["selfsigned.test"], self_signed=True))
    b.site("rsa1024.test", https.excellent(), issue(["rsa1024.test"], key="rsa1024"))
    b.site("sha1.test", https.excellent(), issue(["sha1.test"], signature="sha1"))
    b.site(
        "incomplete.test", https.excellent(), issue(["incomplete.test"], include_intermediate=False)
    )
    b.site(
        "tls12only.test",
        https.excellent(),
        issue(["tls12only.test"]),
        tls=https.TlsSettings(maximum=ssl.TLSVersion.TLSv1_2),
    )
    b.site(
        "nofs.test",
        https.excellent(),
        issue(["nofs.test"]),
        tls=https.TlsSettings(
            maximum=ssl.TLSVersion.TLSv1_2, ciphers="AES128-GCM-SHA256:AES256-GCM-SHA384"
        ),
    )
    b.site("absent.test", https.absent(), issue(["absent.test"]))
    b.site("weak.test", https.weak(), issue(["weak.test"]))
    b.site("httponly.test", https.absent(), None)
    b.host("nothing.test")  # an address with nothing listening

    # Legacy responders (hand-written record layer): what modern OpenSSL cannot serve.
    ip = b.host("legacy.test")
    b.add(
        "legacy.test",
        LegacyTlsServer(
            ip,
            b.ports["https"],
            versions=(tlswire.SSL3, tlswire.TLS10, tlswire.TLS11),
            ciphers=(0x0005, 0x000A, 0x0003, 0x002F),
            chain_der=chain_der(issue(["legacy.test"])),
        ),
    )
    ip = b.host("tls10.test")
    b.add(
        "tls10.test",
        LegacyTlsServer(
            ip,
            b.ports["https"],
            versions=(tlswire.TLS10,),
            ciphers=(0xC013, 0xC014),
            chain_der=chain_der(issue(["tls10.test"])),
        ),
    )

    # Risky services, all on one host, each volunteering the banner its product would.
    ip = b.host("services.test")
    for svc, banner in BANNERS.items():
        b.add("services.test", BannerListener(ip, b.ports[svc], banner))

    # Hostile servers.
    ip = b.host("slow.test")
    b.add("slow.test", StalledTlsServer(ip, b.ports["https"]))
    b.add("slow.test", SlowDripServer(ip, b.ports["http"]))
    ip = b.host("endless.test")
    b.add("endless.test", EndlessHeadersServer(ip, b.ports["http"]))
    b.add(
        "endless.test",
        https.WebServer(
            ip,
            b.ports["https"],
            https.absent(),
            cert=issue(["endless.test"]),
            https_port=b.ports["https"],
        ),
    )
    loop_profile = https.HeaderProfile("loop", redirect_loop=True)
    b.site("loop.test", loop_profile, issue(["loop.test"]))
    ip = b.host("hostile-services.test")
    b.add("hostile-services.test", SlowDripServer(ip, b.ports["ftp"]))
    b.add("hostile-services.test", StalledTlsServer(ip, b.ports["https"]))

    net.add_many(b.pending)
    return b.world
