"""Background work: Celery when MPS_BROKER_URL is set, otherwise in-process.

Tasks are acknowledged late and re-queued when a worker dies, so every task must be
idempotent (write results keyed so a retry never duplicates them).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mps.settings")

celery_app = Celery("mps")
celery_app.conf.update(
    task_acks_late=True,  # a task counts as done only when it finished…
    task_reject_on_worker_lost=True,  # …so a killed worker's task goes back to the queue
    worker_prefetch_multiplier=1,  # a worker holds one task at a time: fair, and little to redo after a crash
    task_ignore_result=True,  # results go to the database, idempotently
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    broker_transport_options={"visibility_timeout": 3600},
)


def configure_from_settings() -> None:
    from django.conf import settings

    if settings.BROKER_URL:
        celery_app.conf.broker_url = settings.BROKER_URL
    timeout = getattr(settings, "BROKER_VISIBILITY_TIMEOUT", 3600)
    options = {"visibility_timeout": timeout}
    if timeout < 300:  # a short timeout is only useful if abandoned tasks are looked for often
        options |= {"unacked_restore_interval": 1, "unacked_restore_throttle": 1}
    celery_app.conf.broker_transport_options = options
    celery_app.autodiscover_tasks(
        lambda: [a for a in settings.INSTALLED_APPS if a.startswith("mps.")]
    )


def distributed() -> bool:
    from django.conf import settings

    return bool(settings.BROKER_URL)


def submit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue a Celery task when a broker is configured; otherwise run it here and now."""
    if distributed():
        configure_from_settings()
        task.delay(*args, **kwargs)
    else:
        run: Callable[..., Any] = task.run if hasattr(task, "run") else task
        run(*args, **kwargs)
