"""Command-line core shared by `mps privacy assess` and `python -m mps.privacy.rules`.

Kept free of Django so audits can run the assessment without a configured site.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from mps.privacy.rules.constants import STATUS_RANK
from mps.privacy.rules.engine import assess
from mps.privacy.rules.errors import ScenarioError
from mps.privacy.rules.model import Assessment
from mps.privacy.rules.parse import parse_scenario
from mps.privacy.rules.serialize import to_json

#: Refuse inputs larger than this; a scenario of 10,000 hops is far below it.
MAX_INPUT_BYTES = 20 * 1024 * 1024
#: Exit codes: 2 = bad input, 3 = a hop at or past --fail-on.
EXIT_BAD_INPUT = 2
EXIT_FAIL_ON = 3


class InputError(Exception):
    """The file cannot be read or is not a valid scenario; the message names file and place."""


def read_json(name: str, stdin: TextIO) -> Any:
    """Read FILE (or - for stdin) as JSON, with errors that name the file and position."""
    try:
        if name == "-":
            text = stdin.read(MAX_INPUT_BYTES + 1)
        else:
            path = Path(name)
            if path.stat().st_size > MAX_INPUT_BYTES:
                raise InputError(f"{name}: larger than {MAX_INPUT_BYTES} bytes")
            text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{name}: cannot read: {exc}") from None
    if len(text) > MAX_INPUT_BYTES:
        raise InputError(f"{name}: larger than {MAX_INPUT_BYTES} bytes")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise InputError(f"{name}: JSON nested too deeply") from None


def assess_file(name: str, stdin: TextIO) -> Assessment:
    raw = read_json(name, stdin)
    try:
        return assess(parse_scenario(raw))
    except ScenarioError as exc:
        raise InputError(f"{name}: {exc}") from None


def failing_hops(result: Assessment, fail_on: str | None) -> list[str]:
    """Ids of hops whose status is `fail_on` or worse (action < blocked)."""
    if fail_on is None:
        return []
    limit = STATUS_RANK[fail_on]
    return [h.id for h in result.hops if STATUS_RANK[h.status] >= limit]


def render_text(result: Assessment) -> str:
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


def add_assess_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="scenario JSON file, or - for standard input")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--fail-on",
        choices=["blocked", "action"],
        default=None,
        help="exit with status 3 if any hop is blocked (or needs action or worse)",
    )


def run(
    argv: Sequence[str] | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
) -> int:
    """`python -m mps.privacy.rules assess FILE [--json] [--fail-on LEVEL]`; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m mps.privacy.rules")
    sub = parser.add_subparsers(dest="action", required=True)
    add_assess_arguments(sub.add_parser("assess", help="assess every hop of a scenario file"))
    args = parser.parse_args(argv)
    try:
        result = assess_file(args.file, stdin)
    except InputError as exc:
        stderr.write(f"error: {exc}\n")
        return EXIT_BAD_INPUT
    stdout.write((to_json(result) if args.json else render_text(result)) + "\n")
    failing = failing_hops(result, args.fail_on)
    if failing:
        stderr.write(
            f"error: {len(failing)} hop(s) at or past '{args.fail_on}': {', '.join(failing)}\n"
        )
        return EXIT_FAIL_ON
    return 0
