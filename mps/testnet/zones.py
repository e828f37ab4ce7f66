"""Test zones for the local test internet: signed, unsigned and broken, mail and no mail.

All zones sit under the private anchor zone ``test.`` (RFC 2606 reserves .test), which is
itself signed; its DS record is the trust anchor handed to ``ScanConfig.trust_anchor_file``.
Zones are signed when built, with fresh ECDSA P-256 keys (fast, RFC 8624 "MUST" algorithm),
so nothing secret ships with the product.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import dns.dnssec
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.RRSIG
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec
from dns.rdtypes.ANY.DNSKEY import DNSKEY

ANCHOR_ZONE = "test."
# Signatures valid for 30 days from an hour ago: long enough for any demo session.
SIGNATURE_LIFETIME = dt.timedelta(days=30)
SIGNATURE_BACKDATE = dt.timedelta(hours=1)
DEFAULT_TTL = 300

# Address plan (engineer B owns 127.20.0.0/16, see docs/scanner-dns-email.md).
RESOLVER_ADDRESS = "127.20.0.53"
SILENT_RESOLVER_ADDRESS = "127.20.0.54"  # never answers
SERVFAIL_RESOLVER_ADDRESS = "127.20.0.55"  # answers SERVFAIL to everything
MX_GOOD = "127.20.1.25"  # STARTTLS with a certificate from the test CA
MX_PLAIN = "127.20.2.25"  # no STARTTLS
MX_BADCERT = "127.20.3.25"  # STARTTLS with a self-signed certificate
SMTP_ADDRESSES = (MX_GOOD, MX_PLAIN, MX_BADCERT)


class Signing(StrEnum):
    UNSIGNED = "unsigned"  # no DNSKEY, no DS in the parent
    SIGNED = "signed"  # valid chain from the anchor
    BOGUS = "bogus"  # DS in parent, every signature corrupted
    EXPIRED = "expired"  # DS in parent, signatures expired a day ago


@dataclass(frozen=True)
class ZoneSpec:
    """One test zone: its name, zone-file body (SOA is added), signing and behaviour."""

    name: str
    body: str
    signing: Signing = Signing.UNSIGNED
    servfail: bool = False  # the server answers SERVFAIL for every name in this zone


def _soa(name: str) -> str:
    return f"@ SOA ns1.{name} hostmaster.{name} 1 7200 900 1209600 {DEFAULT_TTL}\n"


# Zones named after what they exercise. Each comment says which checks pass or fail there.
DEFAULT_ZONES: tuple[ZoneSpec, ...] = (
    # Everything right: DNSSEC, two NS in two /24s with AAAA, CAA, SPF -all, DMARC reject,
    # MX with STARTTLS and an AAAA, MTA-STS, web host with AAAA ::1; a TXT too big for UDP.
    ZoneSpec(
        "good.test.",
        """
@ NS ns1
@ NS ns2
@ MX 10 mail
@ TXT "v=spf1 mx ip4:127.20.1.0/24 -all"
@ CAA 0 issue "ca.test"
@ A 127.20.1.80
@ AAAA ::1
_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.test"
_mta-sts TXT "v=STSv1; id=20261129T000000"
ns1 A 127.20.1.53
ns1 AAAA 2001:db8:1::53
ns2 A 127.20.2.53
ns2 AAAA 2001:db8:2::53
mail A 127.20.1.25
mail AAAA ::1
www A 127.20.1.80
www AAAA ::1
shop CNAME www
big TXT "{big}" "{big}" "{big}" "{big}" "{big}" "{big}"
""".replace("{big}", "x" * 250),
        Signing.SIGNED,
    ),
    # Nothing right: unsigned, single NS without AAAA, no CAA/SPF/DMARC/MX, a dangling CNAME.
    ZoneSpec(
        "unsigned.test.",
        """
@ NS ns1
@ A 127.20.4.80
ns1 A 127.20.4.53
www A 127.20.4.80
old CNAME app.removed-cloud.test.
alias CNAME www.good.test.
""",
    ),
    # Signed and delegated with DS, but every signature is corrupted.
    ZoneSpec(
        "bogus.test.",
        """
