"""E-mail checks for a mail domain: SPF, DMARC, the parked-domain rule, STARTTLS at each MX,
and MTA-STS.

A target is treated as a mail domain when it is a zone apex or has MX records; a host name
inside a zone without MX (www.example.no) gets no e-mail findings.
"""

from __future__ import annotations

import asyncio
from typing import Any

from mps.scanner import dns_facts, dnsclient
from mps.scanner.checks._spec import ref, spec
from mps.scanner.context import TargetContext
from mps.scanner.mail_dmarc import DmarcRecord, parse_dmarc, select_dmarc
from mps.scanner.mail_smtp import SmtpProbe, probe_smtp
from mps.scanner.mail_spf import SpfRecord, SpfWalk, fetch_spf, parse_spf, walk_lookups
from mps.scanner.model import CheckSpec, Finding, Severity, Status

# RFC 7208 §4.6.4 limit, restated for the finding detail.
SPF_LOOKUP_LIMIT = 10
# Redirect chains longer than this are not followed for the effective "all".
MAX_REDIRECTS = 5
_AUTH = "PR.AA-03"
_MAIL = "2.8"

CHECKS: tuple[CheckSpec, ...] = (
    spec(
        "email.spf.missing", "email", Severity.MEDIUM,
        en="No SPF record", nb="Ingen SPF-post",
        fix_en="Publish an SPF record (v=spf1 ... -all) listing the servers that send your mail.",
        fix_nb="Publiser en SPF-post (v=spf1 ... -all) med serverne som sender e-posten deres.",
        refs=(ref(_MAIL, _AUTH, "RFC 7208"),),
    ),
    spec(
        "email.spf.invalid", "email", Severity.MEDIUM,
        en="SPF record is invalid", nb="SPF-posten er ugyldig",
        fix_en="Fix the SPF syntax; publish exactly one v=spf1 record per name.",
        fix_nb="Rett SPF-syntaksen; publiser nøyaktig én v=spf1-post per navn.",
        refs=(ref(_MAIL, _AUTH, "RFC 7208 §4.5, §12"),),
    ),
    spec(
        "email.spf.permissive", "email", Severity.HIGH,
        en="SPF allows any sender (+all or ?all)", nb="SPF tillater alle avsendere (+all eller ?all)",
        fix_en="End the SPF record with -all (or ~all while testing).",
        fix_nb="Avslutt SPF-posten med -all (eller ~all mens dere tester).",
        refs=(ref(_MAIL, _AUTH, "RFC 7208 §5.1"),),
    ),
    spec(
        "email.spf.too_many_lookups", "email", Severity.MEDIUM,
        en="SPF needs more than 10 DNS look-ups", nb="SPF krever mer enn 10 DNS-oppslag",
        fix_en="Reduce include:, a, mx, ptr, exists and redirect terms to at most 10 in total.",
        fix_nb="Reduser include:, a, mx, ptr, exists og redirect til høyst 10 til sammen.",
        refs=(ref(_MAIL, _AUTH, "RFC 7208 §4.6.4"),),
    ),
    spec(
        "email.dmarc.missing", "email", Severity.MEDIUM,
        en="No DMARC record", nb="Ingen DMARC-post",
        fix_en="Publish a DMARC record at _dmarc.<domain>, ending with p=reject.",
        fix_nb="Publiser en DMARC-post på _dmarc.<domene>, med p=reject som mål.",
        refs=(ref(_MAIL, _AUTH, "RFC 7489 §6.1"),),
    ),
    spec(
        "email.dmarc.invalid", "email", Severity.MEDIUM,
        en="DMARC record is invalid", nb="DMARC-posten er ugyldig",
        fix_en="Fix the DMARC syntax: v=DMARC1 first, a valid p= tag, one record only.",
        fix_nb="Rett DMARC-syntaksen: v=DMARC1 først, gyldig p=, bare én post.",
        refs=(ref(_MAIL, _AUTH, "RFC 7489 §6.3, §6.4"),),
    ),
    spec(
        "email.dmarc.policy_none", "email", Severity.MEDIUM,
        en="DMARC does not enforce (p=none or pct below 100)",
        nb="DMARC håndheves ikke (p=none eller pct under 100)",
        fix_en="Move to p=quarantine and then p=reject with pct=100 once reports look clean.",
        fix_nb="Gå over til p=quarantine og så p=reject med pct=100 når rapportene er rene.",
        refs=(ref(_MAIL, _AUTH, "RFC 7489 §6.3"),),
    ),
    spec(
        "email.parked.unprotected", "email", Severity.MEDIUM,
        en="Domain without mail is not protected against spoofing",
        nb="Domene uten e-post er ikke beskyttet mot forfalskning",
        fix_en="A domain that sends no mail should publish 'v=spf1 -all' and "
        "'v=DMARC1; p=reject' (and may publish a null MX, RFC 7505).",
        fix_nb="Et domene som ikke sender e-post bør publisere «v=spf1 -all» og "
        "«v=DMARC1; p=reject» (og kan publisere null-MX, RFC 7505).",
        refs=(ref(_MAIL, _AUTH, "RFC 7208; RFC 7489; RFC 7505; M3AAWG parked domains"),),
    ),
    spec(
        "email.starttls.missing", "email", Severity.HIGH,
        en="Mail server does not offer STARTTLS", nb="E-posttjeneren tilbyr ikke STARTTLS",
        fix_en="Enable STARTTLS on every MX host so mail is encrypted in transit.",
        fix_nb="Slå på STARTTLS på alle MX-tjenere slik at e-post krypteres under overføring.",
        refs=(ref("2.7", "PR.DS-02", "RFC 3207; RFC 8314"),),
    ),
    spec(
        "email.starttls.cert_invalid", "email", Severity.MEDIUM,
        en="Mail server certificate is not valid for the MX name",
        nb="E-posttjenerens sertifikat er ikke gyldig for MX-navnet",
        fix_en="Install a certificate from a trusted CA covering the MX host name.",
        fix_nb="Installer et sertifikat fra en klarert utsteder som dekker MX-navnet.",
        refs=(ref("2.7", "PR.DS-02", "RFC 3207; RFC 8461 §4"),),
    ),
    spec(
        "email.mta_sts.missing", "email", Severity.INFO,
        en="No MTA-STS policy announced", nb="Ingen MTA-STS-policy kunngjort",
        fix_en="Publish MTA-STS (_mta-sts TXT record and policy file) so senders require TLS.",
        fix_nb="Publiser MTA-STS (_mta-sts TXT-post og policyfil) slik at avsendere krever TLS.",
        refs=(ref("2.7", "PR.DS-02", "RFC 8461"),),
    ),
)  # fmt: skip

