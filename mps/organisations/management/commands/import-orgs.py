"""`mps import-orgs FILE`: import Enhetsregisteret JSON; all or nothing unless --skip-invalid."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mps.organisations.actions import ImportRejected, do_import_organisations
from mps.organisations.enhetsregisteret import parse_file


class Command(BaseCommand):
    help = "Import organisations from Enhetsregisteret's JSON entity format (re-import updates)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Import the valid records, list the rest."
        )
        parser.add_argument(
            "--kind", default="agency", choices=["agency", "vendor", "operator", "central"]
        )
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            parsed = parse_file(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            summary = do_import_organisations(
                "import-orgs",
                parsed.records,
                parsed.errors,
                skip_invalid=options["skip_invalid"],
                kind=options["kind"],
            )
        except ImportRejected as exc:
            lines = [f"{path}: {e}" for e in exc.errors]
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {
                            "imported": False,
                            "errors": [
                                {"position": e.position, "orgnr": e.orgnr, "reason": e.reason}
                                for e in exc.errors
                            ],
                        },
                        ensure_ascii=False,
                    )
                )
            raise CommandError(
                "\n".join(
                    [
                        *lines,
                        f"{len(exc.errors)} invalid record(s); nothing was imported. Use --skip-invalid to import the rest.",
                    ]
                )
            ) from exc
        if options["json"]:
            self.stdout.write(
                json.dumps({"imported": True, **summary.to_json()}, ensure_ascii=False)
            )
            return
        for e in summary.skipped:
            self.stderr.write(f"skipped {path}: {e}")
        self.stdout.write(
            f"{summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged, {len(summary.skipped)} skipped."
        )
