"""Typed results of the billing engine; the CLI and API print these serialised, never ad-hoc dicts."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"  # the row cannot be used: the whole file is rejected
    WARNING = "warning"  # a breach of the specification real exports commit: counted, imported


class Outcome(StrEnum):
    IMPORTED = "imported"
    UNCHANGED = "unchanged"  # the same file (by checksum) was imported before
    REJECTED = "rejected"


@dataclass(frozen=True)
class Issue:
    """One problem in one cell (or, for file-level problems, one column or the file itself)."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    message: str


@dataclass(frozen=True)
class RuleCount:
    rule: str
    severity: Severity
    count: int
    provider: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """The rows of one provider, billing account and billing period from one import."""

    provider: str
    provider_slug: str
    billing_account_id: str
    billing_period_start: str
    billing_period_end: str
    billing_month: str
    key: str
    rows: int
    checksum: str
    import_id: str


@dataclass
class ImportResult:
    outcome: Outcome
    file: str
    checksum: str
    focus_version: str | None = None
    rows: int = 0
    providers: list[str] = field(default_factory=list)
    billing_periods: list[str] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    replaced_snapshots: list[Snapshot] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    error_counts: list[RuleCount] = field(default_factory=list)
    warning_counts: list[RuleCount] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # time per phase, for benchmarks

    @property
    def ok(self) -> bool:
        return self.outcome != Outcome.REJECTED

    @property
    def error_total(self) -> int:
        return sum(c.count for c in self.error_counts)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


class IngestError(Exception):
    """The file cannot be read at all (not CSV/Parquet, broken structure)."""

    def __init__(self, issue: Issue) -> None:
        self.issue = issue
        super().__init__(f"{issue.file}: {issue.message}")
