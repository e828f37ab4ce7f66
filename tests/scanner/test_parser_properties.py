"""Property-based tests: malformed input to every parser gives a clear result, never a crash."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mps.scanner import securitytxt, tlswire
from mps.scanner.certs import CertificateError, analyse_chain, load_trust_store
from mps.scanner.headers import csp_problems, parse_csp, parse_hsts, parse_set_cookie
from mps.scanner.model import Status
from mps.scanner.runner import scan_sync
from mps.scanner.software import mysql_version, product_versions
from mps.scanner.tlsprobe import HelloOutcome, _read_hello
from mps.testnet.hostile import GarbageServer
from mps.testnet.internet import LocalInternet, address
from mps.testnet.world import chain_der
from tests.scanner.conftest import make_config

FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
NOW = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
header_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)


@FUZZ
@given(st.binary(max_size=400))
def test_server_hello_parser_raises_only_its_own_error(data):
    try:
        hello = tlswire.parse_server_hello(data)
    except tlswire.TlsParseError:
        return
    assert isinstance(hello.version, int)


@FUZZ
@given(st.binary(max_size=400))
def test_client_hello_parser_raises_only_its_own_error(data):
    with contextlib.suppress(tlswire.TlsParseError):
        tlswire.parse_client_hello(data)


@FUZZ
@given(st.binary(max_size=400))
def test_certificate_message_parser_raises_only_its_own_error(data):
    try:
        chain = tlswire.parse_certificate(data)
    except tlswire.TlsParseError:
        return
    assert all(isinstance(c, bytes) and c for c in chain)


@FUZZ
@given(st.lists(st.binary(max_size=200), max_size=6))
def test_record_buffer_splits_any_stream_or_says_why(chunks):
    buf = tlswire.RecordBuffer()
    try:
        for chunk in chunks:
            buf.feed(chunk)
            for content_type, _v, payload in buf.records():
                assert content_type in tlswire.RECORD_TYPES
                if content_type == tlswire.HANDSHAKE:
                    buf.handshake_messages(payload)
    except tlswire.TlsParseError:
        pass


@FUZZ
@given(st.binary(max_size=600), st.booleans())
def test_reading_any_server_reply_gives_an_outcome_or_a_parse_error(data, want_certificate):
    async def read() -> HelloOutcome:
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        return await _read_hello(reader, want_certificate)

    try:
        outcome = asyncio.run(read())
    except tlswire.TlsParseError:
        return
    assert outcome.kind in ("server_hello", "alert", "closed", "error")


@FUZZ
@given(
    st.sampled_from([tlswire.SSL3, tlswire.TLS10, tlswire.TLS11, tlswire.TLS12]),
    st.lists(st.sampled_from(sorted(tlswire.CIPHER_NAMES)), min_size=1, max_size=20, unique=True),
    st.from_regex(r"[a-z]{1,20}(\.[a-z]{1,10}){0,3}", fullmatch=True),
    st.booleans(),
)
def test_client_hello_round_trips(version, ciphers, name, tls13):
    record = tlswire.build_client_hello(
        version=version, ciphers=ciphers, server_name=name, tls13=tls13
    )
    buf = tlswire.RecordBuffer()
    buf.feed(record)
    [(content_type, _v, payload)] = buf.records()
    [(msg_type, body)] = buf.handshake_messages(payload)
    hello = tlswire.parse_client_hello(body)
    assert content_type == tlswire.HANDSHAKE and msg_type == tlswire.CLIENT_HELLO
    assert hello.server_name == name
    assert set(ciphers) <= set(hello.cipher_suites)
    assert (tlswire.TLS13 in hello.supported_versions) == tls13


@FUZZ
@given(
    st.integers(0, len(tlswire.VERSION_NAMES) - 1), st.sampled_from(sorted(tlswire.CIPHER_NAMES))
)
def test_server_hello_round_trips(index, cipher):
    version = sorted(tlswire.VERSION_NAMES)[index]
    message = tlswire.build_server_hello(version=version, cipher=cipher)
    hello = tlswire.parse_server_hello(message[4:])
    assert (hello.version, hello.cipher) == (version, cipher)


@FUZZ
@given(header_text)
def test_header_parsers_never_raise(value):
    hsts = parse_hsts(value)
    assert hsts.max_age is None or hsts.max_age >= 0
    parse_csp(value)
    verdict = csp_problems([value])
    assert all(isinstance(p, str) for p in verdict.problems)
    cookie = parse_set_cookie(value)
    assert isinstance(cookie.problems, tuple)


def test_hsts_without_max_age_is_reported():
    assert parse_hsts("includeSubDomains").errors


def test_csp_nonce_neutralises_unsafe_inline():
    assert csp_problems(["script-src 'self' 'unsafe-inline' 'nonce-abc'"]).problems == ()


@FUZZ
@given(header_text, st.booleans(), st.one_of(st.none(), header_text))
def test_security_txt_parser_and_validator_never_raise(text, https, ctype):
    doc = securitytxt.parse(text)
    problems = securitytxt.problems(doc, now=NOW, over_https=https, content_type=ctype)
    assert all(isinstance(p, str) for p in problems)
    if not https:
        assert problems


def test_valid_security_txt_has_no_problems():
    doc = securitytxt.parse("Contact: mailto:security@example.no\nExpires: 2027-06-01T00:00:00Z\n")
    assert (
        securitytxt.problems(
            doc, now=NOW, over_https=True, content_type="text/plain; charset=utf-8"
        )
        == []
    )


def test_security_txt_served_over_http_is_invalid():
    doc = securitytxt.parse("Contact: mailto:security@example.no\nExpires: 2027-06-01T00:00:00Z\n")
    assert any(
        "HTTPS" in p
        for p in securitytxt.problems(doc, now=NOW, over_https=False, content_type="text/plain")
    )


def test_signed_security_txt_is_unwrapped():
    text = (
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
        "Contact: https://example.no/security\nExpires: 2027-01-01T00:00:00+01:00\n"
        "-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n"
    )
    doc = securitytxt.parse(text)
    assert doc.signed and doc.values("contact") == ["https://example.no/security"]


@FUZZ
@given(st.text(max_size=200), st.binary(max_size=200))
def test_software_extraction_never_raises(text, banner):
    for item in product_versions(text, "fuzz"):
        assert item.product and item.version
    mysql_version(banner)


@FUZZ
@given(data=st.data())
def test_mutated_certificates_give_a_report_or_a_certificate_error(test_ca, data):
    der = chain_der(_good_cert(test_ca))
    leaf = bytearray(der[0])
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(leaf) - 1))
        leaf[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(leaf)))
    store = load_trust_store(test_ca.root_pem_path)
    try:
        report = analyse_chain([bytes(leaf[:cut]), *der[1:]], "fuzz.test", store)
    except CertificateError:
        return
    assert report.trusted in (True, False, None)


@FUZZ
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=3))
def test_random_bytes_as_certificates_give_a_certificate_error(chain):
    store = load_trust_store(None)
    with contextlib.suppress(CertificateError):
        analyse_chain(chain, "fuzz.test", store)


_CERTS: dict[str, object] = {}


def _good_cert(ca):
    if "good" not in _CERTS:
        _CERTS["good"] = ca.issue(["fuzz.test"], key="ec256")
    return _CERTS["good"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.builds(
            lambda body: tlswire.record(tlswire.HANDSHAKE, tlswire.TLS12, body),
            st.binary(max_size=200),
        ),
        st.builds(
            lambda body: tlswire.record(
                tlswire.HANDSHAKE, tlswire.TLS12, tlswire.handshake(tlswire.SERVER_HELLO, body)
            ),
            st.binary(max_size=120),
        ),
    )
)
def test_tls_checks_survive_a_server_that_answers_garbage(garbage_server, data):
    server, config = garbage_server
    server.reply = data
    [result] = scan_sync(["garbage.test"], config)
    ids = {f.check for f in result.findings}
    assert "tls.unavailable" in ids
    assert all(f.status in Status for f in result.findings)
    if not any(f.status is Status.PASS and f.check == "tls.unavailable" for f in result.findings):
        assert not [
            f
            for f in result.findings
            if f.check.startswith("tls.cert.") and f.status is Status.FAIL
        ]


@pytest.fixture(scope="module")
def garbage_server(internet, test_ca):
    net = LocalInternet()
    ip = address(250 * 254 + 1)
    server = GarbageServer(ip, internet.ports["https"])
    net.add(server)
    hosts = {**internet.static_hosts(), "garbage.test": [ip]}
    config = make_config(
        internet, test_ca, static_hosts=hosts, families=("tls",), probe_timeout=1.0
    )
    yield server, config
    net.close()
