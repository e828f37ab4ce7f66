"""Realistic synthetic FOCUS 1.2 exports, for tests, benchmarks and the demo.

Several providers in their own billing currencies, daily usage per resource with negotiated and
commitment discounts, monthly commitment purchases, tags, an optional list-price rise and an
optional one-day cost spike. `messy=True` writes the variants real exports contain (timestamps
without Z or with a space, the text NULL, enumeration values in other case, tag keys with stray
spaces, nulls in mandatory columns).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

# Every FOCUS 1.2 column, and two provider-defined ones.
HEADER: tuple[str, ...] = (
    "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName",
    "BillingAccountType", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
    "CapacityReservationId", "CapacityReservationStatus", "ChargeCategory", "ChargeClass",
    "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
    "CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName",
    "CommitmentDiscountQuantity", "CommitmentDiscountStatus", "CommitmentDiscountType",
    "CommitmentDiscountUnit", "ConsumedQuantity", "ConsumedUnit", "ContractedCost",
    "ContractedUnitPrice", "EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost",
    "ListUnitPrice", "PricingCategory", "PricingCurrency", "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice", "PricingQuantity",
    "PricingUnit", "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId",
    "ResourceName", "ResourceType", "ServiceCategory", "ServiceName", "ServiceSubcategory",
    "SkuId", "SkuMeter", "SkuPriceDetails", "SkuPriceId", "SubAccountId", "SubAccountName",
    "SubAccountType", "Tags", "x_CostCenter", "x_UsageType",
)  # fmt: skip


@dataclass(frozen=True)
class Service:
    name: str
    category: str
    subcategory: str
    resource_type: str
    pricing_unit: str
    list_unit_price: float  # in the provider's billing currency
    daily_quantity: float  # mean quantity per resource and day
    sku: str


@dataclass(frozen=True)
class Provider:
    name: str
    slug: str
    currency: str
    regions: tuple[tuple[str, str], ...]  # (RegionId, RegionName)
    services: tuple[Service, ...]
    negotiated_discount: float  # ContractedUnitPrice = ListUnitPrice × (1 − this)
    commitment_discount: float  # EffectiveCost of committed usage = contracted × (1 − this)


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "Amazon Web Services",
        "aws",
        "USD",
        (("eu-north-1", "Europe (Stockholm)"), ("eu-west-1", "Europe (Ireland)"), ("us-east-1", "US East (N. Virginia)")),
        (
            Service("Amazon Elastic Compute Cloud", "Compute", "Virtual Machines", "Instance", "Hours", 0.0832, 24, "m6i.large"),
            Service("Amazon Simple Storage Service", "Storage", "Object Storage", "Bucket", "GB-Month", 0.023, 30, "StandardStorage"),
            Service("Amazon Relational Database Service", "Databases", "Relational Databases", "DBInstance", "Hours", 0.192, 24, "db.m6g.large"),
        ),
        0.05,
        0.35,
    ),
    Provider(
        "Microsoft",
        "microsoft",
        "EUR",
        (("norwayeast", "Norway East"), ("westeurope", "West Europe"), ("swedencentral", "Sweden Central")),
        (
            Service("Virtual Machines", "Compute", "Virtual Machines", "Virtual machine", "1 Hour", 0.096, 24, "D2s v5"),
            Service("Storage", "Storage", "Block Storage", "Disk", "1 GB/Month", 0.045, 4, "P10 LRS"),
            Service("Azure SQL Database", "Databases", "Relational Databases", "SQL database", "1 Hour", 0.25, 24, "GP Gen5 2 vCore"),
        ),
        0.08,
        0.40,
    ),
    Provider(
        "Google Cloud",
        "google-cloud",
        "USD",
        (("europe-north1", "Finland"), ("europe-west4", "Netherlands")),
        (
            Service("Compute Engine", "Compute", "Virtual Machines", "Instance", "hour", 0.0754, 24, "n2-standard-2"),
            Service("Cloud Storage", "Storage", "Object Storage", "Bucket", "gibibyte month", 0.02, 25, "Standard Storage"),
        ),
        0.03,
        0.30,
    ),
    Provider(
        "Nordsky",
        "nordsky",
        "NOK",
        (("osl-1", "Oslo"), ("bgo-1", "Bergen")),
        (
            Service("Nordsky Compute", "Compute", "Virtual Machines", "Server", "Hours", 0.95, 24, "std-2x8"),
            Service("Nordsky Backup", "Storage", "Backup", "Vault", "GB-Month", 0.35, 20, "backup-std"),
        ),
        0.10,
        0.25,
    ),
)  # fmt: skip

TEAMS = ("plattform", "saksbehandling", "innbyggertjenester", "data", "sikkerhet")
ENVIRONMENTS = ("prod", "test", "dev")


@dataclass
class Spec:
    """What to generate. `resources` is per provider; a row is one resource on one day."""

    start: date = date(2024, 1, 1)
    days: int = 31
    resources: int = 20
    providers: tuple[Provider, ...] = PROVIDERS
    billing_account_suffix: str = "001"
    messy: bool = False
    seed: int = 1
    committed_share: float = 0.3  # share of compute resources covered by a commitment
    # List-price rise: (first day it applies, factor), the same for all providers.
    price_rise: tuple[date, float] | None = None
    # One-day spike: (day, provider slug, service name, factor).
    anomaly: tuple[date, str, str, float] | None = None
    tagged_share: float = 0.85
    # Each generated resource stands for this many identical ones (quantities and costs scale;
    # the row count does not): realistic totals for the demo without millions of rows.
    scale: float = 1.0
    # Share of each provider's commitment left unused: one "Unused" row per provider and day
    # (EffectiveCost only, as FOCUS has it). 0 writes none.
    unused_share: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)


def _ts(moment: datetime, messy: bool, rng: random.Random) -> str:
    if messy and rng.random() < 0.5:
        return moment.strftime("%Y-%m-%d %H:%M:%S")  # no T, no Z
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _month_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, 1, tzinfo=UTC)
    end = datetime(day.year + (day.month == 12), day.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def _num(value: float) -> str:
    return f"{value:.10g}"


def rows(spec: Spec) -> Iterator[list[str]]:
    """FOCUS rows in HEADER order, day by day."""
    rng = random.Random(spec.seed)
    null = "NULL" if spec.messy else ""
    plan = []
    for provider in spec.providers:
        account = f"{provider.slug}-billing-{spec.billing_account_suffix}"
        for i in range(spec.resources):
            service = provider.services[i % len(provider.services)]
            region_id, region_name = provider.regions[i % len(provider.regions)]
            team = TEAMS[i % len(TEAMS)]
            env = ENVIRONMENTS[i % len(ENVIRONMENTS)]
            sub = f"{provider.slug}-{team}-{env}"
            rid = (
                f"/subscriptions/{rng.getrandbits(64):016x}/resourceGroups/rg-{team}-{env}/providers/"
                f"{provider.slug}/{service.resource_type.replace(' ', '')}/{team}-{env}-{i:05d}"
            )
            tags: dict[str, str] = {}
            if rng.random() < spec.tagged_share:
                tags = {"team": team, "env": env, "cost-center": f"K{4000 + i % 37}"}
            committed = service.category == "Compute" and rng.random() < spec.committed_share
            plan.append(
                (provider, account, service, region_id, region_name, sub, rid, tags, committed, i)
            )
    for offset in range(spec.days):
        day = spec.start + timedelta(days=offset)
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        end = start + timedelta(days=1)
        bp_start, bp_end = _month_bounds(day)
        rise = spec.price_rise[1] if spec.price_rise and day >= spec.price_rise[0] else 1.0
        for (
            provider,
            account,
            service,
            region_id,
            region_name,
            sub,
            rid,
            tags,
            committed,
            i,
        ) in plan:
            quantity = service.daily_quantity * rng.uniform(0.7, 1.3) * spec.scale
            if (
                spec.anomaly
                and day == spec.anomaly[0]
                and provider.slug == spec.anomaly[1]
                and service.name == spec.anomaly[2]
            ):
                quantity *= spec.anomaly[3]
            list_price = service.list_unit_price * rise
            contracted_price = list_price * (1 - provider.negotiated_discount)
            list_cost = list_price * quantity
            contracted_cost = contracted_price * quantity
            if committed:
                effective = contracted_cost * (1 - provider.commitment_discount)
                billed = 0.0
                pricing_category = "Committed"
                cd_id = f"{provider.slug}-commitment-{i % 3}"
                cd = (
                    "Usage", cd_id, f"Commitment {i % 3}", _num(quantity), "Used",
                    "Reservation", service.pricing_unit,
                )  # fmt: skip
            else:
                effective = billed = contracted_cost
                pricing_category = "Standard"
                cd = ("", "", "", "", "", "", "")
            yield _row(
                spec, rng, null, provider, account, service, region_id, region_name, sub, rid,
                tags, start, end, bp_start, bp_end, "Usage", "Usage-Based", pricing_category,
                quantity, list_price, contracted_price, list_cost, contracted_cost, effective,
                billed, cd, i,
            )  # fmt: skip
        if spec.unused_share:
            yield from _unused(spec, rng, null, start, end, bp_start, bp_end, rise)
        if day.day == 1:
            yield from _purchases(spec, rng, null, start, bp_start, bp_end, rise)


def _unused(
    spec: Spec,
    rng: random.Random,
    null: str,
    start: datetime,
    end: datetime,
    bp_start: datetime,
    bp_end: datetime,
    rise: float,
) -> Iterator[list[str]]:
    """The unused part of each provider's commitment on one day (status Unused)."""
    for provider in spec.providers:
        service = provider.services[0]
        account = f"{provider.slug}-billing-{spec.billing_account_suffix}"
        committed_resources = max(
            1, round(spec.resources * spec.committed_share / len(provider.services))
        )
        quantity = 24 * committed_resources * spec.scale * spec.unused_share
        list_price = service.list_unit_price * rise
        contracted_price = list_price * (1 - provider.negotiated_discount)
        effective = contracted_price * (1 - provider.commitment_discount) * quantity
        cd = (
            "Usage",
            f"{provider.slug}-commitment-0",
            "Commitment 0",
            _num(quantity),
            "Unused",
            "Reservation",
            service.pricing_unit,
        )
        yield _row(
            spec, rng, null, provider, account, service, provider.regions[0][0],
            provider.regions[0][1], f"{provider.slug}-plattform-prod", "", {}, start, end,
            bp_start, bp_end, "Usage", "Usage-Based", "Committed", quantity, list_price,
            contracted_price, 0.0, 0.0, effective, 0.0, cd, 0,
        )  # fmt: skip