@ NS ns1
@ NS ns2
@ A 127.20.6.80
ns1 A 127.20.6.53
ns2 A 127.20.7.53
www A 127.20.6.80
alias CNAME www.good.test.
""",
        Signing.BOGUS,
    ),
    # Signed and delegated with DS, signatures expired.
    ZoneSpec(
        "sigexpired.test.",
        """
@ NS ns1
@ NS ns2
@ A 127.20.8.80
ns1 A 127.20.8.53
ns2 A 127.20.9.53
""",
        Signing.EXPIRED,
    ),
    # Two name servers, but both in 127.20.5.0/24.
    ZoneSpec(
        "samenet.test.",
        """
@ NS ns1
@ NS ns2
@ A 127.20.5.80
ns1 A 127.20.5.1
ns2 A 127.20.5.2
""",
    ),
    # MX without STARTTLS; SPF +all; DMARC p=none; MX without AAAA.
    ZoneSpec(
        "mail-plain.test.",
        """
@ NS ns1
@ MX 10 mail
@ TXT "v=spf1 ip4:127.20.2.25 +all"
_dmarc TXT "v=DMARC1; p=none"
ns1 A 127.20.2.53
mail A 127.20.2.25
""",
    ),
    # MX with a self-signed certificate; SPF with a syntax error; DMARC with a bad policy.
    ZoneSpec(
        "mail-badcert.test.",
        """
@ NS ns1
@ MX 10 mail
@ TXT "v=spf1 mx foo:bar -all"
_dmarc TXT "v=DMARC1; p=block"
ns1 A 127.20.3.53
mail A 127.20.3.25
""",
    ),
    # SPF that needs 12 DNS-querying terms (RFC 7208 §4.6.4 allows 10); DMARC pct=50.
    ZoneSpec(
        "spf-many.test.",
        """
@ NS ns1
@ MX 10 mail.good.test.
@ TXT "v=spf1 a mx include:inc1.spf-many.test include:inc2.spf-many.test -all"
inc1 TXT "v=spf1 a mx exists:x.spf-many.test ptr -all"
inc2 TXT "v=spf1 a mx a:x.spf-many.test mx:good.test -all"
_dmarc TXT "v=DMARC1; p=quarantine; pct=50"
ns1 A 127.20.10.53
""",
    ),
    # SPF that includes itself (a loop), and two SPF records at one name.
    ZoneSpec(
        "spf-loop.test.",
        """
@ NS ns1
@ MX 10 mail.good.test.
@ TXT "v=spf1 include:spf-loop.test -all"
two TXT "v=spf1 -all"
two TXT "v=spf1 +all"
two MX 10 mail.good.test.
ns1 A 127.20.11.53
""",
    ),
    # Parked the right way: no MX, SPF -all, DMARC reject.
    ZoneSpec(
        "parked.test.",
        """
@ NS ns1
@ TXT "v=spf1 -all"
_dmarc TXT "v=DMARC1; p=reject"
ns1 A 127.20.12.53
""",
    ),
    # Parked with a null MX (RFC 7505) but a soft SPF and no DMARC: the parked rule fails.
    ZoneSpec(
        "parked-bad.test.",
        """
