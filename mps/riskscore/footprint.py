"""An organisation's footprint: asset names, who covers what, and proof of control.

Plain Python with no Django import. Names are normalised the one way the database stores them
(IDNA 2008 A-labels, lower case, no trailing dot), overlaps between organisations are found by
coverage (a domain covers its subdomains, a CIDR block its addresses), and validation tokens are
checked in DNS (``_mps-challenge.<domain>`` TXT) or under ``/.well-known/`` over the scanner's own
configured network stack, so tests point it at the local test internet.
"""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

import idna

from mps.scanner import dnsclient
from mps.scanner.config import ScanConfig

# RFC 1035 §2.3.4: 63 octets per label, 255 per name on the wire (253 in text form).
MAX_LABEL = 63
MAX_NAME = 253
# Prefix length limits for CIDR assets: a block is scanned address by address, so it stays
# small enough for one organisation's public range (1,024 IPv4 addresses); IPv6 blocks are
# recorded for attribution and overlap only (they cannot be enumerated).
MIN_IPV4_PREFIX = 22
MIN_IPV6_PREFIX = 32
# Second-level domains under which each municipality gets its own delegated name (KS runs
# kommune.no); a verification of the parent never covers another organisation's child.
SHARED_PARENT_DOMAINS = frozenset({"kommune.no"})

# Where the DNS TXT token lives, and the file under /.well-known/ (RFC 8615 §3: the registry
# of well-known URIs; ours is an unregistered, product-specific name).
CHALLENGE_LABEL = "_mps-challenge"
WELL_KNOWN_PATH = "/.well-known/mps-challenge.txt"
TOKEN_PREFIX = "mps-verification="  # noqa: S105 - a record prefix, not a secret
# 24 random bytes (192 bits) from the OS CSPRNG: unguessable, short enough for a TXT record.
TOKEN_BYTES = 24
# The common host names discovery tries under a domain (our list of frequent public-sector names).
COMMON_SUBDOMAINS = (
    "www",
    "mail",
    "webmail",
    "post",
    "epost",
    "autodiscover",
    "vpn",
    "remote",
    "portal",
    "min",
    "innsyn",
    "api",
    "ftp",
    "intranett",
    "sd",
)


T = TypeVar("T")


class AssetKind(StrEnum):
    DOMAIN = "domain"
    HOST = "host"
    IP = "ip"
    CIDR = "cidr"


class FootprintError(ValueError):
    """An asset value is invalid; the message names the value and the reason."""


@dataclass(frozen=True)
class AssetRef:
    """An asset as far as coverage is concerned: its kind, normalised value and owner id."""

    kind: AssetKind
    value: str
    owner: int | None = None


def normalise_name(value: str) -> str:
    """IDNA 2008 (UTS #46 mapping) A-label form, lower case, trailing dot stripped."""
    text = (value or "").strip()
    if text.endswith("."):
        text = text[:-1]
    if not text:
        raise FootprintError("the name is empty")
    if "*" in text:
        raise FootprintError(f"{value!r}: wildcards are not assets; add the domain instead")
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        raise FootprintError(f"{value!r} is an IP address, not a name; add it as an IP address")
    try:
        encoded = idna.encode(text, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise FootprintError(f"{value!r} is not a valid domain name: {exc}") from None
    encoded = encoded.lower()
    if len(encoded) > MAX_NAME:
        raise FootprintError(f"{value!r} is longer than {MAX_NAME} characters")
    labels = encoded.split(".")
    if len(labels) < 2:
        raise FootprintError(f"{value!r} needs at least two labels (e.g. example.no)")
    if any(len(label) > MAX_LABEL for label in labels):
        raise FootprintError(f"{value!r} has a label longer than {MAX_LABEL} characters")
    if labels[-1].isdigit():
        raise FootprintError(f"{value!r}: the top-level domain cannot be numeric")
    return encoded


def display_name(value: str) -> str:
    """The U-label form for people ("xn--brum-voa.kommune.no" → "bærum.kommune.no")."""
    try:
        return str(idna.decode(value))
    except (idna.IDNAError, UnicodeError):
        return value


def normalise(kind: str, value: str) -> str:
    """The stored form of an asset value, or FootprintError naming what is wrong."""
    try:
        asset_kind = AssetKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in AssetKind)
        raise FootprintError(f"unknown asset kind {kind!r} (known: {known})") from None
    text = (value or "").strip()
    if asset_kind in (AssetKind.DOMAIN, AssetKind.HOST):
        return normalise_name(text)
    if asset_kind == AssetKind.IP:
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            raise FootprintError(f"{value!r} is not an IP address") from None
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        raise FootprintError(f"{value!r} is not a CIDR block: {exc}") from None
    limit = MIN_IPV4_PREFIX if network.version == 4 else MIN_IPV6_PREFIX
    if network.prefixlen < limit:
        raise FootprintError(
            f"{value!r} is too large: at most /{limit} for IPv{network.version} blocks"
        )
    return str(network)


