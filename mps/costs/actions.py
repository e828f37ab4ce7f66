"""Writes for cost data: FOCUS imports, exchange rates, budgets. CLI, web and API all call these.

The billing rows go to Parquet through mps.costs.engine; here we only check permission, record
the import (snapshots, replacements, warnings) and write the audit log.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mps.core import audit
from mps.core.tenancy import require_act_for, viewer_for
from mps.costs.engine import aggregate, analyses, fx
from mps.costs.engine.aggregate import AggregateInfo
from mps.costs.engine.fx import FxFileError, FxTable, Rate, read_rates_file, shipped_table
from mps.costs.engine.ingest import ingest_file
from mps.costs.engine.reconvert import ReconvertError, ReconvertResult, reconvert
from mps.costs.engine.results import ImportResult, Outcome
from mps.costs.engine.summary import Summary, summarise
from mps.costs.models import (
    Budget,
    ConformanceWarning,
    CostImport,
    CostMonth,
    CostSnapshot,
    CostUpload,
    ExchangeRate,
)

logger = logging.getLogger(__name__)

# Rates are upserted in batches of this many rows.
RATE_BATCH = 1000


def costs_dir() -> Path:
    return Path(settings.DATA_DIR) / "costs"


def store_key(organisation: Any) -> str:
    """The organisation's directory name in the Parquet store: its orgnr, else its id."""
    return organisation.orgnr or f"id{organisation.pk}"


def fx_table() -> FxTable:
    """Rates from the database; the rates shipped with mps until any have been imported."""
    rows = ExchangeRate.objects.values_list("currency", "day", "nok_per_unit", "source")
    rates = [Rate(currency, day, value, source) for currency, day, value, source in rows.iterator()]
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
    if result.outcome == Outcome.IMPORTED:
        refresh_aggregates(organisation)
    return record, result


def refresh_aggregates(organisation: Any, *, budgets: bool = True) -> AggregateInfo | None:
    """Rebuild the organisation's daily aggregate Parquet and its CostMonth rows (docs/costs.md),
    then its budgets' forecasts (unless `budgets` is False: the caller re-evaluates them)."""
    info = aggregate.build(costs_dir(), store_key(organisation))
    con = aggregate.connect(costs_dir(), store_key(organisation))
    kpis = analyses.month_kpis(con) if con is not None else []
    if con is not None:
        con.close()
    fields = [f for f in analyses.MonthKpi.__dataclass_fields__ if f != "month"]
    with transaction.atomic():
        CostMonth.objects.filter(organisation=organisation).exclude(
            month__in=[k.month for k in kpis]
        ).delete()
        CostMonth.objects.bulk_create(
            [CostMonth(organisation=organisation, **k.__dict__) for k in kpis],
            update_conflicts=True,
            unique_fields=["organisation", "month"],
            update_fields=fields,
        )
    if budgets:
        evaluate_budgets(organisation)
    return info


