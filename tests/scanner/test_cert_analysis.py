"""Certificate defects that the live test hosts cannot serve: EC keys under 256 bits, MD5.

Modern OpenSSL will neither sign with MD5 nor offer P-224 in a handshake, so these cases are
checked on the chain analysis itself; the live pass/fail tests are in test_tls_checks.py.
"""

from __future__ import annotations

from mps.scanner.certs import analyse_chain, load_trust_store
from mps.testnet.world import chain_der

# DER of the signature AlgorithmIdentifier OIDs (RFC 4055 / RFC 3279).
SHA256_WITH_RSA = bytes.fromhex("06092a864886f70d01010b")
MD5_WITH_RSA = bytes.fromhex("06092a864886f70d010104")


def test_ec_key_under_256_bits_is_weak(test_ca):
    der = chain_der(test_ca.issue(["ec224.test"], key="ec224", label="ec224"))
    report = analyse_chain(der, "ec224.test", load_trust_store(test_ca.root_pem_path))
    assert report.trusted is True
    assert [w for w in report.weak_keys if "secp224r1 224 bits" in w]


def test_ec_key_of_256_bits_is_not_weak(test_ca):
    der = chain_der(test_ca.issue(["ec256.test"], key="ec256", label="ec256"))
    report = analyse_chain(der, "ec256.test", load_trust_store(test_ca.root_pem_path))
    assert report.weak_keys == []


def test_md5_signature_on_the_leaf_is_weak(test_ca):
    der = chain_der(test_ca.issue(["md5.test"], label="md5"))
    leaf = der[0]
    assert leaf.count(SHA256_WITH_RSA) == 2  # in the TBS part and in the outer signature
    md5_leaf = leaf.replace(SHA256_WITH_RSA, MD5_WITH_RSA)
    report = analyse_chain(
        [md5_leaf, *der[1:]], "md5.test", load_trust_store(test_ca.root_pem_path)
    )
    assert [w for w in report.weak_signatures if "md5WithRSAEncryption" in w]