def _name_covers(parent: str, child: str) -> bool:
    if parent == child:
        return True
    if parent in SHARED_PARENT_DOMAINS:
        return False
    return child.endswith("." + parent)


def platform_of(name: str, platforms: Mapping[str, T]) -> T | None:
    """The platform (``domain -> owner``) whose domain is ``name`` or a parent of it; the most
    specific wins, so a vendor's ``kunde.plattform.no`` beats another's ``plattform.no``."""
    labels = name.split(".")
    for i in range(len(labels)):
        owner = platforms.get(".".join(labels[i:]))
        if owner is not None:
            return owner
    return None


def covers(outer: AssetRef, inner: AssetRef) -> bool:
    """Whether ``outer`` includes ``inner``: a domain its subdomains, a block its addresses."""
    if outer.kind == AssetKind.DOMAIN and inner.kind in (AssetKind.DOMAIN, AssetKind.HOST):
        return _name_covers(outer.value, inner.value)
    if outer.kind == AssetKind.HOST and inner.kind in (AssetKind.DOMAIN, AssetKind.HOST):
        return outer.value == inner.value
    if outer.kind in (AssetKind.IP, AssetKind.CIDR) and inner.kind in (
        AssetKind.IP,
        AssetKind.CIDR,
    ):
        a = ipaddress.ip_network(outer.value)
        b = ipaddress.ip_network(inner.value)
        return a.version == b.version and b.subnet_of(a)  # type: ignore[arg-type]
    return False


def overlap(candidate: AssetRef, others: Iterable[AssetRef]) -> AssetRef | None:
    """The first of ``others`` that covers the candidate or is covered by it, if any."""
    for other in others:
        if covers(other, candidate) or covers(candidate, other):
            return other
    return None


def candidate_parents(kind: AssetKind, value: str) -> list[str]:
    """Stored values that could cover ``value`` (itself and each parent domain / block).

    Lets the database look up overlaps with one indexed ``IN`` query instead of a scan.
    """
    if kind in (AssetKind.DOMAIN, AssetKind.HOST):
        labels = value.split(".")
        return [".".join(labels[i:]) for i in range(len(labels) - 1)]
    network = ipaddress.ip_network(value)
    limit = MIN_IPV4_PREFIX if network.version == 4 else MIN_IPV6_PREFIX
    found = [str(network.supernet(new_prefix=p)) for p in range(limit, network.prefixlen + 1)]
    if network.num_addresses == 1:
        found.append(str(network.network_address))
    return found


def new_token() -> str:
    """A fresh, unguessable validation token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def challenge_name(domain: str) -> str:
    return f"{CHALLENGE_LABEL}.{domain}"


def expected_record(token: str) -> str:
    return f"{TOKEN_PREFIX}{token}"


@dataclass
class ValidationOutcome:
    """Whether the proof was found, with what was seen (kept as the validation's evidence)."""

    verified: bool
    method: str
    detail: str
    evidence: dict[str, Any] = field(default_factory=dict)
    inconclusive: bool = False  # the probe failed (timeout, SERVFAIL): try again later

    def to_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "method": self.method,
            "detail": self.detail,
            "evidence": self.evidence,
            "inconclusive": self.inconclusive,
        }


async def check_dns_token(domain: str, token: str, config: ScanConfig) -> ValidationOutcome:
    """Look for ``mps-verification=<token>`` in the TXT records at ``_mps-challenge.<domain>``."""
    name = challenge_name(domain)
    answer = await dnsclient.query(config, name, "TXT")
    evidence = {"query": name, "answer": answer.to_evidence()}
    if answer.inconclusive:
        return ValidationOutcome(
            False, "dns_txt", f"DNS look-up of {name} failed: {answer.rcode}", evidence, True
        )
    wanted = expected_record(token)
    if any(s.strip() == wanted for s in answer.strings):
        return ValidationOutcome(True, "dns_txt", f"{name} TXT holds the token", evidence)
    return ValidationOutcome(False, "dns_txt", f"no TXT record {wanted!r} at {name}", evidence)


