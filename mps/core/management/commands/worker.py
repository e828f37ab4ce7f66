"""`mps worker`: a Celery worker for distributed work (needs MPS_BROKER_URL)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run a Celery worker that executes queued scans and other background tasks."

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--queues", default="celery")
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument("--hostname", default=None, help="Worker name (default: mps@<host>).")
        parser.add_argument(
            "--beat",
            action="store_true",
            help="Also run the periodic schedule (e.g. hourly due rescans); in one worker only.",
        )

    def handle(self, *args, **options):
        if not settings.BROKER_URL:
            raise CommandError(
                "MPS_BROKER_URL is not set; without a broker, tasks run in-process and no worker is needed."
            )
        from mps.tasks import celery_app, configure_from_settings

        configure_from_settings()
        # Our tasks log their progress at INFO (the root logger stays at WARNING).
        logging.getLogger("mps").setLevel(options["loglevel"].upper())
        argv = [
            "worker",
            f"--concurrency={options['concurrency']}",
            f"--queues={options['queues']}",
            f"--loglevel={options['loglevel']}",
            "--without-gossip",
            "--without-mingle",
            "--pool=prefork",
        ]
        if options["hostname"]:
            argv.append(f"--hostname={options['hostname']}")
        if options["beat"]:
            argv += ["--beat", f"--schedule={settings.DATA_DIR / 'celerybeat-schedule'}"]
        celery_app.worker_main(argv)
