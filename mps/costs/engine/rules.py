"""The validation rules: which breaches reject a file (errors) and which are counted (warnings).

Errors are rows the engine cannot use; warnings are breaches of the FOCUS specification that real
exports from the big providers commit and that must still import (issue 6, "Ingest").
Each rule is a SQL predicate over the typed (`v_`) and raw (`r_`) columns that is TRUE on breach.
"""

from __future__ import annotations

from dataclasses import dataclass

from mps.costs.engine.columns import CATALOGUE, Kind
from mps.costs.engine.currencies import ISO_4217_CODES
from mps.costs.engine.results import Severity

# Rule codes, stable: they are stored in import records and shown to operators.
UNPARSEABLE_NUMBER = "unparseable_number"
UNPARSEABLE_DATETIME = "unparseable_datetime"
UNKNOWN_CURRENCY = "unknown_currency"
INVALID_VALUE = "invalid_value"
REQUIRED_VALUE = "required_value"
PERIOD_ORDER = "period_not_before_end"
MISSING_COLUMN = "missing_column"
MALFORMED_FILE = "malformed_file"
MANDATORY_NULL = "mandatory_column_null"
CUSTOM_COLUMN_PREFIX = "custom_column_without_x_prefix"
PURCHASE_EFFECTIVE_COST = "purchase_with_effective_cost"
EFFECTIVE_COST_ZERO = "effective_cost_zero_with_billed_cost"
INVALID_JSON = "invalid_json_object"
NO_EXCHANGE_RATE = "no_exchange_rate"

# Columns the engine cannot work without: the file is rejected when one is absent.
REQUIRED_COLUMNS = (
    "BilledCost",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
)
# A provider column is required too; FOCUS 1.3 renamed ProviderName to ServiceProviderName.
PROVIDER_COLUMNS = ("ServiceProviderName", "ProviderName")

# FOCUS 1.2: these columns "MUST NOT be null" (unconditionally). ChargeClass is Mandatory but
# nullable, so it is not listed.
NOT_NULL_COLUMNS = (
    "BillingAccountId",
    "BillingAccountName",
    "ChargeDescription",
    "ContractedCost",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "ServiceCategory",
    "ServiceName",
)
# Deprecated by FOCUS 1.3 in favour of ServiceProviderName / HostProviderName.
NOT_NULL_BEFORE_1_3 = ("PublisherName",)

# ISO 4217 as a SQL list literal, built once.
_CURRENCY_LIST = ", ".join(f"'{code}'" for code in sorted(ISO_4217_CODES))


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    column: str
    predicate: str  # SQL, TRUE when the row breaks the rule
    message: str


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def v(name: str) -> str:
    """The typed value of a FOCUS column in the validation stage."""
    return _q("v_" + name)


def r(name: str) -> str:
    """The raw text of a FOCUS column in the validation stage."""
    return _q("r_" + name)


def row_rules(present: set[str], version: str) -> list[Rule]:
    """The per-row rules for a file whose FOCUS columns are `present`."""
    rules: list[Rule] = []
    for column in CATALOGUE:
        name = column.name
        if name not in present:
            continue
        if column.kind == Kind.DECIMAL:
            rules.append(
                Rule(
                    UNPARSEABLE_NUMBER,
                    Severity.ERROR,
                    name,
                    f"{r(name)} IS NOT NULL AND ({v(name)} IS NULL OR NOT isfinite({v(name)}))",
                    "not a decimal number",
                )
            )
        elif column.kind == Kind.DATETIME:
            rules.append(
                Rule(
                    UNPARSEABLE_DATETIME,
                    Severity.ERROR,
                    name,
                    f"{r(name)} IS NOT NULL AND {v(name)} IS NULL",
                    "not an ISO 8601 date-time (YYYY-MM-DDTHH:MM:SSZ)",
                )
            )
        elif column.kind == Kind.CURRENCY:
            rules.append(
                Rule(
                    UNKNOWN_CURRENCY,
                    Severity.ERROR,
                    name,
                    f"{v(name)} IS NOT NULL AND {v(name)} NOT IN ({_CURRENCY_LIST})",
                    "not an ISO 4217 currency code",
                )
            )
        elif column.kind == Kind.ENUM:
            rules.append(
                Rule(
                    INVALID_VALUE,
                    Severity.ERROR,
                    name,
                    f"{r(name)} IS NOT NULL AND {v(name)} IS NULL",
                    "not one of the values FOCUS allows: " + ", ".join(column.allowed),
                )
            )
        elif column.kind == Kind.JSON:
            rules.append(
                Rule(
                    INVALID_JSON,
                    Severity.WARNING,
                    name,
                    f"{v(name)} IS NOT NULL AND coalesce(json_type(try_cast({v(name)} AS JSON)) <> 'OBJECT', true)",
                    "not a JSON object",
                )
            )
    for name in REQUIRED_COLUMNS:
        rules.append(
            Rule(REQUIRED_VALUE, Severity.ERROR, name, f"{r(name)} IS NULL", "a value is required")
        )
    rules.append(
        Rule(
            REQUIRED_VALUE,
            Severity.ERROR,
            "ProviderName",
            '"x_provider_name" IS NULL',
            "a provider (ProviderName or ServiceProviderName) is required",
        )
    )
    for start, end in (
        ("ChargePeriodStart", "ChargePeriodEnd"),
        ("BillingPeriodStart", "BillingPeriodEnd"),
    ):
        rules.append(
            Rule(
                PERIOD_ORDER,
                Severity.ERROR,
                start,
                f"{v(start)} >= {v(end)}",
                f"{start} must be before {end}",
            )
        )
    rules.extend(_warning_rules(version))
    return rules


