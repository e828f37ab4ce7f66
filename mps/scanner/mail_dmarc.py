"""DMARC record parsing (RFC 7489 §6.3-6.4).

Written here rather than taken from checkdmarc for the same reason as mail_spf: its
look-ups are synchronous and use their own resolver, which the async engine cannot bound
or point at the configured resolver per probe. Parsing is pure and never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

POLICIES = ("none", "quarantine", "reject")
ALIGNMENT = ("r", "s")
FAILURE_OPTIONS = ("0", "1", "d", "s")
# RFC 7489 §6.3: pct defaults to 100; ri (report interval) defaults to 86400 s.
DEFAULT_PCT = 100
MAX_RECORD_LENGTH = 4096
MAX_UINT32 = 2**32 - 1

# RFC 7489 §6.4: "v=DMARC1" first; tag-value pairs separated by ";" with optional spaces.
_VERSION = re.compile(r"^v\s*=\s*DMARC1\s*(?:;|$)")
_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
# RFC 7489 §6.4 dmarc-uri: a URI with an optional "!size[kmgt]" limit.
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s!,;]+(?:![0-9]+[kmgtKMGT]?)?$")


@dataclass(frozen=True)
class DmarcRecord:
    """A valid DMARC record with its effective policy values."""

    text: str
    tags: dict[str, str] = field(hash=False)
    policy: str
    subdomain_policy: str
    pct: int
    rua: tuple[str, ...] = ()
    ruf: tuple[str, ...] = ()

    @property
    def enforcing(self) -> bool:
        """True when the policy asks receivers to act on every failing message."""
        return self.policy != "none" and self.pct >= DEFAULT_PCT


@dataclass(frozen=True)
class DmarcParse:
    record: DmarcRecord | None
    error: str = ""


def is_dmarc(text: str) -> bool:
    """RFC 7489 §6.6.3: records not starting with the version tag are discarded."""
    return isinstance(text, str) and bool(_VERSION.match(text.strip()))


def select_dmarc(strings: tuple[str, ...] | list[str]) -> list[str]:
    return [s for s in strings if is_dmarc(s)]


def _uris(tag: str, value: str) -> tuple[tuple[str, ...], str]:
    uris = tuple(u.strip() for u in value.split(","))
    for uri in uris:
        if not _URI.match(uri):
            return (), f"{tag}: {uri!r} is not a URI"
    return uris, ""


def parse_dmarc(text: str) -> DmarcParse:
    """Parse one DMARC record; unknown tags are ignored as RFC 7489 §6.3 requires."""
    if not isinstance(text, str):
        return DmarcParse(None, "record is not text")
    if len(text) > MAX_RECORD_LENGTH:
        return DmarcParse(None, f"record is {len(text)} characters long")
    if not is_dmarc(text):
        return DmarcParse(None, "record does not start with 'v=DMARC1'")
    if any(ord(c) > 0x7E or (ord(c) < 0x20 and c not in "\t") for c in text):
        return DmarcParse(None, "record contains characters outside printable US-ASCII")
    tags: dict[str, str] = {}
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        tag, sep, value = part.partition("=")
        tag, value = tag.strip(), value.strip()
        if not sep or not _TAG.match(tag):
            return DmarcParse(None, f"{part!r} is not tag=value")
        key = tag.lower()
        if key in tags:
            return DmarcParse(None, f"tag {key!r} appears more than once")
        tags[key] = value
    policy = tags.get("p", "").lower()
    if "p" not in tags:
        return DmarcParse(None, "the required policy tag p= is missing")
    if policy not in POLICIES:
        return DmarcParse(None, f"p={tags['p']!r} is not none, quarantine or reject")
    subdomain_policy = tags.get("sp", policy).lower()
    if subdomain_policy not in POLICIES:
        return DmarcParse(None, f"sp={tags['sp']!r} is not none, quarantine or reject")
    pct_text = tags.get("pct", str(DEFAULT_PCT))
    if not pct_text.isdigit() or len(pct_text) > 3 or int(pct_text) > 100:
        return DmarcParse(None, f"pct={pct_text!r} is not an integer from 0 to 100")
    for tag in ("adkim", "aspf"):
        if tag in tags and tags[tag].lower() not in ALIGNMENT:
            return DmarcParse(None, f"{tag}={tags[tag]!r} is not r or s")
    if "fo" in tags and not all(
        o.strip().lower() in FAILURE_OPTIONS for o in tags["fo"].split(":")
    ):
        return DmarcParse(None, f"fo={tags['fo']!r} is not a list of 0, 1, d, s")
    if "ri" in tags and not (tags["ri"].isdigit() and int(tags["ri"]) <= MAX_UINT32):
        return DmarcParse(None, f"ri={tags['ri']!r} is not an interval in seconds")
    rua, problem = _uris("rua", tags["rua"]) if "rua" in tags else ((), "")
    if problem:
        return DmarcParse(None, problem)
    ruf, problem = _uris("ruf", tags["ruf"]) if "ruf" in tags else ((), "")
    if problem:
        return DmarcParse(None, problem)
    return DmarcParse(
        DmarcRecord(
            text=text,
            tags=tags,
            policy=policy,
            subdomain_policy=subdomain_policy,
            pct=int(pct_text),
            rua=rua,
            ruf=ruf,
        )
    )
