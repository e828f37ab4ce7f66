"""Celery tasks of the risk score (found by ``autodiscover_tasks``); the work is in distributed.py."""

from __future__ import annotations

from typing import Any

from mps.tasks import celery_app

# Celery beat (``mps worker --beat`` or ``celery beat``): look for due rescans every hour, and
# re-check proofs of control and vendors' shared platforms once a day.
celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "riskscore-due-rescans": {"task": "riskscore.scan_due", "schedule": 3600.0},
    "riskscore-footprint-recheck": {"task": "riskscore.footprint_recheck", "schedule": 86400.0},
}


@celery_app.task(name="riskscore.scan_assets", bind=True)
def scan_assets(self: Any, run_id: int, asset_ids: list[int], config: dict[str, Any]) -> int:
    """Scan a batch of one run's assets; safe to deliver twice (see distributed.py)."""
    from mps.riskscore.distributed import execute_batch

    return execute_batch(run_id, asset_ids, config, worker=self.request.hostname or "")


@celery_app.task(name="riskscore.footprint_recheck")
def footprint_recheck() -> dict[str, int]:
    """Re-check proofs of control older than a day, then apply the shared platforms."""
    from mps.riskscore.actions import attribute_platform_hosts, do_recheck_validations

    counts = do_recheck_validations()
    return counts | {f"platform_{k}": v for k, v in attribute_platform_hosts().items()}


@celery_app.task(name="riskscore.scan_due")
def scan_due() -> int:
    """Queue a scan for every organisation whose cadence says it is due."""
    from mps.riskscore.distributed import dispatch
    from mps.riskscore.schedule import due_organisations

    return len(dispatch(due_organisations(), trigger="schedule"))