SPF_IDS = ("email.spf.missing", "email.spf.invalid", "email.spf.permissive")
DMARC_IDS = ("email.dmarc.missing", "email.dmarc.invalid", "email.dmarc.policy_none")


def _all_inconclusive(ctx: TargetContext, ids: tuple[str, ...], **kw: Any) -> list[Finding]:
    return [ctx.finding(cid, Status.INCONCLUSIVE, **kw) for cid in ids]


async def _effective_all(
    ctx: TargetContext, record: SpfRecord, walk: SpfWalk
) -> tuple[str | None, list[str]]:
    """Qualifier of the ``all`` that decides unmatched mail, following redirect=."""
    seen: list[str] = []
    current: SpfRecord | None = record
    for _ in range(MAX_REDIRECTS):
        if current is None:
            return None, seen
        if current.all_qualifier is not None or current.redirect is None:
            # RFC 7208 §4.7: no all and no redirect means "neutral", as ?all.
            return current.all_qualifier or "?", seen
        target = current.redirect
        seen.append(target)
        text = walk.records.get(target)
        if text is None:
            found, _ = await fetch_spf(ctx.config, target)
            text = found[0] if len(found) == 1 else None
        current = parse_spf(text).record if text else None
    return None, seen


async def _spf(ctx: TargetContext) -> tuple[list[Finding], SpfRecord | None, str | None]:
    """SPF findings, plus the record and its effective all for the parked-domain rule."""
    found, answer = await fetch_spf(ctx.config, ctx.name)
    evidence: dict[str, Any] = {"txt": answer.to_evidence(), "spf": found}
    if answer.inconclusive:
        detail = f"TXT look-up failed: {answer.rcode}"
        ids = (*SPF_IDS, "email.spf.too_many_lookups")
        return _all_inconclusive(ctx, ids, evidence=evidence, detail=detail), None, None
    if not found:
        return [ctx.finding("email.spf.missing", Status.FAIL, evidence=evidence)], None, None
    out = [ctx.finding("email.spf.missing", Status.PASS, evidence=evidence)]
    if len(found) > 1:
        detail = f"{len(found)} SPF records; RFC 7208 §4.5 makes that a permanent error"
        out.append(ctx.finding("email.spf.invalid", Status.FAIL, evidence=evidence, detail=detail))
        return out, None, None
    parsed = parse_spf(found[0])
    if parsed.record is None:
        out.append(
            ctx.finding("email.spf.invalid", Status.FAIL, evidence=evidence, detail=parsed.error)
        )
        return out, None, None
    record = parsed.record
    walk = await walk_lookups(ctx.config, ctx.name, record)
    walk_evidence = {
        **evidence,
        "lookups": walk.lookups,
        "void_lookups": walk.void_lookups,
        "records": walk.records,
        "errors": walk.errors,
        "failed_lookups": walk.inconclusive,
        "not_followed": walk.not_followed,
    }
    if walk.errors:
        detail = "; ".join(walk.errors)
        out.append(
            ctx.finding("email.spf.invalid", Status.FAIL, evidence=walk_evidence, detail=detail)
        )
    else:
        out.append(ctx.finding("email.spf.invalid", Status.PASS, evidence=walk_evidence))
    if walk.too_many:
        detail = (
            f"more than {SPF_LOOKUP_LIMIT} DNS-querying terms (stopped counting at {walk.lookups})"
        )
        status = Status.FAIL
    elif walk.inconclusive:
        detail, status = "some includes could not be looked up", Status.INCONCLUSIVE
    else:
        detail, status = f"{walk.lookups} DNS-querying terms", Status.PASS
    out.append(
        ctx.finding("email.spf.too_many_lookups", status, evidence=walk_evidence, detail=detail)
    )
    qualifier, redirects = await _effective_all(ctx, record, walk)
    all_evidence = {**evidence, "all": qualifier, "redirects": redirects}
    if qualifier is None:
        out.append(
            ctx.finding(
                "email.spf.permissive",
                Status.INCONCLUSIVE,
                evidence=all_evidence,
                detail="the redirect chain could not be followed",
            )  # fmt: skip
        )
    elif qualifier in "+?":
        detail = (
            f"unmatched senders get {'pass' if qualifier == '+' else 'neutral'} ({qualifier}all)"
        )
        out.append(
            ctx.finding("email.spf.permissive", Status.FAIL, evidence=all_evidence, detail=detail)
        )
    else:
        out.append(ctx.finding("email.spf.permissive", Status.PASS, evidence=all_evidence))
    return out, record, qualifier