def evaluate_budgets(
    organisation: Any, actor: Any = None, budgets: list[Budget] | None = None
) -> list[Budget]:
    """Store each budget's forecast and alerts, so the overview card needs no DuckDB query.

    A change in a budget's alerts is written to the audit log. Returns the budgets whose alerts
    changed.
    """
    from mps.costs.engine.forecast import budget_alerts
    from mps.costs.reports import forecast_for

    now = timezone.now()
    changed = []
    if budgets is None:
        budgets = list(Budget.objects.filter(organisation=organisation))
    for budget in budgets:
        result = forecast_for(organisation, budget.year, budget.reference_date)
        if result is None or result.year != budget.year:
            forecast_nok, alerts = None, []
        else:
            forecast_nok = result.forecast_nok
            alerts = [
                {"kind": a.kind.value, "amount_nok": a.amount_nok}
                for a in budget_alerts(result, float(budget.amount_nok))
            ]
        with transaction.atomic():
            Budget.objects.filter(pk=budget.pk).update(
                forecast_nok=forecast_nok, alerts=alerts, evaluated_at=now
            )
            if [a["kind"] for a in alerts] != [a.get("kind") for a in budget.alerts or []]:
                audit.record(
                    actor,
                    "costs.budget.alerts",
                    budget,
                    before={"alerts": budget.alerts, "forecast_nok": budget.forecast_nok},
                    after={"alerts": alerts, "forecast_nok": forecast_nok},
                )
                changed.append(budget)
        budget.forecast_nok, budget.alerts, budget.evaluated_at = forecast_nok, alerts, now
    return changed


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
    source: str  # fx.SOURCE_NORGES_BANK or fx.SOURCE_ECB
    rows: int  # rates in the file
    stored: int  # rates written: all but those Norges Bank already gives (ECB files)
    currencies: list[str]
    first_day: str | None
    last_day: str | None
    budgets_reevaluated: int = 0
    budgets_with_new_alerts: list[int] = field(default_factory=list)  # organisation ids
    # Billing rows imported before their day had a rate, converted now (do_reconvert).
    rows_reconverted: int = 0
    organisations_reconverted: list[int] = field(default_factory=list)  # organisation ids
    reconversion_failed: list[int] = field(default_factory=list)  # organisation ids; see the log


def do_import_rates(actor: Any, path: Path) -> RateImport:
    """Import a Norges Bank EXR or ECB eurofxref CSV; convert the billing rows that had no rate
    for its days (their aggregates rebuilt); then re-evaluate the budgets it touches.

    Idempotent: a day's rate is replaced, never doubled. All or nothing. Norges Bank's rate for
    a currency and day wins over an ECB cross rate, whichever file is imported first. Rows
    converted before keep their rate (docs/costs.md).
    """
    if actor is not None and not viewer_for(actor).is_operator:
        raise PermissionDenied("Only the marketplace operator may import exchange rates.")
    try:
        rates = read_rates_file(Path(path))
    except FxFileError as exc:
        raise ValidationError(str(exc)) from None
    except OSError as exc:
        raise ValidationError(f"{path}: cannot read: {exc.strerror}") from None
    rates = fx.merge(rates)
    source = rates[0].source if rates else fx.SOURCE_NORGES_BANK
    days = sorted({r.day for r in rates})
    with transaction.atomic():
        if source != fx.SOURCE_NORGES_BANK and days:
            held = set(
                ExchangeRate.objects.filter(
                    source=fx.SOURCE_NORGES_BANK, day__gte=days[0], day__lte=days[-1]
                ).values_list("currency", "day")
            )
            to_store = [r for r in rates if (r.currency, r.day) not in held]
        else:
            to_store = rates
        for start in range(0, len(to_store), RATE_BATCH):
            ExchangeRate.objects.bulk_create(
                [
                    ExchangeRate(
                        currency=r.currency,
                        day=r.day,
                        nok_per_unit=r.nok_per_unit,
                        source=r.source,
                    )
                    for r in to_store[start : start + RATE_BATCH]
                ],
                update_conflicts=True,
                unique_fields=["currency", "day"],
                update_fields=["nok_per_unit", "source"],
            )
        summary = RateImport(
            file=Path(path).name,
            source=source,
            rows=len(rates),
            stored=len(to_store),
            currencies=sorted({r.currency for r in rates}),
            first_day=days[0].isoformat() if days else None,
            last_day=days[-1].isoformat() if days else None,
        )
        anchor = ExchangeRate.objects.filter(day=days[-1]).first() if days else None
        if anchor is not None:
            audit.record(actor, "costs.fx.import", anchor, after=summary.__dict__)
    if not days:
        return summary
    converted, reconverted, failed = reconvert_for_rates(actor, days[0], days[-1])
    touched = reevaluate_budgets_for_rates(actor, days[0], days[-1])
    return replace(
        summary,
        budgets_reevaluated=touched[0],
        budgets_with_new_alerts=touched[1],
        rows_reconverted=converted,
        organisations_reconverted=reconverted,
        reconversion_failed=failed,
    )


