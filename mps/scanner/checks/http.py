"""Web checks on the front page: HTTPS redirect, security headers, cookies, version disclosure
and security.txt (RFC 9116). One observation per target, from the first address that answers.
"""

from __future__ import annotations

from typing import Any

from mps.scanner import securitytxt
from mps.scanner.checks._spec import ref, spec
from mps.scanner.context import TargetContext
from mps.scanner.headers import csp_problems, parse_hsts, parse_set_cookie
from mps.scanner.model import CheckSpec, Finding, Severity, Status
from mps.scanner.software import product_versions
from mps.scanner.webfetch import Fetch, Hop, fetch, observe

# One year, the HSTS max-age that hstspreload.org and Mozilla's guidelines require (RFC 6797
# leaves the value to the site); 31536000 s = 365 days.
HSTS_MIN_MAX_AGE = 31_536_000
# Headers through which servers announce product and version (RFC 9110 §10.2.4 and de facto ones).
VERSION_HEADERS = (
    "server",
    "x-powered-by",
    "x-aspnet-version",
    "x-aspnetmvc-version",
    "x-generator",
)

_WEB = "PR.PS-01"
_HDR = (ref("2.8", _WEB, "OWASP Secure Headers Project"),)

CHECKS: tuple[CheckSpec, ...] = (
    spec("http.no_https_redirect", "web", Severity.MEDIUM,
         en="Plain HTTP does not redirect to HTTPS", nb="Vanlig HTTP videresender ikke til HTTPS",
         fix_en="Answer every plain-HTTP request with a permanent redirect (301/308) to the HTTPS URL.",
         fix_nb="Svar på alle HTTP-forespørsler med permanent videresending (301/308) til HTTPS-adressen.",
         refs=(ref("2.7", "PR.DS-02", "RFC 6797 §7.2; RFC 9110 §15.4"),)),
    spec("http.hsts.missing", "web", Severity.MEDIUM,
         en="No Strict-Transport-Security header", nb="Mangler Strict-Transport-Security-header",
         fix_en="Send Strict-Transport-Security: max-age=31536000; includeSubDomains over HTTPS.",
         fix_nb="Send Strict-Transport-Security: max-age=31536000; includeSubDomains over HTTPS.",
         refs=(ref("2.7", "PR.DS-02", "RFC 6797"),)),
    spec("http.hsts.short", "web", Severity.LOW,
         en="HSTS max-age is shorter than one year", nb="HSTS max-age er kortere enn ett år",
         fix_en="Raise HSTS max-age to at least 31536000 (one year).",
         fix_nb="Øk HSTS max-age til minst 31536000 (ett år).",
         refs=(ref("2.7", "PR.DS-02", "RFC 6797 §6.1.1"),)),
    spec("http.csp.missing", "web", Severity.LOW,
         en="No Content-Security-Policy header", nb="Mangler Content-Security-Policy-header",
         fix_en="Send a Content-Security-Policy that restricts script sources.",
         fix_nb="Send en Content-Security-Policy som begrenser hvor skript kan lastes fra.",
         refs=(ref("2.8", _WEB, "W3C Content Security Policy Level 3"),)),
    spec("http.csp.unsafe", "web", Severity.LOW,
         en="Content-Security-Policy allows unsafe-inline/unsafe-eval or wildcard script sources",
         nb="Content-Security-Policy tillater unsafe-inline/unsafe-eval eller jokertegn-kilder for skript",
         fix_en="Remove 'unsafe-inline' (use nonces or hashes), 'unsafe-eval' and wildcard sources.",
         fix_nb="Fjern 'unsafe-inline' (bruk nonce eller hash), 'unsafe-eval' og jokertegn-kilder.",
         refs=(ref("2.8", _WEB, "W3C Content Security Policy Level 3 §6.7"),)),
    spec("http.xcto.missing", "web", Severity.LOW,
         en="No X-Content-Type-Options: nosniff", nb="Mangler X-Content-Type-Options: nosniff",
         fix_en="Send X-Content-Type-Options: nosniff.", fix_nb="Send X-Content-Type-Options: nosniff.",
         refs=(ref("2.8", _WEB, "WHATWG Fetch §3.5 (X-Content-Type-Options)"),)),
    spec("http.framing.missing", "web", Severity.LOW,
         en="Framing is not restricted (neither X-Frame-Options nor CSP frame-ancestors)",
         nb="Innramming er ikke begrenset (verken X-Frame-Options eller CSP frame-ancestors)",
         fix_en="Send CSP frame-ancestors 'self' (or X-Frame-Options: DENY/SAMEORIGIN).",
         fix_nb="Send CSP frame-ancestors 'self' (eller X-Frame-Options: DENY/SAMEORIGIN).",
         refs=(ref("2.8", _WEB, "RFC 7034; CSP Level 3 §6.4.2"),)),
    spec("http.referrer_policy.missing", "web", Severity.LOW,
         en="No Referrer-Policy header", nb="Mangler Referrer-Policy-header",
         fix_en="Send Referrer-Policy: strict-origin-when-cross-origin (or stricter).",
         fix_nb="Send Referrer-Policy: strict-origin-when-cross-origin (eller strengere).",
         refs=(ref("2.8", _WEB, "W3C Referrer Policy"),)),
    spec("http.cookie.insecure", "web", Severity.MEDIUM,
         en="Cookies lack Secure, HttpOnly or SameSite", nb="Informasjonskapsler mangler Secure, HttpOnly eller SameSite",
         fix_en="Set Secure, HttpOnly and SameSite=Lax (or Strict) on every cookie.",
         fix_nb="Sett Secure, HttpOnly og SameSite=Lax (eller Strict) på alle informasjonskapsler.",
         refs=(ref("2.8", _WEB, "RFC 6265 §4.1.2; draft-ietf-httpbis-rfc6265bis §4.1.2.7"),)),
    spec("http.version_disclosed", "web", Severity.LOW,
         en="Server or X-Powered-By reveals software versions", nb="Server eller X-Powered-By avslører programvareversjoner",
         fix_en="Remove version numbers from Server, X-Powered-By and similar headers.",
         fix_nb="Fjern versjonsnumre fra Server, X-Powered-By og lignende headere.",
         refs=(ref("2.3", _WEB, "RFC 9110 §10.2.4"),)),
    spec("http.security_txt.missing", "web", Severity.LOW,
         en="No security.txt", nb="Mangler security.txt",
         fix_en="Publish /.well-known/security.txt with Contact and Expires (RFC 9116).",
         fix_nb="Publiser /.well-known/security.txt med Contact og Expires (RFC 9116).",
         refs=(ref("4.1", "ID.RA-08", "RFC 9116"),)),
    spec("http.security_txt.invalid", "web", Severity.LOW,
         en="security.txt breaks RFC 9116 (Contact/Expires missing, expired, or not over HTTPS)",
         nb="security.txt bryter RFC 9116 (Contact/Expires mangler, utløpt eller ikke over HTTPS)",
         fix_en="Fix security.txt: Contact and one future Expires, served as text/plain over HTTPS.",
         fix_nb="Rett security.txt: Contact og én framtidig Expires, levert som text/plain over HTTPS.",
         refs=(ref("4.1", "ID.RA-08", "RFC 9116 §2.5, §3"),)),
)  # fmt: skip

