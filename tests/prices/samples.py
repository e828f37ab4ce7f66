"""Small price files for tests: the generic CSV and an Azure Retail Prices API page."""

from __future__ import annotations

import json

CSV_HEADER = "sku_id,product,service,region,unit,currency,unit_price,effective_from,effective_to\n"
CSV_TEXT = CSV_HEADER + (
    "vcpu,Virtual CPU,Compute,norway-east,1 Hour,USD,0.020,2024-01-01,\n"
    "vcpu,Virtual CPU,Compute,norway-east,1 Hour,USD,0.024,2024-07-01,\n"
    "ram,Memory,Compute,norway-east,1 GB/Hour,USD,0.004,2024-01-01,\n"
    "disk,Managed disk,Storage,norway-east,100 GB/Month,USD,5.00,2024-01-01,\n"
    "egress,Data transfer out,Networking,norway-east,1 GB,EUR,0.08,2024-01-01,\n"
)


def azure_item(**changes):
    item = {
        "currencyCode": "USD",
        "tierMinimumUnits": 0.0,
        "retailPrice": 0.096,
        "unitPrice": 0.096,
        "armRegionName": "norwayeast",
        "location": "NO East",
        "effectiveStartDate": "2024-02-01T00:00:00Z",
        "meterId": "m-1",
        "meterName": "D2s v5",
        "productId": "DZH318Z0BQ4L",
        "skuId": "DZH318Z0BQ4L/0070",
        "productName": "Virtual Machines Dsv5 Series",
        "skuName": "D2s v5",
        "serviceName": "Virtual Machines",
        "serviceId": "DZH313Z7MMC8",
        "serviceFamily": "Compute",
        "unitOfMeasure": "1 Hour",
        "type": "Consumption",
        "isPrimaryMeterRegion": True,
        "armSkuName": "Standard_D2s_v5",
    }
    item.update(changes)
    return item


def azure_page(items, next_link=None) -> str:
    return json.dumps(
        {
            "BillingCurrency": "USD",
            "CustomerEntityId": "Default",
            "CustomerEntityType": "Retail",
            "Items": items,
            "NextPageLink": next_link,
            "Count": len(items),
        }
    )
