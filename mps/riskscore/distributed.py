"""Scans split into Celery tasks: one run per organisation, one task per small batch of assets.

Delivery is at least once (tasks are acknowledged late, a killed worker's task is delivered
again), so every step is idempotent:

- ``dispatch`` creates the run and one ``AssetScan`` row per asset before any task is queued;
- a task skips assets whose ``AssetScan`` is already finished, writes findings through
  ``record_result`` (keyed by asset + check + address + port) and marks the row finished in the
  same transaction, so a result is either wholly written or not at all;
- the task that finishes the last asset closes the run (under a row lock, once) and takes the
  day's snapshot.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from mps.riskscore import actions
from mps.riskscore.models import Asset, AssetScan, ScanRun
from mps.scanner.config import ScanConfig
from mps.scanner.model import TargetResult

log = logging.getLogger(__name__)

DEFAULT_BATCH = 1


# ---------------------------------------------------------------- the task message
def config_to_json(config: ScanConfig) -> dict[str, Any]:
    """A ScanConfig as JSON for a task message (workers share the machine's file paths)."""
    data = dataclasses.asdict(config)
    for key in ("trust_anchor_file", "ca_file"):
        data[key] = None if data[key] is None else str(data[key])
    data["now"] = None if config.now is None else config.now.isoformat()
    for key in ("resolver", "allowed_networks", "families"):
        data[key] = None if data[key] is None else list(data[key])
    return data


def config_from_json(data: dict[str, Any]) -> ScanConfig:
    values = dict(data)
    for key in ("trust_anchor_file", "ca_file"):
        values[key] = None if values.get(key) is None else Path(values[key])
    if values.get("now"):
        values["now"] = datetime.fromisoformat(values["now"])
    if values.get("resolver") is not None:
        values["resolver"] = (values["resolver"][0], int(values["resolver"][1]))
    for key in ("allowed_networks", "families"):
        if values.get(key) is not None:
            values[key] = tuple(values[key])
    if values.get("allowed_networks") is None:
        values["allowed_networks"] = ()
    known = {f.name for f in dataclasses.fields(ScanConfig)}
    return ScanConfig(**{k: v for k, v in values.items() if k in known})


# ---------------------------------------------------------------- dispatch
@dataclasses.dataclass
class Dispatched:
    run: ScanRun
    tasks: int


def _batches(ids: Sequence[int], size: int) -> list[list[int]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), max(size, 1))]


def dispatch(
    organisations: Iterable[Any],
    config: ScanConfig | None = None,
    *,
    trigger: str = "cli",
    queue: str | None = None,
    batch_size: int = DEFAULT_BATCH,
) -> list[Dispatched]:
    """Create a run per organisation and queue its verified assets in batches.

    Without a broker the batches run here, one after the other (the same code path).
    """
    from mps import tasks
    from mps.riskscore.reports import METHOD
    from mps.riskscore.tasks import scan_assets

    message = config_to_json(config or actions.scan_config())
    use_broker = tasks.distributed()
    if use_broker:
        tasks.configure_from_settings()
    out = []
    for org in organisations:
        ids = list(
            Asset.objects.filter(organisation=org, status=Asset.Status.VERIFIED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        with transaction.atomic():
            run = ScanRun.objects.create(
                organisation=org,
                trigger=trigger,
                started_at=timezone.now(),
                method_version=METHOD,
                assets_scanned=len(ids),
            )
            AssetScan.objects.bulk_create([AssetScan(run=run, asset_id=pk) for pk in ids])
        batches = _batches(ids, batch_size)
        for batch in batches:
            if use_broker:
                options = {"queue": queue} if queue else {}
                scan_assets.apply_async(args=[run.pk, batch, message], **options)
            else:
                execute_batch(run.pk, batch, message)
        if not ids:
            finalise(run.pk)
        out.append(Dispatched(run, len(batches)))
    return out


# ---------------------------------------------------------------- the task's work
def execute_batch(
    run_id: int, asset_ids: Sequence[int], config: dict[str, Any] | ScanConfig, worker: str = ""
) -> int:
    """Scan the batch's unfinished assets and write each one's result once; returns assets written."""
    cfg = config if isinstance(config, ScanConfig) else config_from_json(config)
    pending = list(
        AssetScan.objects.filter(
            run_id=run_id, asset_id__in=list(asset_ids), finished_at__isnull=True
        ).select_related("asset")
    )
    if not pending:
        finalise(run_id)
        return 0
    AssetScan.objects.filter(pk__in=[p.pk for p in pending]).update(
        attempts=F("attempts") + 1, worker=worker[:200], started_at=timezone.now()
    )
    log.info(
        "riskscore scan start run=%s assets=%s worker=%s",
        run_id,
        ",".join(str(p.asset_id) for p in pending),
        worker,
    )
    by_name: dict[str, AssetScan] = {}
    for item in pending:
        if item.asset.status == Asset.Status.VERIFIED:
            for name in actions.scan_names(item.asset):
                by_name.setdefault(name, item)
    results: dict[int, list[TargetResult]] = defaultdict(list)
    error = ""
    try:
        for result in actions.in_process_executor(list(by_name), cfg):
            item = by_name.get(result.name) or by_name.get(result.name.lower().rstrip("."))
            if item is not None:
                results[item.pk].append(result)
    except Exception as exc:  # recorded on each asset; the run ends as failed
        error = f"{type(exc).__name__}: {exc}"[:2000]
    run = ScanRun.objects.get(pk=run_id)
    written = 0
    for item in pending:
        with transaction.atomic():
            row = AssetScan.objects.select_for_update().get(pk=item.pk)
            if row.finished_at is not None:  # another delivery of this task got there first
                continue
            count = 0
            for result in results.get(item.pk, []):
                count += actions.record_result(item.asset, result, run)
            row.findings_written = count
            row.error = error
            row.finished_at = timezone.now()
            row.save(update_fields=["findings_written", "error", "finished_at"])
            written += 1
    log.info("riskscore scan done run=%s assets=%s worker=%s", run_id, written, worker)
    finalise(run_id)
    return written


def finalise(run_id: int) -> bool:
    """Close the run once every asset has its result; True for the one call that closed it."""
    with transaction.atomic():
        run = ScanRun.objects.select_for_update().select_related("organisation").get(pk=run_id)
        if run.status != ScanRun.Status.RUNNING:
            return False
        rows = AssetScan.objects.filter(run_id=run_id)
        if rows.filter(finished_at__isnull=True).exists():
            return False
        totals = rows.aggregate(
            findings=Sum("findings_written"), failed=Count("pk", filter=~Q(error=""))
        )
        run.findings_recorded = totals["findings"] or 0
        run.finished_at = timezone.now()
        if totals["failed"]:
            run.status = ScanRun.Status.FAILED
            first = rows.exclude(error="").values_list("error", flat=True).first()
            run.error = f"{totals['failed']} asset(s) failed; first: {first}"[:2000]
        else:
            run.status = ScanRun.Status.DONE
        run.save(update_fields=["findings_recorded", "finished_at", "status", "error"])
    actions.take_snapshot(run.organisation)
    return True


def wait(run_ids: Sequence[int], timeout: float, poll: float = 0.5) -> bool:
    """Block until every run is closed or ``timeout`` seconds passed; True when all closed."""
    end = time.monotonic() + timeout
    while True:
        open_runs = ScanRun.objects.filter(pk__in=run_ids, status=ScanRun.Status.RUNNING)
        if not open_runs.exists():
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(poll)