@ NS ns1
@ MX 0 .
@ TXT "v=spf1 ~all"
ns1 A 127.20.13.53
""",
    ),
    # Every question about this zone gets SERVFAIL.
    ZoneSpec("servfail.test.", "@ NS ns1\nns1 A 127.20.14.53\n", servfail=True),
)


@dataclass
class BuiltZones:
    """Zones ready to serve, and the trust anchor (DS of ``test.``) as zone-file text."""

    zones: dict[dns.name.Name, dns.zone.Zone]
    servfail: set[dns.name.Name]
    anchor_text: str
    signed: dict[dns.name.Name, Signing] = field(default_factory=dict)

    def write_anchor(self, path: Path) -> Path:
        """Write the trust anchor file for ``ScanConfig.trust_anchor_file``."""
        path.write_text(self.anchor_text, encoding="utf-8")
        return path


def _key() -> tuple[ec.EllipticCurvePrivateKey, DNSKEY]:
    private = ec.generate_private_key(ec.SECP256R1())
    # Flags 257 = zone key + secure entry point (RFC 4034 §2.1.1): one combined key.
    public = dns.dnssec.make_dnskey(
        private.public_key(), dns.dnssec.Algorithm.ECDSAP256SHA256, flags=257
    )
    return private, public


def _corrupt_signatures(zone: dns.zone.Zone) -> None:
    """Flip a bit in every RRSIG so the zone's data no longer verifies."""
    with zone.writer() as txn:
        for name, rdataset in list(txn.iterate_rdatasets()):
            if rdataset.rdtype != dns.rdatatype.RRSIG:
                continue
            broken = []
            for sig in rdataset:
                assert isinstance(sig, dns.rdtypes.ANY.RRSIG.RRSIG)
                mangled = bytes([sig.signature[0] ^ 0x01]) + sig.signature[1:]
                broken.append(sig.replace(signature=mangled))
            txn.replace(name, dns.rdataset.from_rdata_list(rdataset.ttl, broken))


def build_zones(
    specs: tuple[ZoneSpec, ...] = DEFAULT_ZONES, *, now: dt.datetime | None = None
) -> BuiltZones:
    """Parse, sign and link the zones; the anchor zone ``test.`` gets the children's DS."""
    now = now or dt.datetime.now(dt.UTC)
    zones: dict[dns.name.Name, dns.zone.Zone] = {}
    ds_lines: list[str] = []  # delegations (NS, and DS for signed children) in test.
    signed: dict[dns.name.Name, Signing] = {}
    for spec in specs:
        text = f"$TTL {DEFAULT_TTL}\n" + _soa(spec.name) + spec.body
        zone = dns.zone.from_text(text, origin=spec.name, relativize=False, check_origin=True)
        signed[zone.origin] = spec.signing  # type: ignore[index]
        ds_lines.append(f"{spec.name} {DEFAULT_TTL} NS ns1.{spec.name}")
        if spec.signing != Signing.UNSIGNED:
            private, public = _key()
            inception, expiration = now - SIGNATURE_BACKDATE, now + SIGNATURE_LIFETIME
            if spec.signing == Signing.EXPIRED:
                inception, expiration = now - dt.timedelta(days=10), now - dt.timedelta(days=1)
            dns.dnssec.sign_zone(
                zone, keys=[(private, public)], inception=inception, expiration=expiration
            )
            if spec.signing == Signing.BOGUS:
                _corrupt_signatures(zone)
            ds = dns.dnssec.make_ds(spec.name, public, "SHA256")
            ds_lines.append(f"{spec.name} {DEFAULT_TTL} DS {ds.to_text()}")
        zones[zone.origin] = zone  # type: ignore[index]
    anchor_private, anchor_public = _key()
    anchor_body = (
        f"$TTL {DEFAULT_TTL}\n{_soa(ANCHOR_ZONE)}@ NS ns1\nns1 A {RESOLVER_ADDRESS}\n"
        + "\n".join(ds_lines)
        + "\n"
    )
    anchor = dns.zone.from_text(anchor_body, origin=ANCHOR_ZONE, relativize=False)
    dns.dnssec.sign_zone(
        anchor,
        keys=[(anchor_private, anchor_public)],
        inception=now - SIGNATURE_BACKDATE,
        expiration=now + SIGNATURE_LIFETIME,
    )
    zones[anchor.origin] = anchor  # type: ignore[index]
    signed[anchor.origin] = Signing.SIGNED  # type: ignore[index]
    anchor_ds = dns.dnssec.make_ds(ANCHOR_ZONE, anchor_public, "SHA256")
    anchor_text = (
        "; Trust anchor of the mps local test internet (generated at start-up).\n"
        f"{ANCHOR_ZONE} {DEFAULT_TTL} IN DS {anchor_ds.to_text()}\n"
    )
    servfail = {dns.name.from_text(s.name) for s in specs if s.servfail}
    return BuiltZones(zones, servfail, anchor_text, signed)
