"""``mps scan-targets NAME...``: scan domains or hosts from the command line, without a database.

A contract other tools parse (issue 3): with ``--json`` one JSON document
``{"method_version": ..., "targets": [{"name": ..., "findings": [...]}]}``, streamed as hosts
finish; exit code 0 whatever the findings, non-zero only for usage errors.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mps.scanner.config import ConfigError, ScanConfig
from mps.scanner.model import METHOD_VERSION, Status, TargetResult
from mps.scanner.runner import scan

# RFC 1035 §2.3.1 / RFC 1123 §2.1 host names (labels of letters, digits and hyphens), with the
# underscore allowed because service names (_dmarc) and some real hosts use it.
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
PROGRESS_WIDTH = 30
# Human output: order statuses from worst to best.
STATUS_ORDER = {
    Status.FAIL: 0,
    Status.WARN: 1,
    Status.INCONCLUSIVE: 2,
    Status.INFO: 3,
    Status.PASS: 4,
}


def validate_name(name: str) -> str:
    """A host name or IP address, or a CommandError naming the bad argument."""
    text = name.strip().rstrip(".")
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    try:
        ascii_name = text.encode("idna").decode("ascii") if not text.isascii() else text
    except UnicodeError:
        raise CommandError(f"NAME {name!r}: not a valid internationalised host name") from None
    labels = ascii_name.split(".")
    if not text or len(ascii_name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise CommandError(f"NAME {name!r}: not a host name or IP address")
    return ascii_name.lower()


class Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal.

    Human output goes to the same terminal, so the bar is blanked before each result is
    printed and drawn again below it (``clear`` / ``redraw``).
    """

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.enabled = stream.isatty()
        self.done = 0
        self.label = ""

    def __call__(self, done: int, result: TargetResult) -> None:
        self.done, self.label = done, result.name[:40]
        self._draw()

    def _draw(self) -> None:
        if not self.enabled:
            return
        filled = PROGRESS_WIDTH * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (PROGRESS_WIDTH - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} {self.label:<40}")
        if self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()

    def clear(self) -> None:
        """Blank the bar's line (once finished, the bar already ended with a newline)."""
        if self.enabled and 0 < self.done < self.total:
            self.stream.write("\r" + " " * (PROGRESS_WIDTH + 60) + "\r")
            self.stream.flush()

    def redraw(self) -> None:
        if 0 < self.done < self.total:
            self._draw()


class Command(BaseCommand):
    help = "Scan domains or hosts from outside (TLS, web, e-mail, DNS, IPv6, exposed services) and print the findings."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "names", nargs="+", metavar="NAME", help="domain or host name (or IP address) to scan"
        )
        parser.add_argument(
            "--resolver", metavar="HOST:PORT", help="DNS resolver to use instead of the system's"
        )
        parser.add_argument(
            "--trust-anchor",
            metavar="FILE",
            help="DNSSEC trust anchors (DS or DNSKEY records, zone-file text)",
        )
        parser.add_argument("--ca-file", metavar="PEM", help="extra trusted CA certificates (PEM)")
        parser.add_argument(
            "--ports", metavar="SPEC", help="service ports, e.g. https=8443,http=8080,smtp=2525"
        )
        parser.add_argument(
            "--allow-private",
            action="store_true",
            help="allow loopback, private and other internal addresses",
        )
        parser.add_argument(
            "--concurrency", type=int, metavar="N", help="hosts scanned at the same time"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON document")

    def build_config(self, options: dict[str, Any]) -> ScanConfig:
        kwargs: dict[str, Any] = {"allow_private": bool(options["allow_private"])}
        try:
            if options.get("resolver"):
                kwargs["resolver"] = ScanConfig.parse_hostport(options["resolver"])
            if options.get("ports"):
                kwargs["ports"] = ScanConfig.parse_ports(options["ports"])
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
        for option, key in (("trust_anchor", "trust_anchor_file"), ("ca_file", "ca_file")):
            value = options.get(option)
            if value:
                path = Path(value)
                if not path.is_file():
                    raise CommandError(f"--{option.replace('_', '-')} {value}: no such file")
                kwargs[key] = path
        if kwargs.get("ca_file") is not None:
            from cryptography import x509

            try:
                x509.load_pem_x509_certificates(kwargs["ca_file"].read_bytes())
            except ValueError as exc:
                raise CommandError(
                    f"--ca-file {kwargs['ca_file']}: not PEM certificates ({exc})"
                ) from None
        if kwargs.get("trust_anchor_file") is not None:
            from mps.scanner.dnsclient import load_trust_anchors

            try:
                load_trust_anchors(kwargs["trust_anchor_file"])
            except ValueError as exc:
                raise CommandError(f"--trust-anchor: {exc}") from None
        concurrency = options.get("concurrency")
        if concurrency is not None:
            if concurrency < 1:
                raise CommandError(f"--concurrency {concurrency}: must be at least 1")
            kwargs["concurrency"] = concurrency
        try:
            return ScanConfig(**kwargs)
        except ConfigError as exc:
            raise CommandError(str(exc)) from None

    def handle(self, *args: Any, **options: Any) -> None:
        names = list(dict.fromkeys(validate_name(n) for n in options["names"]))
        config = self.build_config(options)
        progress = Progress(len(names), sys.stderr)
        as_json = bool(options["json"])
        asyncio.run(self._run(names, config, progress, as_json))

    async def _run(
        self, names: list[str], config: ScanConfig, progress: Progress, as_json: bool
    ) -> None:
        out = self.stdout
        if as_json:
            out.write(f'{{"method_version": {json.dumps(METHOD_VERSION)}, "targets": [', ending="")
        first = True
        async for result in scan(names, config, progress=progress):
            if as_json:
                out.write(
                    ("" if first else ", ") + json.dumps(result.to_json(), ensure_ascii=False),
                    ending="",
                )
            else:
                progress.clear()
                self._print_human(result)
                self.stdout.flush()
                progress.redraw()
            first = False
        if as_json:
            out.write("]}")

    def _print_human(self, result: TargetResult) -> None:
        counts: dict[str, int] = {}
        for f in result.findings:
            counts[str(f.status)] = counts.get(str(f.status), 0) + 1
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        addresses = ", ".join(result.addresses) or "no address"
        self.stdout.write(f"{result.name} ({addresses}): {summary or 'no findings'}")
        for f in sorted(result.findings, key=lambda f: (STATUS_ORDER[f.status], f.check)):
            where = f"{f.address}:{f.port}" if f.address and f.port else (f.address or "")
            line = f"  {f.status:<12} {f.severity:<8} {f.check:<32} {where}"
            if f.detail:
                line += f"  {f.detail[:120]}"
            self.stdout.write(line.rstrip())
