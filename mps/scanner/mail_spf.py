"""SPF record parsing (RFC 7208) and DNS-lookup counting through the configured resolver.

Written here rather than taken from checkdmarc: checkdmarc resolves synchronously with its
own resolver objects and caches, so it cannot share the scanner's asyncio loop, per-probe
timeouts and typed inconclusive answers. The parser only validates syntax; it never
evaluates a sender address.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from mps.scanner import dnsclient

# RFC 7208 §4.6.4: at most 10 mechanisms/modifiers that cause DNS queries.
MAX_DNS_LOOKUPS = 10
# RFC 7208 §4.6.4: more than 2 look-ups returning no records ("void") is a permerror.
MAX_VOID_LOOKUPS = 2
# Records nested deeper than this are a loop we stop following (the count will exceed 10).
MAX_INCLUDE_DEPTH = 12
# RFC 7208 §3.4: a record that does not fit one 512-octet UDP answer is a bad idea;
# we refuse to parse anything absurdly long instead of burning CPU on it.
MAX_RECORD_LENGTH = 4096

QUALIFIERS = "+-~?"
MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
# Terms that cost a DNS query (RFC 7208 §4.6.4).
LOOKUP_MECHANISMS = ("include", "a", "mx", "ptr", "exists")

_VERSION = re.compile(r"^v=spf1(?: |$)", re.IGNORECASE)
_MODIFIER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9\-_.]*$")
# RFC 7208 §7.1 macro-expand: %{letter digits [r] delimiters} / %% / %_ / %-
_MACRO = re.compile(r"%(?:\{[slodiphcrtvSLODIPHCRTV][0-9]*[rR]?[.\-+,/_=]*\}|%|_|-)")
_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9\-_]{0,61}[A-Za-z0-9_])?$")


@dataclass(frozen=True)
class SpfTerm:
    """One directive or modifier of an SPF record."""

    name: str  # mechanism or modifier name, lower case
    qualifier: str  # "+", "-", "~", "?" for mechanisms; "" for modifiers
    value: str  # domain-spec, network or "" when absent
    modifier: bool = False


@dataclass(frozen=True)
class SpfRecord:
    """A syntactically valid SPF record."""

    text: str
    terms: tuple[SpfTerm, ...]

    @property
    def all_qualifier(self) -> str | None:
        """Qualifier of the ``all`` mechanism, or None when the record has none."""
        for term in self.terms:
            if term.name == "all" and not term.modifier:
                return term.qualifier
        return None

    @property
    def redirect(self) -> str | None:
        """Target of ``redirect=``; ignored when an ``all`` is present (RFC 7208 §6.1)."""
        if self.all_qualifier is not None:
            return None
        for term in self.terms:
            if term.modifier and term.name == "redirect":
                return term.value
        return None

    @property
    def lookup_terms(self) -> tuple[SpfTerm, ...]:
        """Terms of this record alone that cost a DNS query (RFC 7208 §4.6.4)."""
        terms = [t for t in self.terms if not t.modifier and t.name in LOOKUP_MECHANISMS]
        terms += [t for t in self.terms if t.modifier and t.name == "redirect" and self.redirect]
        return tuple(terms)

    @property
    def mechanisms(self) -> tuple[SpfTerm, ...]:
        return tuple(t for t in self.terms if not t.modifier)


@dataclass(frozen=True)
class SpfParse:
    """Result of parsing: a record, or the reason it is not a valid SPF record."""

    record: SpfRecord | None
    error: str = ""


def is_spf(text: str) -> bool:
    """RFC 7208 §4.5: an SPF record starts with ``v=spf1`` then a space or its end."""
    return bool(_VERSION.match(text))


def select_spf(strings: tuple[str, ...] | list[str]) -> list[str]:
    """The TXT strings at a name that are SPF records."""
    return [s for s in strings if is_spf(s)]


def _valid_domain_spec(value: str) -> str:
    """Return "" if ``value`` is a valid RFC 7208 domain-spec, else the reason."""
    if not value:
        return "empty domain"
    if any(ord(c) < 0x21 or ord(c) > 0x7E for c in value):
        return "domain contains characters outside visible US-ASCII"
    without_macros = _MACRO.sub("x", value)
    if "%" in without_macros:
        return "malformed macro"
    if without_macros != value:
        return ""  # domain-end may itself be a macro; it cannot be checked further
    name = value[:-1] if value.endswith(".") else value
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2:
        return "not a fully qualified domain name"
    if not all(_LABEL.match(label) for label in labels):
        return "bad label in domain"
    if labels[-1].isdigit():
        return "top label is numeric"
    return ""


def _valid_cidr(text: str, maximum: int) -> bool:
    return text.isdigit() and len(text) <= 3 and int(text) <= maximum


def _check_network(name: str, value: str) -> str:
    address, _, prefix = value.partition("/")
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return f"{name}: {address!r} is not an IP address"
    if (name == "ip4") != (parsed.version == 4):
        return f"{name}: {address!r} is the wrong address family"
    if "/" in value and not _valid_cidr(prefix, 32 if name == "ip4" else 128):
        return f"{name}: bad prefix length /{prefix}"
    return ""


def _check_dual_cidr(name: str, value: str) -> tuple[str, str]:
    """Split ``domain/ip4cidr//ip6cidr`` for a and mx; return (domain, error)."""
    domain, sep, cidr = value.partition("/")
    if not sep:
        return domain, ""
    ip4, sep6, ip6 = cidr.partition("//") if not cidr.startswith("/") else ("", "/", cidr[1:])
    if ip4 and not _valid_cidr(ip4, 32):
        return domain, f"{name}: bad IPv4 prefix /{ip4}"
    if sep6 and not _valid_cidr(ip6, 128):
        return domain, f"{name}: bad IPv6 prefix //{ip6}"
    return domain, ""


