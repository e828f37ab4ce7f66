"""`mps costs import FILE --org ORGNR [--json]`, `mps costs summary --org ORGNR --by … --json` and
`mps costs aggregate [--org ORGNR] [--json]` and `mps costs reconvert [--org ORGNR] [--json]`.

A contract for scripts (issue 6, "CLI"): the JSON shapes are those of ImportResult and Summary.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mps.costs import actions
from mps.costs.engine.reconvert import ReconvertError
from mps.costs.engine.summary import SummaryError, parse_by
from mps.costs.models import CostImport
from mps.organisations.models import Organisation
from mps.organisations.orgnr import InvalidOrgnr, normalise_orgnr

# Exit codes: 1 = the file was rejected (errors printed) or a reconversion failed, 2 = bad
# arguments or input.
EXIT_REJECTED = 1
EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "Cloud costs from FOCUS billing exports."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="actions")
        load = sub.add_parser(
            "import", help="Validate and import a FOCUS export (CSV, CSV.gz or Parquet)."
        )
        load.add_argument("file")
        load.add_argument("--org", required=True, help="organisation number (nine digits)")
        load.add_argument("--json", action="store_true", help="print the result as JSON")
        summary = sub.add_parser("summary", help="Cost totals by provider, month, service …")
        summary.add_argument("--org", required=True, help="organisation number (nine digits)")
        summary.add_argument(
            "--by",
            default="provider,month",
            help="comma-separated: provider, month, service_category, service, region, sub_account",
        )
        summary.add_argument("--currency", default="NOK", help="ISO 4217 code (default NOK)")
        summary.add_argument("--json", action="store_true", help="print the result as JSON")

        rebuild = sub.add_parser(
            "aggregate",
            help="Rebuild the pre-aggregated tables (daily Parquet, CostMonth) from the billing rows.",
        )
        rebuild.add_argument("--org", help="organisation number; every organisation when left out")
        rebuild.add_argument("--json", action="store_true", help="print the result as JSON")

        again = sub.add_parser(
            "reconvert",
            help="Convert to NOK the billing rows imported before their day had an exchange "
            "rate (rows already converted keep their rate); rebuild the aggregates.",
        )
        again.add_argument("--org", help="organisation number; every organisation when left out")
        again.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "aggregate":
            self._aggregate(options.get("org"), options["json"])
            return
        if options["action"] == "reconvert":
            self._reconvert(options.get("org"), options["json"])
            return
        organisation = self._organisation(options["org"])
        if options["action"] == "import":
            self._import(organisation, Path(options["file"]), options["json"])
        else:
            self._summary(organisation, options["by"], options["currency"], options["json"])

    def _organisation(self, raw: str) -> Organisation:
        try:
            orgnr = normalise_orgnr(raw)
        except InvalidOrgnr as exc:
            raise CommandError(str(exc), returncode=EXIT_BAD_INPUT) from None
        organisation = Organisation.objects.filter(orgnr=orgnr).first()
        if organisation is None:
            raise CommandError(f"no organisation with number {orgnr}", returncode=EXIT_BAD_INPUT)
        return organisation

    def _import(self, organisation: Organisation, path: Path, as_json: bool) -> None:
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=EXIT_BAD_INPUT)
        _, result = actions.do_import_costs(None, organisation, path)
        if as_json:
            self.stdout.write(result.to_json())
        elif result.ok:
            self.stdout.write(
                f"{result.file}: {result.outcome.value}, {result.rows} rows, "
                f"providers {', '.join(result.providers) or '-'}, "
                f"billing periods {', '.join(result.billing_periods) or '-'}, "
                f"{len(result.replaced_snapshots)} older snapshot(s) replaced"
            )
            for count in result.warning_counts:
                self.stdout.write(
                    f"  warning {count.rule} {count.column or ''} ({count.provider}): {count.count}"
                )
        else:
            for issue in result.errors:
                where = f"row {issue.row}, " if issue.row else ""
                column = f"{issue.column} " if issue.column else ""
                value = f"{issue.value!r}: " if issue.value is not None else ""
                self.stdout.write(
                    f"{issue.file}: {where}{column}{value}{issue.message} [{issue.rule}]"
                )
            for count in result.error_counts:
                self.stdout.write(f"  {count.rule} {count.column or ''}: {count.count} row(s)")
        if not result.ok:
            raise CommandError(
                f"{result.file} was rejected; nothing was imported", returncode=EXIT_REJECTED
            )

    def _summary(self, organisation: Organisation, by: str, currency: str, as_json: bool) -> None:
        try:
            dimensions = parse_by(by)
            summary = actions.cost_summary(organisation, dimensions, currency)
        except SummaryError as exc:
            raise CommandError(str(exc), returncode=EXIT_BAD_INPUT) from None
        if as_json:
            self.stdout.write(summary.to_json())
            return
        self.stdout.write("\t".join([*dimensions, "billed_cost", "effective_cost", "list_cost"]))
        for row in summary.rows:
            keys = [row.group[name] or "" for name in dimensions]
            self.stdout.write(
                "\t".join(
                    [
                        *keys,
                        f"{row.billed_cost:.2f}",
                        f"{row.effective_cost:.2f}",
                        f"{row.list_cost:.2f}",
                    ]
                )
            )
        self.stdout.write(
            f"({summary.currency}; {summary.unconverted_rows} row(s) without a rate left out)"
        )

    def _aggregate(self, orgnr: str | None, as_json: bool) -> None:
        if orgnr:
            organisations = [self._organisation(orgnr)]
        else:
            ids = CostImport.objects.filter(outcome="imported").values("organisation_id")
            organisations = list(Organisation.objects.filter(pk__in=ids).order_by("pk"))
        results = []
        for organisation in organisations:
            info = actions.refresh_aggregates(organisation)
            results.append(
                {
                    "orgnr": organisation.orgnr,
                    "daily_rows": info.daily_rows if info else 0,
                    "tag_rows": info.tag_rows if info else 0,
                    "seconds": info.seconds if info else 0.0,
                }
            )
        if as_json:
            self.stdout.write(json.dumps({"organisations": results}, indent=2))
            return
        for r in results:
            self.stdout.write(
                f"{r['orgnr']}: {r['daily_rows']} daily rows, {r['tag_rows']} tag rows, "
                f"{r['seconds']} s"
            )

    def _reconvert(self, orgnr: str | None, as_json: bool) -> None:
        organisations = [self._organisation(orgnr)] if orgnr else actions.organisations_with_costs()
        rates = actions.fx_table()
        results = []
        for organisation in organisations:
            try:
                result = actions.do_reconvert(None, organisation, rates=rates)
            except (ReconvertError, OSError) as exc:
                raise CommandError(
                    f"{organisation.orgnr}: {exc} (its cost data is unchanged)",
                    returncode=EXIT_REJECTED,
                ) from None
            results.append({"orgnr": organisation.orgnr, **result.to_dict()})
        if as_json:
            self.stdout.write(json.dumps({"organisations": results}, indent=2))
            return
        for r in results:
            self.stdout.write(
                f"{r['orgnr']}: {r['rows_converted']} row(s) converted, "
                f"{r['unconverted_after']} still without a rate, "
                f"{len(r['snapshots_rewritten'])} snapshot(s) rewritten"
            )
