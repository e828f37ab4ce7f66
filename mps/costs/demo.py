"""Demo cost data: FOCUS exports for the demo agency (Drammen) and a handful of its peers.

Generated with mps.costs.engine.synthetic (several providers in USD, EUR and NOK, commitments,
tags, a list-price rise, a one-day spike, one provider's messy export) and converted with the
Norges Bank rates shipped with mps. Those rates cover 2023-09-01 to 2025-01-03, so the demo
spans the 15 months from September 2023 to November 2024, not 24: a month without published
rates cannot be converted honestly. Each provider is its own export, imported through the same
action as the CLI and the web upload. Idempotent: organisations that already have cost data are
left alone. Row counts are kept small so `mps demo` (and its test) stays fast.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from mps.costs import actions, reports
from mps.costs.engine import synthetic
from mps.costs.engine.fx import shipped_rates_path
from mps.costs.models import Budget, CostImport, ExchangeRate
from mps.organisations.peers import size_band

ORDER = 60
DEMO_AGENCY_ORGNR = "921234554"  # Drammen kommune (mps.demo.seed)
START = date(2023, 9, 1)
DAYS = 457  # to 30 November 2024
PEERS = 5  # a benchmark group needs at least 5 agencies; Drammen and 5 peers make 6
BUDGET_REFERENCE = date(2024, 1, 2)
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
    rise = (date(2024, 4, 1), 1.08)  # the providers' list prices rise 8 % in April 2024
    aws, microsoft, google, nordsky = synthetic.PROVIDERS
    return [
        _spec(11, microsoft, 8, price_rise=rise, scale=SCALE, unused_share=0.05,
              anomaly=(date(2024, 10, 15), "microsoft", "Virtual Machines", 8.0)),
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
            None, org, path, display_name=f"{name}-focus-2023-09_2024-11.csv"
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
    """A 2024 budget that only the weaker krone pushes over: between the two forecasts."""
    if Budget.objects.filter(organisation=drammen, year=2024).exists():
        return
    f = reports.forecast_for(drammen, 2024, BUDGET_REFERENCE)
    if f is None or f.forecast_at_reference_nok is None:
        return
    if f.forecast_nok > f.forecast_at_reference_nok + 10_000:
        amount = round((f.forecast_nok + f.forecast_at_reference_nok) / 2, -3)
    else:
        amount = round(f.forecast_nok * 1.05, -3)
    actions.do_set_budget(
        None,
        drammen,
        2024,
        Decimal(str(amount)),
        BUDGET_REFERENCE,
        "Demo: driftsbudsjett for skytjenester",
    )


def load(ctx: Any) -> None:
    from mps.organisations.models import Organisation

    if not ExchangeRate.objects.exists():
        actions.do_import_rates(None, shipped_rates_path())
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
