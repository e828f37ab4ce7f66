"""Writes for cost data: FOCUS imports and exchange rates. CLI, web and API all call these.

The billing rows go to Parquet through mps.costs.engine; here we only check permission, record
the import (snapshots, replacements, warnings) and write the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from mps.core import audit
from mps.core.tenancy import viewer_for
from mps.costs.engine.fx import FxFileError, FxTable, Rate, read_exr_file, shipped_table
from mps.costs.engine.ingest import ingest_file
from mps.costs.engine.results import ImportResult, Outcome
from mps.costs.engine.summary import Summary, summarise
from mps.costs.models import ConformanceWarning, CostImport, CostSnapshot, ExchangeRate

# Rates are upserted in batches of this many rows.
RATE_BATCH = 1000


def costs_dir() -> Path:
    return Path(settings.DATA_DIR) / "costs"


def store_key(organisation: Any) -> str:
    """The organisation's directory name in the Parquet store: its orgnr, else its id."""
    return organisation.orgnr or f"id{organisation.pk}"


def fx_table() -> FxTable:
    """Rates from the database; the rates shipped with mps until any have been imported."""
    rows = ExchangeRate.objects.values_list("currency", "day", "nok_per_unit")
    rates = [Rate(currency, day, value) for currency, day, value in rows.iterator()]
    return FxTable.from_rates(rates) if rates else shipped_table()


def _check_may_import(actor: Any, organisation: Any) -> None:
    if actor is None:
        return  # the system: CLI run by an administrator on the server
    viewer = viewer_for(actor)
    if viewer.is_operator:
        return
    if viewer.organisation_id != organisation.pk or not viewer.can_write:
        raise PermissionDenied("Only the organisation's own members may import its cost data.")


def do_import_costs(
    actor: Any, organisation: Any, path: Path, display_name: str | None = None
) -> tuple[CostImport, ImportResult]:
    """Validate and import one FOCUS export for `organisation`; record what happened."""
    _check_may_import(actor, organisation)
    result = ingest_file(
        Path(path), costs_dir(), store_key(organisation), fx_table(), display_name=display_name
    )
    with transaction.atomic():
        record = CostImport.objects.create(
            organisation=organisation,
            file_name=result.file[:255],
            checksum=result.checksum,
            outcome=result.outcome.value,
            focus_version=result.focus_version or "",
            rows=result.rows,
            error_count=result.error_total,
            errors=[_plain(e) for e in result.errors],
            error_counts=[_plain(c) for c in result.error_counts],
            seconds=result.seconds,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if result.outcome == Outcome.IMPORTED:
            _record_snapshots(record, organisation, result)
        audit.record(
            actor,
            f"costs.import.{result.outcome.value}",
            record,
            after={
                "file": result.file,
                "checksum": result.checksum,
                "rows": result.rows,
                "providers": result.providers,
                "billing_periods": result.billing_periods,
                "replaced_snapshots": [s.key for s in result.replaced_snapshots],
                "errors": result.error_total,
            },
        )
    return record, result


def _record_snapshots(record: CostImport, organisation: Any, result: ImportResult) -> None:
    new_by_key: dict[str, CostSnapshot] = {}
    for s in result.snapshots:
        new_by_key[s.key] = CostSnapshot.objects.create(
            cost_import=record,
            organisation=organisation,
            provider=s.provider[:200],
            billing_account_id=s.billing_account_id[:500],
            billing_period_start=datetime.fromisoformat(s.billing_period_start),
            billing_period_end=datetime.fromisoformat(s.billing_period_end),
            billing_month=s.billing_month,
            key=s.key,
            rows=s.rows,
        )
    for key, snapshot in new_by_key.items():
        CostSnapshot.objects.filter(organisation=organisation, key=key, replaced_by=None).exclude(
            pk=snapshot.pk
        ).update(replaced_by=snapshot)
    ConformanceWarning.objects.bulk_create(
        ConformanceWarning(
            cost_import=record,
            organisation=organisation,
            provider=(c.provider or "")[:200],
            rule=c.rule,
            column=(c.column or "")[:200],
            count=c.count,
        )
        for c in result.warning_counts
    )


def _plain(obj: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return {k: (v.value if hasattr(v, "value") else v) for k, v in asdict(obj).items()}


@dataclass(frozen=True)
class RateImport:
    file: str
    rows: int
    currencies: list[str]
    first_day: str | None
    last_day: str | None


def do_import_rates(actor: Any, path: Path) -> RateImport:
    """Import Norges Bank EXR CSV rates (idempotent: a day's rate is replaced, never doubled)."""
    if actor is not None and not viewer_for(actor).is_operator:
        raise PermissionDenied("Only the marketplace operator may import exchange rates.")
    try:
        rates = read_exr_file(Path(path))
    except FxFileError as exc:
        raise ValidationError(str(exc)) from None
    except OSError as exc:
        raise ValidationError(f"{path}: cannot read: {exc.strerror}") from None
    with transaction.atomic():
        for start in range(0, len(rates), RATE_BATCH):
            ExchangeRate.objects.bulk_create(
                [
                    ExchangeRate(currency=r.currency, day=r.day, nok_per_unit=r.nok_per_unit)
                    for r in rates[start : start + RATE_BATCH]
                ],
                update_conflicts=True,
                unique_fields=["currency", "day"],
                update_fields=["nok_per_unit", "source"],
            )
        days = sorted(r.day for r in rates)
        summary = RateImport(
            file=Path(path).name,
            rows=len(rates),
            currencies=sorted({r.currency for r in rates}),
            first_day=days[0].isoformat() if days else None,
            last_day=days[-1].isoformat() if days else None,
        )
        anchor = ExchangeRate.objects.filter(day=days[-1]).first() if days else None
        if anchor is not None:
            audit.record(actor, "costs.fx.import", anchor, after=summary.__dict__)
    return summary


def cost_summary(organisation: Any, by: list[str], currency: str = "NOK") -> Summary:
    """Read-only totals for the CLI, views and API (tenancy is the caller's check)."""
    return summarise(costs_dir(), store_key(organisation), by, currency, fx_table())