async def _dmarc_lookup(ctx: TargetContext) -> tuple[str, dnsclient.DnsAnswer, list[str]]:
    """DMARC TXT at _dmarc.<name>; falls back to the zone apex (RFC 7489 §6.6.3, with the
    zone standing in for the organisational domain: no public-suffix list is shipped)."""
    name = f"_dmarc.{ctx.name}"
    answer = await dnsclient.query(ctx.config, name, "TXT")
    found = select_dmarc(answer.strings)
    if not found and not answer.inconclusive:
        zone = await dns_facts.zone(ctx)
        if zone.apex and zone.apex != ctx.name:
            name = f"_dmarc.{zone.apex}"
            answer = await dnsclient.query(ctx.config, name, "TXT")
            found = select_dmarc(answer.strings)
    return name, answer, found


async def _dmarc(ctx: TargetContext) -> tuple[list[Finding], DmarcRecord | None]:
    name, answer, found = await _dmarc_lookup(ctx)
    evidence: dict[str, Any] = {"name": name, "txt": answer.to_evidence(), "dmarc": found}
    if answer.inconclusive:
        detail = f"TXT look-up for {name} failed: {answer.rcode}"
        return _all_inconclusive(ctx, DMARC_IDS, evidence=evidence, detail=detail), None
    if not found:
        return [ctx.finding("email.dmarc.missing", Status.FAIL, evidence=evidence)], None
    out = [ctx.finding("email.dmarc.missing", Status.PASS, evidence=evidence)]
    if len(found) > 1:
        detail = f"{len(found)} DMARC records; RFC 7489 §6.6.3 says none applies"
        out.append(
            ctx.finding("email.dmarc.invalid", Status.FAIL, evidence=evidence, detail=detail)
        )
        return out, None
    parsed = parse_dmarc(found[0])
    if parsed.record is None:
        out.append(
            ctx.finding("email.dmarc.invalid", Status.FAIL, evidence=evidence, detail=parsed.error)
        )
        return out, None
    record = parsed.record
    out.append(ctx.finding("email.dmarc.invalid", Status.PASS, evidence=evidence))
    evidence = {**evidence, "policy": record.policy, "pct": record.pct}
    if record.enforcing:
        out.append(ctx.finding("email.dmarc.policy_none", Status.PASS, evidence=evidence))
    else:
        detail = f"p={record.policy} pct={record.pct}"
        out.append(
            ctx.finding("email.dmarc.policy_none", Status.FAIL, evidence=evidence, detail=detail)
        )
    return out, record


