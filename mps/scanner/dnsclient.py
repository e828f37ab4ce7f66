"""Async DNS look-ups and DNSSEC chain validation through the configured resolver.

Every query goes to ``config.resolver`` (or the system's first name server when it is
None), so the whole scanner can run against the local test internet.  Failures of any
kind (timeout, SERVFAIL, malformed reply) come back as a typed ``DnsAnswer`` marked
inconclusive; no exception leaves this module.

DNSSEC is validated here, not trusted from the resolver's AD bit: queries carry the CD
flag (RFC 4035 §3.2.2) so a validating resolver hands over bogus data instead of
SERVFAIL, and the chain DS -> DNSKEY -> RRSIG is checked from the trust anchors in
``config.trust_anchor_file`` with ``dns.dnssec.validate``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import dns.asyncquery
import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset

# Default per-query timeout when the config has none (seconds); a resolver that has not
# answered a single query in 3 s is treated as unreachable for that probe.
DEFAULT_TIMEOUT = 3.0
# RFC 6891 §6.2.5: 1232 bytes is the EDNS buffer size recommended by DNS Flag Day 2020.
EDNS_PAYLOAD = 1232
# RFC 7208 / RFC 1035: a name longer than 255 octets cannot be queried at all.
MAX_NAME_OCTETS = 255


class DnsConfig(Protocol):
    """The part of ScanConfig this module reads (kept structural to avoid a cycle)."""

    resolver: tuple[str, int] | None
    trust_anchor_file: Path | None
    static_hosts: dict[str, list[str]]
    probe_timeout: float
    now: Any


class DnssecState(StrEnum):
    """Outcome of DNSSEC validation, in the terms of RFC 4033 §5."""

    UNCHECKED = "unchecked"  # the caller did not ask for validation
    SECURE = "secure"  # chain of trust verified from a configured anchor
    INSECURE = "insecure"  # a delegation without DS: the zone is not signed
    BOGUS = "bogus"  # signatures or DS/DNSKEY links do not verify
    INDETERMINATE = "indeterminate"  # no anchor covers the name, or a look-up failed


@dataclass(frozen=True)
class DnsAnswer:
    """One question and what the resolver said, ready to be stored as evidence."""

    name: str
    rdtype: str
    rcode: str  # "NOERROR", "NXDOMAIN", "SERVFAIL", ... or "TIMEOUT" / "ERROR"
    records: tuple[str, ...] = ()  # rdata text of the answer RRset for `rdtype`
    cnames: tuple[str, ...] = ()  # CNAME chain followed, owner -> target texts
    strings: tuple[str, ...] = ()  # TXT only: each record's strings joined (RFC 7208 §3.3)
    ttl: int | None = None
    timed_out: bool = False
    error: str = ""
    authenticated_data: bool = False  # the resolver's AD bit (informative only)
    signatures: tuple[str, ...] = ()  # RRSIG texts covering the answer
    dnssec: DnssecState = DnssecState.UNCHECKED
    dnssec_detail: str = ""
    resolver: str = ""

    @property
    def inconclusive(self) -> bool:
        """True when the look-up itself failed, so no conclusion may be drawn."""
        return self.timed_out or self.rcode not in ("NOERROR", "NXDOMAIN")

    @property
    def nxdomain(self) -> bool:
        return self.rcode == "NXDOMAIN"

    @property
    def exists(self) -> bool:
        """True when the name has at least one record of the asked type."""
        return self.rcode == "NOERROR" and bool(self.records)

    def to_evidence(self) -> dict[str, Any]:
        data = asdict(self)
        data["dnssec"] = str(self.dnssec)
        return {k: v for k, v in data.items() if v not in ((), "", None, False)} | {
            "name": self.name,
            "rdtype": self.rdtype,
            "rcode": self.rcode,
        }


@dataclass
class _Raw:
    """A raw response (or the failure to get one) before it becomes a DnsAnswer."""

    message: dns.message.Message | None
    rcode: str
    timed_out: bool = False
    error: str = ""


def resolver_address(config: DnsConfig) -> tuple[str, int]:
    """The (address, port) every query goes to."""
    if config.resolver is not None:
        return config.resolver
    try:
        system = dns.resolver.get_default_resolver()
        return (str(system.nameservers[0]), 53)
    except Exception:  # no /etc/resolv.conf: fail each query, not the import
        return ("127.0.0.1", 53)


def _timeout(config: DnsConfig) -> float:
    value = getattr(config, "probe_timeout", None)
    return float(value) if value else DEFAULT_TIMEOUT


def _now(config: DnsConfig) -> float:
    now = getattr(config, "now", None)
    return now.timestamp() if now is not None else time.time()


def _parse_name(name: str) -> dns.name.Name:
    parsed = dns.name.from_text(name)
    if len(parsed.to_wire() or b"") > MAX_NAME_OCTETS:
        raise dns.name.NameTooLong
    return parsed


async def _exchange(
    config: DnsConfig, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType, dnssec: bool
) -> _Raw:
    """Send one question over UDP, retry over TCP when truncated (RFC 7766 §5)."""
    host, port = resolver_address(config)
    query = dns.message.make_query(
        qname, rdtype, want_dnssec=dnssec, use_edns=0, payload=EDNS_PAYLOAD
    )
    if dnssec:
        query.flags |= dns.flags.CD  # RFC 4035 §3.2.2: we validate ourselves
    timeout = _timeout(config)
    try:
        async with asyncio.timeout(timeout * 2 + 0.5):  # belt and braces over dnspython's
            response = await dns.asyncquery.udp(query, host, timeout=timeout, port=port)
            if response.flags & dns.flags.TC:
                response = await dns.asyncquery.tcp(query, host, timeout=timeout, port=port)
    except (dns.exception.Timeout, TimeoutError):
        return _Raw(None, "TIMEOUT", timed_out=True, error=f"no answer from {host}:{port}")
    except (dns.exception.DNSException, OSError, ValueError, EOFError) as exc:
        return _Raw(None, "ERROR", error=f"{type(exc).__name__}: {exc}"[:300])
    return _Raw(response, dns.rcode.to_text(response.rcode()))


def _find(
    section: list[dns.rrset.RRset],
    name: dns.name.Name,
    rdtype: dns.rdatatype.RdataType,
    covers: dns.rdatatype.RdataType = dns.rdatatype.NONE,
) -> dns.rrset.RRset | None:
    for rrset in section:
        if rrset.name == name and rrset.rdtype == rdtype and rrset.covers == covers:
            return rrset
    return None


def _follow(
    message: dns.message.Message, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType
) -> tuple[dns.name.Name, dns.rrset.RRset | None, list[str]]:
    """Walk the CNAME chain inside the answer section; return the final owner and RRset."""
    owner, chain = qname, list[str]()
    for _ in range(16):  # a longer chain in one answer is hostile or looping
        found = _find(message.answer, owner, rdtype)
        if found is not None or rdtype == dns.rdatatype.CNAME:
            return owner, found, chain
        cname = _find(message.answer, owner, dns.rdatatype.CNAME)
        if cname is None:
            return owner, None, chain
        target = cname[0].target
        chain.append(f"{owner} CNAME {target}")
        owner = target
    return owner, None, chain


def _txt_strings(rrset: dns.rrset.RRset) -> tuple[str, ...]:
    out = []
    for rdata in rrset:
        parts = getattr(rdata, "strings", ())
        out.append(b"".join(parts).decode("utf-8", errors="replace"))
    return tuple(out)


async def query(config: DnsConfig, name: str, rdtype: str, *, dnssec: bool = False) -> DnsAnswer:
    """Ask the configured resolver one question; with ``dnssec`` validate the answer."""
    answer, _ = await _ask(config, name, rdtype, dnssec)
    return answer


async def _ask(
    config: DnsConfig, name: str, rdtype: str, dnssec: bool
) -> tuple[DnsAnswer, dns.message.Message | None]:
    """``query`` plus the raw reply, for callers that need the authority section."""
    resolver = "{}:{}".format(*resolver_address(config))
    try:
        qname = _parse_name(name)
        qtype = dns.rdatatype.from_text(rdtype)
    except (dns.exception.DNSException, ValueError) as exc:
        error = f"bad question: {exc}"
        return DnsAnswer(name, rdtype, "ERROR", error=error, resolver=resolver), None
    raw = await _exchange(config, qname, qtype, dnssec)
    unchecked = DnssecState.INDETERMINATE if dnssec else DnssecState.UNCHECKED
    if raw.message is None:
        failed = DnsAnswer(
            name, rdtype, raw.rcode, timed_out=raw.timed_out, error=raw.error,
            resolver=resolver, dnssec=unchecked,
        )  # fmt: skip
        return failed, None
    message = raw.message
    try:
        owner, rrset, chain = _follow(message, qname, qtype)
        sigs = _find(message.answer, owner, dns.rdatatype.RRSIG, qtype) if rrset else None
        answer = DnsAnswer(
            name=name,
            rdtype=rdtype.upper(),
            rcode=raw.rcode,
            records=tuple(sorted(r.to_text() for r in rrset)) if rrset else (),
            cnames=tuple(chain),
            strings=_txt_strings(rrset) if rrset and qtype == dns.rdatatype.TXT else (),
            ttl=rrset.ttl if rrset else None,
            authenticated_data=bool(message.flags & dns.flags.AD),
            signatures=tuple(r.to_text() for r in sigs) if sigs else (),
            resolver=resolver,
        )
    except Exception as exc:  # a reply dnspython parsed but we cannot read: inconclusive
        error = f"unreadable reply: {type(exc).__name__}"
        return DnsAnswer(name, rdtype, "ERROR", error=error, resolver=resolver), None
    if not dnssec or answer.inconclusive:
        if dnssec:
            return _replace(answer, DnssecState.INDETERMINATE, "look-up failed"), message
        return answer, message
    try:
        state, detail = await _validate_message(config, message, qname, owner, qtype, rrset)
    except Exception as exc:  # validation must never end a scan
        state, detail = DnssecState.INDETERMINATE, f"validation error: {type(exc).__name__}"
    return _replace(answer, state, detail), message


def _replace(answer: DnsAnswer, state: DnssecState, detail: str) -> DnsAnswer:
    data = {**answer.__dict__, "dnssec": state, "dnssec_detail": detail}
    return DnsAnswer(**data)


async def addresses(config: DnsConfig, name: str) -> list[str]:
    """Addresses of a host: ``static_hosts`` first (like /etc/hosts), then A and AAAA."""
    static = getattr(config, "static_hosts", None) or {}
    key = name.rstrip(".").lower()
    for candidate in (name, key, key + "."):
        if candidate in static:
            return list(static[candidate])
    answers = await asyncio.gather(query(config, name, "A"), query(config, name, "AAAA"))
    return [record for answer in answers for record in answer.records]


# --- DNSSEC -----------------------------------------------------------------------


@dataclass
class TrustAnchors:
    """DS and DNSKEY anchors by zone name, read from zone-file text."""

    ds: dict[dns.name.Name, list[dns.rdata.Rdata]] = field(default_factory=dict)
    dnskey: dict[dns.name.Name, list[dns.rdata.Rdata]] = field(default_factory=dict)

    def closest(self, name: dns.name.Name) -> dns.name.Name | None:
        """The deepest anchored zone that encloses ``name``."""
        best: dns.name.Name | None = None
        for zone in [*self.ds, *self.dnskey]:
            if name.is_subdomain(zone) and (best is None or len(zone) > len(best)):
                best = zone
        return best


_ANCHOR_CACHE: dict[tuple[str, float], TrustAnchors] = {}


def load_trust_anchors(path: Path) -> TrustAnchors:
    """Parse a trust-anchor file of DS and/or DNSKEY records (RFC 1035 master format).

    Raises ValueError naming the file and the problem when it cannot be used.
    """
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime)
        if key in _ANCHOR_CACHE:
            return _ANCHOR_CACHE[key]
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"trust anchor file {path}: cannot read ({exc})") from exc
    anchors = TrustAnchors()
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.split(";", 1)[0].strip()
        if not stripped:
            continue
        try:
            rrset = dns.rrset.from_text(*_split_anchor_line(stripped))
        except (dns.exception.DNSException, ValueError) as exc:
            raise ValueError(
                f"trust anchor file {path}, line {number}: not a DS or DNSKEY record ({exc})"
            ) from exc
        target = anchors.ds if rrset.rdtype == dns.rdatatype.DS else anchors.dnskey
        if rrset.rdtype not in (dns.rdatatype.DS, dns.rdatatype.DNSKEY):
            raise ValueError(
                f"trust anchor file {path}, line {number}: type "
                f"{dns.rdatatype.to_text(rrset.rdtype)} is neither DS nor DNSKEY"
            )
        target.setdefault(rrset.name, []).extend(rrset)
    if not anchors.ds and not anchors.dnskey:
        raise ValueError(f"trust anchor file {path}: no DS or DNSKEY record found")
    _ANCHOR_CACHE[key] = anchors
    return anchors


def _split_anchor_line(line: str) -> tuple[str, int, str, str, str]:
    """Split ``owner [ttl] [IN] TYPE rdata`` into the arguments of rrset.from_text."""
    tokens = line.split()
    owner, rest = tokens[0], tokens[1:]
    ttl = 3600
    if rest and rest[0].isdigit():
        ttl = int(rest.pop(0))
    if rest and rest[0].upper() == "IN":
        rest.pop(0)
    if len(rest) < 2:
        raise ValueError("too few fields")
    return owner, ttl, "IN", rest[0], " ".join(rest[1:])


@dataclass
class ChainResult:
    """The verified DNSKEYs of a zone (when secure) and how we got there."""

    state: DnssecState
    detail: str
    keys: dns.rrset.RRset | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)


def _verify(
    config: DnsConfig,
    rrset: dns.rrset.RRset,
    sigs: dns.rrset.RRset | None,
    keys: dns.rrset.RRset,
) -> str:
    """Return "" when some RRSIG over ``rrset`` verifies with ``keys``, else the reason."""
    if sigs is None or len(sigs) == 0:
        return f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)} has no RRSIG"
    try:
        dns.dnssec.validate(rrset, sigs, {keys.name: keys}, now=_now(config))
    except dns.dnssec.ValidationFailure as exc:
        return f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)}: {exc}"
    except Exception as exc:  # unsupported algorithm, malformed key ...
        return f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)}: {type(exc).__name__}"
    return ""


async def _fetch(
    config: DnsConfig, name: dns.name.Name, rdtype: dns.rdatatype.RdataType
) -> tuple[_Raw, dns.rrset.RRset | None, dns.rrset.RRset | None]:
    raw = await _exchange(config, name, rdtype, True)
    if raw.message is None:
        return raw, None, None
    rrset = _find(raw.message.answer, name, rdtype)
    sigs = _find(raw.message.answer, name, dns.rdatatype.RRSIG, rdtype)
    return raw, rrset, sigs


def _ds_matches(zone: dns.name.Name, key: dns.rdata.Rdata, ds_set: list[dns.rdata.Rdata]) -> bool:
    for ds in ds_set:
        digest = getattr(ds, "digest_type", None)
        # An unsupported digest type in one DS must not hide a match in the next one.
        with contextlib.suppress(Exception):
            if dns.dnssec.make_ds(zone, key, digest) == ds:  # type: ignore[arg-type]
                return True
    return False


async def _zone_keys(
    config: DnsConfig,
    zone: dns.name.Name,
    ds_set: list[dns.rdata.Rdata],
    anchor_keys: list[dns.rdata.Rdata],
    steps: list[dict[str, Any]],
) -> ChainResult:
    """Fetch a zone's DNSKEY RRset and check it against its DS set or anchor keys."""
    raw, keys, sigs = await _fetch(config, zone, dns.rdatatype.DNSKEY)
    step: dict[str, Any] = {"zone": zone.to_text(), "ds": [d.to_text() for d in ds_set]}
    steps.append(step)
    if raw.message is None or raw.rcode != "NOERROR":
        step["dnskey_rcode"] = raw.rcode
        return ChainResult(DnssecState.INDETERMINATE, f"DNSKEY {zone}: {raw.rcode}", steps=steps)
    if keys is None:
        return ChainResult(DnssecState.BOGUS, f"{zone} has a DS but no DNSKEY", steps=steps)
    step["dnskey"] = [k.to_text() for k in keys]
    trusted = [k for k in keys if k in anchor_keys or _ds_matches(zone, k, ds_set)]
    if not trusted:
        return ChainResult(DnssecState.BOGUS, f"no DNSKEY of {zone} matches its DS", steps=steps)
    trusted_set = dns.rrset.from_rdata_list(zone, keys.ttl, trusted)
    problem = _verify(config, keys, sigs, trusted_set)
    if problem:
        return ChainResult(DnssecState.BOGUS, problem, steps=steps)
    step["state"] = "secure"
    return ChainResult(DnssecState.SECURE, "", keys=keys, steps=steps)