def do_reconvert(
    actor: Any,
    organisation: Any,
    first: date | None = None,
    last: date | None = None,
    *,
    rates: FxTable | None = None,
    budgets: bool = True,
) -> ReconvertResult:
    """Convert the organisation's billing rows that had no exchange rate at import and have one
    now (for charge days `first`..`last` only, when given); rebuild its aggregates; audited.

    Rows already converted keep their rate. `budgets=False` leaves the budgets to the caller.
    """
    if actor is not None and not viewer_for(actor).is_operator:
        raise PermissionDenied("Only the marketplace operator may reconvert cost data.")
    result = reconvert(
        costs_dir(), store_key(organisation), rates or fx_table(), first=first, last=last
    )
    if result.changed:
        refresh_aggregates(organisation, budgets=budgets)
        audit.record(
            actor,
            "costs.reconvert",
            organisation,
            before={"unconverted_rows": result.unconverted_before},
            after={
                "unconverted_rows": result.unconverted_after,
                "rows_converted": result.rows_converted,
                "snapshots": result.snapshots_rewritten,
                "generation": result.generation,
                "first_day": first.isoformat() if first else None,
                "last_day": last.isoformat() if last else None,
            },
        )
    return result


def organisations_with_costs() -> list[Any]:
    """Organisations with at least one imported cost file (the ones with a Parquet store)."""
    from mps.organisations.models import Organisation

    ids = CostImport.objects.filter(outcome=Outcome.IMPORTED.value).values("organisation_id")
    return list(Organisation.objects.filter(pk__in=ids).order_by("pk"))


def reconvert_for_rates(actor: Any, first: date, last: date) -> tuple[int, list[int], list[int]]:
    """After rates for `first`..`last`: reconvert every organisation with rows they convert.

    Returns (rows converted, ids of organisations reconverted, ids whose reconversion failed).
    A failure leaves that organisation's data as it was (and is logged); `mps costs reconvert`
    retries it. Budgets are left to reevaluate_budgets_for_rates, which runs after this.
    """
    rates = fx_table()
    converted, reconverted, failed = 0, [], []
    for organisation in organisations_with_costs():
        try:
            result = do_reconvert(actor, organisation, first, last, rates=rates, budgets=False)
        except (ReconvertError, OSError, duckdb.Error):
            logger.exception(
                "reconverting the cost data of organisation %s failed", organisation.pk
            )
            failed.append(organisation.pk)
            continue
        if result.changed:
            converted += result.rows_converted
            reconverted.append(organisation.pk)
    return converted, reconverted, failed


def reevaluate_budgets_for_rates(actor: Any, first: date, last: date) -> tuple[int, list[int]]:
    """Re-evaluate the budgets that rates for `first`..`last` can change; audited via
    evaluate_budgets. Returns (budgets evaluated, ids of organisations whose alerts changed).

    A budget converts the rest of its year at the rate of its last data day (within its year,
    so never after 31 December) and, for the exchange-rate alert, at its reference date's; a
    quote counts up to MAX_RATE_AGE_DAYS later. So rates can change a budget for a year from
    `first`'s on, or one whose reference date lies in the range.
    """
    reach = timedelta(days=fx.MAX_RATE_AGE_DAYS)
    budgets = Budget.objects.filter(
        Q(year__gte=first.year) | Q(reference_date__gte=first, reference_date__lte=last + reach)
    ).select_related("organisation")
    by_org: dict[int, tuple[Any, list[Budget]]] = {}
    for budget in budgets:
        by_org.setdefault(budget.organisation_id, (budget.organisation, []))[1].append(budget)
    count, alerted = 0, []
    for org_id, (organisation, org_budgets) in sorted(by_org.items()):
        count += len(org_budgets)
        if evaluate_budgets(organisation, actor, org_budgets):
            alerted.append(org_id)
    return count, alerted


