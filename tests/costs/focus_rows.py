"""Small hand-made FOCUS 1.2 exports for tests: a valid row by default, any cell overridable."""

from __future__ import annotations

import csv
import io
from pathlib import Path

# One valid Usage row: 10 hours at USD 0.10 list, 0.09 contracted.
BASE_ROW: dict[str, str] = {
    "BilledCost": "0.9",
    "BillingAccountId": "acct-1",
    "BillingAccountName": "Main account",
    "BillingCurrency": "USD",
    "BillingPeriodStart": "2024-09-01T00:00:00Z",
    "BillingPeriodEnd": "2024-10-01T00:00:00Z",
    "ChargeCategory": "Usage",
    "ChargeClass": "",
    "ChargeDescription": "VM hours",
    "ChargeFrequency": "Usage-Based",
    "ChargePeriodStart": "2024-09-02T00:00:00Z",
    "ChargePeriodEnd": "2024-09-03T00:00:00Z",
    "ContractedCost": "0.9",
    "ContractedUnitPrice": "0.09",
    "EffectiveCost": "0.9",
    "InvoiceId": "INV-2024-09",
    "InvoiceIssuerName": "Example Cloud",
    "ListCost": "1.0",
    "ListUnitPrice": "0.1",
    "PricingCategory": "Standard",
    "PricingQuantity": "10",
    "PricingUnit": "Hours",
    "ProviderName": "Example Cloud",
    "PublisherName": "Example Cloud",
    "RegionId": "eu-north-1",
    "RegionName": "Stockholm",
    "ResourceId": "vm-1",
    "ServiceCategory": "Compute",
    "ServiceName": "Virtual Machines",
    "SkuId": "sku-vm",
    "SkuPriceId": "sku-vm-price",
    "SubAccountId": "sub-1",
    "Tags": '{"team": "web"}',
}


def row(**changes: str) -> dict[str, str]:
    out = dict(BASE_ROW)
    out.update(changes)
    return out


def csv_text(rows: list[dict[str, str]], drop: tuple[str, ...] = ()) -> str:
    header = [k for k in rows[0] if k not in drop]
    for extra in rows[1:]:
        header += [k for k in extra if k not in header and k not in drop]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write(path: Path, rows: list[dict[str, str]], drop: tuple[str, ...] = ()) -> Path:
    path.write_text(csv_text(rows, drop))
    return path
