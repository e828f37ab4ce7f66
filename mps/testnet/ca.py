"""A test certificate authority (root + intermediate) that issues good and deliberately bad certificates.

Used by the test suite and ``mps demo`` to serve HTTPS/SMTP with known defects: expired, not yet
valid, wrong host, self-signed, RSA 1024, SHA-1, incomplete chain.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

# Validity of the CA itself and of a default leaf (CA/Browser Forum limit is 398 days).
CA_VALIDITY = dt.timedelta(days=3650)
LEAF_VALIDITY = dt.timedelta(days=90)
# Backdating absorbs clock skew between issuing and checking.
BACKDATE = dt.timedelta(hours=1)

# DER of the AlgorithmIdentifier OIDs (RFC 4055 §5 / RFC 3279 §2.2.1). Both are 9-byte OIDs, so
# one can be swapped for the other inside a to-be-signed certificate without re-encoding lengths.
_OID_SHA256_RSA = bytes.fromhex("2a864886f70d01010b")
_OID_SHA1_RSA = bytes.fromhex("2a864886f70d010105")

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class IssuedCert:
    """A leaf certificate on disk: chain PEM (leaf first) and key PEM, plus their text."""

    chain_path: Path
    key_path: Path
    chain_pem: str
    key_pem: str
    certificate: x509.Certificate


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mps test internet"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _new_key(kind: str) -> PrivateKey:
    if kind == "rsa2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "rsa1024":
        return rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - deliberately weak test key
    if kind == "ec256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "ec224":
        return ec.generate_private_key(ec.SECP224R1())  # deliberately weak test key (EC < 256)
    raise ValueError(f"key: unknown kind {kind!r} (rsa2048, rsa1024, ec256, ec224)")


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _sign_sha1(builder: x509.CertificateBuilder, issuer_key: PrivateKey) -> x509.Certificate:
    """Sign with SHA-1, which ``cryptography`` no longer does for certificates.

    We build the certificate with SHA-256, swap the signature algorithm OID inside the
    to-be-signed part, sign that with RSA/SHA-1 and assemble the DER (RFC 5280 §4.1) ourselves.
    """
    if not isinstance(issuer_key, rsa.RSAPrivateKey):
        raise ValueError("signature: sha1 test certificates need an RSA issuer key")
    draft = builder.sign(issuer_key, hashes.SHA256())
    tbs = draft.tbs_certificate_bytes.replace(_OID_SHA256_RSA, _OID_SHA1_RSA, 1)
    sig = issuer_key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 - deliberately weak
    alg = bytes([0x30, 0x0D, 0x06, 0x09]) + _OID_SHA1_RSA + bytes([0x05, 0x00])
    bitstring = b"\x03" + _der_len(len(sig) + 1) + b"\x00" + sig
    body = tbs + alg + bitstring
    return x509.load_der_x509_certificate(b"\x30" + _der_len(len(body)) + body)


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _key_pem(key: PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _load_key(path: Path) -> PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path}: unsupported key type")
    return key


class TestCA:
    """Root and intermediate CA kept in ``directory`` (created on first use, reused afterwards)."""

    __test__ = False  # not a pytest test class

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.root_pem_path = self.directory / "root.pem"
        self.intermediate_pem_path = self.directory / "intermediate.pem"
        self._counter = 0
        if self.root_pem_path.exists() and (self.directory / "intermediate.key").exists():
            self.root_key = _load_key(self.directory / "root.key")
            self.root = x509.load_pem_x509_certificate(self.root_pem_path.read_bytes())
            self.intermediate_key = _load_key(self.directory / "intermediate.key")
            self.intermediate = x509.load_pem_x509_certificate(
                self.intermediate_pem_path.read_bytes()
            )
        else:
            self._create()

    def _create(self) -> None:
        now = dt.datetime.now(dt.UTC) - BACKDATE
        self.root_key = _new_key("rsa2048")
        root_name = _name("mps test root CA")
        self.root = (
            x509.CertificateBuilder()
            .subject_name(root_name)
            .issuer_name(root_name)
            .public_key(self.root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + CA_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.root_key.public_key()),
                critical=False,
            )
            .sign(self.root_key, hashes.SHA256())
        )
        self.intermediate_key = _new_key("rsa2048")
        self.intermediate = (
            x509.CertificateBuilder()
            .subject_name(_name("mps test intermediate CA"))
            .issuer_name(root_name)
            .public_key(self.intermediate_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + CA_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.intermediate_key.public_key()),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root_key.public_key()),
                critical=False,
            )
            .sign(self.root_key, hashes.SHA256())
        )
        (self.directory / "root.key").write_text(_key_pem(self.root_key))
        (self.directory / "intermediate.key").write_text(_key_pem(self.intermediate_key))
        self.intermediate_pem_path.write_text(_pem(self.intermediate))
        self.root_pem_path.write_text(_pem(self.root))

    def issue(
        self,
        hostnames: list[str] | tuple[str, ...],
        *,
        key: str = "rsa2048",
        signature: str = "sha256",
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        self_signed: bool = False,
        include_intermediate: bool = True,
        label: str | None = None,
    ) -> IssuedCert:
        """Issue a leaf for ``hostnames`` (DNS names or IP addresses) and write it to disk."""
        if not hostnames:
            raise ValueError("hostnames: at least one name is needed")
        if signature not in ("sha256", "sha1"):
            raise ValueError(f"signature: unknown {signature!r} (sha256, sha1)")
        now = dt.datetime.now(dt.UTC)
        leaf_key = _new_key(key)
        subject = _name(hostnames[0])
        sans: list[x509.GeneralName] = []
        for host in hostnames:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                sans.append(x509.DNSName(host))
        issuer_cert = None if self_signed else self.intermediate
        issuer_key: PrivateKey = leaf_key if self_signed else self.intermediate_key
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject if issuer_cert is None else issuer_cert.subject)
            .public_key(leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - BACKDATE)
            .not_valid_after(not_after or now + LEAF_VALIDITY)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
        )
        if issuer_cert is not None:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    self.intermediate_key.public_key()
                ),
                critical=False,
            )
        if signature == "sha1":
            cert = _sign_sha1(builder, issuer_key)
        else:
            cert = builder.sign(issuer_key, hashes.SHA256())
        chain_pem = _pem(cert)
        if include_intermediate and not self_signed:
            chain_pem += _pem(self.intermediate)
        self._counter += 1
        stem = label or f"leaf{self._counter}-{hostnames[0].replace('*', '_')}"
        chain_path = self.directory / f"{stem}.chain.pem"
        key_path = self.directory / f"{stem}.key"
        chain_path.write_text(chain_pem)
        key_path.write_text(_key_pem(leaf_key))
        return IssuedCert(chain_path, key_path, chain_pem, _key_pem(leaf_key), cert)
