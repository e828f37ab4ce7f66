"""A small local test internet for `mps demo`: one zone per demo agency, in a realistic mix.

Each agency gets ``<slug>.test`` (and ``www.``) with a web site, mail and DNS whose quality
follows one of the ``POSTURES`` below, from well run to neglected, so the demo's grades,
findings, disputes and re-tests come from real measurements. It runs in background threads of
the demo's own process and lives in 127.30.0.0/16 by default (a second name server in
127.31.0.0/16), clear of the test suite's addresses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mps.testnet import https
from mps.testnet.ca import IssuedCert, TestCA
from mps.testnet.dns_server import DnsTestServer
from mps.testnet.internet import LocalInternet, Server
from mps.testnet.listeners import BANNERS, BannerListener
from mps.testnet.smtp import SmtpTestServer
from mps.testnet.world import TEST_PORTS
from mps.testnet.zones import Signing, ZoneSpec, build_zones

DEFAULT_NETWORK = 30  # 127.30.0.0/16; another demo on the same machine takes the next free one
MAX_AGENCIES = 250
# Label of the validation record (the platform's footprint validation looks it up there).
CHALLENGE_LABEL = "_mps-challenge"


@dataclass(frozen=True)
class Addresses:
    """Where the demo internet lives: everything in 127.<n>.0.0/16, a second NS in 127.<n+1>."""

    network: int

    @property
    def resolver(self) -> str:
        return f"127.{self.network}.0.53"

    @property
    def second_ns(self) -> str:  # the same zones again: a second name server for the well run
        return f"127.{self.network + 1}.0.53"

    @property
    def mx_starttls(self) -> str:
        return f"127.{self.network}.0.25"

    @property
    def mx_plain(self) -> str:
        return f"127.{self.network}.0.26"

    def site(self, index: int) -> str:
        return f"127.{self.network}.1.{index + 1}"


@dataclass(frozen=True)
class Posture:
    """How well one agency runs its internet-facing services."""

    headers: str  # a profile in mps.testnet.https.PROFILES
    cert: str  # valid, expiring, self_signed, wrong_host, rsa1024
    signing: Signing
    spf: str | None
    dmarc: str | None
    starttls: bool
    exposed: tuple[str, ...] = ()
    second_ns: bool = False


POSTURES: tuple[Posture, ...] = (  # fmt: skip
    # Well run, but DMARC only monitors: one fix left (the demo agency gets this one).
    Posture(
        "excellent",
        "valid",
        Signing.SIGNED,
        "v=spf1 mx -all",
        "v=DMARC1; p=none",
        True,
        second_ns=True,
    ),
    Posture(
        "excellent",
        "valid",
        Signing.SIGNED,
        "v=spf1 mx -all",
        "v=DMARC1; p=reject",
        True,
        second_ns=True,
    ),
    Posture("weak", "expiring", Signing.UNSIGNED, "v=spf1 mx ~all", "v=DMARC1; p=none", True),
    Posture("absent", "self_signed", Signing.UNSIGNED, None, None, False, ("ftp",)),
    Posture("weak", "rsa1024", Signing.SIGNED, "v=spf1 +all", "v=DMARC1; p=quarantine", True),
    Posture("excellent", "wrong_host", Signing.UNSIGNED, "v=spf1 mx -all", None, False),
)


@dataclass
class DemoInternet:
    """The running demo internet: which names belong to which key, and how to scan them."""

    names: dict[str, list[str]]
    # key -> a second domain of that agency, published with a validation record but not yet
    # claimed: the demo's footprint journey validates it for real (see ``start_demo_internet``).
    unclaimed: dict[str, str]
    resolver: tuple[str, int]
    trust_anchor_file: Path
    ca_file: Path
    ports: dict[str, int]
    _net: LocalInternet
    _threads: list[DnsTestServer | SmtpTestServer] = field(default_factory=list)

    def scan_settings(self) -> dict[str, Any]:
        """Keyword arguments for ``mps.scanner.config.ScanConfig``."""
        return {
            "resolver": self.resolver,
            "trust_anchor_file": self.trust_anchor_file,
            "ca_file": self.ca_file,
            "ports": dict(self.ports),
            "allow_private": True,
            "per_network_concurrency": 100,
            "probe_timeout": 3.0,
            "host_deadline": 30.0,
        }

    def close(self) -> None:
        self._net.close()
        for server in reversed(self._threads):
            server.stop()


def _certificate(ca: TestCA, posture: Posture, names: list[str]) -> IssuedCert:
    now = dt.datetime.now(dt.UTC)
    if posture.cert == "expiring":
        return ca.issue(names, not_after=now + dt.timedelta(days=10))
    if posture.cert == "self_signed":
        return ca.issue(names, self_signed=True)
    if posture.cert == "wrong_host":
        return ca.issue([f"other.{names[0]}"])
    if posture.cert == "rsa1024":
        return ca.issue(names, key="rsa1024")
    return ca.issue(names, key="ec256")


def _zone(
    apex: str, at: Addresses, site_ip: str, posture: Posture, extra: tuple[str, ...] = ()
) -> ZoneSpec:
    mx_ip = at.mx_starttls if posture.starttls else at.mx_plain
    lines = [
        "@ NS ns1",
        f"ns1 A {at.resolver}",
        *(["@ NS ns2", f"ns2 A {at.second_ns}"] if posture.second_ns else []),
        f"@ A {site_ip}",
        f"www A {site_ip}",
        f"mail A {mx_ip}",
        "@ MX 10 mail",
    ]
    if posture.spf:
        lines.append(f'@ TXT "{posture.spf}"')
    if posture.dmarc:
        lines.append(f'_dmarc TXT "{posture.dmarc}; rua=mailto:dmarc@{apex}"')
    if posture.signing == Signing.SIGNED:
        lines.append('@ CAA 0 issue "ca.test"')
    lines.extend(extra)
    return ZoneSpec(f"{apex}.", "\n".join(lines) + "\n", signing=posture.signing)


def start_demo_internet(
    directory: Path,
    slugs: dict[str, str],
    network: int = DEFAULT_NETWORK,
    *,
    challenges: dict[str, str] | None = None,
    extra_records: dict[str, tuple[str, ...]] | None = None,
) -> DemoInternet:
    """Start a zone, a web site and mail for each ``key -> slug`` (the n-th gets POSTURES[n]).

    ``challenges`` (key -> TXT record text) gives those agencies a second domain,
    ``<slug>-tjenester.test``, served by the same site, with the record published at
    ``_mps-challenge``: as if the agency's DNS administrator had already published the
    validation token for a domain the agency has yet to claim. ``extra_records`` (key -> zone
    file lines) adds records to an agency's own zone, e.g. a CNAME to a vendor's platform.

    Raises OSError when an address is taken (another demo runs): try another ``network``.
    """
    if len(slugs) > MAX_AGENCIES:
        raise ValueError(f"slugs: at most {MAX_AGENCIES} agencies, got {len(slugs)}")
    directory.mkdir(parents=True, exist_ok=True)
    at = Addresses(network)
    ca = TestCA(directory / "ca")
    ports = dict(TEST_PORTS)
    names: dict[str, list[str]] = {}
    unclaimed: dict[str, str] = {}
    specs: list[ZoneSpec] = []
    web: list[Server] = []
    for index, (key, slug) in enumerate(slugs.items()):
        apex = f"{slug}.test"
        posture = POSTURES[index % len(POSTURES)]
        site_ip = at.site(index)
        names[key] = [apex, f"www.{apex}"]
        specs.append(_zone(apex, at, site_ip, posture, (extra_records or {}).get(key, ())))
        cert_names = list(names[key])
        record = (challenges or {}).get(key)
        if record is not None:
            claimable = f"{slug}-tjenester.test"
            unclaimed[key] = claimable
            challenge = f'{CHALLENGE_LABEL} TXT "{record}"'
            specs.append(_zone(claimable, at, site_ip, posture, (challenge,)))
            cert_names.append(claimable)
        profile = https.PROFILES[posture.headers]()
        cert = _certificate(ca, posture, cert_names)
        web.append(https.WebServer(site_ip, ports["https"], profile, cert=cert, https_port=ports["https"]))  # fmt: skip
        web.append(https.WebServer(site_ip, ports["http"], profile, https_port=ports["https"]))
        web.extend(BannerListener(site_ip, ports[s], BANNERS[s]) for s in posture.exposed)
    zones = build_zones(tuple(specs))
    anchor = zones.write_anchor(directory / "trust-anchor.txt")
    mail_names = [f"mail.{slug}.test" for slug in slugs.values()] or ["mail.test"]
    mail_cert = ca.issue(mail_names, key="ec256")
    started: list[DnsTestServer | SmtpTestServer] = []
    net = LocalInternet()
    try:
        resolver = DnsTestServer(zones, at.resolver)
        resolver.start()
        started.append(resolver)
        second = DnsTestServer(zones, at.second_ns, resolver.port)
        second.start()
        started.append(second)
        good = SmtpTestServer(
            at.mx_starttls, hostname=mail_names[0], chain_path=mail_cert.chain_path,
            key_path=mail_cert.key_path,
        )  # fmt: skip
        good.start()
        started.append(good)
        plain = SmtpTestServer(at.mx_plain, good.port, hostname="mail.test")
        plain.start()
        started.append(plain)
        ports["smtp"] = good.port
        net.add_many(web)
    except BaseException:
        net.close()
        for server in reversed(started):
            server.stop()
        raise
    return DemoInternet(
        names=names,
        unclaimed=unclaimed,
        resolver=resolver.address,
        trust_anchor_file=anchor,
        ca_file=ca.root_pem_path,
        ports=ports,
        _net=net,
        _threads=started,
    )