def _purchases(
    spec: Spec,
    rng: random.Random,
    null: str,
    start: datetime,
    bp_start: datetime,
    bp_end: datetime,
    rise: float,
) -> Iterator[list[str]]:
    """The monthly fee of each provider's commitment: Purchase rows with EffectiveCost 0."""
    for provider in spec.providers:
        service = provider.services[0]
        account = f"{provider.slug}-billing-{spec.billing_account_suffix}"
        committed_resources = max(
            1, round(spec.resources * spec.committed_share / len(provider.services))
        )
        quantity = 24 * 30 * committed_resources * spec.scale
        list_price = service.list_unit_price * rise
        contracted_price = list_price * (1 - provider.negotiated_discount)
        fee = contracted_price * (1 - provider.commitment_discount) * quantity
        cd = (
            "Usage",
            f"{provider.slug}-commitment-0",
            "Commitment 0",
            _num(quantity),
            "",
            "Reservation",
            service.pricing_unit,
        )
        yield _row(
            spec, rng, null, provider, account, service, provider.regions[0][0],
            provider.regions[0][1], f"{provider.slug}-plattform-prod", "", {}, start, bp_end,
            bp_start, bp_end, "Purchase", "Recurring", "Committed", quantity, list_price,
            contracted_price, list_price * quantity, contracted_price * quantity, 0.0, fee, cd, 0,
        )  # fmt: skip


