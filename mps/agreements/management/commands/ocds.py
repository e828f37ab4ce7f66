"""`mps ocds export [--agreement ID] [--json]`: agreements and call-offs as an OCDS 1.1 release package."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mps.agreements import builders, ocds
from mps.agreements.models import FrameworkAgreement
from mps.core.tenancy import Viewer


class _System:
    """The command runs for the operator: it publishes every agreement and non-draft call-off."""

    is_authenticated = True
    is_superuser = True
    pk = None

    def get_username(self) -> str:
        return "system"


class Command(BaseCommand):
    help = "Open Contracting Data Standard export of agreements and call-offs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="actions")
        export = sub.add_parser("export", help="Print an OCDS 1.1 release package.")
        export.add_argument(
            "--agreement", type=int, help="only this agreement (id) and its call-offs"
        )
        export.add_argument("--uri", default="urn:mps:ocds:export", help="the package's uri field")
        export.add_argument(
            "--json", action="store_true", help="print JSON (the default; kept for scripts)"
        )
        export.add_argument("--no-calloffs", action="store_true", help="agreements only")

    def handle(self, *args: Any, **options: Any) -> None:
        agreement_id = options["agreement"]
        if (
            agreement_id is not None
            and not FrameworkAgreement.objects.filter(pk=agreement_id).exists()
        ):
            raise CommandError(f"--agreement: no agreement with id {agreement_id}", returncode=2)
        viewer = Viewer(user=_System(), organisation=None, role="admin")
        package = builders.ocds_package(
            viewer,
            uri=options["uri"],
            agreement_id=agreement_id,
            include_calloffs=not options["no_calloffs"],
        )
        self.stdout.write(json.dumps(ocds.to_json(package), ensure_ascii=False, indent=2))
