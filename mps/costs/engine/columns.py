"""The FOCUS cost-and-usage column catalogue, versions 1.0 to 1.3.

One entry per column the specification defines: its data type, the version that introduced it,
whether the specification makes it Mandatory, and the allowed values of enumerated columns.
Source: FinOps Foundation, FOCUS specification v1.0, v1.1, v1.2, v1.3 ("Columns" chapter).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2", "1.3")

# Prefix the specification reserves for provider-defined columns (FOCUS 1.x "Column Naming and
# Ordering": custom columns MUST be prefixed with x_).
CUSTOM_PREFIX = "x_"


class Kind(StrEnum):
    """How a column's text is parsed."""

    STRING = "string"
    DECIMAL = "decimal"
    DATETIME = "datetime"
    ENUM = "enum"
    JSON = "json"
    CURRENCY = "currency"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    since: str
    mandatory: bool = False
    allowed: tuple[str, ...] = ()


# FOCUS 1.2 §ChargeCategory, §ChargeClass, §ChargeFrequency, §PricingCategory,
# §CommitmentDiscountStatus, §CommitmentDiscountCategory, §CapacityReservationStatus,
# §ServiceCategory (the list as of 1.2).
CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
CHARGE_CLASSES = ("Correction",)
CHARGE_FREQUENCIES = ("One-Time", "Recurring", "Usage-Based")
PRICING_CATEGORIES = ("Standard", "Dynamic", "Committed", "Other")
USED_UNUSED = ("Used", "Unused")
COMMITMENT_CATEGORIES = ("Spend", "Usage")
SERVICE_CATEGORIES = (
    "AI and Machine Learning",
    "Analytics",
    "Business Applications",
    "Compute",
    "Databases",
    "Developer Tools",
    "Multicloud",
    "Identity",
    "Integration",
    "Internet of Things",
    "Management and Governance",
    "Media",
    "Migration",
    "Mobile",
    "Networking",
    "Security",
    "Storage",
    "Web",
    "Other",
)

_S, _D, _T, _E, _J, _C = (
    Kind.STRING,
    Kind.DECIMAL,
    Kind.DATETIME,
    Kind.ENUM,
    Kind.JSON,
    Kind.CURRENCY,
)

