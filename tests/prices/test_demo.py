"""The demo's list prices and baskets: an alert, priced baskets, idempotent loading."""

from __future__ import annotations

import random
from datetime import date

from mps.agreements.demo import DEMO_REFERENCE
from mps.agreements.models import FrameworkAgreement
from mps.demo.context import DemoContext
from mps.prices import demo, reports
from mps.prices.models import Basket, ListPrice, PriceSku


def _ctx(world) -> DemoContext:
    return DemoContext(
        today=date(2026, 12, 3),
        rng=random.Random(1),
        operator=world.operator,
        central=world.central,
        agencies=[world.eksempel],
        vendors=[world.vendor],
        users={},
        log=lambda *a: None,
    )


def test_the_demo_has_a_price_rise_alert_and_two_priced_baskets_and_loads_twice_alike(world):
    FrameworkAgreement.objects.create(
        name="Demo",
        reference=DEMO_REFERENCE,
        period_start=date(2025, 1, 1),
        period_end=date(2029, 1, 1),
    )
    demo.load(_ctx(world))
    counts = (PriceSku.objects.count(), ListPrice.objects.count(), Basket.objects.count())
    demo.load(_ctx(world))
    assert (PriceSku.objects.count(), ListPrice.objects.count(), Basket.objects.count()) == counts
    assert counts[2] == 2
    assert PriceSku.objects.filter(price_list=DEMO_REFERENCE).count() == len(demo.AGREEMENT_SKUS)
    alerts = reports.change_rows(only_alerts=True)
    assert {a.change.key.vendor for a in alerts} == {"Microsoft Azure"}
    assert any(
        not r.alert and r.change.key.vendor == "Nordlys Sky AS" for r in reports.change_rows()
    )
    basket = Basket.objects.get(name="Small web service")
    last_rate = date(2026, 10, 30)  # the last shipped rate (ECB)
    assert reports.default_day(date(2026, 12, 3)) == last_rate
    report = reports.basket_report(basket, last_rate)
    assert all(p.complete for p in report.prices) and len(report.prices) == 3
    sources = {line.currency: line.rate_source for p in report.prices for line in p.lines}
    assert sources == {"USD": "ecb", "EUR": "ecb", "NOK": ""}  # after Norges Bank's file ends
    azure = report.index["Microsoft Azure"]
    assert len(azure) == reports.INDEX_MONTHS + 2  # 25 month starts and the day: all have rates
    assert azure[0].index == 100 and azure[0].day == date(2024, 10, 1)
    assert max(p.price_points for p in azure) > 0  # the July 2025 rise: a list-price effect
    # EUR cost 11.6 NOK in October 2024 and 10.3 in October 2026: the krone lowered the price.
    assert azure[-1].fx_points < 0