def _parked(
    ctx: TargetContext,
    servers: dns_facts.ServerSet,
    spf: SpfRecord | None,
    qualifier: str | None,
    dmarc: DmarcRecord | None,
) -> Finding:
    """The parked-domain rule: no MX means SPF '-all' alone and DMARC p=reject."""
    spf_ok = spf is not None and qualifier == "-" and all(t.name == "all" for t in spf.mechanisms)
    dmarc_ok = dmarc is not None and dmarc.policy == "reject" and dmarc.pct >= 100
    evidence = {
        "mx": servers.answer.to_evidence(),
        "null_mx": servers.null_mx,
        "spf": spf.text if spf else None,
        "dmarc": dmarc.text if dmarc else None,
    }
    if spf_ok and dmarc_ok:
        return ctx.finding("email.parked.unprotected", Status.PASS, evidence=evidence)
    problems = []
    if not spf_ok:
        problems.append("SPF is not exactly 'v=spf1 -all'")
    if not dmarc_ok:
        problems.append("DMARC is not p=reject")
    return ctx.finding(
        "email.parked.unprotected", Status.FAIL, evidence=evidence, detail="; ".join(problems)
    )


async def _starttls_at(
    ctx: TargetContext, host: dns_facts.HostAddresses, address: str
) -> list[Finding]:
    port = ctx.config.ports["smtp"]
    refusal = ctx.config.refusal_reason(address)
    if refusal is not None:
        return _all_inconclusive(
            ctx, ("email.starttls.missing",), address=address, port=port,
            evidence={"mx": host.name}, detail=refusal,
        )  # fmt: skip
    async with ctx.connection_slot(address):
        probe: SmtpProbe = await probe_smtp(
            host.name, address, port, timeout=ctx.config.probe_timeout, ca_file=ctx.config.ca_file
        )
    evidence = {"mx": host.name, **probe.to_evidence()}
    where: dict[str, Any] = {"address": address, "port": port, "evidence": evidence}
    if probe.inconclusive:
        detail = probe.error or "no SMTP conversation"
        return [ctx.finding("email.starttls.missing", Status.INCONCLUSIVE, detail=detail, **where)]
    if not probe.starttls_offered:
        detail = "EHLO does not list STARTTLS"
        return [ctx.finding("email.starttls.missing", Status.FAIL, detail=detail, **where)]
    out = [ctx.finding("email.starttls.missing", Status.PASS, **where)]
    if probe.cert_valid is True:
        out.append(ctx.finding("email.starttls.cert_invalid", Status.PASS, **where))
    elif probe.cert_valid is False:
        out.append(
            ctx.finding(
                "email.starttls.cert_invalid", Status.FAIL, detail=probe.cert_error, **where
            )
        )
    else:
        detail = probe.error or "TLS handshake did not complete"
        out.append(
            ctx.finding("email.starttls.cert_invalid", Status.INCONCLUSIVE, detail=detail, **where)
        )
    return out