def _warning_rules(version: str) -> list[Rule]:
    rules: list[Rule] = []
    not_null = NOT_NULL_COLUMNS + (NOT_NULL_BEFORE_1_3 if version < "1.3" else ())
    for name in not_null:
        rules.append(
            Rule(
                MANDATORY_NULL,
                Severity.WARNING,
                name,
                f"{v(name)} IS NULL",
                "FOCUS requires a value",
            )
        )
    usage_or_purchase = f"{v('ChargeCategory')} IN ('Usage', 'Purchase')"
    # FOCUS 1.2 §PricingCategory: not null for Usage and Purchase rows that are not corrections.
    rules.append(
        Rule(
            MANDATORY_NULL,
            Severity.WARNING,
            "PricingCategory",
            f"{v('PricingCategory')} IS NULL AND {usage_or_purchase} AND {v('ChargeClass')} IS NULL",
            "FOCUS requires a value for Usage and Purchase rows",
        )
    )
    # FOCUS 1.2 §PricingQuantity, §PricingUnit: not null for Usage and Purchase rows.
    for name in ("PricingQuantity", "PricingUnit"):
        rules.append(
            Rule(
                MANDATORY_NULL,
                Severity.WARNING,
                name,
                f"{v(name)} IS NULL AND {usage_or_purchase}",
                "FOCUS requires a value for Usage and Purchase rows",
            )
        )
    # FOCUS 1.2 §RegionId: not null when the resource is regional; a usage row of a resource is
    # taken as regional (global services are the exception, hence a warning).
    rules.append(
        Rule(
            MANDATORY_NULL,
            Severity.WARNING,
            "RegionId",
            f"{v('RegionId')} IS NULL AND {v('ResourceId')} IS NOT NULL AND {v('ChargeCategory')} = 'Usage'",
            "FOCUS requires a value for regional resources",
        )
    )
    # FOCUS 1.2 §EffectiveCost: 0 for Purchase rows of commitments that cover future charges.
    rules.append(
        Rule(
            PURCHASE_EFFECTIVE_COST,
            Severity.WARNING,
            "EffectiveCost",
            f"{v('ChargeCategory')} = 'Purchase' AND coalesce({v('EffectiveCost')}, 0) <> 0",
            "a Purchase row should have EffectiveCost 0 (the cost is amortised onto usage)",
        )
    )
    rules.append(
        Rule(
            EFFECTIVE_COST_ZERO,
            Severity.WARNING,
            "EffectiveCost",
            f"{v('ChargeCategory')} = 'Usage' AND {v('EffectiveCost')} = 0 AND {v('BilledCost')} > 0",
            "EffectiveCost is 0 although BilledCost is positive",
        )
    )
    rules.append(
        Rule(
            NO_EXCHANGE_RATE,
            Severity.WARNING,
            "BillingCurrency",
            f'{v("BillingCurrency")} IS NOT NULL AND "x_fx_rate" IS NULL',
            "no exchange rate to NOK on or shortly before the charge date; NOK amounts are empty",
        )
    )
    return rules


def currency_list_sql() -> str:
    return _CURRENCY_LIST