def _ds_denial(
    config: DnsConfig, message: dns.message.Message, child: dns.name.Name, keys: dns.rrset.RRset
) -> tuple[str, str]:
    """Judge the parent's "no DS here" reply: (how it was proven, problem or "").

    Signed authority records must verify with the parent's keys, and an NSEC owned by the
    child must not list DS (RFC 4035 §5.2). Unsigned denials are accepted but recorded,
    and NSEC3 coverage is not re-derived (see the module's known limits).
    """
    signed = 0
    for rrset in message.authority:
        if rrset.rdtype == dns.rdatatype.RRSIG:
            continue
        sigs = _find(message.authority, rrset.name, dns.rdatatype.RRSIG, rrset.rdtype)
        if sigs is None:
            continue
        problem = _verify(config, rrset, sigs, keys)
        if problem:
            return "", f"denial of DS for {child} does not verify: {problem}"
        signed += 1
        if rrset.rdtype == dns.rdatatype.NSEC and rrset.name == child:
            types = rrset[0].to_text().split()[1:]
            if "DS" in types:
                return "", f"NSEC for {child} lists a DS the parent did not return"
    return ("signed denial verified" if signed else "denial not signed"), ""


async def _is_zone_apex(config: DnsConfig, name: dns.name.Name) -> bool | None:
    """True when ``name`` owns an SOA (a zone cut); None when the look-up failed."""
    raw = await _exchange(config, name, dns.rdatatype.SOA, True)
    if raw.message is None or raw.rcode not in ("NOERROR", "NXDOMAIN"):
        return None
    return _find(raw.message.answer, name, dns.rdatatype.SOA) is not None


