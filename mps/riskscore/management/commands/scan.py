"""``mps scan --org ORGNR`` / ``mps scan --all``: scan verified footprints and store the results."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mps.organisations.models import Organisation
from mps.riskscore import actions
from mps.riskscore.cli import add_network_options, config_from, organisation_by_orgnr
from mps.riskscore.models import Asset
from mps.riskscore.reports import organisation_report


class Command(BaseCommand):
    help = "Scan organisations' verified footprints now (in-process) and update their scores."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument(
            "--org", action="append", metavar="ORGNR", help="organisation to scan (repeatable)"
        )
        group.add_argument(
            "--all", action="store_true", help="every organisation with a verified asset"
        )
        parser.add_argument(
            "--revalidate",
            action="store_true",
            help="re-check DNS/well-known proofs of control first",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON document")
        add_network_options(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        config = config_from(options)
        if options["all"]:
            ids = Asset.objects.filter(status=Asset.Status.VERIFIED).values("organisation_id")
            orgs = list(Organisation.objects.filter(pk__in=ids).order_by("name"))
        else:
            orgs = [organisation_by_orgnr(text) for text in options["org"]]
        if options["revalidate"]:
            counts = actions.do_recheck_validations(config)
            if not options["json"]:
                self.stdout.write(f"validation re-checked: {counts}")
        out = []
        for org in orgs:
            run = actions.run_scan(org, config=config, trigger="cli")
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
