"""``mps footprint-recheck``: re-check every DNS TXT / well-known proof of control (run daily),
and apply the service register's shared platforms to every footprint."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mps.riskscore import actions
from mps.riskscore.cli import add_network_options, config_from


class Command(BaseCommand):
    help = (
        "Re-check validation proofs (assets whose proof is gone go back to awaiting validation) "
        "and attribute hosts on vendors' shared platforms to the vendors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-hours",
            type=int,
            default=24,
            help="only proofs checked longer ago than this",
        )
        add_network_options(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        counts = actions.do_recheck_validations(
            config_from(options), older_than=timedelta(hours=options["older_than_hours"])
        )
        platform = actions.attribute_platform_hosts()
        self.stdout.write(json.dumps(counts | {f"platform_{k}": v for k, v in platform.items()}))
