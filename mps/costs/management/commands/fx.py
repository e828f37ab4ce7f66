"""`mps fx import FILE`: load Norges Bank exchange rates (EXR CSV) into the database."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mps.costs import actions

# Exit code for a file that cannot be used.
EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "Exchange rates to NOK (Source: Norges Bank)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="actions")
        load = sub.add_parser(
            "import", help="Import a Norges Bank EXR CSV file (semicolon separated)."
        )
        load.add_argument("file", help="for example mps/costs/data/norges-bank-exr.csv")
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
            self.stdout.write(
                f"{result.rows} rates for {', '.join(result.currencies)}, "
                f"{result.first_day} to {result.last_day} (Source: Norges Bank)"
            )
