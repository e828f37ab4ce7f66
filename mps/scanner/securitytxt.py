"""RFC 9116 security.txt parser and validator.

Our own parser because the checks need every violation named (missing Contact, expired, served
over HTTP, ...) as evidence, and the input comes from arbitrary servers: it never raises.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

# RFC 9116 §2.5: the fields defined by the RFC (others are allowed and ignored).
KNOWN_FIELDS = {
    "acknowledgments",
    "canonical",
    "contact",
    "encryption",
    "expires",
    "hiring",
    "policy",
    "preferred-languages",
}
# Bodies larger than this are not a security.txt (the RFC sets no limit; real files are < 2 kB).
MAX_BYTES = 32768
# RFC 9116 §2.5.5: Expires SHOULD be less than a year in the future.
MAX_RECOMMENDED_VALIDITY = dt.timedelta(days=366)

_FIELD = re.compile(r"^([A-Za-z0-9\-]{1,64}):[ \t]*(.*?)\s*$")
# RFC 3339 §5.6 date-time (what RFC 9116 §2.5.5 requires for Expires).
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)


@dataclass
class SecurityTxt:
    fields: list[tuple[str, str]] = field(default_factory=list)
    signed: bool = False

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.fields if k == name]

    def to_json(self) -> dict[str, object]:
        return {"fields": [[k, v] for k, v in self.fields], "signed": self.signed}


def parse(text: str) -> SecurityTxt:
    """Fields in order (names lower-cased); an OpenPGP cleartext signature is unwrapped."""
    lines = text[:MAX_BYTES].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    signed = bool(lines) and lines[0].strip() == "-----BEGIN PGP SIGNED MESSAGE-----"
    result = SecurityTxt(signed=signed)
    in_body = not signed
    for line in lines:
        if signed:
            if not in_body:
                if line.strip() == "":
                    in_body = True  # RFC 4880 §7: armor headers end at the first blank line
                continue
            if line.startswith("-----BEGIN PGP SIGNATURE-----"):
                break
            if line.startswith("- "):
                line = line[2:]  # dash-escaped text, RFC 4880 §7.1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _FIELD.match(stripped)
        if m:
            result.fields.append((m.group(1).lower(), m.group(2)))
    return result


def parse_datetime(value: str) -> dt.datetime | None:
    m = _RFC3339.match(value.strip())
    if not m:
        return None
    text = value.strip().replace("z", "Z").replace("t", "T").replace(" ", "T")
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def problems(
    doc: SecurityTxt, *, now: dt.datetime, over_https: bool, content_type: str | None
) -> list[str]:
    """Every RFC 9116 MUST that the file breaks; [] means valid."""
    found: list[str] = []
    if not over_https:
        found.append("not served over HTTPS (RFC 9116 §3)")
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype != "text/plain":
        found.append(f"Content-Type is {content_type or 'missing'}, not text/plain (RFC 9116 §3)")
    contacts = doc.values("contact")
    if not contacts:
        found.append("no Contact field (RFC 9116 §2.5.3)")
    for contact in contacts:
        scheme = contact.split(":", 1)[0].lower() if ":" in contact else ""
        if scheme not in ("mailto", "https", "tel"):
            found.append(
                f"Contact {contact[:100]!r} is not a mailto:, https: or tel: URI (RFC 9116 §2.5.3)"
            )
    expires = doc.values("expires")
    if not expires:
        found.append("no Expires field (RFC 9116 §2.5.5)")
    elif len(expires) > 1:
        found.append("Expires appears more than once (RFC 9116 §2.5.5)")
    else:
        when = parse_datetime(expires[0])
        if when is None:
            found.append(
                f"Expires {expires[0][:60]!r} is not an RFC 3339 date-time (RFC 9116 §2.5.5)"
            )
        elif when < now:
            found.append(f"expired on {when.isoformat()} (RFC 9116 §2.5.5)")
    for name in ("canonical", "encryption", "policy", "acknowledgments", "hiring"):
        for value in doc.values(name):
            if value.lower().startswith("http://"):
                found.append(f"{name} uses http:// (RFC 9116 §2.5: web URIs MUST be https)")
    if len(doc.values("preferred-languages")) > 1:
        found.append("Preferred-Languages appears more than once (RFC 9116 §2.5.8)")
    return found


def looks_like_security_txt(doc: SecurityTxt) -> bool:
    """A 200 response that has none of the RFC's fields is a soft 404, not a security.txt."""
    return any(name in KNOWN_FIELDS for name, _ in doc.fields)