# A scan asks for the same parents' keys for every host (test., no., ...). Results are
# reused for 60 s, well under common DNSKEY/DS TTLs (3600 s+), so a run of thousands of
# hosts validates each zone about once; the bound keeps memory flat.
CHAIN_CACHE_SECONDS = 60.0
CHAIN_CACHE_ENTRIES = 4096
_CHAIN_CACHE: OrderedDict[tuple[Any, ...], tuple[float, ChainResult]] = OrderedDict()
# Validations under way, by the same key; an entry lives only while its walk runs.
_CHAIN_PENDING: dict[tuple[Any, ...], asyncio.Task[ChainResult]] = {}


async def chain_of_trust(config: DnsConfig, zone: str | dns.name.Name) -> ChainResult:
    """Validate DS -> DNSKEY links from the closest trust anchor down to ``zone``.

    Limitation: an unsigned delegation is reported insecure when the parent returns no
    DS; the NSEC/NSEC3 proof of that absence is recorded but not required.
    """
    try:
        target = dns.name.from_text(zone) if isinstance(zone, str) else zone
    except dns.exception.DNSException as exc:
        return ChainResult(DnssecState.INDETERMINATE, f"bad zone name: {exc}")
    if config.trust_anchor_file is None:
        return ChainResult(DnssecState.INDETERMINATE, "no trust anchor configured")
    key = (
        resolver_address(config),
        str(config.trust_anchor_file),
        getattr(config, "now", None),
        target,
    )
    clock = time.monotonic()
    cached = _CHAIN_CACHE.get(key)
    if cached is not None and cached[0] > clock:
        _CHAIN_CACHE.move_to_end(key)
        return cached[1]
    # Single flight: the hosts scanned at the same moment share one validation of a zone
    # instead of each walking the chain before the first result is cached.
    loop = asyncio.get_running_loop()
    pending = _CHAIN_PENDING.get(key)
    if pending is None or pending.get_loop() is not loop:
        pending = loop.create_task(_chain_of_trust_cached(config, target, key))
        _CHAIN_PENDING[key] = pending
    # shield: one host reaching its deadline must not cancel the walk the others wait for.
    return await asyncio.shield(pending)


