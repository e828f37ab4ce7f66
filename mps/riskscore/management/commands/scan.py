"""``mps scan --org ORGNR`` / ``--all`` / ``--due``: scan verified footprints and store the results.

Without MPS_BROKER_URL the scans run here, one organisation after the other. With it, each
organisation's assets are queued as Celery tasks for ``mps worker`` processes; ``--wait`` blocks
until every run is closed and then prints the grades.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mps import tasks
from mps.organisations.models import Organisation
from mps.riskscore import actions, distributed
from mps.riskscore.cli import add_network_options, config_from, organisation_by_orgnr
from mps.riskscore.models import Asset, ScanRun
from mps.riskscore.reports import organisation_report
from mps.riskscore.schedule import due_organisations


class Command(BaseCommand):
    help = "Scan organisations' verified footprints (in-process, or queued for workers when MPS_BROKER_URL is set)."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument(
            "--org", action="append", metavar="ORGNR", help="organisation to scan (repeatable)"
        )
        group.add_argument(
            "--all", action="store_true", help="every organisation with a verified asset"
        )
        group.add_argument(
            "--due",
            action="store_true",
            help="organisations whose rescan cadence has passed (run hourly from cron)",
        )
        parser.add_argument(
            "--revalidate",
            action="store_true",
            help="re-check DNS/well-known proofs of control first",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON document")
        parser.add_argument(
            "--wait",
            action="store_true",
            help="with a broker: wait until the workers have finished every run",
        )
        parser.add_argument(
            "--timeout", type=float, default=3600, help="seconds --wait waits at most"
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=distributed.DEFAULT_BATCH,
            help="with a broker: assets per task",
        )
        parser.add_argument("--queue", default=None, help="with a broker: Celery queue name")
        add_network_options(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        config = config_from(options)
        if options["all"]:
            ids = Asset.objects.filter(status=Asset.Status.VERIFIED).values("organisation_id")
            orgs = list(Organisation.objects.filter(pk__in=ids).order_by("name"))
        elif options["due"]:
            orgs = due_organisations()
        else:
            orgs = [organisation_by_orgnr(text) for text in options["org"]]
        if options["revalidate"]:
            counts = actions.do_recheck_validations(config)
            if not options["json"]:
                self.stdout.write(f"validation re-checked: {counts}")
        trigger = "schedule" if options["due"] else "cli"
        if tasks.distributed():
            self._queue(orgs, config, trigger, options)
            return
        out = []
        for org in orgs:
            run = actions.run_scan(org, config=config, trigger=trigger)
            report = organisation_report(org, with_fixes=False)
            row = {
                "orgnr": org.orgnr,
                "name": org.name,
                "run": run.pk,
                "status": run.status,
                "assets": run.assets_scanned,
                "findings_written": run.findings_recorded,
                "score": None if report.result.score is None else float(report.result.score),
                "grade": report.result.grade,
                "method_version": report.result.method_version,
            }
            out.append(row)
            if not options["json"]:
                grade = report.result.grade or "-"
                self.stdout.write(
                    f"{org.orgnr} {org.name}: {run.assets_scanned} assets, "
                    f"{run.findings_recorded} findings written, grade {grade} "
                    f"({report.result.score if report.result.score is not None else 'not scored'}) [{run.status}]"
                )
        if options["json"]:
            self.stdout.write(json.dumps({"organisations": out}, ensure_ascii=False, indent=2))
        if any(r["status"] == "failed" for r in out):
            raise CommandError("one or more scans failed; see the scan runs for the error")

    def _queue(self, orgs: list[Organisation], config: Any, trigger: str, options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        sent = distributed.dispatch(
            orgs,
            config,
            trigger=trigger,
            queue=options["queue"],
            batch_size=options["batch_size"],
        )
        finished = True
        if options["wait"]:
            finished = distributed.wait([d.run.pk for d in sent], options["timeout"])
        out = []
        for d in sent:
            run = ScanRun.objects.get(pk=d.run.pk)
            row: dict[str, Any] = {
                "orgnr": d.run.organisation.orgnr,
                "name": d.run.organisation.name,
                "run": run.pk,
                "status": "queued" if run.status == ScanRun.Status.RUNNING else run.status,
                "assets": run.assets_scanned,
                "tasks": d.tasks,
            }
            if run.status != ScanRun.Status.RUNNING:
                report = organisation_report(d.run.organisation, with_fixes=False)
                row |= {
                    "findings_written": run.findings_recorded,
                    "score": None if report.result.score is None else float(report.result.score),
                    "grade": report.result.grade,
                }
            out.append(row)
            if not options["json"]:
                grade = f", grade {row.get('grade') or '-'}" if "grade" in row else ""
                self.stdout.write(
                    f"{row['orgnr']} {row['name']}: run {run.pk}, {row['assets']} assets in "
                    f"{d.tasks} tasks [{row['status']}]{grade}"
                )
        if options["json"]:
            self.stdout.write(json.dumps({"organisations": out}, ensure_ascii=False, indent=2))
        if not finished:
            raise CommandError(f"not every run finished within {options['timeout']:g} s")
        if any(r["status"] == "failed" for r in out):
            raise CommandError("one or more scans failed; see the scan runs for the error")
