"""`mps privacy assess FILE [--json]`: assess a self-contained transfer scenario, no database.

The command is a contract for scripts and audits (issue 5); its input and output are
documented in docs/privacy-rules.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mps.privacy.rules import ScenarioError, assess, parse_scenario, to_json
from mps.privacy.rules.constants import STATUS_RANK
from mps.privacy.rules.model import Assessment

#: Refuse inputs larger than this; a scenario of 10,000 hops is far below it.
MAX_INPUT_BYTES = 20 * 1024 * 1024
#: Exit codes: 2 = bad input, 3 = a hop at or past --fail-on.
EXIT_BAD_INPUT = 2
EXIT_FAIL_ON = 3


class Command(BaseCommand):
    help = "Privacy in the supplier chain: transfer assessment (no database)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="actions")
        assess_parser = sub.add_parser(
            "assess",
            help="Assess every hop of a scenario file (JSON) and print the verdicts.",
        )
        assess_parser.add_argument("file", help="scenario JSON file, or - for standard input")
        assess_parser.add_argument("--json", action="store_true", help="print the result as JSON")
        assess_parser.add_argument(
            "--fail-on",
            choices=["blocked", "action"],
            default=None,
            help="exit with status 3 if any hop is blocked (or needs action or worse)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "assess":
            self._assess(options["file"], as_json=options["json"], fail_on=options["fail_on"])

    def _read(self, name: str) -> Any:
        try:
            if name == "-":
                text = sys.stdin.read(MAX_INPUT_BYTES + 1)
            else:
                path = Path(name)
                if path.stat().st_size > MAX_INPUT_BYTES:
                    raise CommandError(
                        f"{name}: larger than {MAX_INPUT_BYTES} bytes", returncode=EXIT_BAD_INPUT
                    )
                text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"{name}: no such file", returncode=EXIT_BAD_INPUT) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{name}: cannot read: {exc}", returncode=EXIT_BAD_INPUT) from None
        if len(text) > MAX_INPUT_BYTES:
            raise CommandError(
                f"{name}: larger than {MAX_INPUT_BYTES} bytes", returncode=EXIT_BAD_INPUT
            )
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{name}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                returncode=EXIT_BAD_INPUT,
            ) from None
        except RecursionError:
            raise CommandError(
                f"{name}: JSON nested too deeply", returncode=EXIT_BAD_INPUT
            ) from None

    def _assess(self, name: str, *, as_json: bool, fail_on: str | None) -> None:
        raw = self._read(name)
        try:
            scenario = parse_scenario(raw)
        except ScenarioError as exc:
            raise CommandError(f"{name}: {exc}", returncode=EXIT_BAD_INPUT) from None
        result = assess(scenario)
        if as_json:
            self.stdout.write(to_json(result))
        else:
            self.stdout.write(_table(result))
        if fail_on is not None:
            limit = STATUS_RANK[fail_on]
            worst = [h.id for h in result.hops if STATUS_RANK[h.status] >= limit]
            if worst:
                raise CommandError(
                    f"{len(worst)} hop(s) at or past '{fail_on}': {', '.join(worst)}",
                    returncode=EXIT_FAIL_ON,
                )


def _table(result: Assessment) -> str:
    lines = [
        f"Transfer assessment for {result.controller} on {result.assessed_on.isoformat()} "
        f"(rules {result.method_version}, reference data {result.reference_data_version})",
        f"ok {result.summary.ok} · action {result.summary.action} · blocked {result.summary.blocked}",
        "",
    ]
    for hop in result.hops:
        module = f" (SCC module {hop.scc_module})" if hop.scc_module else ""
        lines.append(
            f"[{hop.status.upper():7}] {hop.id}: {hop.entity} ({hop.country}) via {hop.mechanism}{module}"
        )
        if hop.missing_documents:
            lines.append(f"          missing: {', '.join(hop.missing_documents)}")
        if hop.flags:
            lines.append(f"          flags: {', '.join(hop.flags)}")
        lines.append(f"          {hop.explanation.en}")
    return "\n".join(lines)
