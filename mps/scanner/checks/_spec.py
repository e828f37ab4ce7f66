"""Shorthand for catalogue entries, and the references the families share."""

from mps.scanner.model import CheckSpec, Reference, Severity


def spec(
    check_id: str,
    factor: str,
    severity: Severity,
    *,
    en: str,
    nb: str,
    fix_en: str,
    fix_nb: str,
    refs: tuple[Reference, ...],
) -> CheckSpec:
    return CheckSpec(
        id=check_id,
        factor=factor,
        severity=severity,
        title_nb=nb,
        title_en=en,
        remediation_nb=fix_nb,
        remediation_en=fix_en,
        references=refs,
    )


# NSM Grunnprinsipper for IKT-sikkerhet 2.1 is cited at principle level (x.y): 2.3 secure
# configuration, 2.4 protect the network, 2.7 protect data in transit, 2.8 protect e-mail and
# browser, 1.2 map devices and software, 3.1 find and remove known vulnerabilities.
def ref(nsm: str, nist_csf: str, standard: str) -> Reference:
    return Reference(nsm=nsm, nist_csf=nist_csf, standard=standard)