HEADER_CHECKS = (
    "http.hsts.missing",
    "http.csp.missing",
    "http.xcto.missing",
    "http.framing.missing",
    "http.referrer_policy.missing",
    "http.cookie.insecure",
    "http.version_disclosed",
)


def _lines(hop: Hop, *names: str) -> list[str]:
    wanted = {n.lower() for n in names}
    return [f"{k}: {v}" for k, v in hop.headers if k.lower() in wanted]


async def run(ctx: TargetContext) -> list[Finding]:
    if not ctx.addresses:
        return []
    web = await observe(ctx)
    http, https = web.http, web.https
    if web.address is None or http is None or https is None:
        return []
    if https.refused and http.refused:
        return []  # no web service: tls.unavailable reports it
    at: dict[str, Any] = {"address": web.address}
    out: list[Finding] = [_redirect_finding(ctx, http, https, at)]

    # Header checks look at the HTTPS front page; without HTTPS, at the plain-HTTP one.
    if https.ok and https.final is not None:
        page, secure = https, True
    elif https.refused and http.ok and http.final is not None:
        page, secure = http, False
    else:
        detail = https.error or http.error or "no response"
        out += [
            ctx.finding(cid, Status.INCONCLUSIVE, **at, detail=detail, evidence=https.evidence())
            for cid in HEADER_CHECKS
        ]
        out += await _security_txt(ctx, web.address, https, at)
        return out
    final = page.final
    assert final is not None
    port = ctx.config.ports["https" if secure else "http"]
    at_port = {**at, "port": port}
    ev_page = {"url": final.url, "status": final.status}
    out += _hsts(ctx, final, secure, at_port, ev_page)
    out += _csp(ctx, final, at_port, ev_page)
    xcto = [v.strip().lower() for v in final.header("x-content-type-options")]
    out.append(
        ctx.finding(
            "http.xcto.missing",
            Status.PASS if "nosniff" in xcto else Status.FAIL,
            **at_port,
            evidence={**ev_page, "headers": _lines(final, "x-content-type-options")},
        )
    )
    out.append(_framing(ctx, final, at_port, ev_page))
    referrer = [v for v in final.header("referrer-policy") if v.strip()]
    out.append(
        ctx.finding(
            "http.referrer_policy.missing",
            Status.PASS if referrer else Status.FAIL,
            **at_port,
            evidence={**ev_page, "headers": _lines(final, "referrer-policy")},
        )
    )
    out.append(_cookies(ctx, [h for f in (https, http) for h in f.hops], at_port))
    out.append(_versions(ctx, [h for f in (https, http) for h in f.hops], at_port))
    out += await _security_txt(ctx, web.address, https, at)
    return out


