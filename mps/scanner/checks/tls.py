"""TLS checks per IP address behind the name: protocols, ciphers, forward secrecy, certificate.

Protocol and cipher support is measured with hand-built hellos (``tlswire``) so that what the
local OpenSSL refuses to speak is still detected; the certificate chain comes from an OpenSSL
handshake, or from the cleartext Certificate message when OpenSSL cannot connect at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from mps.scanner import tlswire
from mps.scanner.certs import CertificateError, CertReport, analyse_chain, load_trust_store
from mps.scanner.checks._spec import ref, spec
from mps.scanner.context import TargetContext
from mps.scanner.model import CheckSpec, Finding, Severity, Status
from mps.scanner.tlsprobe import ChainOutcome, HelloOutcome, fetch_chain, send_hello

T = TypeVar("T")

# Certificate expiry thresholds from issue 3: <= 14 days is a warning, <= 30 days information.
EXPIRY_WARN_DAYS = 14
EXPIRY_INFO_DAYS = 30

_TRANSIT = "PR.DS-02"
_TLS_REFS = (ref("2.7", _TRANSIT, "RFC 8446; NIST SP 800-52 Rev. 2"),)
_CERT_REFS = (ref("2.7", _TRANSIT, "RFC 5280; CA/Browser Forum Baseline Requirements"),)

CHECKS: tuple[CheckSpec, ...] = (
    spec(
        "tls.unavailable", "tls", Severity.HIGH,
        en="HTTPS (TLS) is not offered", nb="HTTPS (TLS) tilbys ikke",
        fix_en="Serve the site over HTTPS on port 443 with a valid certificate.",
        fix_nb="Lever nettstedet over HTTPS på port 443 med et gyldig sertifikat.",
        refs=(ref("2.7", _TRANSIT, "RFC 9110 §4.2.2; RFC 8446"),),
    ),
    spec(
        "tls.protocol.sslv3", "tls", Severity.HIGH,
        en="SSL 3.0 is accepted", nb="SSL 3.0 godtas",
        fix_en="Disable SSL 3.0 (POODLE); offer TLS 1.2 and 1.3 only.",
        fix_nb="Slå av SSL 3.0 (POODLE); tilby bare TLS 1.2 og 1.3.",
        refs=(ref("2.7", _TRANSIT, "RFC 7568"),),
    ),
    spec(
        "tls.protocol.tls10", "tls", Severity.MEDIUM,
        en="TLS 1.0 is accepted", nb="TLS 1.0 godtas",
        fix_en="Disable TLS 1.0; offer TLS 1.2 and 1.3 only.",
        fix_nb="Slå av TLS 1.0; tilby bare TLS 1.2 og 1.3.",
        refs=(ref("2.7", _TRANSIT, "RFC 8996"),),
    ),
    spec(
        "tls.protocol.tls11", "tls", Severity.MEDIUM,
        en="TLS 1.1 is accepted", nb="TLS 1.1 godtas",
        fix_en="Disable TLS 1.1; offer TLS 1.2 and 1.3 only.",
        fix_nb="Slå av TLS 1.1; tilby bare TLS 1.2 og 1.3.",
        refs=(ref("2.7", _TRANSIT, "RFC 8996"),),
    ),
    spec(
        "tls.no_tls13", "tls", Severity.LOW,
        en="TLS 1.3 is not offered", nb="TLS 1.3 tilbys ikke",
        fix_en="Enable TLS 1.3 alongside TLS 1.2.",
        fix_nb="Slå på TLS 1.3 i tillegg til TLS 1.2.",
        refs=_TLS_REFS,
    ),
    spec(
        "tls.cipher.weak", "tls", Severity.HIGH,
        en="Weak cipher suites are accepted (RC4, DES/3DES, NULL, EXPORT or anonymous)",
        nb="Svake chifferpakker godtas (RC4, DES/3DES, NULL, EXPORT eller anonyme)",
        fix_en="Remove RC4, DES, 3DES, NULL, EXPORT and anonymous suites from the server configuration.",
        fix_nb="Fjern RC4, DES, 3DES, NULL, EXPORT og anonyme chifferpakker fra serveroppsettet.",
        refs=(ref("2.7", _TRANSIT, "RFC 7465; RFC 9325 §4.1"),),
    ),
    spec(
        "tls.no_forward_secrecy", "tls", Severity.MEDIUM,
        en="No forward-secret key exchange (ECDHE/DHE) is possible",
        nb="Ingen nøkkelutveksling med forward secrecy (ECDHE/DHE) er mulig",
        fix_en="Enable ECDHE cipher suites (and TLS 1.3).",
        fix_nb="Slå på ECDHE-chifferpakker (og TLS 1.3).",
        refs=(ref("2.7", _TRANSIT, "RFC 9325 §4.1"),),
    ),
    spec(
        "tls.cert.expired", "tls", Severity.HIGH,
        en="The certificate has expired", nb="Sertifikatet er utløpt",
        fix_en="Renew the certificate and automate renewal (ACME).",
        fix_nb="Forny sertifikatet og automatiser fornyelsen (ACME).",
        refs=_CERT_REFS,
    ),
    spec(
        "tls.cert.not_yet_valid", "tls", Severity.HIGH,
        en="The certificate is not yet valid", nb="Sertifikatet er ikke gyldig ennå",
        fix_en="Install a certificate whose validity has started; check the server clock.",
        fix_nb="Installer et sertifikat som har blitt gyldig; kontroller klokken på serveren.",
        refs=_CERT_REFS,
    ),
    spec(
        "tls.cert.expiring", "tls", Severity.MEDIUM,
        en="The certificate expires within 30 days", nb="Sertifikatet utløper innen 30 dager",
        fix_en="Renew the certificate now and automate renewal (ACME).",
        fix_nb="Forny sertifikatet nå og automatiser fornyelsen (ACME).",
        refs=_CERT_REFS,
    ),
    spec(
        "tls.cert.hostname_mismatch", "tls", Severity.HIGH,
        en="The certificate does not name this host", nb="Sertifikatet gjelder ikke dette vertsnavnet",
        fix_en="Install a certificate whose subjectAltName covers the host name.",
        fix_nb="Installer et sertifikat der subjectAltName dekker vertsnavnet.",
        refs=(ref("2.7", _TRANSIT, "RFC 6125 §6; RFC 5280 §4.2.1.6"),),
    ),
    spec(
        "tls.cert.untrusted", "tls", Severity.HIGH,
        en="The certificate chain does not lead to a trusted root (self-signed or unknown CA)",
        nb="Sertifikatkjeden fører ikke til en klarert rot (selvsignert eller ukjent CA)",
        fix_en="Use a certificate from a publicly trusted CA.",
        fix_nb="Bruk et sertifikat fra en offentlig klarert utsteder.",
        refs=(ref("2.7", _TRANSIT, "RFC 5280 §6"),),
    ),
    spec(
        "tls.cert.incomplete_chain", "tls", Severity.MEDIUM,
        en="The server does not send the intermediate certificates",
        nb="Serveren sender ikke mellomliggende sertifikater",
        fix_en="Configure the server with the full chain (leaf plus intermediates).",
        fix_nb="Sett opp serveren med hele kjeden (sluttbrukersertifikat og mellomliggende).",
        refs=(ref("2.7", _TRANSIT, "RFC 8446 §4.4.2; RFC 5246 §7.4.2"),),
    ),
    spec(
        "tls.cert.weak_key", "tls", Severity.HIGH,
        en="A certificate key is too short (RSA < 2048 or EC < 256 bits)",
        nb="En sertifikatnøkkel er for kort (RSA < 2048 eller EC < 256 bit)",
        fix_en="Reissue with RSA 2048+ or ECDSA P-256+.",
        fix_nb="Utsted på nytt med RSA 2048+ eller ECDSA P-256+.",
        refs=(ref("2.7", _TRANSIT, "NIST SP 800-57 Part 1 Rev. 5 §5.6"),),
    ),
    spec(
        "tls.cert.weak_signature", "tls", Severity.MEDIUM,
        en="A certificate is signed with SHA-1 or MD5", nb="Et sertifikat er signert med SHA-1 eller MD5",
        fix_en="Reissue the certificate (and intermediates) with SHA-256 or better.",
        fix_nb="Utsted sertifikatet (og mellomliggende) på nytt med SHA-256 eller bedre.",
        refs=(ref("2.7", _TRANSIT, "RFC 9155; RFC 6151"),),
    ),
)  # fmt: skip

CERT_CHECKS = (
    "tls.cert.expired",
    "tls.cert.not_yet_valid",
    "tls.cert.expiring",
    "tls.cert.hostname_mismatch",
    "tls.cert.untrusted",
    "tls.cert.incomplete_chain",
    "tls.cert.weak_key",
    "tls.cert.weak_signature",
)
PROTOCOL_PROBES = {
    "tls.protocol.sslv3": tlswire.SSL3,
    "tls.protocol.tls10": tlswire.TLS10,
    "tls.protocol.tls11": tlswire.TLS11,
}
ALL_TLS_IDS = tuple(s.id for s in CHECKS)


async def run(ctx: TargetContext) -> list[Finding]:
    port = ctx.config.ports["https"]
    if not ctx.addresses:
        why = "; ".join(ctx.refused.values()) or "the name has no address"
        return [ctx.finding("tls.unavailable", Status.INCONCLUSIVE, detail=why)]
    results = await asyncio.gather(*(_scan_address(ctx, ip, port) for ip in ctx.addresses))
    return [f for per_ip in results for f in per_ip]


async def _slot(ctx: TargetContext, ip: str, make: Callable[[], Awaitable[T]]) -> T:
    """Wait for a connection slot to ``ip``, then start the probe (created only now)."""
    async with ctx.connection_slot(ip):
        return await make()


def _hello(
    ctx: TargetContext, version: int, ciphers: tuple[int, ...], tls13: bool = False
) -> bytes:
    return tlswire.build_client_hello(
        version=version, ciphers=ciphers, server_name=ctx.name, tls13=tls13
    )


async def _tcp_open(ctx: TargetContext, ip: str, port: int) -> bool | None:
    """True if something listens, False if refused, None if we cannot tell."""

    async def connect() -> bool | None:
        try:
            _r, writer = await asyncio.wait_for(
                asyncio.open_connection(ip, port), ctx.config.probe_timeout
            )
        except ConnectionRefusedError:
            return False
        except (OSError, TimeoutError):
            return None
        writer.close()
        return True

    return await _slot(ctx, ip, connect)


async def _scan_address(ctx: TargetContext, ip: str, port: int) -> list[Finding]:
    t = ctx.config.probe_timeout
    legacy = tlswire.ALL_LEGACY_SUITES
    weak = tuple(tlswire.WEAK_SUITES)
    fs = tuple(tlswire.FORWARD_SECRET_SUITES)

    def hello(
        version: int, ciphers: tuple[int, ...], tls13: bool = False
    ) -> Callable[[], Awaitable[HelloOutcome]]:
        return partial(send_hello, ip, port, _hello(ctx, version, ciphers, tls13), timeout=t)

    # Round one: OpenSSL's view plus a TLS 1.3 hello. A port that refuses or stalls both is not
    # probed further, so a hostile server costs one round of timeouts, not four.
    chain, tls13 = await asyncio.gather(
        _slot(ctx, ip, partial(fetch_chain, ip, port, ctx.name, timeout=t)),
        _slot(ctx, ip, hello(tlswire.TLS12, legacy, tls13=True)),
    )
    at: dict[str, Any] = {"address": ip, "port": port}
    if chain.kind == "timeout" and tls13.kind == "timeout":
        ev: dict[str, Any] = {"openssl": chain.detail, "hello": tls13.evidence()}
        return [
            ctx.finding(
                cid, Status.INCONCLUSIVE, **at, evidence=ev, detail="TLS handshake timed out"
            )
            for cid in ALL_TLS_IDS
        ]
    if chain.kind == "refused" and tls13.kind == "refused":
        weak_out = fs_out = tls13
        proto = [tls13] * len(PROTOCOL_PROBES)
    else:
        weak_out, fs_out, *proto = await asyncio.gather(
            _slot(ctx, ip, hello(tlswire.TLS12, weak)),
            _slot(ctx, ip, hello(tlswire.TLS12, fs, tls13=True)),
            *(_slot(ctx, ip, hello(v, legacy)) for v in PROTOCOL_PROBES.values()),
        )
    probes: list[HelloOutcome] = [tls13, weak_out, fs_out, *proto]

    if chain.kind == "refused" and all(p.kind == "refused" for p in probes):
        http_open = await _tcp_open(ctx, ip, ctx.config.ports["http"])
        if http_open:
            return [
                ctx.finding(
                    "tls.unavailable",
                    Status.FAIL,
                    **at,
                    evidence={"https_port": "refused", "http_port": "open"},
                    detail="plain HTTP is served but HTTPS is refused",
                )
            ]
        return [
            ctx.finding(
                "tls.unavailable",
                Status.INFO,
                **at,
                evidence={
                    "https_port": "refused",
                    "http_port": "refused" if http_open is False else "unknown",
                },
                detail="no web service on this address",
            )
        ]

    speaks_tls = chain.kind == "ok" or any(p.accepted for p in probes)
    if not speaks_tls:
        conclusive = chain.kind == "error" and all(p.conclusive for p in probes)
        status = Status.FAIL if conclusive else Status.INCONCLUSIVE
        ev = {
            "openssl": chain.kind,
            "openssl_detail": chain.detail,
            "hello": [p.evidence() for p in probes],
        }
        out = [
            ctx.finding(
                "tls.unavailable", status, **at, evidence=ev, detail="no TLS handshake succeeded"
            )
        ]
        if status is Status.INCONCLUSIVE:
            out += [
                ctx.finding(cid, Status.INCONCLUSIVE, **at, detail="TLS could not be measured")
                for cid in ALL_TLS_IDS
                if cid != "tls.unavailable"
            ]
        return out

    out = [
        ctx.finding(
            "tls.unavailable",
            Status.PASS,
            **at,
            evidence={"version": chain.version, "cipher": chain.cipher},
        )
    ]
    for (check_id, version), outcome in zip(PROTOCOL_PROBES.items(), proto, strict=True):
        out.append(_protocol_finding(ctx, check_id, version, outcome, at))
    out.append(_tls13_finding(ctx, tls13, chain, at))
    out.append(_weak_cipher_finding(ctx, weak_out, at))
    out.append(_forward_secrecy_finding(ctx, fs_out, chain, at))
    chain_der = chain.chain_der
    source = "openssl"
    if not chain_der:
        cert_probe = await _slot(
            ctx,
            ip,
            partial(
                send_hello,
                ip,
                port,
                _hello(ctx, tlswire.TLS12, legacy),
                timeout=t,
                want_certificate=True,
            ),
        )
        chain_der = cert_probe.certificates
        source = "cleartext Certificate message"
    out += _certificate_findings(ctx, chain_der, source, at)
    return out


def _protocol_finding(
    ctx: TargetContext, check_id: str, version: int, o: HelloOutcome, at: dict[str, Any]
) -> Finding:
    ev = {"offered": tlswire.version_name(version), **o.evidence()}
    if o.accepted and o.server_hello is not None and o.server_hello.version == version:
        return ctx.finding(
            check_id,
            Status.FAIL,
            **at,
            evidence=ev,
            detail=f"server accepted {tlswire.version_name(version)}",
        )
    if o.accepted or o.kind in ("alert", "closed"):
        return ctx.finding(check_id, Status.PASS, **at, evidence=ev)
    return ctx.finding(check_id, Status.INCONCLUSIVE, **at, evidence=ev, detail=o.detail)


def _tls13_finding(
    ctx: TargetContext, o: HelloOutcome, chain: ChainOutcome, at: dict[str, Any]
) -> Finding:
    ev = {**o.evidence(), "openssl_version": chain.version}
    hello = o.server_hello
    if (
        hello is not None and (hello.version == tlswire.TLS13 or hello.hello_retry)
    ) or chain.version == "TLSv1.3":
        return ctx.finding("tls.no_tls13", Status.PASS, **at, evidence=ev)
    if o.accepted or o.kind in ("alert", "closed"):
        return ctx.finding(
            "tls.no_tls13",
            Status.FAIL,
            **at,
            evidence=ev,
            detail="TLS 1.3 was offered but not chosen",
        )
    return ctx.finding("tls.no_tls13", Status.INCONCLUSIVE, **at, evidence=ev, detail=o.detail)


def _weak_cipher_finding(ctx: TargetContext, o: HelloOutcome, at: dict[str, Any]) -> Finding:
    ev = {"offered": "RC4, DES, 3DES, NULL, EXPORT and anonymous suites only", **o.evidence()}
    if o.accepted and o.server_hello is not None:
        code = o.server_hello.cipher
        kind = tlswire.WEAK_SUITES.get(code, ("", "unknown"))[1]
        ev["weakness"] = kind
        return ctx.finding(
            "tls.cipher.weak",
            Status.FAIL,
            **at,
            evidence=ev,
            detail=f"server chose {tlswire.cipher_name(code)} ({kind})",
        )
    if o.kind in ("alert", "closed"):
        return ctx.finding("tls.cipher.weak", Status.PASS, **at, evidence=ev)
    return ctx.finding("tls.cipher.weak", Status.INCONCLUSIVE, **at, evidence=ev, detail=o.detail)


def _forward_secrecy_finding(
    ctx: TargetContext, o: HelloOutcome, chain: ChainOutcome, at: dict[str, Any]
) -> Finding:
    ev = {"offered": "ECDHE/DHE and TLS 1.3 suites only", **o.evidence()}
    if (
        o.accepted
        and o.server_hello is not None
        and tlswire.is_forward_secret(o.server_hello.cipher)
    ) or chain.version == "TLSv1.3":
        return ctx.finding("tls.no_forward_secrecy", Status.PASS, **at, evidence=ev)
    if o.accepted or o.kind in ("alert", "closed"):
        return ctx.finding(
            "tls.no_forward_secrecy",
            Status.FAIL,
            **at,
            evidence=ev,
            detail="no forward-secret suite could be negotiated",
        )
    return ctx.finding(
        "tls.no_forward_secrecy", Status.INCONCLUSIVE, **at, evidence=ev, detail=o.detail
    )


def _certificate_findings(
    ctx: TargetContext, chain_der: list[bytes], source: str, at: dict[str, Any]
) -> list[Finding]:
    if not chain_der:
        return [
            ctx.finding(cid, Status.INCONCLUSIVE, **at, detail="no certificate could be read")
            for cid in CERT_CHECKS
        ]
    try:
        store = load_trust_store(ctx.config.ca_file)
        report = analyse_chain(chain_der, ctx.name, store)
    except CertificateError as exc:
        return [ctx.finding(cid, Status.INCONCLUSIVE, **at, detail=str(exc)) for cid in CERT_CHECKS]
    return _cert_verdicts(ctx, report, chain_der, source, at)


def _cert_verdicts(
    ctx: TargetContext, r: CertReport, chain_der: list[bytes], source: str, at: dict[str, Any]
) -> list[Finding]:
    now = ctx.now()
    leaf_fp = x509.load_der_x509_certificate(chain_der[0]).fingerprint(hashes.SHA256()).hex()
    summary = {
        "subject": r.subject,
        "issuer": r.issuer,
        "not_before": r.not_before.isoformat(),
        "not_after": r.not_after.isoformat(),
        "names": r.names,
        "sha256": leaf_fp,
        "source": source,
    }
    full = {**summary, "chain_pem": r.chain_pem}
    out = []

    def add(
        cid: str,
        status: Status,
        detail: str = "",
        evidence: dict[str, Any] | None = None,
        severity: Severity | None = None,
    ) -> None:
        out.append(
            ctx.finding(
                cid, status, **at, evidence=evidence or summary, detail=detail, severity=severity
            )
        )

    expired = now > r.not_after
    add(
        "tls.cert.expired",
        Status.FAIL if expired else Status.PASS,
        f"expired {r.not_after:%Y-%m-%d}" if expired else "",
    )
    early = now < r.not_before
    add(
        "tls.cert.not_yet_valid",
        Status.FAIL if early else Status.PASS,
        f"valid from {r.not_before:%Y-%m-%d}" if early else "",
    )
    days = (r.not_after - now).total_seconds() / 86400
    if expired:
        add(
            "tls.cert.expiring",
            Status.INFO,
            "already expired: see tls.cert.expired",
            severity=Severity.INFO,
        )
    elif days <= EXPIRY_WARN_DAYS:
        add("tls.cert.expiring", Status.WARN, f"expires in {days:.1f} days")
    elif days <= EXPIRY_INFO_DAYS:
        add("tls.cert.expiring", Status.INFO, f"expires in {days:.1f} days", severity=Severity.LOW)
    else:
        add("tls.cert.expiring", Status.PASS, f"expires in {days:.0f} days")
    add(
        "tls.cert.hostname_mismatch",
        Status.PASS if r.hostname_ok else Status.FAIL,
        ""
        if r.hostname_ok
        else f"{ctx.name} is not among {', '.join(r.names) or 'no subjectAltName'}",
    )
    if r.trusted is True:
        add("tls.cert.untrusted", Status.PASS, evidence=full)
    elif r.trusted is False:
        add(
            "tls.cert.untrusted",
            Status.FAIL,
            "self-signed certificate" if r.self_signed else "chain ends at an unknown root",
            evidence=full,
        )
    else:
        add(
            "tls.cert.untrusted",
            Status.INCONCLUSIVE,
            "chain incomplete: trust cannot be decided without the missing intermediate",
            evidence=full,
        )
    if r.incomplete:
        add(
            "tls.cert.incomplete_chain",
            Status.FAIL,
            f"issuer not sent: {r.missing_issuer}",
            evidence={**full, "missing_issuer": r.missing_issuer},
        )
    else:
        add("tls.cert.incomplete_chain", Status.PASS, evidence=full)
    add(
        "tls.cert.weak_key",
        Status.FAIL if r.weak_keys else Status.PASS,
        "; ".join(r.weak_keys),
        evidence={**summary, "weak_keys": r.weak_keys},
    )
    add(
        "tls.cert.weak_signature",
        Status.FAIL if r.weak_signatures else Status.PASS,
        "; ".join(r.weak_signatures),
        evidence={**summary, "weak_signatures": r.weak_signatures},
    )
    return out
