"""`mps prices import FILE [FILE ...] --vendor V [--format csv|azure] [--json]`, `mps prices alerts`, `mps prices basket`.

Exit codes: 1 = the file was rejected (every problem printed, nothing stored), 2 = bad arguments.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mps.prices import actions, reports
from mps.prices.engine.basket_file import BasketFileError, bokmal_name, parse_basket_json
from mps.prices.models import Basket

EXIT_REJECTED = 1
EXIT_BAD_INPUT = 2


def _num(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _display_names(paths: list[Path]) -> list[str]:
    """File names as problems name them; whole paths when two files share a name."""
    names = [p.name for p in paths]
    return names if len(set(names)) == len(names) else [str(p) for p in paths]


class Command(BaseCommand):
    help = "Vendors' list prices: import catalogues, list price rises, price workload baskets."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="actions")
        load = sub.add_parser(
            "import", help="Import list prices (generic CSV or Azure Retail Prices JSON)."
        )
        load.add_argument(
            "file",
            nargs="+",
            help="one file, or several as one import (e.g. every saved page of an Azure query)",
        )
        load.add_argument(
            "--vendor", required=True, help="vendor organisation number or name, or a provider name"
        )
        load.add_argument(
            "--format", choices=["csv", "azure"], help="default: azure for .json, else csv"
        )
        load.add_argument(
            "--agreement", help="a framework agreement's reference: the file is its price list"
        )
        load.add_argument("--json", action="store_true", help="print the result as JSON")
        alerts = sub.add_parser(
            "alerts",
            help="Price changes, newest first (only rises above the threshold with --alerts-only).",
        )
        alerts.add_argument("--alerts-only", action="store_true")
        alerts.add_argument("--json", action="store_true")
        define = sub.add_parser(
            "basket-define", help="Create or replace a workload basket from a JSON file."
        )
        define.add_argument("file")
        basket = sub.add_parser(
            "basket", help="A basket's monthly price per vendor in NOK on a day."
        )
        basket.add_argument("name")
        basket.add_argument("--date", help="YYYY-MM-DD (default today)")
        basket.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self._import(options)
        elif action == "basket-define":
            self._define(Path(options["file"]))
        elif action == "alerts":
            self._alerts(options["alerts_only"], options["json"])
        else:
            self._basket(options["name"], options["date"], options["json"])

    def _import(self, options: dict[str, Any]) -> None:
        paths = [Path(name) for name in options["file"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path}: no such file", returncode=EXIT_BAD_INPUT)
        try:
            result = actions.do_import_prices(
                None,
                options["vendor"],
                paths,
                options["format"],
                _display_names(paths),
                agreement=options["agreement"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=EXIT_BAD_INPUT) from None
        if options["json"]:
            self.stdout.write(
                json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=str)
            )
        elif result.ok:
            self.stdout.write(
                f"{result.file} ({result.format}, {result.vendor}): {result.records} prices read; "
                f"{result.prices_created} new, {result.prices_updated} updated, "
                f"{result.prices_unchanged} unchanged; {result.skus_created} new SKU(s)"
            )
        else:
            for issue in result.errors:
                self.stdout.write(
                    f"{issue['file']}, row {issue['row']}, {issue['column']} {issue['value']!r}: {issue['problem']}"
                )
            if result.error_total > len(result.errors):
                self.stdout.write(f"… and {result.error_total - len(result.errors)} more")
        if not result.ok:
            raise CommandError(
                f"{result.file} {'were' if len(paths) > 1 else 'was'} rejected; nothing was imported",
                returncode=EXIT_REJECTED,
            )

    def _define(self, path: Path) -> None:
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=EXIT_BAD_INPUT)
        text = path.read_text(encoding="utf-8-sig")
        try:
            spec, description = parse_basket_json(text)
            name_nb = bokmal_name(text)
        except BasketFileError as exc:
            for problem in exc.problems:
                self.stdout.write(f"{path}: {problem}")
            raise CommandError(f"{path} was rejected", returncode=EXIT_REJECTED) from None
        lines = [
            actions.LineSpec(
                line.label,
                line.quantity,
                line.unit,
                tuple((m.vendor, m.sku_id, m.region, m.match, m.factor) for m in line.mappings),
            )
            for line in spec.lines
        ]
        try:
            basket = actions.do_save_basket(None, spec.name, description, lines, name_nb)
        except actions.BasketInvalid as exc:
            for problem in exc.messages:
                self.stdout.write(f"{path}: {problem}")
            raise CommandError(f"{path} was rejected", returncode=EXIT_REJECTED) from None
        self.stdout.write(
            f"basket {basket.name!r}: {len(lines)} lines, vendors {', '.join(spec.vendors)}"
        )

    def _alerts(self, only_alerts: bool, as_json: bool) -> None:
        rows = reports.change_rows(limit=10_000, only_alerts=only_alerts)
        data = [
            {
                "vendor": r.change.key.vendor,
                "sku_id": r.change.key.sku_id,
                "region": r.change.key.region,
                "price_type": r.change.key.price_type,
                "price_list": r.change.key.price_list,
                "currency": r.change.currency,
                "unit": r.change.unit,
                "day": r.change.day.isoformat(),
                "old_price": _num(r.change.old_price),
                "new_price": _num(r.change.new_price),
                "percent": _num(r.change.percent),
                "alert": r.alert,
            }
            for r in rows
        ]
        if as_json:
            self.stdout.write(
                json.dumps(
                    {"threshold_percent": float(actions.alert_threshold()), "changes": data},
                    indent=2,
                )
            )
            return
        for d in data:
            pct = "–" if d["percent"] is None else f"{d['percent']:+.1f} %"
            flag = " ALERT" if d["alert"] else ""
            self.stdout.write(
                f"{d['day']}\t{d['vendor']}\t{d['sku_id']}\t{d['region']}\t"
                f"{d['old_price']} → {d['new_price']} {d['currency']}\t{pct}{flag}"
            )

    def _basket(self, name: str, raw_day: str | None, as_json: bool) -> None:
        basket = Basket.objects.filter(name__iexact=name).first()
        if basket is None:
            raise CommandError(f"no basket named {name!r}", returncode=EXIT_BAD_INPUT)
        try:
            day = date.fromisoformat(raw_day) if raw_day else reports.default_day(date.today())
        except ValueError:
            raise CommandError(
                f"--date {raw_day!r} is not YYYY-MM-DD", returncode=EXIT_BAD_INPUT
            ) from None
        report = reports.basket_report(basket, day, months=0)
        data = {
            "basket": basket.name,
            "date": day.isoformat(),
            "currency": "NOK",
            "vendors": [
                {
                    "vendor": p.vendor,
                    "total_nok": round(float(p.total_nok), 2),
                    "complete": p.complete,
                    "missing": p.missing,
                }
                for p in report.prices
            ],
        }
        if as_json:
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        for v in data["vendors"]:
            note = "" if v["complete"] else f" (missing: {', '.join(v['missing'])})"
            self.stdout.write(f"{v['vendor']}\t{v['total_nok']:.2f} NOK{note}")