async def _chain_of_trust_cached(
    config: DnsConfig, target: dns.name.Name, key: tuple[Any, ...]
) -> ChainResult:
    try:
        result = await _chain_of_trust(config, target)
    finally:
        if _CHAIN_PENDING.get(key) is asyncio.current_task():
            del _CHAIN_PENDING[key]
    if result.state != DnssecState.INDETERMINATE:  # a timeout may clear up: do not keep it
        _CHAIN_CACHE[key] = (time.monotonic() + CHAIN_CACHE_SECONDS, result)
        while len(_CHAIN_CACHE) > CHAIN_CACHE_ENTRIES:
            _CHAIN_CACHE.popitem(last=False)
    return result


async def _chain_of_trust(config: DnsConfig, target: dns.name.Name) -> ChainResult:
    assert config.trust_anchor_file is not None
    try:
        anchors = load_trust_anchors(Path(config.trust_anchor_file))
    except ValueError as exc:
        return ChainResult(DnssecState.INDETERMINATE, str(exc))
    top = anchors.closest(target)
    if top is None:
        return ChainResult(DnssecState.INDETERMINATE, f"no trust anchor covers {target}")
    steps: list[dict[str, Any]] = []
    result = await _zone_keys(
        config, top, anchors.ds.get(top, []), anchors.dnskey.get(top, []), steps
    )
    current = top
    while result.state == DnssecState.SECURE and current != target:
        child = target.split(len(current) + 1)[1]
        parent_keys = result.keys
        assert parent_keys is not None
        raw, ds, ds_sigs = await _fetch(config, child, dns.rdatatype.DS)
        if raw.message is None or raw.rcode not in ("NOERROR", "NXDOMAIN"):
            return ChainResult(DnssecState.INDETERMINATE, f"DS {child}: {raw.rcode}", steps=steps)
        if ds is not None:
            problem = _verify(config, ds, ds_sigs, parent_keys)
            if problem:
                steps.append({"zone": child.to_text(), "ds": [d.to_text() for d in ds]})
                return ChainResult(DnssecState.BOGUS, problem, steps=steps)
            result = await _zone_keys(config, child, list(ds), [], steps)
        else:
            denial, problem = _ds_denial(config, raw.message, child, parent_keys)
            if problem:
                steps.append({"zone": child.to_text(), "ds": [], "ds_denial": problem})
                return ChainResult(DnssecState.BOGUS, problem, steps=steps)
            apex = await _is_zone_apex(config, child)
            if apex is None:
                return ChainResult(
                    DnssecState.INDETERMINATE, f"SOA {child}: look-up failed", steps=steps
                )
            if apex:
                steps.append(
                    {"zone": child.to_text(), "ds": [], "ds_denial": denial, "state": "insecure"}
                )
                return ChainResult(
                    DnssecState.INSECURE, f"{child} is delegated without DS", steps=steps
                )
        current = child
    return result


