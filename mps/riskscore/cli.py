"""Shared pieces of the risk score commands: network options and organisation look-up."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from mps.organisations.models import Organisation
from mps.organisations.orgnr import InvalidOrgnr, normalise_orgnr
from mps.riskscore.actions import scan_config
from mps.scanner.checks import FAMILIES
from mps.scanner.config import ConfigError, ScanConfig


def add_network_options(parser: CommandParser) -> None:
    """The same network options as ``mps scan-targets`` (issue 3's CLI contract)."""
    parser.add_argument(
        "--resolver", metavar="HOST:PORT", help="DNS resolver instead of the system's"
    )
    parser.add_argument(
        "--trust-anchor", metavar="FILE", help="DNSSEC trust anchors (zone-file text)"
    )
    parser.add_argument("--ca-file", metavar="PEM", help="extra trusted CA certificates (PEM)")
    parser.add_argument("--ports", metavar="SPEC", help="service ports, e.g. https=8443,http=8080")
    parser.add_argument(
        "--allow-private",
        action="store_true",
        help="allow loopback, private and internal addresses",
    )
    parser.add_argument(
        "--families", metavar="LIST", help="only these check families, e.g. tls,http"
    )


def config_from(options: dict[str, Any]) -> ScanConfig:
    """The platform's scan configuration with the command-line overrides applied."""
    base = scan_config()
    changes: dict[str, Any] = {"ports": dict(base.ports)}
    try:
        if options.get("resolver"):
            changes["resolver"] = ScanConfig.parse_hostport(options["resolver"])
        if options.get("ports"):
            changes["ports"].update(ScanConfig.parse_ports(options["ports"]))
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    for option, key in (("trust_anchor", "trust_anchor_file"), ("ca_file", "ca_file")):
        value = options.get(option)
        if value:
            path = Path(value)
            if not path.is_file():
                raise CommandError(f"--{option.replace('_', '-')} {value}: no such file")
            changes[key] = path
    if options.get("allow_private"):
        changes["allow_private"] = True
    if options.get("families"):
        families = tuple(f.strip() for f in options["families"].split(",") if f.strip())
        known = {family.__name__.rsplit(".", 1)[-1] for family in FAMILIES}
        unknown = sorted(set(families) - known)
        if unknown or not families:
            raise CommandError(
                f"--families {options['families']!r}: unknown {', '.join(unknown) or 'empty'} "
                f"(known: {', '.join(sorted(known))})"
            )
        changes["families"] = families
    return dataclasses.replace(base, **changes)


def organisation_by_orgnr(text: str) -> Organisation:
    try:
        orgnr = normalise_orgnr(text)
    except InvalidOrgnr as exc:
        raise CommandError(
            f"ORGNR {text!r} is not a valid organisation number: {exc.reason}"
        ) from None
    org = Organisation.objects.filter(orgnr=orgnr).first()
    if org is None:
        raise CommandError(f"ORGNR {orgnr}: no such organisation")
    return org
