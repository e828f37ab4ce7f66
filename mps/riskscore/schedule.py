"""Scheduled rescans: which organisations are due, by each one's cadence (``ScanSchedule``).

An organisation is due when one of its verified assets has never been measured or was last
measured longer ago than its cadence (default 7 days, the same window as "fresh" in the
confidence figure). One with a run still in progress is not queued again, so an hourly
``mps scan --due`` (cron) or the Celery beat entry never piles up work.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from mps.organisations.models import Organisation
from mps.riskscore.models import Asset, ScanRun, ScanSchedule

# A run older than this that never closed (its tasks were lost) no longer blocks a rescan.
STALE_RUN = timedelta(hours=6)


def due_organisations(now: datetime | None = None) -> list[Organisation]:
    now = now or timezone.now()
    schedules = {s.organisation_id: s for s in ScanSchedule.objects.all()}
    busy = set(
        ScanRun.objects.filter(
            status=ScanRun.Status.RUNNING, started_at__gte=now - STALE_RUN
        ).values_list("organisation_id", flat=True)
    )
    rows = (
        Asset.objects.filter(status=Asset.Status.VERIFIED)
        .values("organisation_id")
        .annotate(oldest=Min("last_scanned_at"), never=Count("pk", filter=Q(last_scanned_at=None)))
    )
    due = []
    for row in rows:
        org_id = row["organisation_id"]
        schedule = schedules.get(org_id)
        if org_id in busy or (schedule is not None and schedule.paused):
            continue
        days = schedule.cadence_days if schedule else ScanSchedule.DEFAULT_CADENCE_DAYS
        if row["never"] or row["oldest"] < now - timedelta(days=days):
            due.append(org_id)
    return list(Organisation.objects.filter(pk__in=due).order_by("name"))