def _redirect_finding(ctx: TargetContext, http: Fetch, https: Fetch, at: dict[str, Any]) -> Finding:
    port = ctx.config.ports["http"]
    ev = http.evidence()
    if http.refused:
        if https.ok:
            return ctx.finding(
                "http.no_https_redirect",
                Status.PASS,
                **at,
                port=port,
                evidence=ev,
                detail="no plain-HTTP service; HTTPS only",
            )
        return ctx.finding(
            "http.no_https_redirect",
            Status.INCONCLUSIVE,
            **at,
            port=port,
            evidence=ev,
            detail=http.error or "",
        )
    targets = [h.header("location")[0] for h in http.hops if h.header("location")]
    redirected = any(t.lower().startswith("https://") for t in targets) or (
        http.left_host or ""
    ).lower().startswith("https://")
    redirected = redirected or any(h.url.startswith("https://") for h in http.hops)
    if redirected:
        return ctx.finding("http.no_https_redirect", Status.PASS, **at, port=port, evidence=ev)
    if http.error:
        return ctx.finding(
            "http.no_https_redirect",
            Status.INCONCLUSIVE,
            **at,
            port=port,
            evidence=ev,
            detail=http.error,
        )
    return ctx.finding(
        "http.no_https_redirect",
        Status.FAIL,
        **at,
        port=port,
        evidence=ev,
        detail="plain HTTP is served without a redirect to HTTPS",
    )


def _hsts(
    ctx: TargetContext, hop: Hop, secure: bool, at: dict[str, Any], ev: dict[str, Any]
) -> list[Finding]:
    values = hop.header("strict-transport-security")
    evidence = {**ev, "headers": _lines(hop, "strict-transport-security")}
    if not secure:
        return [
            ctx.finding(
                "http.hsts.missing",
                Status.FAIL,
                **at,
                evidence=evidence,
                detail="no HTTPS, so no HSTS",
            )
        ]
    if not values:
        return [ctx.finding("http.hsts.missing", Status.FAIL, **at, evidence=evidence)]
    hsts = parse_hsts(values[0])  # RFC 6797 §8.1: only the first header is processed
    evidence["parse_errors"] = list(hsts.errors)
    if hsts.max_age is None:
        return [
            ctx.finding(
                "http.hsts.missing",
                Status.FAIL,
                **at,
                evidence=evidence,
                detail="header present but invalid: " + "; ".join(hsts.errors),
            )
        ]
    out = [ctx.finding("http.hsts.missing", Status.PASS, **at, evidence=evidence)]
    if hsts.max_age < HSTS_MIN_MAX_AGE:
        out.append(
            ctx.finding(
                "http.hsts.short",
                Status.FAIL,
                **at,
                evidence=evidence,
                detail=f"max-age={hsts.max_age} < {HSTS_MIN_MAX_AGE}",
            )
        )
    else:
        out.append(ctx.finding("http.hsts.short", Status.PASS, **at, evidence=evidence))
    return out