CATALOGUE: tuple[Column, ...] = (
    Column("AvailabilityZone", _S, "1.0"),
    Column("BilledCost", _D, "1.0", mandatory=True),
    Column("BillingAccountId", _S, "1.0", mandatory=True),
    Column("BillingAccountName", _S, "1.0", mandatory=True),
    Column("BillingAccountType", _S, "1.2"),
    Column("BillingCurrency", _C, "1.0", mandatory=True),
    Column("BillingPeriodEnd", _T, "1.0", mandatory=True),
    Column("BillingPeriodStart", _T, "1.0", mandatory=True),
    Column("CapacityReservationId", _S, "1.1"),
    Column("CapacityReservationStatus", _E, "1.1", allowed=USED_UNUSED),
    Column("ChargeCategory", _E, "1.0", mandatory=True, allowed=CHARGE_CATEGORIES),
    Column("ChargeClass", _E, "1.0", mandatory=True, allowed=CHARGE_CLASSES),
    Column("ChargeDescription", _S, "1.0", mandatory=True),
    Column("ChargeFrequency", _E, "1.0", allowed=CHARGE_FREQUENCIES),
    Column("ChargePeriodEnd", _T, "1.0", mandatory=True),
    Column("ChargePeriodStart", _T, "1.0", mandatory=True),
    Column("CommitmentDiscountCategory", _E, "1.0", allowed=COMMITMENT_CATEGORIES),
    Column("CommitmentDiscountId", _S, "1.0"),
    Column("CommitmentDiscountName", _S, "1.0"),
    Column("CommitmentDiscountQuantity", _D, "1.1"),
    Column("CommitmentDiscountStatus", _E, "1.0", allowed=USED_UNUSED),
    Column("CommitmentDiscountType", _S, "1.0"),
    Column("CommitmentDiscountUnit", _S, "1.1"),
    Column("ConsumedQuantity", _D, "1.0"),
    Column("ConsumedUnit", _S, "1.0"),
    Column("ContractedCost", _D, "1.0", mandatory=True),
    Column("ContractedUnitPrice", _D, "1.0"),
    Column("EffectiveCost", _D, "1.0", mandatory=True),
    Column("InvoiceId", _S, "1.2"),
    Column("InvoiceIssuerName", _S, "1.0", mandatory=True),
    Column("ListCost", _D, "1.0", mandatory=True),
    Column("ListUnitPrice", _D, "1.0"),
    Column("PricingCategory", _E, "1.0", allowed=PRICING_CATEGORIES),
    Column("PricingCurrency", _C, "1.2"),
    Column("PricingCurrencyContractedUnitPrice", _D, "1.2"),
    Column("PricingCurrencyEffectiveCost", _D, "1.2"),
    Column("PricingCurrencyListUnitPrice", _D, "1.2"),
    Column("PricingQuantity", _D, "1.0", mandatory=True),
    Column("PricingUnit", _S, "1.0", mandatory=True),
    Column("ProviderName", _S, "1.0", mandatory=True),
    Column("PublisherName", _S, "1.0", mandatory=True),
    Column("RegionId", _S, "1.0"),
    Column("RegionName", _S, "1.0"),
    Column("ResourceId", _S, "1.0"),
    Column("ResourceName", _S, "1.0"),
    Column("ResourceType", _S, "1.0"),
    Column("ServiceCategory", _E, "1.0", mandatory=True, allowed=SERVICE_CATEGORIES),
    Column("ServiceName", _S, "1.0", mandatory=True),
    Column("ServiceSubcategory", _S, "1.1"),
    Column("SkuId", _S, "1.0"),
    Column("SkuMeter", _S, "1.1"),
    Column("SkuPriceDetails", _J, "1.1"),
    Column("SkuPriceId", _S, "1.0"),
    Column("SubAccountId", _S, "1.0"),
    Column("SubAccountName", _S, "1.0"),
    Column("SubAccountType", _S, "1.2"),
    Column("Tags", _J, "1.0"),
    # FOCUS 1.3: the provider split into service provider and host provider, split cost
    # allocation, and contract commitments.
    Column("ServiceProviderName", _S, "1.3"),
    Column("HostProviderName", _S, "1.3"),
    Column("AllocatedMethodId", _S, "1.3"),
    Column("AllocatedMethodDetails", _J, "1.3"),
    Column("AllocatedResourceId", _S, "1.3"),
    Column("AllocatedResourceName", _S, "1.3"),
    Column("AllocatedTags", _J, "1.3"),
    Column("ContractApplied", _J, "1.3"),
)

BY_NAME: dict[str, Column] = {c.name: c for c in CATALOGUE}
_BY_LOWER: dict[str, Column] = {c.name.lower(): c for c in CATALOGUE}


def canonical_name(header: str) -> str | None:
    """The catalogue name for a header cell, ignoring case and stray spaces; None if unknown."""
    column = _BY_LOWER.get(header.strip().lower())
    return column.name if column else None


def detect_version(present: set[str]) -> str:
    """The lowest FOCUS version whose catalogue covers every FOCUS column present."""
    newest = "1.0"
    for name in present:
        column = BY_NAME.get(name)
        if column and column.since > newest:
            newest = column.since
    return newest


def nok_column(cost_column: str) -> str:
    """The stored NOK amount of a cost column: BilledCost -> x_mps_billed_cost_nok."""
    snake = "".join("_" + ch.lower() if ch.isupper() else ch for ch in cost_column).lstrip("_")
    return f"x_mps_{snake}_nok"
