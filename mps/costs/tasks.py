"""Celery tasks of the cost app (found by ``autodiscover_tasks``): web uploads are imported here."""

from __future__ import annotations

from mps.tasks import celery_app


@celery_app.task(name="costs.import_upload")
def import_upload(upload_id: int) -> str:
    """Import one uploaded FOCUS file; safe to deliver twice (a finished upload is skipped)."""
    from mps.costs.actions import run_upload

    upload = run_upload(upload_id)
    return upload.status if upload is not None else "missing"