def _parse_term(token: str) -> tuple[SpfTerm | None, str]:
    lowered = token.lower()
    name_end = len(token)
    for index, char in enumerate(token):
        if char in ":=/":
            name_end = index
            break
    head = token[:name_end]
    if name_end < len(token) and token[name_end] == "=":
        if not _MODIFIER_NAME.match(head):
            return None, f"bad modifier name {head!r}"
        value = token[name_end + 1 :]
        if head.lower() in ("redirect", "exp"):
            problem = _valid_domain_spec(value)
            if problem:
                return None, f"{head}={value}: {problem}"
        return SpfTerm(head.lower(), "", value, modifier=True), ""
    qualifier = "+"
    if lowered and lowered[0] in QUALIFIERS:
        qualifier, lowered, token, head = token[0], lowered[1:], token[1:], head[1:]
    mechanism = head.lower()
    if mechanism not in MECHANISMS:
        return None, f"unknown mechanism {token!r}"
    rest = token[len(head) :]
    value = rest[1:] if rest.startswith(":") else rest
    if mechanism == "all":
        if rest:
            return None, f"'all' takes no argument: {token!r}"
    elif mechanism in ("include", "exists"):
        if not rest.startswith(":"):
            return None, f"{mechanism} needs ':domain'"
        problem = _valid_domain_spec(value)
        if problem:
            return None, f"{mechanism}:{value}: {problem}"
    elif mechanism in ("ip4", "ip6"):
        if not rest.startswith(":"):
            return None, f"{mechanism} needs ':address'"
        problem = _check_network(mechanism, value)
        if problem:
            return None, problem
    elif mechanism in ("a", "mx", "ptr"):
        if rest and rest[0] not in ":/":
            return None, f"malformed {mechanism}: {token!r}"
        domain, problem = _check_dual_cidr(mechanism, value if rest.startswith(":") else rest)
        if mechanism == "ptr" and "/" in value:
            problem = "ptr takes no prefix length"
        if not problem and rest.startswith(":"):
            problem = _valid_domain_spec(domain)
        if problem:
            return None, f"{mechanism}: {problem}"
    return SpfTerm(mechanism, qualifier, value), ""


