"""Demo cost data: FOCUS exports for the demo agency (Drammen) and a handful of its peers.

Generated with mps.costs.engine.synthetic (several providers in USD, EUR and NOK, commitments,
tags, a list-price rise, a one-day spike, one provider's messy export) and converted with the
real exchange rates shipped with mps: Norges Bank's where it has them (2023-09 to 2025-01), ECB
cross rates via the euro otherwise (to 2026-10-30). The demo spans the 24 months from November
2024 to October 2026, the last full month those rates cover: a month without published rates
cannot be converted honestly. Each provider is its own export, imported through the same action
as the CLI and the web upload. Idempotent: organisations that already have cost data are left
alone. Row counts are kept small so `mps demo` (and its test) stays fast.

The budget is for 2026 at the rates of 2 January 2026. The krone really strengthened during 2026
(EUR 11.80 NOK then, 10.31 at the end of October), so the exchange rate lowers the forecast: the
demo's alert is the usage pushing the budget over, with a negative exchange-rate effect beside
it. The alert "the exchange rate alone pushes it over" appears where the krone weakens instead.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from mps.costs import actions, reports
from mps.costs.engine import synthetic
from mps.costs.engine.fx import MAX_RATE_AGE_DAYS, shipped_rates_paths
from mps.costs.models import Budget, CostImport, ExchangeRate
from mps.organisations.peers import size_band

ORDER = 60
DEMO_AGENCY_ORGNR = "921234554"  # Drammen kommune (mps.demo.seed)
START = date(2024, 11, 1)
END = date(2026, 10, 31)  # the shipped ECB rates run to Friday 30 October 2026
DAYS = (END - START).days + 1  # 730: 24 months
PEERS = 5  # a benchmark group needs at least 5 agencies; Drammen and 5 peers make 6
BUDGET_YEAR = 2026
BUDGET_REFERENCE = date(2026, 1, 2)
# When the krone did not weaken since the reference date, the budget is set this much under the
# forecast, so the demo still shows an alert (usage, not the krone, pushing it over).
BUDGET_SHORTFALL = 0.97
PRICE_RISE = (date(2025, 4, 1), 1.08)  # the providers' list prices rise 8 % in April 2025
ANOMALY_DAY = date(2026, 9, 15)
# Each generated resource stands for this many: a few million NOK a year, as a large
# municipality spends, from a few thousand rows (mps.costs.engine.synthetic.Spec.scale).
SCALE = 40.0


def _spec(seed: int, provider: synthetic.Provider, resources: int, **kw: Any) -> synthetic.Spec:
    return synthetic.Spec(
        start=START,
        days=DAYS,
        resources=resources,
        providers=(provider,),
        seed=seed,
        billing_account_suffix=f"{seed:03d}",
        **kw,
    )


def _drammen_specs() -> list[synthetic.Spec]:
    rise = PRICE_RISE
    aws, microsoft, google, nordsky = synthetic.PROVIDERS
    return [
        _spec(11, microsoft, 8, price_rise=rise, scale=SCALE, unused_share=0.05,
              anomaly=(ANOMALY_DAY, "microsoft", "Virtual Machines", 8.0)),
        _spec(12, aws, 6, price_rise=rise, committed_share=0.5, scale=SCALE, unused_share=0.15),
        _spec(13, google, 4, price_rise=rise, messy=True, tagged_share=0.6, scale=SCALE),
        _spec(14, nordsky, 4, messy=True, scale=SCALE),
    ]  # fmt: skip


def _peer_specs(index: int) -> list[synthetic.Spec]:
    """One export of two providers per peer (as a FinOps tool writes it): fewer imports."""
    aws, microsoft, _google, nordsky = synthetic.PROVIDERS
    spec = _spec(
        100 + index, (microsoft, aws)[index % 2], 3 + index % 3, scale=SCALE * (0.8 + 0.1 * index)
    )
    return [replace(spec, providers=(spec.providers[0], nordsky), tagged_share=0.5 + 0.08 * index)]


def _load_org(ctx: Any, org: Any, specs: list[synthetic.Spec], workdir: Path) -> None:
    slug = (org.orgnr or str(org.pk))[-4:]
    for spec in specs:
        name = "-".join(p.slug for p in spec.providers)
        path = workdir / f"{slug}-{name}.csv"
        synthetic.write_csv(path, spec)
        _record, result = actions.do_import_costs(
            None, org, path, display_name=f"{name}-focus-{START:%Y-%m}_{END:%Y-%m}.csv"
        )
        if not result.ok:
            ctx.log(f"costs demo: {org.name} {name}: {result.error_total} errors")


def _peers(drammen: Any, agencies: list[Any]) -> list[Any]:
    band = size_band(drammen.sector, drammen.employees, drammen.population)
    same = [
        a
        for a in agencies
        if a.pk != drammen.pk
        and a.sector == drammen.sector
        and size_band(a.sector, a.employees, a.population) == band
    ]
    return sorted(same, key=lambda a: a.name)[:PEERS]


def _budget(drammen: Any) -> None:
    """A budget with an alert: between the two forecasts when the krone alone pushes it over,
    else a little under the forecast."""
    if Budget.objects.filter(organisation=drammen, year=BUDGET_YEAR).exists():
        return
    f = reports.forecast_for(drammen, BUDGET_YEAR, BUDGET_REFERENCE)
    if f is None or f.forecast_at_reference_nok is None:
        return
    if f.forecast_nok > f.forecast_at_reference_nok + 10_000:
        amount = round((f.forecast_nok + f.forecast_at_reference_nok) / 2, -3)
    else:
        amount = round(f.forecast_nok * BUDGET_SHORTFALL, -3)
    actions.do_set_budget(
        None,
        drammen,
        BUDGET_YEAR,
        Decimal(str(amount)),
        BUDGET_REFERENCE,
        "Demo: driftsbudsjett for skytjenester",
    )


def _load_rates() -> None:
    """The shipped rates, unless the database already has rates up to the demo's end."""
    if ExchangeRate.objects.filter(day__gte=END - timedelta(days=MAX_RATE_AGE_DAYS)).exists():
        return
    for path in shipped_rates_paths():
        actions.do_import_rates(None, path)


def load(ctx: Any) -> None:
    from mps.organisations.models import Organisation

    _load_rates()
    drammen = Organisation.objects.filter(orgnr=DEMO_AGENCY_ORGNR).first()
    if drammen is None:
        return
    targets = [(drammen, _drammen_specs())]
    targets += [(p, _peer_specs(i)) for i, p in enumerate(_peers(drammen, ctx.agencies))]
    with tempfile.TemporaryDirectory(prefix="mps-costs-demo-") as tmp:
        for org, specs in targets:
            if CostImport.objects.filter(organisation=org).exists():
                continue
            _load_org(ctx, org, specs, Path(tmp))
    _budget(drammen)
