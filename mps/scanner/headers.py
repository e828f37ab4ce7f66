"""Parsers for the security-relevant HTTP response headers (HSTS, CSP, Set-Cookie).

Written here rather than taken from a library because we need the *defects* (a missing
attribute, an unsafe source) with evidence, not just a parsed value; each function takes raw
header text from a possibly hostile server and never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# RFC 6797 §6.1.1: max-age is a delta-seconds value; we cap parsing at 18 digits.
_MAX_AGE = re.compile(r"^\s*max-age\s*=\s*\"?(\d{1,18})\"?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Hsts:
    max_age: int | None
    include_subdomains: bool
    preload: bool
    errors: tuple[str, ...] = ()


def parse_hsts(value: str) -> Hsts:
    """RFC 6797 §6.1: directives separated by ';', max-age required."""
    max_age = None
    include = preload = False
    errors: list[str] = []
    seen: set[str] = set()
    for part in value.split(";"):
        token = part.strip()
        if not token:
            continue
        name = token.split("=", 1)[0].strip().lower()
        if name in seen:
            errors.append(f"directive {name!r} repeated (RFC 6797 §6.1)")
        seen.add(name)
        if name == "max-age":
            m = _MAX_AGE.match(token)
            if m:
                max_age = int(m.group(1))
            else:
                errors.append(f"max-age value is not a number: {token!r}")
        elif name == "includesubdomains":
            include = True
        elif name == "preload":
            preload = True
    if max_age is None and not any("max-age" in e for e in errors):
        errors.append("max-age missing (RFC 6797 §6.1.1)")
    return Hsts(max_age, include, preload, tuple(errors))


def parse_csp(value: str) -> dict[str, list[str]]:
    """CSP Level 3 §2.2.1: policy = directives separated by ';', first occurrence wins."""
    policy: dict[str, list[str]] = {}
    for part in value.split(";"):
        tokens = part.strip().split()
        if not tokens:
            continue
        name = tokens[0].lower()
        if name not in policy:
            policy[name] = tokens[1:]
    return policy


# Sources that allow script from anywhere (CSP Level 3 §6.7.2 matching; scheme-only sources
# such as "https:" match every host).
_WILDCARD_SOURCES = {"*", "http:", "https:", "data:", "blob:"}


@dataclass(frozen=True)
class CspVerdict:
    problems: tuple[str, ...]
    frame_ancestors: bool


def csp_problems(values: list[str]) -> CspVerdict:
    """Unsafe script sources in the effective policy (all CSP headers must pass: CSP3 §4.2)."""
    problems: list[str] = []
    frame_ancestors = False
    for value in values:
        policy = parse_csp(value)
        if "frame-ancestors" in policy:
            frame_ancestors = True
        for directive in ("script-src", "default-src"):
            if directive in policy:
                sources = [s.lower() for s in policy[directive]]
                break
        else:
            problems.append("no script-src or default-src: scripts are unrestricted")
            continue
        has_nonce_or_hash = any(
            s.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for s in sources
        )
        # CSP3 §6.7.2.3: 'unsafe-inline' is ignored when a nonce or hash is present.
        if "'unsafe-inline'" in sources and not has_nonce_or_hash:
            problems.append(f"{directive} allows 'unsafe-inline' without a nonce or hash")
        if "'unsafe-eval'" in sources:
            problems.append(f"{directive} allows 'unsafe-eval'")
        wild = sorted(set(sources) & _WILDCARD_SOURCES)
        if wild and "'strict-dynamic'" not in sources:
            problems.append(f"{directive} allows wildcard sources {' '.join(wild)}")
        obj = policy.get("object-src", policy.get("default-src"))
        if obj is not None and "*" in obj:
            problems.append("object-src allows *")
    return CspVerdict(tuple(problems), frame_ancestors)


@dataclass(frozen=True)
class Cookie:
    name: str
    secure: bool
    http_only: bool
    same_site: str | None
    problems: tuple[str, ...] = field(default=())


def parse_set_cookie(value: str) -> Cookie:
    """RFC 6265 §5.2 (and 6265bis SameSite): the attributes that protect a cookie."""
    parts = value.split(";")
    name = parts[0].split("=", 1)[0].strip()[:100]
    secure = http_only = False
    same_site = None
    for attr in parts[1:]:
        key, _, val = attr.strip().partition("=")
        key = key.strip().lower()
        if key == "secure":
            secure = True
        elif key == "httponly":
            http_only = True
        elif key == "samesite":
            same_site = val.strip().lower() or None
    problems = []
    if not secure:
        problems.append("no Secure")
    if not http_only:
        problems.append("no HttpOnly")
    if same_site not in ("strict", "lax", "none"):
        problems.append("no SameSite")
    elif same_site == "none" and not secure:
        problems.append("SameSite=None without Secure")
    return Cookie(name, secure, http_only, same_site, tuple(problems))


def parse_max_age_ok(hsts: Hsts, minimum: int) -> bool:
    return hsts.max_age is not None and hsts.max_age >= minimum
