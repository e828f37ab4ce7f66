"""Price data for the tenancy walk.

The catalogue and baskets are reference data every logged-in user may read, so they carry no
canary (but must exist, so the walker can fill `pricesku_id` and `basket_id`). The basket also
fills the operator's editor pages (`kurver/<basket_id>/endre/` and `…/slett/`): every attacker's
GET and hostile POST there must be refused, and the walk's fingerprint of all reference data
catches any change to the basket, its lines or mappings. The private part is what the victim
agency paid: its billing data gets a CANARY SkuId, which only its own members and the operator
may see on the paid-prices page.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from mps.costs.actions import do_import_costs
from mps.prices import actions
from mps.prices.engine.catalogue import parse_csv
from tests.costs.focus_rows import row, write
from tests.prices.samples import CSV_TEXT


def victim_objects(world):
    result = actions.PriceImportResult(file="walk.csv", vendor="Example Cloud", format="csv")
    actions.do_store_prices(
        None, None, parse_csv(CSV_TEXT, "Example Cloud", "walk.csv").records, result
    )
    actions.do_create_basket(
        None,
        actions.BasketData(
            "Walk basket",
            "Gåkurv",
            "",
            (
                actions.LineSpec(
                    "vCPU",
                    Decimal(1460),
                    "vCPU hours",
                    (("Example Cloud", "vcpu", "", "", Decimal(1)),),
                ),
            ),
        ),
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp) / "annen.csv", [row(SkuId="CANARY-sku", ChargeDescription="CANARY")])
        _, outcome = do_import_costs(None, world.annen, path)
        assert outcome.ok, outcome.errors