async def zone_of(config: DnsConfig, name: str) -> tuple[str | None, DnsAnswer]:
    """The apex of the zone holding ``name``: the owner of the SOA in the reply.

    A CNAME at ``name`` is not followed (the resolver would report the target's zone);
    the parent is asked instead, since a CNAME owner is never a zone apex (RFC 1034 §3.6.2).
    """
    answer, message = await _ask(config, name, "SOA", False)
    if answer.inconclusive or message is None:
        return None, answer
    current = _parse_name(name)
    for _ in range(len(current.labels)):
        if _find(message.answer, current, dns.rdatatype.SOA) is not None:
            return current.to_text(), answer
        if _find(message.answer, current, dns.rdatatype.CNAME) is None:
            for rrset in message.authority:
                if rrset.rdtype == dns.rdatatype.SOA and current.is_subdomain(rrset.name):
                    return rrset.name.to_text(), answer
            return None, answer
        if current == dns.name.root:
            return None, answer
        current = current.parent()
        raw = await _exchange(config, current, dns.rdatatype.SOA, False)
        if raw.message is None or raw.rcode not in ("NOERROR", "NXDOMAIN"):
            return None, answer
        message = raw.message
    return None, answer


# Worst state wins when a CNAME chain crosses zones (RFC 4035 §5: each RRset on its own).
_RANK = {
    DnssecState.SECURE: 0,
    DnssecState.INSECURE: 1,
    DnssecState.INDETERMINATE: 2,
    DnssecState.BOGUS: 3,
}


