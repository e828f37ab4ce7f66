"""Demo list prices and two workload baskets.

Prices for the providers in the demo billing data (their SkuIds, so agencies' paid prices find
a list price) and for two fictitious vendors, from September 2023 with a VM price rise of 12 %
at Microsoft Azure in July 2025 (an alert) and a general 6 % rise at Nordlys Sky AS in January
2025 (below the threshold). The prices are plausible, not any vendor's real price list. Both
rises fall inside the 24 months a basket's index shows by default (to the last shipped exchange
rate, 30 October 2026), so the index splits a real list-price effect from the real krone's.
When the demo framework agreement exists, its price list holds the billed SKUs at list price less
6 %, so agencies' paid prices are compared with an agreement price. Idempotent: the import
upserts, baskets are replaced.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

from mps.agreements.demo import DEMO_REFERENCE
from mps.agreements.models import FrameworkAgreement
from mps.prices import actions, reports
from mps.prices.engine.catalogue import PriceRecord, SkuKey

ORDER = 70
# The demo framework agreement's price list: these billed SKUs at list price less 6 %.
AGREEMENT_SKUS = {"m6i.large", "StandardStorage", "D2s v5", "P10 LRS"}
AGREEMENT_DISCOUNT = Decimal("0.06")
START = date(2023, 9, 1)
D = Decimal

# vendor → currency, region, [(sku_id, product, service, unit, price)], rises [(day, sku prefix, factor)]
CATALOGUE: dict[str, tuple[str, str, list[tuple[str, str, str, str, Decimal]], list[tuple[date, str, Decimal]]]] = {
    "Amazon Web Services": ("USD", "eu-north-1", [
        ("m6i.large", "EC2 m6i.large", "Amazon Elastic Compute Cloud", "Hours", D("0.0832")),
        ("aws-vcpu", "EC2 on-demand vCPU", "Amazon Elastic Compute Cloud", "1 Hour", D("0.0210")),
        ("aws-ram", "EC2 on-demand memory", "Amazon Elastic Compute Cloud", "1 GB/Hour", D("0.0052")),
        ("aws-gp3", "EBS gp3 volume", "Amazon Elastic Block Store", "1 GB/Month", D("0.0836")),
        ("aws-egress", "Data transfer out to internet", "Data Transfer", "1 GB", D("0.09")),
        ("StandardStorage", "S3 Standard", "Amazon Simple Storage Service", "GB-Month", D("0.023")),
    ], []),
    "Microsoft Azure": ("EUR", "norwayeast", [
        ("D2s v5", "Virtual Machines Dsv5 Series D2s v5", "Virtual Machines", "1 Hour", D("0.096")),
        ("az-vcpu", "Virtual Machines vCPU", "Virtual Machines", "1 Hour", D("0.0240")),
        ("az-ram", "Virtual Machines memory", "Virtual Machines", "1 GB/Hour", D("0.0050")),
        ("P10 LRS", "Premium SSD Managed Disks P10 LRS", "Storage", "1 GB/Month", D("0.045")),
        ("az-egress", "Bandwidth Internet egress", "Bandwidth", "1 GB", D("0.08")),
    ], [(date(2025, 7, 1), "D2s v5", D("1.12")), (date(2025, 7, 1), "az-vcpu", D("1.12"))]),
    "Nordlys Sky AS": ("NOK", "osl-1", [
        ("nl-vcpu", "Virtuell CPU", "Nordlys Compute", "1 Hour", D("0.22")),
        ("nl-ram", "Minne", "Nordlys Compute", "1 GB/Hour", D("0.050")),
        ("nl-disk", "Blokklagring SSD", "Nordlys Storage", "100 GB/Month", D("95")),
        ("nl-egress", "Utgående trafikk", "Nordlys Network", "1 GB", D("0.40")),
    ], [(date(2025, 1, 1), "nl-", D("1.06"))]),
}  # fmt: skip

# basket → description, [(label, quantity, unit, {vendor: sku_id})]
BASKETS = {
    "Small web service": (
        "2 vCPU, 8 GB RAM, 100 GB disk, 1 TB egress a month",
        [("vCPU", D(1460), "vCPU hours", "vcpu"), ("RAM", D(5840), "GB hours", "ram"),
         ("Disk", D(100), "GB months", "disk"), ("Egress", D(1000), "GB", "egress")],
    ),
    "Database server": (
        "4 vCPU, 32 GB RAM, 500 GB disk, 100 GB egress a month",
        [("vCPU", D(2920), "vCPU hours", "vcpu"), ("RAM", D(23360), "GB hours", "ram"),
         ("Disk", D(500), "GB months", "disk"), ("Egress", D(100), "GB", "egress")],
    ),
}  # fmt: skip
# The baskets' bokmål names.
NAMES_NB = {"Small web service": "Liten webtjeneste", "Database server": "Databasetjener"}
SKU_FOR = {
    "Amazon Web Services": {
        "vcpu": "aws-vcpu",
        "ram": "aws-ram",
        "disk": "aws-gp3",
        "egress": "aws-egress",
    },
    "Microsoft Azure": {
        "vcpu": "az-vcpu",
        "ram": "az-ram",
        "disk": "P10 LRS",
        "egress": "az-egress",
    },
    "Nordlys Sky AS": {
        "vcpu": "nl-vcpu",
        "ram": "nl-ram",
        "disk": "nl-disk",
        "egress": "nl-egress",
    },
}


def records_for(vendor: str) -> list[PriceRecord]:
    currency, region, skus, rises = CATALOGUE[vendor]
    out = []
    for sku_id, product, service, unit, price in skus:
        key = SkuKey(vendor, sku_id, region)
        out.append(PriceRecord(key, product, service, unit, currency, price, START))
        for day, prefix, factor in rises:
            if sku_id.startswith(prefix):
                new = (price * factor).quantize(Decimal("0.000001"))
                out.append(PriceRecord(key, product, service, unit, currency, new, day))
    return out


def agreement_records(vendor: str, reference: str) -> list[PriceRecord]:
    """The framework agreement's prices for the SKUs agencies are billed for: list less a discount."""
    out = []
    for record in records_for(vendor):
        if record.key.sku_id in AGREEMENT_SKUS:
            key = dataclasses.replace(record.key, price_list=reference)
            price = (record.unit_price * (1 - AGREEMENT_DISCOUNT)).quantize(Decimal("0.000001"))
            out.append(dataclasses.replace(record, key=key, unit_price=price))
    return out


def load(ctx: Any) -> None:
    framework = FrameworkAgreement.objects.filter(reference=DEMO_REFERENCE).first()
    for vendor in CATALOGUE:
        name, org = actions.resolve_vendor(vendor)
        result = actions.PriceImportResult(file="demo", vendor=name, format="demo")
        actions.do_store_prices(None, org, records_for(vendor), result, notify=False)
        if framework is not None:
            agreed = agreement_records(vendor, framework.reference)
            if agreed:
                result = actions.PriceImportResult(
                    file="demo", vendor=name, format="demo", price_list=framework.reference
                )
                actions.do_store_prices(None, org, agreed, result, framework, notify=False)
    for basket_name, (description, lines) in BASKETS.items():
        specs = [
            actions.LineSpec(
                label,
                quantity,
                unit,
                tuple((vendor, skus[kind], "", "", D(1)) for vendor, skus in SKU_FOR.items()),
            )
            for label, quantity, unit, kind in lines
        ]
        actions.do_save_basket(None, basket_name, description, specs, NAMES_NB[basket_name])
    ctx.log(f"prices: {len(CATALOGUE)} vendors' list prices, {len(BASKETS)} baskets")
    reports.change_rows(limit=1)  # fail early if the catalogue cannot be read back