def _csp(ctx: TargetContext, hop: Hop, at: dict[str, Any], ev: dict[str, Any]) -> list[Finding]:
    values = [v for v in hop.header("content-security-policy") if v.strip()]
    evidence = {**ev, "headers": _lines(hop, "content-security-policy")}
    if not values:
        return [ctx.finding("http.csp.missing", Status.FAIL, **at, evidence=evidence)]
    verdict = csp_problems(values)
    evidence["problems"] = list(verdict.problems)
    status = Status.FAIL if verdict.problems else Status.PASS
    return [
        ctx.finding("http.csp.missing", Status.PASS, **at, evidence=evidence),
        ctx.finding(
            "http.csp.unsafe", status, **at, evidence=evidence, detail="; ".join(verdict.problems)
        ),
    ]


def _framing(ctx: TargetContext, hop: Hop, at: dict[str, Any], ev: dict[str, Any]) -> Finding:
    xfo = [v.strip().lower() for v in hop.header("x-frame-options")]
    verdict = csp_problems([v for v in hop.header("content-security-policy") if v.strip()])
    ok = verdict.frame_ancestors or any(v in ("deny", "sameorigin") for v in xfo)
    evidence = {**ev, "headers": _lines(hop, "x-frame-options", "content-security-policy")}
    return ctx.finding(
        "http.framing.missing", Status.PASS if ok else Status.FAIL, **at, evidence=evidence
    )


def _cookies(ctx: TargetContext, hops: list[Hop], at: dict[str, Any]) -> Finding:
    raw = list(dict.fromkeys(v for h in hops for v in h.header("set-cookie")))
    if not raw:
        return ctx.finding(
            "http.cookie.insecure",
            Status.PASS,
            **at,
            evidence={"cookies": []},
            detail="no cookies set",
        )
    cookies = [parse_set_cookie(v) for v in raw]
    bad = [f"{c.name}: {', '.join(c.problems)}" for c in cookies if c.problems]
    evidence = {"headers": [f"Set-Cookie: {v}" for v in raw], "problems": bad}
    return ctx.finding(
        "http.cookie.insecure",
        Status.FAIL if bad else Status.PASS,
        **at,
        evidence=evidence,
        detail="; ".join(bad),
    )


def _versions(ctx: TargetContext, hops: list[Hop], at: dict[str, Any]) -> Finding:
    lines: list[str] = []
    software = []
    for hop in hops:
        for name in VERSION_HEADERS:
            for value in hop.header(name):
                line = f"{name}: {value}"
                if line not in lines:
                    lines.append(line)
                    software += product_versions(value, f"{name} header")
    evidence = {"headers": lines, "software": [s.to_json() for s in software]}
    if software:
        detail = ", ".join(f"{s.product} {s.version}" for s in software)
        return ctx.finding(
            "http.version_disclosed", Status.FAIL, **at, evidence=evidence, detail=detail
        )
    return ctx.finding("http.version_disclosed", Status.PASS, **at, evidence=evidence)


async def _security_txt(
    ctx: TargetContext, ip: str, https: Fetch, at: dict[str, Any]
) -> list[Finding]:
    """RFC 9116 §3: /.well-known/security.txt over HTTPS; the top-level path is a legacy fallback."""
    tried: list[dict[str, Any]] = []
    schemes = ["https"] if not https.refused else ["http"]
    for scheme in schemes:
        for path in ("/.well-known/security.txt", "/security.txt"):
            got = await fetch(ctx, ip, scheme, path)
            tried.append(got.evidence())
            final = got.final
            if got.error:
                return [
                    ctx.finding(
                        cid, Status.INCONCLUSIVE, **at, evidence={"tried": tried}, detail=got.error
                    )
                    for cid in ("http.security_txt.missing", "http.security_txt.invalid")
                ]
            if final is None or final.status != 200:
                continue
            doc = securitytxt.parse(got.body.decode("utf-8", "replace"))
            if not securitytxt.looks_like_security_txt(doc):
                continue
            ctype = next(iter(final.header("content-type")), None)
            problems = securitytxt.problems(
                doc, now=ctx.now(), over_https=final.url.startswith("https://"), content_type=ctype
            )
            ev = {
                "url": final.url,
                "content_type": ctype,
                "document": doc.to_json(),
                "problems": problems,
            }
            port = ctx.config.ports[scheme]
            return [
                ctx.finding("http.security_txt.missing", Status.PASS, **at, port=port, evidence=ev),
                ctx.finding(
                    "http.security_txt.invalid",
                    Status.FAIL if problems else Status.PASS,
                    **at,
                    port=port,
                    evidence=ev,
                    detail="; ".join(problems),
                ),
            ]
    return [ctx.finding("http.security_txt.missing", Status.FAIL, **at, evidence={"tried": tried})]
