"""``mps score ORGNR [--json]``: score, grade, method version, confidence, factors and every deduction."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mps.riskscore.cli import organisation_by_orgnr
from mps.riskscore.reports import organisation_report


class Command(BaseCommand):
    help = "Show an organisation's Cyber Risk Score with every deduction and the finding behind it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("orgnr", metavar="ORGNR")
        parser.add_argument("--json", action="store_true", help="print one JSON document")

    def handle(self, *args: Any, **options: Any) -> None:
        org = organisation_by_orgnr(options["orgnr"])
        report = organisation_report(org)
        data = {"organisation": {"orgnr": org.orgnr, "name": org.name}} | report.to_json()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        r = report.result
        conf = "-" if report.confidence is None else f"{report.confidence:.0%}"
        self.stdout.write(f"{org.name} ({org.orgnr})")
        if r.score is None:
            self.stdout.write("not scored yet: no verified asset has been measured")
            return
        self.stdout.write(
            f"grade {r.grade}  score {r.score}  confidence {conf}  method {r.method_version}"
        )
        for f in r.factors:
            value = "-" if f.score is None else f"{f.score}"
            self.stdout.write(
                f"  {f.factor:<9} {value:>7}  (weight {f.weight}, {f.assets_measured} assets)"
            )
        self.stdout.write("deductions:")
        for d in report.deductions:
            where = d.address + (f":{d.port}" if d.port else "")
            self.stdout.write(
                f"  -{d.deduction.points:>6}  {d.deduction.check:<32} {d.deduction.asset} {where} "
                f"[{d.deduction.severity}/{d.deduction.status}] finding {d.finding_id}"
            )
        for fix in report.fixes:
            self.stdout.write(f"fix: {fix.check} on {', '.join(fix.assets)}: +{fix.gain}")