async def _validate_message(
    config: DnsConfig,
    message: dns.message.Message,
    qname: dns.name.Name,
    owner: dns.name.Name,
    qtype: dns.rdatatype.RdataType,
    rrset: dns.rrset.RRset | None,
) -> tuple[DnssecState, str]:
    """Validate every CNAME on the way and the final answer; report the worst state."""
    results = []
    current = qname
    for _ in range(16):  # same bound as _follow
        if current == owner and (rrset is not None or not _find_cname(message, current)):
            break
        cname = _find_cname(message, current)
        if cname is None:
            break
        results.append(await _validate_positive(config, message, current, cname))
        current = cname[0].target
    results.append(await _validate_final(config, message, owner, qtype, rrset))
    return max(results, key=lambda result: _RANK[result[0]])


def _find_cname(message: dns.message.Message, name: dns.name.Name) -> dns.rrset.RRset | None:
    return _find(message.answer, name, dns.rdatatype.CNAME)


async def _validate_positive(
    config: DnsConfig, message: dns.message.Message, owner: dns.name.Name, rrset: dns.rrset.RRset
) -> tuple[DnssecState, str]:
    """One RRset of the answer section, by its RRSIG and its zone's chain of trust."""
    sigs = _find(message.answer, owner, dns.rdatatype.RRSIG, rrset.rdtype)
    if sigs is not None and len(sigs):
        signer = sigs[0].signer
        if not owner.is_subdomain(signer):
            return DnssecState.BOGUS, f"RRSIG signer {signer} does not enclose {owner}"
    else:
        zone, _ = await zone_of(config, owner.to_text())
        if zone is None:
            return DnssecState.INDETERMINATE, f"zone of {owner} could not be found"
        signer = dns.name.from_text(zone)
    chain = await chain_of_trust(config, signer)
    if chain.state != DnssecState.SECURE:
        return chain.state, chain.detail
    assert chain.keys is not None
    problem = _verify(config, rrset, sigs, chain.keys)
    return (DnssecState.BOGUS, problem) if problem else (DnssecState.SECURE, "")


