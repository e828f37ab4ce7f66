"""Typed results of the outside-in scanner: statuses, severities, check specs and findings.

Everything the engine reports is one of these dataclasses, serialised with ``to_json()``;
nothing downstream builds dicts by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

# Version of the measuring method. Bump (with a changelog line in docs/scanner.md) whenever a
# check's logic, threshold or severity changes, so scores from different versions are not mixed.
METHOD_VERSION = "2026.11.0"


class Status(StrEnum):
    """Outcome of one check. INCONCLUSIVE means "could not measure", never pass or fail."""

    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    WARN = "warn"
    INFO = "info"
    INCONCLUSIVE = "inconclusive"


class Severity(StrEnum):
    """How bad a failing check is; the spec's severity is used when the check fails."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


FACTORS = ("tls", "web", "email", "dns", "ipv6", "services", "software")


@dataclass(frozen=True)
class Reference:
    """Where a check comes from: NSM Grunnprinsipper 2.1 measure, NIST CSF 2.0 subcategory, standard."""

    nsm: str
    nist_csf: str
    standard: str

    def to_json(self) -> dict[str, str]:
        return {"nsm": self.nsm, "nist_csf": self.nist_csf, "standard": self.standard}


@dataclass(frozen=True)
class CheckSpec:
    """Catalogue entry of one check: stable id, factor, severity on failure, texts and references."""

    id: str
    factor: str
    severity: Severity
    title_nb: str
    title_en: str
    remediation_nb: str
    remediation_en: str
    references: tuple[Reference, ...] = ()

    def __post_init__(self) -> None:
        if self.factor not in FACTORS:
            raise ValueError(f"check {self.id!r}: unknown factor {self.factor!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "factor": self.factor,
            "severity": str(self.severity),
            "title_nb": self.title_nb,
            "title_en": self.title_en,
            "remediation_nb": self.remediation_nb,
            "remediation_en": self.remediation_en,
            "references": [r.to_json() for r in self.references],
        }


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Finding:
    """One measured fact about a target, with the evidence as observed."""

    check: str
    status: Status
    severity: Severity
    target: str
    address: str | None = None
    port: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    observed_at: datetime = field(default_factory=utcnow)
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "status": str(self.status),
            "severity": str(self.severity),
            "target": self.target,
            "address": self.address,
            "port": self.port,
            "evidence": self.evidence,
            "observed_at": self.observed_at.isoformat(),
            "detail": self.detail,
        }


@dataclass
class TargetResult:
    """All findings for one scanned name."""

    name: str
    findings: list[Finding] = field(default_factory=list)
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime = field(default_factory=utcnow)
    addresses: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "addresses": list(self.addresses),
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "findings": [f.to_json() for f in self.findings],
        }

    def by_check(self, check_id: str) -> list[Finding]:
        """Findings of one check id (convenience for callers and tests)."""
        return [f for f in self.findings if f.check == check_id]
