"""`mps privacy assess FILE [--json] [--fail-on LEVEL]`: assess a transfer scenario, no database.

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

    def handle(self, *args: Any, **options: Any) -> None:
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
