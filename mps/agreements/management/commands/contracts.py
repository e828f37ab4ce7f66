"""`mps contracts remind [--days 90,30] [--json]`: e-mail reminders before notice and end dates."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from mps.agreements.dates import DEFAULT_REMINDER_DAYS, parse_days
from mps.agreements.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Contract register: send reminders before call-offs' notice deadlines and end dates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="actions")
        remind = sub.add_parser(
            "remind", help="E-mail agency admins once per contract and threshold."
        )
        remind.add_argument(
            "--days",
            default=",".join(str(d) for d in DEFAULT_REMINDER_DAYS),
            help="thresholds in days before each date, comma-separated (default %(default)s)",
        )
        remind.add_argument("--today", help="pretend today is this date (YYYY-MM-DD), for planning")
        remind.add_argument(
            "--dry-run", action="store_true", help="list what would be sent; send nothing"
        )
        remind.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            thresholds = parse_days(options["days"])
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        today = timezone.localdate()
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    f"--today: {options['today']!r} is not a date (YYYY-MM-DD)", returncode=2
                ) from None
        results = send_due_reminders(today, thresholds, dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(
                json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=2)
            )
            return
        sent = sum(r.sent for r in results)
        for r in results:
            state = "sent" if r.sent else f"not sent ({r.reason})"
            self.stdout.write(
                f"{r.agency}: {r.title} – {r.kind} {r.due_date} ({r.days_left} days, {r.threshold_days}-day reminder): {state}"
            )
        self.stdout.write(f"{sent} reminder(s) sent, {len(results) - sent} not sent.")
