"""Certificate chain analysis with ``cryptography``: validity, hostname, trust, key and signature.

Chain building is done here rather than with ``cryptography.x509.verification`` because that
verifier rejects SHA-1 signatures and small keys outright; we must still build the chain so we
can report *which* defect a chain has (weak signature vs. untrusted vs. incomplete).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import ipaddress
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa

# Key sizes below these are weak (NIST SP 800-57 Part 1 Rev. 5, Table 2: 112-bit security needs
# RSA/DSA >= 2048 bits and ECC >= 224 bits; the issue sets EC < 256 as weak, as browsers do).
MIN_RSA_BITS = 2048
MIN_DSA_BITS = 2048
MIN_EC_BITS = 256
# Signature algorithms with broken collision resistance (RFC 6151 for MD5, RFC 9155 for SHA-1).
WEAK_SIGNATURE_OIDS = {
    "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
    "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
    "1.2.840.10045.4.1": "ecdsa-with-SHA1",
    "1.2.840.10040.4.3": "dsa-with-sha1",
    "1.2.840.113549.1.1.2": "md2WithRSAEncryption",
}
# Longest chain we walk (real chains are 2-4 certificates).
MAX_CHAIN_DEPTH = 8


class CertificateError(ValueError):
    """The server's certificate could not be parsed."""


class TrustStore:
    """Trust anchors: Mozilla's roots (certifi) plus an optional extra CA file."""

    def __init__(self, anchors: list[x509.Certificate]) -> None:
        self.by_subject: dict[bytes, list[x509.Certificate]] = {}
        self.fingerprints: set[bytes] = set()
        for cert in anchors:
            self.by_subject.setdefault(cert.subject.public_bytes(), []).append(cert)
            self.fingerprints.add(cert.fingerprint(hashes.SHA256()))

    def __len__(self) -> int:
        return len(self.fingerprints)


@functools.lru_cache(maxsize=8)
def load_trust_store(
    extra_ca_file: Path | None = None, include_public_roots: bool = True
) -> TrustStore:
    """Load (once per process) the public roots and ``extra_ca_file``."""
    anchors: list[x509.Certificate] = []
    if include_public_roots:
        import certifi  # httpx's dependency: Mozilla's CA bundle

        with warnings.catch_warnings():  # a few public roots carry non-positive serials
            warnings.simplefilter("ignore")
            anchors += x509.load_pem_x509_certificates(Path(certifi.where()).read_bytes())
    if extra_ca_file is not None:
        try:
            anchors += x509.load_pem_x509_certificates(Path(extra_ca_file).read_bytes())
        except (OSError, ValueError) as exc:
            raise CertificateError(f"ca_file {extra_ca_file}: {exc}") from exc
    return TrustStore(anchors)


def _signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when ``issuer``'s key verifies ``cert``'s signature (SHA-1 and MD5 included)."""
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
        return True
    except InvalidSignature:
        return False
    except (ValueError, TypeError, UnsupportedAlgorithm):
        pass  # algorithms cryptography's helper refuses (SHA-1): verify by hand below
    key = issuer.public_key()
    try:
        algorithm = cert.signature_hash_algorithm
        if algorithm is None:
            return False
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(algorithm))
        elif isinstance(key, dsa.DSAPublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, algorithm)
        else:
            return False
        return True
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False


def hostname_matches(cert: x509.Certificate, hostname: str) -> tuple[bool, list[str]]:
    """RFC 6125 §6.4: match ``hostname`` against subjectAltName (CN is not consulted, as browsers do)."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return False, []
    dns_names = [n.lower().rstrip(".") for n in san.get_values_for_type(x509.DNSName)]
    ips = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    host = hostname.lower().rstrip(".")
    try:
        return str(ipaddress.ip_address(host)) in ips, dns_names + ips
    except ValueError:
        pass
    for name in dns_names:
        if name == host:
            return True, dns_names + ips
        # RFC 6125 §6.4.3: a wildcard is only the whole left-most label and matches one label.
        if name.startswith("*.") and "." in host:
            first, rest = host.split(".", 1)
            if first and rest == name[2:] and "*" not in rest:
                return True, dns_names + ips
    return False, dns_names + ips


