"""`mps fx import FILE`: load exchange rates into the database.

Norges Bank's EXR CSV or the ECB's eurofxref CSV (or the ZIP the ECB ships it in), told apart by
the header line; then the budgets the new rates touch are re-evaluated.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mps.costs import actions
from mps.costs.engine import fx

# Exit code for a file that cannot be used.
EXIT_BAD_INPUT = 2
SOURCES = {
    fx.SOURCE_NORGES_BANK: "Norges Bank",
    fx.SOURCE_ECB: "ECB euro reference rates, cross rates via EUR",
}


class Command(BaseCommand):
    help = "Exchange rates to NOK (Source: Norges Bank; ECB euro reference rates)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="actions")
        load = sub.add_parser(
            "import",
            help="Import a Norges Bank EXR CSV (semicolon separated) or an ECB eurofxref CSV "
            "(Date,USD,…, units per euro; cross rates to NOK via the euro; Norges Bank's rate "
            "wins where both have one).",
        )
        load.add_argument(
            "file",
            help="for example mps/costs/data/norges-bank-exr.csv or mps/costs/data/ecb-eurofxref.csv",
        )
        load.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=EXIT_BAD_INPUT)
        try:
            result = actions.do_import_rates(None, path)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages), returncode=EXIT_BAD_INPUT) from None
        if options["json"]:
            self.stdout.write(json.dumps(asdict(result), indent=2))
        else:
            kept = result.rows - result.stored
            self.stdout.write(
                f"{result.stored} rates for {', '.join(result.currencies)}, "
                f"{result.first_day} to {result.last_day} (Source: {SOURCES[result.source]})"
                + (f"; {kept} left to Norges Bank's own rates" if kept else "")
            )
            if result.rows_reconverted:
                self.stdout.write(
                    f"{result.rows_reconverted} billing rows that had no rate converted, for "
                    f"{len(result.organisations_reconverted)} organisations (aggregates rebuilt)"
                )
            if result.reconversion_failed:
                self.stderr.write(
                    f"reconversion failed for {len(result.reconversion_failed)} organisations "
                    "(their data is unchanged; see the log, then run `mps costs reconvert`)"
                )
            if result.budgets_reevaluated:
                self.stdout.write(
                    f"{result.budgets_reevaluated} budgets re-evaluated; alerts changed for "
                    f"{len(result.budgets_with_new_alerts)} organisations"
                )