def parse_spf(text: str) -> SpfParse:
    """Parse one SPF record (RFC 7208 §4.6, §12 ABNF). Never raises."""
    if not isinstance(text, str):
        return SpfParse(None, "record is not text")
    if len(text) > MAX_RECORD_LENGTH:
        return SpfParse(None, f"record is {len(text)} characters long")
    if not is_spf(text):
        return SpfParse(None, "record does not start with 'v=spf1'")
    if any(ord(c) > 0x7E or (ord(c) < 0x20) for c in text):
        return SpfParse(None, "record contains characters outside printable US-ASCII")
    terms: list[SpfTerm] = []
    for token in text.split(" ")[1:]:
        if not token:
            continue  # RFC 7208 §4.6.1: terms are separated by one or more spaces
        term, problem = _parse_term(token)
        if term is None:
            return SpfParse(None, problem)
        terms.append(term)
    for once in ("redirect", "exp"):
        # RFC 7208 §6: these modifiers MUST NOT appear more than once.
        if sum(1 for t in terms if t.modifier and t.name == once) > 1:
            return SpfParse(None, f"'{once}=' appears more than once")
    return SpfParse(SpfRecord(text, tuple(terms)))


@dataclass
class SpfWalk:
    """What following includes and redirects found (evidence for too_many_lookups)."""

    lookups: int = 0
    void_lookups: int = 0
    records: dict[str, str] = field(default_factory=dict)  # domain -> record text
    errors: list[str] = field(default_factory=list)
    inconclusive: list[str] = field(default_factory=list)  # look-ups that failed
    not_followed: list[str] = field(default_factory=list)  # macro targets

    @property
    def too_many(self) -> bool:
        return self.lookups > MAX_DNS_LOOKUPS


async def fetch_spf(
    config: dnsclient.DnsConfig, domain: str
) -> tuple[list[str], dnsclient.DnsAnswer]:
    """The SPF records at ``domain`` and the TXT answer they came from."""
    answer = await dnsclient.query(config, domain, "TXT")
    return select_spf(answer.strings), answer


async def walk_lookups(config: dnsclient.DnsConfig, domain: str, record: SpfRecord) -> SpfWalk:
    """Count DNS-querying terms across includes and redirects (RFC 7208 §4.6.4, §5.2, §6.1).

    Stops as soon as the count passes the limit, so loops end quickly.
    """
    walk = SpfWalk(records={domain: record.text})
    pending: list[tuple[SpfRecord, int]] = [(record, 0)]
    while pending and not walk.too_many:
        current, depth = pending.pop(0)
        for term in current.lookup_terms:
            walk.lookups += 1
            if walk.too_many:
                break
            if term.name not in ("include", "redirect"):
                continue
            target = term.value
            if "%" in target:
                walk.not_followed.append(target)
                continue
            if depth + 1 > MAX_INCLUDE_DEPTH:
                walk.errors.append(f"includes nested deeper than {MAX_INCLUDE_DEPTH}")
                continue
            found, answer = await fetch_spf(config, target)
            if answer.inconclusive:
                walk.inconclusive.append(f"{target}: {answer.rcode}")
                continue
            if not found:
                walk.void_lookups += 1
                # RFC 7208 §5.2 / §6.1: an include or redirect target without SPF is a permerror.
                walk.errors.append(f"{term.name}:{target} has no SPF record")
                continue
            if len(found) > 1:
                walk.errors.append(f"{term.name}:{target} has {len(found)} SPF records")
                continue
            parsed = parse_spf(found[0])
            walk.records.setdefault(target, found[0])
            if parsed.record is None:
                walk.errors.append(f"{term.name}:{target}: {parsed.error}")
                continue
            pending.append((parsed.record, depth + 1))
    if walk.void_lookups > MAX_VOID_LOOKUPS:
        walk.errors.append(f"{walk.void_lookups} void look-ups (RFC 7208 §4.6.4 allows 2)")
    return walk