async def _validate_final(
    config: DnsConfig,
    message: dns.message.Message,
    owner: dns.name.Name,
    qtype: dns.rdatatype.RdataType,
    rrset: dns.rrset.RRset | None,
) -> tuple[DnssecState, str]:
    """The answer RRset by its RRSIG, or a negative answer by its signed NSEC/NSEC3."""
    sigs = _find(message.answer, owner, dns.rdatatype.RRSIG, qtype) if rrset else None
    if sigs is not None and len(sigs):
        signer = sigs[0].signer
        if not owner.is_subdomain(signer):
            return DnssecState.BOGUS, f"RRSIG signer {signer} does not enclose {owner}"
    else:
        apex = None
        for section in (message.authority,):
            for found in section:
                if found.rdtype == dns.rdatatype.SOA:
                    apex = found.name
        if apex is None:
            zone, _ = await zone_of(config, owner.to_text())
            if zone is None:
                return DnssecState.INDETERMINATE, "zone of the answer could not be found"
            apex = dns.name.from_text(zone)
        signer = apex
    chain = await chain_of_trust(config, signer)
    if chain.state != DnssecState.SECURE:
        return chain.state, chain.detail
    assert chain.keys is not None
    if rrset is not None:
        problem = _verify(config, rrset, sigs, chain.keys)
        return (DnssecState.BOGUS, problem) if problem else (DnssecState.SECURE, "")
    # Negative answer: every RRset in the authority section must verify and an NSEC or
    # NSEC3 must be present (RFC 4035 §5.4). Coverage of the name is not re-derived.
    proofs = 0
    for found in message.authority:
        if found.rdtype == dns.rdatatype.RRSIG:
            continue
        found_sigs = _find(message.authority, found.name, dns.rdatatype.RRSIG, found.rdtype)
        problem = _verify(config, found, found_sigs, chain.keys)
        if problem:
            return DnssecState.BOGUS, problem
        if found.rdtype in (dns.rdatatype.NSEC, dns.rdatatype.NSEC3):
            proofs += 1
    if not proofs:
        return DnssecState.BOGUS, "negative answer in a signed zone without NSEC/NSEC3"
    return DnssecState.SECURE, "signed denial of existence"