def cost_summary(organisation: Any, by: list[str], currency: str = "NOK") -> Summary:
    """Read-only totals for the CLI, views and API (tenancy is the caller's check)."""
    return summarise(costs_dir(), store_key(organisation), by, currency, fx_table())


def do_set_budget(
    actor: Any,
    organisation: Any,
    year: int,
    amount_nok: Decimal,
    reference_date: date,
    note: str = "",
) -> Budget:
    """Set (or change) the organisation's cloud budget for a year; audited."""
    if actor is not None:
        require_act_for(viewer_for(actor), organisation)
    if amount_nok <= 0:
        raise ValidationError({"amount_nok": "The budget must be more than 0 NOK."})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "Give a year between 2000 and 2100."})
    with transaction.atomic():
        existing = (
            Budget.objects.select_for_update().filter(organisation=organisation, year=year).first()
        )
        before = _budget_dict(existing) if existing else None
        budget, _created = Budget.objects.update_or_create(
            organisation=organisation,
            year=year,
            defaults={
                "amount_nok": amount_nok,
                "reference_date": reference_date,
                "note": note[:500],
                "updated_by": actor if getattr(actor, "is_authenticated", False) else None,
            },
        )
        audit.record(actor, "costs.budget.set", budget, before=before, after=_budget_dict(budget))
    evaluate_budgets(organisation)
    budget.refresh_from_db()
    return budget


def _budget_dict(budget: Budget) -> dict[str, Any]:
    return {
        "year": budget.year,
        "amount_nok": str(budget.amount_nok),
        "reference_date": budget.reference_date.isoformat(),
        "note": budget.note,
    }


def uploads_dir() -> Path:
    return costs_dir() / "uploads"


def do_queue_upload(actor: Any, organisation: Any, uploaded: Any) -> CostUpload:
    """Store an uploaded FOCUS file and queue its import (mps.tasks.submit); audited."""
    _check_may_import(actor, organisation)
    name = Path(getattr(uploaded, "name", "") or "upload").name[:255]
    target_dir = uploads_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{uuid.uuid4().hex}.focus"
    size = 0
    with open(target, "wb") as handle:
        for chunk in uploaded.chunks():
            handle.write(chunk)
            size += len(chunk)
    upload = CostUpload.objects.create(
        organisation=organisation,
        file_name=name,
        stored_path=str(target),
        size=size,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(actor, "costs.upload.queue", upload, after={"file": name, "size": size})
    from mps.costs.tasks import import_upload
    from mps.tasks import submit

    transaction.on_commit(lambda: submit(import_upload, upload.pk))
    return upload


def run_upload(upload_id: int) -> CostUpload | None:
    """Import a queued upload (the task body). Idempotent: a finished upload is left alone."""
    upload = (
        CostUpload.objects.filter(pk=upload_id).select_related("organisation", "created_by").first()
    )
    if upload is None or upload.finished:
        return upload
    CostUpload.objects.filter(pk=upload.pk).update(
        status=CostUpload.Status.RUNNING, started_at=timezone.now()
    )
    path = Path(upload.stored_path)
    try:
        record, result = do_import_costs(
            upload.created_by, upload.organisation, path, display_name=upload.file_name
        )
    except Exception as exc:  # the page must say it failed, whatever went wrong
        logger.exception("cost upload %s failed", upload.pk)
        CostUpload.objects.filter(pk=upload.pk).update(
            status=CostUpload.Status.FAILED,
            message=str(exc)[:500],
            finished_at=timezone.now(),
        )
        return CostUpload.objects.get(pk=upload.pk)
    CostUpload.objects.filter(pk=upload.pk).update(
        status=CostUpload.Status.DONE if result.ok else CostUpload.Status.FAILED,
        cost_import=record,
        message=result.outcome.value,
        finished_at=timezone.now(),
    )
    path.unlink(missing_ok=True)
    upload.refresh_from_db()
    return upload