def key_description(cert: x509.Certificate) -> tuple[str, int, bool]:
    """(algorithm, bits, weak) of the certificate's public key."""
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return "unknown", 0, False
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size, key.key_size < MIN_RSA_BITS
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size, key.key_size < MIN_DSA_BITS
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}", key.key_size, key.key_size < MIN_EC_BITS
    return type(key).__name__.removesuffix("PublicKey"), 0, False


@dataclass
class CertReport:
    """Everything the certificate checks decide on, with evidence."""

    chain_pem: list[str]
    subject: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    names: list[str]
    hostname_ok: bool
    trusted: bool | None  # None when the chain is incomplete, so trust is unknown
    self_signed: bool
    incomplete: bool
    missing_issuer: str | None
    weak_keys: list[str] = field(default_factory=list)
    weak_signatures: list[str] = field(default_factory=list)

    def evidence(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "names": self.names,
            "chain_pem": self.chain_pem,
        }


def analyse_chain(chain_der: list[bytes], hostname: str, store: TrustStore) -> CertReport:
    """Build the chain from the leaf to a trust anchor and record every defect on the way."""
    if not chain_der:
        raise CertificateError("server sent no certificate")
    certs: list[x509.Certificate] = []
    for i, der in enumerate(chain_der):
        try:
            certs.append(x509.load_der_x509_certificate(der))
        except ValueError as exc:
            if i == 0:
                raise CertificateError(f"leaf certificate does not parse: {exc}") from exc
            # a broken extra certificate is skipped; the walk below will notice if it was needed
    leaf = certs[0]
    try:
        not_before = leaf.not_valid_before_utc
        not_after = leaf.not_valid_after_utc
        subject = leaf.subject.rfc4514_string()
        issuer = leaf.issuer.rfc4514_string()
    except ValueError as exc:
        raise CertificateError(f"leaf certificate fields do not parse: {exc}") from exc
    ok, names = hostname_matches(leaf, hostname)

    trusted: bool | None = False
    self_signed = False
    incomplete = False
    missing: str | None = None
    path = [leaf]
    current = leaf
    used = {hashlib.sha256(chain_der[0]).digest()}
    for _ in range(MAX_CHAIN_DEPTH):
        if current.fingerprint(hashes.SHA256()) in store.fingerprints:
            trusted = True
            break
        anchors = store.by_subject.get(current.issuer.public_bytes(), [])
        if any(_signed_by(current, a) for a in anchors):
            trusted = True
            break
        nxt = None
        for cand in certs[1:]:
            fp = hashlib.sha256(cand.public_bytes(serialization.Encoding.DER)).digest()
            if fp not in used and _signed_by(current, cand):
                nxt = cand
                used.add(fp)
                break
        if nxt is not None:
            path.append(nxt)
            current = nxt
            continue
        if current.issuer == current.subject and _signed_by(current, current):
            self_signed = True
        elif len(path) == 1:
            # The leaf's issuer was neither sent nor known: an intermediate is missing, so
            # whether the chain would reach a trusted root cannot be decided.
            incomplete = True
            trusted = None
            missing = current.issuer.rfc4514_string()
        # else: the server sent a CA certificate whose issuer is unknown -> untrusted root.
        break

    weak_keys = []
    weak_sigs = []
    for cert in path:
        is_anchor = cert.fingerprint(hashes.SHA256()) in store.fingerprints
        algorithm, bits, weak = key_description(cert)
        if weak and not is_anchor:
            weak_keys.append(f"{cert.subject.rfc4514_string()}: {algorithm} {bits} bits")
        oid = cert.signature_algorithm_oid.dotted_string
        # A root's self-signature is never checked by clients, so it does not count.
        if oid in WEAK_SIGNATURE_OIDS and not (is_anchor or cert.issuer == cert.subject):
            weak_sigs.append(f"{cert.subject.rfc4514_string()}: {WEAK_SIGNATURE_OIDS[oid]}")
    pem = [c.public_bytes(serialization.Encoding.PEM).decode() for c in certs]
    return CertReport(
        chain_pem=pem,
        subject=subject,
        issuer=issuer,
        not_before=not_before,
        not_after=not_after,
        names=names,
        hostname_ok=ok,
        trusted=trusted,
        self_signed=self_signed,
        incomplete=incomplete,
        missing_issuer=missing,
        weak_keys=weak_keys,
        weak_signatures=weak_sigs,
    )