async def _starttls(ctx: TargetContext, servers: dns_facts.ServerSet) -> list[Finding]:
    jobs = []
    out: list[Finding] = []
    for host in servers.hosts:
        addresses = host.ipv4 + host.ipv6
        if not addresses:
            out.append(
                ctx.finding(
                    "email.starttls.missing",
                    Status.INCONCLUSIVE,
                    evidence=host.to_evidence(),
                    detail=f"MX host {host.name} has no address",
                )  # fmt: skip
            )
        jobs += [_starttls_at(ctx, host, address) for address in addresses]
    for findings in await asyncio.gather(*jobs):
        out += findings
    return out


async def _mta_sts(ctx: TargetContext) -> Finding:
    """RFC 8461 §3.1: a TXT record 'v=STSv1; id=...' at _mta-sts.<domain> announces it."""
    answer = await dnsclient.query(ctx.config, f"_mta-sts.{ctx.name}", "TXT")
    records = [s for s in answer.strings if s.replace(" ", "").startswith("v=STSv1;")]
    evidence = {"txt": answer.to_evidence()}
    if answer.inconclusive:
        return ctx.finding(
            "email.mta_sts.missing", Status.INCONCLUSIVE, evidence=evidence, detail=answer.rcode
        )
    if len(records) == 1:
        return ctx.finding("email.mta_sts.missing", Status.PASS, evidence=evidence)
    detail = "no MTA-STS record" if not records else "more than one MTA-STS record"
    return ctx.finding("email.mta_sts.missing", Status.INFO, evidence=evidence, detail=detail)


async def run(ctx: TargetContext) -> list[Finding]:
    """E-mail checks for the target when it is a mail domain (zone apex or has MX)."""
    if dns_facts.is_ip_literal(ctx.name):
        return []
    servers, apex = await asyncio.gather(dns_facts.mail_servers(ctx), dns_facts.is_zone_apex(ctx))
    if servers.inconclusive and apex is None:
        evidence = {"mx": servers.answer.to_evidence()}
        detail = f"MX and SOA look-ups failed: {servers.answer.rcode}"
        ids = (*SPF_IDS, "email.spf.too_many_lookups", *DMARC_IDS)
        return _all_inconclusive(ctx, ids, evidence=evidence, detail=detail)
    has_mx = bool(servers.hosts)
    if not has_mx and not apex:
        return []  # a host inside a zone, without mail of its own
    (spf_findings, spf, qualifier), (dmarc_findings, dmarc) = await asyncio.gather(
        _spf(ctx), _dmarc(ctx)
    )
    out = spf_findings + dmarc_findings
    if has_mx:
        starttls, mta_sts = await asyncio.gather(_starttls(ctx, servers), _mta_sts(ctx))
        out += [*starttls, mta_sts]
    elif servers.inconclusive:
        out.append(
            ctx.finding(
                "email.parked.unprotected",
                Status.INCONCLUSIVE,
                evidence={"mx": servers.answer.to_evidence()},
                detail="MX look-up failed",
            )  # fmt: skip
        )
    else:
        out.append(_parked(ctx, servers, spf, qualifier, dmarc))
    return out