async def check_well_known(name: str, token: str, config: ScanConfig) -> ValidationOutcome:
    """Fetch ``/.well-known/mps-challenge.txt`` (HTTPS first, then HTTP) and compare its body.

    Control of the web server proves control of the name as ACME's http-01 does (RFC 8555 §8.3);
    the certificate is not required to be valid for that.
    """
    from mps.scanner.context import TargetContext
    from mps.scanner.webfetch import fetch

    ctx = await TargetContext.create(name, config)
    evidence: dict[str, Any] = {"addresses": list(ctx.all_addresses), "refused": ctx.refused}
    if not ctx.addresses:
        return ValidationOutcome(
            False, "well_known", f"{name} has no address the scanner may reach", evidence, True
        )
    errors = []
    for scheme in ("https", "http"):
        result = await fetch(ctx, ctx.addresses[0], scheme, WELL_KNOWN_PATH)
        evidence[scheme] = result.evidence()
        final = result.final
        if result.ok and final is not None and final.status == 200:
            body = result.body.decode("utf-8", "replace").strip()
            if token in body.split():
                return ValidationOutcome(
                    True, "well_known", f"{result.start_url} holds the token", evidence
                )
            return ValidationOutcome(
                False, "well_known", f"{result.start_url} does not hold the token", evidence
            )
        errors.append(result.error or f"HTTP {final.status if final else '?'}")
    return ValidationOutcome(
        False,
        "well_known",
        f"{WELL_KNOWN_PATH} not found on {name}: {'; '.join(errors)}",
        evidence,
    )


def check_sync(method: str, name: str, token: str, config: ScanConfig) -> ValidationOutcome:
    """Blocking wrapper for actions and commands."""
    if method == "dns_txt":
        return asyncio.run(check_dns_token(name, token, config))
    if method == "well_known":
        return asyncio.run(check_well_known(name, token, config))
    raise FootprintError(f"validation method {method!r} cannot be checked automatically")


@dataclass(frozen=True)
class Suggestion:
    """A name discovery found, and why it is suggested."""

    kind: AssetKind
    value: str
    source: str  # "mx", "ns", "spf", "cname", "subdomain", "certificate"
    via: str  # the record or asset it came from

    def to_json(self) -> dict[str, str]:
        return {"kind": str(self.kind), "value": self.value, "source": self.source, "via": self.via}


def _spf_includes(strings: Iterable[str]) -> list[str]:
    """Domains named by include:/redirect= terms of an SPF record (RFC 7208 §5.2, §6.1)."""
    found = []
    for text in strings:
        if not text.lower().startswith("v=spf1"):
            continue
        for term in text.split()[1:]:
            lowered = term.lower().lstrip("+-~?")
            for prefix in ("include:", "redirect="):
                if lowered.startswith(prefix):
                    found.append(lowered[len(prefix) :])
    return found


def _clean(value: str) -> str | None:
    try:
        return normalise_name(value)
    except FootprintError:
        return None


async def discover(domain: str, config: ScanConfig) -> list[Suggestion]:
    """Names related to ``domain`` from DNS (MX, NS, SPF includes, CNAME targets, subdomains)."""
    mx, ns, txt = await asyncio.gather(
        dnsclient.query(config, domain, "MX"),
        dnsclient.query(config, domain, "NS"),
        dnsclient.query(config, domain, "TXT"),
    )
    found: list[Suggestion] = []
    for record in mx.records:
        parts = record.split()
        if parts and (name := _clean(parts[-1])):
            found.append(Suggestion(AssetKind.HOST, name, "mx", domain))
    for record in ns.records:
        if name := _clean(record):
            found.append(Suggestion(AssetKind.HOST, name, "ns", domain))
    for include in _spf_includes(txt.strings):
        if name := _clean(include):
            found.append(Suggestion(AssetKind.DOMAIN, name, "spf", domain))
    subs = [f"{label}.{domain}" for label in COMMON_SUBDOMAINS]
    answers = await asyncio.gather(*(dnsclient.query(config, sub, "A") for sub in subs))
    for sub, answer in zip(subs, answers, strict=True):
        if answer.exists or answer.cnames:
            found.append(Suggestion(AssetKind.HOST, sub, "subdomain", domain))
        for link in answer.cnames:
            target = link.split()[-1]  # "owner CNAME target" (dnsclient's chain text)
            if name := _clean(target):
                found.append(Suggestion(AssetKind.HOST, name, "cname", sub))
    return dedupe(found, exclude={domain})


def names_from_certificates(names: Iterable[str], via: str) -> list[Suggestion]:
    """Suggestions from the subject alternative names of certificates the scanner saw."""
    found = []
    for raw in names:
        text = raw.strip()
        if text.startswith("*."):
            text = text[2:]
        if name := _clean(text):
            found.append(Suggestion(AssetKind.HOST, name, "certificate", via))
    return dedupe(found)


def dedupe(items: Iterable[Suggestion], exclude: Iterable[str] = ()) -> list[Suggestion]:
    seen = set(exclude)
    out = []
    for s in items:
        if s.value in seen:
            continue
        seen.add(s.value)
        out.append(s)
    return out
