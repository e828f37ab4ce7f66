"""The cost demo: Drammen and its peers get 24 months of FOCUS data at real rates, a budget, once."""

from __future__ import annotations

import random
import time
from datetime import date

import pytest

from mps.costs import benchmark, demo, reports
from mps.costs.models import Budget, CostImport, CostMonth, ExchangeRate
from mps.demo.context import DemoContext
from mps.organisations.models import Organisation
from tests.conftest import synthetic_orgnr


@pytest.fixture
def agencies(world):
    drammen = Organisation.objects.create(
        name="Drammen kommune", kind="agency", orgnr=demo.DEMO_AGENCY_ORGNR,
        sector="municipality", population=102_000, employees=7_000,
    )  # fmt: skip
    peers = [
        Organisation.objects.create(
            name=f"Storby {i} kommune",
            kind="agency",
            orgnr=synthetic_orgnr(300 + i),
            sector="municipality",
            population=110_000 + i * 10_000,
            employees=8_000,
        )  # fmt: skip
        for i in range(6)
    ]
    return [drammen, *peers, world.eksempel]


def test_the_demo_loads_costs_for_drammen_and_its_peers_once(world, agencies, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    ctx = DemoContext(
        today=date(2026, 11, 29), rng=random.Random(1), operator=world.operator,
        central=world.central, agencies=agencies, vendors=[], users={}, log=lambda *a: None,
    )  # fmt: skip
    started = time.perf_counter()
    demo.load(ctx)
    assert time.perf_counter() - started < 60
    drammen = agencies[0]
    months = CostMonth.objects.filter(organisation=drammen).values_list("month", flat=True)
    assert list(months)[0] == "2024-11" and list(months)[-1] == "2026-10"
    assert len(months) == 24
    assert CostImport.objects.filter(organisation=drammen, outcome="imported").count() == 4
    assert reports.overview(drammen).unconverted_rows == 0  # every day has a real rate
    sources = set(ExchangeRate.objects.values_list("source", flat=True))
    assert sources == {"norges-bank", "ecb"}
    with_data = {m.organisation_id for m in CostMonth.objects.all()}
    assert len(with_data) == 1 + demo.PEERS
    view = reports.forecast_view(drammen, 2026)
    assert view.budget is not None and view.alerts[0].kind.value == "over_budget"
    # The krone strengthened during 2026 (EUR 11.80 NOK on 2 January, 10.31 on 30 October): at
    # the budget's reference rates the forecast would be higher, so no exchange-rate alert.
    assert view.forecast.fx_effect_nok < 0
    assert "fx_over_budget" not in [a.kind.value for a in view.alerts]
    anomalies = reports.anomaly_list(drammen)
    assert any(a.day == demo.ANOMALY_DAY and a.service == "Virtual Machines" for a in anomalies)
    assert benchmark.benchmark_for(drammen).shown
    counts = (CostImport.objects.count(), CostMonth.objects.count(), Budget.objects.count())
    demo.load(ctx)
    assert (CostImport.objects.count(), CostMonth.objects.count(), Budget.objects.count()) == counts
