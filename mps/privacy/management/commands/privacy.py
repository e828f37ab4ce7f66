"""`mps privacy assess FILE [--json] [--fail-on LEVEL]`: assess a transfer scenario, no database.
`mps privacy dpf-import FILE [--json]`: import a DPF list snapshot (JSON or CSV) into the
database, re-assess the chains it changes and alert the agencies a worsening change touches.
`mps privacy fides-import FILE --org ORGNR [--json]`: import a Fides (fideslang) document
into an agency's record, all systems or none; unknown keys are listed (file, item, field,
value).

The command is a contract for scripts and audits (issue 5); its input and output are
documented in docs/privacy-rules.md. The work is done by mps.privacy.rules.cli, which
`python -m mps.privacy.rules` also runs without Django.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mps.privacy.rules.cli import (
    EXIT_BAD_INPUT,
    EXIT_FAIL_ON,
    InputError,
    add_assess_arguments,
    assess_file,
    failing_hops,
    render_text,
)
from mps.privacy.rules.serialize import to_json


class Command(BaseCommand):
    help = "Privacy in the supplier chain: transfer assessment (no database)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="actions")
        add_assess_arguments(
            sub.add_parser("assess", help="Assess every hop of a scenario file (JSON).")
        )
        dpf = sub.add_parser("dpf-import", help="Import a DPF list snapshot (JSON or CSV).")
        dpf.add_argument("file", help="The snapshot file.")
        dpf.add_argument("--json", action="store_true", help="Print the result as JSON.")
        fides = sub.add_parser(
            "fides-import", help="Import a Fides document (JSON) into an agency's record."
        )
        fides.add_argument("file", help="The Fides document.")
        fides.add_argument("--org", required=True, help="The agency's organisation number.")
        fides.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "dpf-import":
            self._dpf_import(options)
            return
        if options["action"] == "fides-import":
            self._fides_import(options)
            return
        if options["action"] != "assess":  # pragma: no cover - argparse rejects others
            raise CommandError(f"unknown action {options['action']!r}")
        try:
            result = assess_file(options["file"], sys.stdin)
        except InputError as exc:
            raise CommandError(str(exc), returncode=EXIT_BAD_INPUT) from None
        self.stdout.write(to_json(result) if options["json"] else render_text(result))
        failing = failing_hops(result, options["fail_on"])
        if failing:
            raise CommandError(
                f"{len(failing)} hop(s) at or past '{options['fail_on']}': {', '.join(failing)}",
                returncode=EXIT_FAIL_ON,
            )

    def _dpf_import(self, options: dict[str, Any]) -> None:
        import json
        from pathlib import Path

        from mps.privacy import dpf
        from mps.privacy.dpfwatch import SnapshotError, describe, parse_snapshot

        try:
            data = Path(options["file"]).read_bytes()
            snapshot = parse_snapshot(data, source=options["file"])
        except (OSError, SnapshotError) as exc:
            raise CommandError(str(exc), returncode=EXIT_BAD_INPUT) from None
        result = dpf.import_snapshot("cli", snapshot)
        from mps.privacy.names import pending

        to_confirm = pending()
        if options["json"]:
            out = {
                "organisations": len(snapshot.organisations),
                "changes": [
                    {
                        "kind": str(c.kind),
                        "organisation": c.organisation,
                        "names": list(c.names),
                        "before": c.before,
                        "after": c.after,
                        "worsens": c.worsens,
                    }
                    for c in result.changes
                ],
                "alerted_agency_ids": result.alerted_agency_ids,
                "hops_assessed": result.hops_assessed,
                "names_to_confirm": [
                    {
                        "vendor": p.vendor_name,
                        "entity": p.entity,
                        "suggestions": [m.listed_name for m in p.suggestions],
                    }
                    for p in to_confirm
                ],
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        for change in result.changes:
            self.stdout.write(describe(change).en)
        self.stdout.write(
            f"{len(snapshot.organisations)} organisations; {len(result.changes)} changes; "
            f"{len(result.alerted_agency_ids)} agencies alerted; {result.hops_assessed} hops re-assessed."
        )
        if to_confirm:
            self.stdout.write(
                f"{len(to_confirm)} declared entities have close names on the list to confirm "
                "or reject (/personvern/dpf-navn/):"
            )
            for p in to_confirm:
                names = "; ".join(m.listed_name for m in p.suggestions)
                self.stdout.write(f"  {p.vendor_name}: {p.entity} -> {names}")

    def _fides_import(self, options: dict[str, Any]) -> None:
        import json
        from pathlib import Path

        from mps.organisations.models import Organisation
        from mps.privacy.fides import FidesImportError
        from mps.privacy.fides_import import import_activities

        agency = Organisation.objects.filter(orgnr=options["org"], kind="agency").first()
        if agency is None:
            raise CommandError(
                f"no agency with organisation number {options['org']}", returncode=EXIT_BAD_INPUT
            )
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(str(exc), returncode=EXIT_BAD_INPUT) from None
        try:
            result = import_activities("cli", agency, data, source=options["file"])
        except FidesImportError as exc:
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {"imported": False, "issues": [i.as_dict() for i in exc.issues]},
                        ensure_ascii=False,
                        indent=2,
                    )
                )
            raise CommandError(
                f"nothing imported; {len(exc.issues)} problem(s):\n{exc}",
                returncode=EXIT_BAD_INPUT,
            ) from None
        if options["json"]:
            out = {"imported": True, "created": result.created, "updated": result.updated}
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{agency.name}: {len(result.created)} activities created, "
            f"{len(result.updated)} updated."
        )
