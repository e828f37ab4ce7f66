"""The catalogue of every check id, built from each family's ``CHECKS``."""

from __future__ import annotations

from mps.scanner.checks import FAMILIES
from mps.scanner.model import CheckSpec


def _build() -> dict[str, CheckSpec]:
    catalogue: dict[str, CheckSpec] = {}
    for family in FAMILIES:
        for spec in family.CHECKS:
            if spec.id in catalogue:
                raise ValueError(f"check id {spec.id!r} defined twice ({family.__name__})")
            catalogue[spec.id] = spec
    return catalogue


CATALOGUE: dict[str, CheckSpec] = _build()


def family_check_ids(family: object) -> tuple[str, ...]:
    """Ids defined by one family module, in catalogue order."""
    return tuple(spec.id for spec in getattr(family, "CHECKS", ()))


FACTOR_TITLES = {
    "tls": "TLS",
    "web": "Web (HTTP headers, security.txt)",
    "email": "E-mail",
    "dns": "DNS",
    "ipv6": "IPv6",
    "services": "Exposed services",
    "software": "Software",
}


def catalogue_markdown() -> str:
    """The check table for docs/scanner.md, generated so the docs cannot drift from the code."""
    lines: list[str] = []
    for factor, title in FACTOR_TITLES.items():
        specs = [s for s in CATALOGUE.values() if s.factor == factor]
        if not specs:
            continue
        lines += [
            f"### {title}",
            "",
            "| Check id | Severity on failure | Fails (or warns) when | NSM GP 2.1 | NIST CSF 2.0 | Standard |",
            "|---|---|---|---|---|---|",
        ]
        for s in specs:
            refs = s.references or ()
            nsm = "; ".join(r.nsm for r in refs)
            csf = "; ".join(r.nist_csf for r in refs)
            std = "; ".join(r.standard for r in refs)
            lines.append(f"| `{s.id}` | {s.severity} | {s.title_en} | {nsm} | {csf} | {std} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(catalogue_markdown())