def _row(
    spec: Spec,
    rng: random.Random,
    null: str,
    provider: Provider,
    account: str,
    service: Service,
    region_id: str,
    region_name: str,
    sub: str,
    rid: str,
    tags: dict[str, str],
    start: datetime,
    end: datetime,
    bp_start: datetime,
    bp_end: datetime,
    category: str,
    frequency: str,
    pricing_category: str,
    quantity: float,
    list_price: float,
    contracted_price: float,
    list_cost: float,
    contracted_cost: float,
    effective: float,
    billed: float,
    cd: tuple[str, ...],
    i: int,
) -> list[str]:
    messy = spec.messy
    if messy and rng.random() < 0.3:
        category = category.lower() if rng.random() < 0.5 else category.upper()
    if messy and tags and rng.random() < 0.3:
        tags = {f" {k}" if n == 0 else f"{k} ": val for n, (k, val) in enumerate(tags.items())}
    region = region_id
    if messy and provider.slug == "google-cloud" and i % 4 == 0:
        region = null  # a provider that leaves RegionId empty for some resources
    contracted = _num(contracted_cost)
    if messy and provider.slug == "nordsky":
        contracted = null  # a provider that does not fill ContractedCost
    cd = tuple(value or null for value in cd)
    return [
        f"{region_id}a" if region else null,
        _num(billed),
        account,
        f"{provider.name} billing account",
        "Billing Account",
        provider.currency,
        _ts(bp_end, messy, rng),
        _ts(bp_start, messy, rng),
        null,
        null,
        category,
        null,
        f"{service.name} {service.sku} in {region_name}, {service.pricing_unit}",
        frequency,
        _ts(end, messy, rng),
        _ts(start, messy, rng),
        *cd,
        _num(quantity),
        service.pricing_unit,
        contracted,
        _num(contracted_price),
        _num(effective),
        f"INV-{provider.slug.upper()}-{bp_start:%Y%m}",
        provider.name,
        _num(list_cost),
        _num(list_price),
        pricing_category,
        provider.currency,
        _num(contracted_price),
        _num(effective),
        _num(list_price),
        _num(quantity),
        service.pricing_unit,
        provider.name,
        provider.name,
        region if region else null,
        region_name,
        rid if rid else null,
        rid.rsplit("/", 1)[-1] if rid else null,
        service.resource_type,
        service.category,
        service.name,
        service.subcategory,
        f"{provider.slug}-{service.sku}",
        service.pricing_unit,
        json.dumps({"size": service.sku, "unit": service.pricing_unit}),
        f"{provider.slug}-{service.sku}-{region_id}-ondemand",
        sub,
        sub.replace("-", " ").title(),
        "Subscription",
        json.dumps(tags) if tags else null,
        tags.get("cost-center", "") if tags else null,
        "Usage" if category.lower() == "usage" else "Fee",
    ]


def write_csv(
    path: Path, spec: Spec, *, gzip_level: int | None = None, limit: int | None = None
) -> int:
    """Write a FOCUS CSV (gzip when gzip_level is given); return the number of data rows."""
    count = 0
    with (
        gzip.open(path, "wt", compresslevel=gzip_level, newline="")
        if gzip_level
        else open(path, "w", newline="")
    ) as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in rows(spec):
            writer.writerow(row)
            count += 1
            if limit is not None and count >= limit:
                break
    return count


def to_csv_text(spec: Spec) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows(spec))
    return buffer.getvalue()
