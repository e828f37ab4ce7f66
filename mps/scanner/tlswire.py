"""A hand-built TLS ClientHello/ServerHello codec (record layer and hello messages only).

Why not the ssl module: the machine's OpenSSL refuses to offer SSLv3, export, NULL, anonymous or
RC4 suites, so it cannot tell us whether a *server* still accepts them. Sending our own
ClientHello and reading the ServerHello (RFC 5246 §7.4.1, RFC 8446 §4.1) answers that without
any cryptography: the handshake is abandoned right after the server's first flight. The same
codec builds ServerHellos for the legacy test responder. Every parser here raises only
``TlsParseError`` on malformed input.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass, field

# Protocol versions on the wire (RFC 6101, RFC 2246, RFC 4346, RFC 5246, RFC 8446).
SSL3 = 0x0300
TLS10 = 0x0301
TLS11 = 0x0302
TLS12 = 0x0303
TLS13 = 0x0304
VERSION_NAMES = {
    SSL3: "SSL 3.0",
    TLS10: "TLS 1.0",
    TLS11: "TLS 1.1",
    TLS12: "TLS 1.2",
    TLS13: "TLS 1.3",
}

# Record content types (RFC 8446 §5.1).
CHANGE_CIPHER_SPEC = 20
ALERT = 21
HANDSHAKE = 22
APPLICATION_DATA = 23
RECORD_TYPES = (CHANGE_CIPHER_SPEC, ALERT, HANDSHAKE, APPLICATION_DATA)
# RFC 5246 §6.2.3: a record carries at most 2^14 + 2048 bytes (RFC 8446 lowers it to 2^14 + 256).
MAX_RECORD_LENGTH = 2**14 + 2048
# Handshake messages we may accumulate across records (a long chain is ~10-20 kB).
MAX_HANDSHAKE_LENGTH = 2**18

# Handshake message types (RFC 8446 §4, RFC 5246 §7.4).
CLIENT_HELLO = 1
SERVER_HELLO = 2
CERTIFICATE = 11
SERVER_KEY_EXCHANGE = 12
SERVER_HELLO_DONE = 14

# Extension types (IANA TLS ExtensionType registry).
EXT_SERVER_NAME = 0
EXT_SUPPORTED_GROUPS = 10
EXT_EC_POINT_FORMATS = 11
EXT_SIGNATURE_ALGORITHMS = 13
EXT_SUPPORTED_VERSIONS = 43
EXT_KEY_SHARE = 51
EXT_RENEGOTIATION_INFO = 0xFF01

# Named groups (RFC 8446 §4.2.7): x25519, secp256r1, secp384r1, ffdhe2048.
GROUP_X25519 = 0x001D
GROUPS = (GROUP_X25519, 0x0017, 0x0018, 0x0100)
# Signature schemes (RFC 8446 §4.2.3) plus the TLS 1.2 SHA-1 pairs for old servers.
SIGNATURE_SCHEMES = (
    0x0403,
    0x0503,
    0x0603,
    0x0804,
    0x0805,
    0x0806,
    0x0401,
    0x0501,
    0x0601,
    0x0201,
    0x0203,
)

# RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello with this fixed random.
HELLO_RETRY_RANDOM = hashlib.sha256(b"HelloRetryRequest").digest()

# Alert descriptions (RFC 8446 §6) that matter for reading probe outcomes.
ALERT_NAMES = {
    0: "close_notify",
    10: "unexpected_message",
    40: "handshake_failure",
    47: "illegal_parameter",
    50: "decode_error",
    70: "protocol_version",
    71: "insufficient_security",
    80: "internal_error",
    86: "inappropriate_fallback",
    112: "unrecognized_name",
}

# Cipher suites by IANA code point (TLS Cipher Suites registry). Grouped by what the checks need.
TLS13_SUITES = {
    0x1301: "TLS_AES_128_GCM_SHA256",
    0x1302: "TLS_AES_256_GCM_SHA384",
    0x1303: "TLS_CHACHA20_POLY1305_SHA256",
}
FORWARD_SECRET_SUITES = {
    0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    0xC023: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    0xC027: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    0xC00A: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    0xC014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    0x009E: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    0x009F: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    0x0033: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
    0x0039: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
}
STATIC_RSA_SUITES = {
    0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256",
    0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384",
    0x003C: "TLS_RSA_WITH_AES_128_CBC_SHA256",
    0x003D: "TLS_RSA_WITH_AES_256_CBC_SHA256",
    0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA",
    0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA",
}
# Weak suites and why (RFC 7465 bans RC4; RFC 5469 retires DES; Sweet32 for 3DES; NULL, EXPORT and
# anonymous suites give no confidentiality, 40-bit keys or no authentication).
WEAK_SUITES = {
    0x0004: ("TLS_RSA_WITH_RC4_128_MD5", "RC4"),
    0x0005: ("TLS_RSA_WITH_RC4_128_SHA", "RC4"),
    0xC011: ("TLS_ECDHE_RSA_WITH_RC4_128_SHA", "RC4"),
    0xC007: ("TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "RC4"),
    0x000A: ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "3DES"),
    0x0016: ("TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "3DES"),
    0xC012: ("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "3DES"),
    0xC008: ("TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "3DES"),
    0x0009: ("TLS_RSA_WITH_DES_CBC_SHA", "DES"),
    0x0015: ("TLS_DHE_RSA_WITH_DES_CBC_SHA", "DES"),
    0x0001: ("TLS_RSA_WITH_NULL_MD5", "NULL"),
    0x0002: ("TLS_RSA_WITH_NULL_SHA", "NULL"),
    0x003B: ("TLS_RSA_WITH_NULL_SHA256", "NULL"),
    0xC010: ("TLS_ECDHE_RSA_WITH_NULL_SHA", "NULL"),
    0xC006: ("TLS_ECDHE_ECDSA_WITH_NULL_SHA", "NULL"),
    0x0003: ("TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXPORT"),
    0x0006: ("TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", "EXPORT"),
    0x0008: ("TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXPORT"),
    0x0014: ("TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXPORT"),
    0x0018: ("TLS_DH_anon_WITH_RC4_128_MD5", "anonymous"),
    0x001B: ("TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", "anonymous"),
    0x0034: ("TLS_DH_anon_WITH_AES_128_CBC_SHA", "anonymous"),
    0x003A: ("TLS_DH_anon_WITH_AES_256_CBC_SHA", "anonymous"),
    0x00A6: ("TLS_DH_anon_WITH_AES_128_GCM_SHA256", "anonymous"),
    0xC018: ("TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "anonymous"),
    0xC019: ("TLS_ECDH_anon_WITH_AES_256_CBC_SHA", "anonymous"),
}

CIPHER_NAMES: dict[int, str] = {
    **TLS13_SUITES,
    **FORWARD_SECRET_SUITES,
    **STATIC_RSA_SUITES,
    **{code: name for code, (name, _) in WEAK_SUITES.items()},
}
# Every TLS <= 1.2 suite we know, strong first: what a "legacy protocol accepted?" probe offers.
ALL_LEGACY_SUITES = (*FORWARD_SECRET_SUITES, *STATIC_RSA_SUITES, *WEAK_SUITES)


def cipher_name(code: int) -> str:
    return CIPHER_NAMES.get(code, f"0x{code:04X}")


def version_name(code: int) -> str:
    return VERSION_NAMES.get(code, f"0x{code:04X}")


def is_forward_secret(code: int) -> bool:
    """TLS 1.3 suites always use (EC)DHE; for TLS <= 1.2 the key exchange is in the suite name."""
    if code in TLS13_SUITES:
        return True
    name = cipher_name(code)
    return "_DHE_" in name or "_ECDHE_" in name


class TlsParseError(ValueError):
    """The bytes are not the TLS structure we expected; the message says where."""


class _Cursor:
    """Bounds-checked reader over a bytes object."""

    def __init__(self, data: bytes, what: str) -> None:
        self.data = data
        self.pos = 0
        self.what = what

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise TlsParseError(f"{self.what}: truncated at byte {self.pos} (need {n} more)")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return int(struct.unpack(">H", self.take(2))[0])

    def u24(self) -> int:
        return int.from_bytes(self.take(3), "big")

    def vec(self, length_bytes: int) -> bytes:
        n = int.from_bytes(self.take(length_bytes), "big")
        return self.take(n)

    def remaining(self) -> int:
        return len(self.data) - self.pos


def _vec(data: bytes, length_bytes: int) -> bytes:
    return len(data).to_bytes(length_bytes, "big") + data


def _u16s(values: tuple[int, ...] | list[int]) -> bytes:
    return b"".join(struct.pack(">H", v) for v in values)


def _ext(ext_type: int, body: bytes) -> bytes:
    return struct.pack(">H", ext_type) + _vec(body, 2)


def record(content_type: int, version: int, payload: bytes) -> bytes:
    """One TLS record (RFC 5246 §6.2.1)."""
    return struct.pack(">BHH", content_type, version, len(payload)) + payload


def handshake(msg_type: int, body: bytes) -> bytes:
    return bytes([msg_type]) + len(body).to_bytes(3, "big") + body


def _parse_extensions(cur: _Cursor, what: str) -> tuple[tuple[int, bytes], ...]:
    if cur.remaining() == 0:
        return ()
    block = _Cursor(cur.vec(2), f"{what} extensions")
    exts = []
    while block.remaining():
        ext_type = block.u16()
        exts.append((ext_type, block.vec(2)))
    return tuple(exts)


@dataclass(frozen=True)
class ClientHello:
    """The fields of a ClientHello that a server (our legacy responder) negotiates on."""

    version: int
    random: bytes
    session_id: bytes
    cipher_suites: tuple[int, ...]
    compression_methods: bytes
    extensions: tuple[tuple[int, bytes], ...] = ()
    server_name: str | None = None
    supported_versions: tuple[int, ...] = ()


def build_client_hello(
    *,
    version: int,
    ciphers: tuple[int, ...] | list[int],
    server_name: str | None,
    tls13: bool = False,
    random: bytes | None = None,
) -> bytes:
    """A complete ClientHello record offering ``ciphers`` at ``version``.

    With ``tls13`` it also offers TLS 1.3 through supported_versions and an x25519 key share
    (random bytes: the handshake is never completed, so no secret is ever derived).
    """
    rnd = random if random is not None else os.urandom(32)
    exts = b""
    if server_name:
        host = server_name.encode("idna") if not server_name.isascii() else server_name.encode()
        entry = b"\x00" + _vec(host, 2)  # host_name(0), RFC 6066 §3
        exts += _ext(EXT_SERVER_NAME, _vec(entry, 2))
    exts += _ext(EXT_SUPPORTED_GROUPS, _vec(_u16s(GROUPS), 2))
    exts += _ext(EXT_EC_POINT_FORMATS, _vec(b"\x00", 1))  # uncompressed, RFC 8422 §5.1.2
    if version >= TLS12 or tls13:
        exts += _ext(EXT_SIGNATURE_ALGORITHMS, _vec(_u16s(SIGNATURE_SCHEMES), 2))
    exts += _ext(EXT_RENEGOTIATION_INFO, b"\x00")  # RFC 5746 §3.4: empty on initial handshake
    suites = list(ciphers)
    if tls13:
        exts += _ext(EXT_SUPPORTED_VERSIONS, _vec(_u16s((TLS13, TLS12)), 1))
        share = struct.pack(">H", GROUP_X25519) + _vec(os.urandom(32), 2)
        exts += _ext(EXT_KEY_SHARE, _vec(share, 2))
        suites = [c for c in TLS13_SUITES if c not in suites] + suites
    legacy_version = min(version, TLS12)
    body = (
        struct.pack(">H", legacy_version)
        + rnd
        + _vec(os.urandom(32) if tls13 else b"", 1)  # RFC 8446 §4.1.2 compatibility session id
        + _vec(_u16s(suites), 2)
        + _vec(b"\x00", 1)  # null compression only
        + _vec(exts, 2)
    )
    # Record-layer version: TLS 1.0 for anything newer (RFC 8446 §5.1), else the offered version.
    record_version = min(legacy_version, TLS10)
    return record(HANDSHAKE, record_version, handshake(CLIENT_HELLO, body))


def parse_client_hello(body: bytes) -> ClientHello:
    """Parse a ClientHello handshake body (without the 4-byte handshake header)."""
    cur = _Cursor(body, "ClientHello")
    version = cur.u16()
    rnd = cur.take(32)
    session_id = cur.vec(1)
    if len(session_id) > 32:
        raise TlsParseError("ClientHello: session id longer than 32 bytes")
    suites_raw = cur.vec(2)
    if len(suites_raw) % 2:
        raise TlsParseError("ClientHello: odd cipher suite list length")
    suites = tuple(struct.unpack(f">{len(suites_raw) // 2}H", suites_raw))
    compression = cur.vec(1)
    exts = _parse_extensions(cur, "ClientHello")
    server_name = None
    versions: tuple[int, ...] = ()
    for ext_type, data in exts:
        if ext_type == EXT_SERVER_NAME and data:
            names = _Cursor(_Cursor(data, "server_name").vec(2), "server_name list")
            while names.remaining():
                kind = names.u8()
                host = names.vec(2)
                if kind == 0:
                    server_name = host.decode("ascii", "replace")
        elif ext_type == EXT_SUPPORTED_VERSIONS:
            raw = _Cursor(data, "supported_versions").vec(1)
            if len(raw) % 2:
                raise TlsParseError("ClientHello: odd supported_versions length")
            versions = tuple(struct.unpack(f">{len(raw) // 2}H", raw))
    return ClientHello(version, rnd, session_id, suites, compression, exts, server_name, versions)


@dataclass(frozen=True)
class ServerHello:
    """What the server chose: protocol version and cipher suite."""

    legacy_version: int
    random: bytes
    session_id: bytes
    cipher: int
    compression: int
    extensions: tuple[tuple[int, bytes], ...] = ()

    @property
    def version(self) -> int:
        """The negotiated version: supported_versions (RFC 8446 §4.2.1) or the legacy field."""
        for ext_type, data in self.extensions:
            if ext_type == EXT_SUPPORTED_VERSIONS and len(data) == 2:
                return int(struct.unpack(">H", data)[0])
        return self.legacy_version

    @property
    def hello_retry(self) -> bool:
        return self.random == HELLO_RETRY_RANDOM


def parse_server_hello(body: bytes) -> ServerHello:
    """Parse a ServerHello handshake body (without the 4-byte handshake header)."""
    cur = _Cursor(body, "ServerHello")
    version = cur.u16()
    rnd = cur.take(32)
    session_id = cur.vec(1)
    if len(session_id) > 32:
        raise TlsParseError("ServerHello: session id longer than 32 bytes")
    cipher = cur.u16()
    compression = cur.u8()
    exts = _parse_extensions(cur, "ServerHello")
    if cur.remaining():
        raise TlsParseError("ServerHello: trailing bytes after extensions")
    return ServerHello(version, rnd, session_id, cipher, compression, exts)


def build_server_hello(*, version: int, cipher: int, random: bytes | None = None) -> bytes:
    """A ServerHello handshake message (TLS <= 1.2 form) for the legacy test responder."""
    body = (
        struct.pack(">H", version)
        + (random if random is not None else os.urandom(32))
        + _vec(os.urandom(32), 1)
        + struct.pack(">HB", cipher, 0)
        + _vec(_ext(EXT_RENEGOTIATION_INFO, b"\x00"), 2)
    )
    return handshake(SERVER_HELLO, body)


def build_certificate(chain_der: list[bytes]) -> bytes:
    """A TLS <= 1.2 Certificate handshake message (RFC 5246 §7.4.2)."""
    certs = b"".join(_vec(der, 3) for der in chain_der)
    return handshake(CERTIFICATE, _vec(certs, 3))


def parse_certificate(body: bytes) -> list[bytes]:
    """DER certificates from a TLS <= 1.2 Certificate message body, in the order sent."""
    cur = _Cursor(_Cursor(body, "Certificate").vec(3), "Certificate list")
    chain = []
    while cur.remaining():
        der = cur.vec(3)
        if not der:
            raise TlsParseError("Certificate: empty certificate entry")
        chain.append(der)
    return chain


def alert(description: int, version: int = TLS12) -> bytes:
    """A fatal alert record (RFC 8446 §6)."""
    return record(ALERT, version, bytes([2, description]))


@dataclass
class RecordBuffer:
    """Splits a byte stream into records and handshake messages, both bounded in size."""

    data: bytearray = field(default_factory=bytearray)
    handshake_data: bytearray = field(default_factory=bytearray)

    def feed(self, chunk: bytes) -> None:
        self.data += chunk

    def records(self) -> list[tuple[int, int, bytes]]:
        """Complete records received so far: (content type, version, payload)."""
        out = []
        while len(self.data) >= 5:
            content_type, version, length = struct.unpack(">BHH", self.data[:5])
            if content_type not in RECORD_TYPES:
                raise TlsParseError(f"record: unknown content type {content_type}")
            if version >> 8 != 0x03:
                raise TlsParseError(f"record: version 0x{version:04X} is not SSL 3/TLS")
            if length > MAX_RECORD_LENGTH:
                raise TlsParseError(f"record: length {length} exceeds {MAX_RECORD_LENGTH}")
            if len(self.data) < 5 + length:
                break
            out.append((content_type, version, bytes(self.data[5 : 5 + length])))
            del self.data[: 5 + length]
        return out

    def handshake_messages(self, payload: bytes) -> list[tuple[int, bytes]]:
        """Feed one handshake record's payload; return the messages it completed."""
        self.handshake_data += payload
        out = []
        while len(self.handshake_data) >= 4:
            msg_type = self.handshake_data[0]
            length = int.from_bytes(self.handshake_data[1:4], "big")
            if length > MAX_HANDSHAKE_LENGTH:
                raise TlsParseError(f"handshake: message length {length} too large")
            if len(self.handshake_data) < 4 + length:
                break
            out.append((msg_type, bytes(self.handshake_data[4 : 4 + length])))
            del self.handshake_data[: 4 + length]
        return out


def parse_alert(payload: bytes) -> tuple[int, int]:
    if len(payload) < 2:
        raise TlsParseError("alert: shorter than 2 bytes")
    return payload[0], payload[1]


def alert_name(description: int) -> str:
    return ALERT_NAMES.get(description, f"alert {description}")
