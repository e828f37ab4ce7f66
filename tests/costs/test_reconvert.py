"""Billing rows imported before their day had an exchange rate are converted when rates arrive.

Rows are charged in June 2021, before any rate the product ships (ECB from January 2022), so
they import without a rate; `mps fx import` then converts them (docs/costs.md, "Exchange rates").
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from mps.core.models import AuditEntry
from mps.costs import actions
from mps.costs.engine.fx import FxTable, Rate
from mps.costs.engine.ingest import ingest_file
from mps.costs.engine.reconvert import ReconvertError, reconvert, unconverted_rows
from mps.costs.engine.store import OrgStore
from mps.costs.engine.summary import summarise
from mps.costs.models import CostMonth
from tests.costs.conftest import ORG
from tests.costs.focus_rows import row, write

EXR_HEADER = "FREQ;BASE_CUR;QUOTE_CUR;UNIT_MULT;TIME_PERIOD;OBS_VALUE"
JUNE = ("2021-06-01T00:00:00Z", "2021-07-01T00:00:00Z")
JULY = ("2021-07-01T00:00:00Z", "2021-08-01T00:00:00Z")


@pytest.fixture
def data_dir(settings, tmp_path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


def charge(day: str, cost: str = "100", currency: str = "USD", period=JUNE, **more: str):
    """A day's charge: `cost` billed, effective and contracted; list cost 20 % higher."""
    start = date.fromisoformat(day)
    return row(
        BillingCurrency=currency,
        BillingPeriodStart=period[0],
        BillingPeriodEnd=period[1],
        ChargePeriodStart=f"{start}T00:00:00Z",
        ChargePeriodEnd=f"{start + timedelta(days=1)}T00:00:00Z",
        BilledCost=cost,
        EffectiveCost=cost,
        ContractedCost=cost,
        ListCost=str(Decimal(cost) * Decimal("1.2")),
        ResourceId=f"vm-{day}-{currency}",
        **more,
    )


def exr_file(path: Path, usd_nok: dict[str, str]) -> Path:
    lines = [EXR_HEADER] + [f"B;USD;NOK;0;{d};{v}" for d, v in sorted(usd_nok.items())]
    path.write_text("\n".join(lines) + "\n")
    return path


def effective_nok(org) -> tuple[float, int]:
    """(effective cost in NOK, rows without a rate) from `mps costs summary`'s action."""
    summary = actions.cost_summary(org, ["month"])
    return sum(r.effective_cost for r in summary.rows), summary.unconverted_rows


def current_generation(org) -> str:
    return OrgStore(actions.costs_dir(), actions.store_key(org)).current.resolve().name


def digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- Through `mps fx import` (the Django layer) --------------------------------------------


def test_importing_rates_converts_rows_imported_before_their_day_had_one(world, data_dir, tmp_path):
    june = write(
        tmp_path / "june.csv",
        [charge("2021-06-01"), charge("2021-06-02"), charge("2021-06-01", "50", "NOK")],
    )
    _record, result = actions.do_import_costs(None, world.eksempel, june)
    assert result.ok and result.rows == 3
    # Only the NOK row has a rate: the two USD rows are counted, not summed.
    assert effective_nok(world.eksempel) == (50.0, 2)
    assert CostMonth.objects.get(organisation=world.eksempel, month="2021-06").effective_nok == 50
    nok_only = write(tmp_path / "annen.csv", [charge("2021-06-01", "70", "NOK")])
    actions.do_import_costs(None, world.annen, nok_only)
    annen_generation = current_generation(world.annen)
    budget = actions.do_set_budget(None, world.eksempel, 2021, Decimal(1_000), date(2021, 6, 1))
    before_budget = budget.forecast_nok

    rates = exr_file(tmp_path / "rates.csv", {"2021-06-01": "8.5", "2021-06-02": "8.75"})
    imported = actions.do_import_rates(None, rates)

    # 100 USD × 8.5 + 100 USD × 8.75 + 50 NOK = 1 775 NOK; list cost 1.2 × that of USD.
    assert effective_nok(world.eksempel) == (1775.0, 0)
    summary = actions.cost_summary(world.eksempel, ["month"])
    assert summary.rows[0].list_cost == pytest.approx(120 * 8.5 + 120 * 8.75 + 60)
    month = CostMonth.objects.get(organisation=world.eksempel, month="2021-06")
    assert month.effective_nok == pytest.approx(1775)
    assert month.by_provider == {"Example Cloud": pytest.approx(1775)}
    assert (imported.rows_reconverted, imported.organisations_reconverted) == (
        2,
        [world.eksempel.pk],
    )
    assert imported.reconversion_failed == []
    # The daily aggregate is rebuilt from the new generation and counts no row without a rate.
    aggregates = actions.costs_dir() / actions.store_key(world.eksempel) / "aggregates"
    daily = pq.read_table(aggregates / "daily.parquet")
    assert sum(daily.column("unconverted_rows").to_pylist()) == 0
    # The budget was re-evaluated with the converted rows.
    budget.refresh_from_db()
    assert budget.forecast_nok != before_budget and budget.alerts[0]["kind"] == "over_budget"

    entry = AuditEntry.objects.get(action="costs.reconvert")
    assert entry.organisation_id == world.eksempel.pk
    assert entry.before == {"unconverted_rows": 2}
    assert entry.after["unconverted_rows"] == 0 and entry.after["rows_converted"] == 2
    assert (entry.after["first_day"], entry.after["last_day"]) == ("2021-06-01", "2021-06-02")
    # Annen kommune had nothing to convert: its store and audit log are untouched.
    assert current_generation(world.annen) == annen_generation
    assert not AuditEntry.objects.filter(action="costs.reconvert", organisation=world.annen)

    generation = current_generation(world.eksempel)
    again = actions.do_import_rates(None, rates)
    assert (again.rows_reconverted, again.organisations_reconverted) == (0, [])
    assert current_generation(world.eksempel) == generation
    assert effective_nok(world.eksempel) == (1775.0, 0)
    assert AuditEntry.objects.filter(action="costs.reconvert").count() == 1


def test_rows_converted_at_import_keep_their_rate_when_a_later_file_differs(
    world, data_dir, tmp_path
):
    actions.do_import_rates(None, exr_file(tmp_path / "first.csv", {"2021-06-01": "9"}))
    # 1 June converts at 9 on import; 20 June is more than 7 days after any quote: no rate.
    june = write(tmp_path / "june.csv", [charge("2021-06-01"), charge("2021-06-20")])
    actions.do_import_costs(None, world.eksempel, june)
    assert effective_nok(world.eksempel) == (900.0, 1)

    restated = {"2021-06-01": "11", "2021-06-20": "10"}
    result = actions.do_import_rates(None, exr_file(tmp_path / "second.csv", restated))

    assert result.rows_reconverted == 1
    assert effective_nok(world.eksempel) == (900.0 + 1000.0, 0)  # 1 June stays at 9
    assert CostMonth.objects.get(organisation=world.eksempel).effective_nok == pytest.approx(1900)


def test_a_failed_reconversion_leaves_the_old_generation_and_can_be_retried_by_hand(
    world, data_dir, tmp_path
):
    rows = [charge("2021-06-01"), charge("2021-07-01", period=JULY)]
    actions.do_import_costs(None, world.eksempel, write(tmp_path / "a.csv", rows))
    store = OrgStore(actions.costs_dir(), actions.store_key(world.eksempel))
    generation = store.current.resolve()
    # A malformed file in July's snapshot (from some other writer: no BilledCost column).
    # Readers take it (union by name); the rewrite, after June's snapshot, cannot.
    july = next(generation.glob("provider=*/billing_month=2021-07/snapshot=*"))
    table = pq.read_table(july / "part-0.parquet")
    pq.write_table(table.drop_columns(["BilledCost"]), july / "part-1.parquet")
    before = digests(generation)
    summary_before = effective_nok(world.eksempel)
    assert summary_before == (0.0, 3)

    rates = {"2021-06-01": "8", "2021-07-01": "9"}
    result = actions.do_import_rates(None, exr_file(tmp_path / "rates.csv", rates))

    assert result.reconversion_failed == [world.eksempel.pk]
    assert result.rows_reconverted == 0 and result.stored == 2  # the rates are in
    assert store.current.resolve() == generation
    assert digests(generation) == before
    assert effective_nok(world.eksempel) == summary_before
    leftovers = [p.name for p in store.root.iterdir() if p.name.startswith(("gen-", "staging-"))]
    assert leftovers == [generation.name]
    assert not AuditEntry.objects.filter(action="costs.reconvert")

    (july / "part-1.parquet").unlink()  # the operator removes the stray file, then retries
    out = json.loads(run("costs", "reconvert", "--org", world.eksempel.orgnr, "--json"))
    [done] = out["organisations"]
    assert done["orgnr"] == world.eksempel.orgnr
    assert (done["rows_converted"], done["unconverted_after"]) == (2, 0)
    assert len(done["snapshots_rewritten"]) == 2
    assert effective_nok(world.eksempel) == (800.0 + 900.0, 0)
    assert AuditEntry.objects.get(action="costs.reconvert").after["first_day"] is None
    assert "0 row(s) converted, 0 still without a rate" in run("costs", "reconvert")


# --- The engine alone -----------------------------------------------------------------------


def usd(rates: dict[str, str]) -> FxTable:
    return FxTable.from_rates(
        Rate("USD", date.fromisoformat(d), Decimal(v)) for d, v in rates.items()
    )


def test_the_engine_rewrites_only_snapshots_with_convertible_rows_keeping_everything_else(
    costs_dir, tmp_path
):
    rows = [
        charge("2021-06-03", Tags='{"team": "web"}'),
        charge("2021-06-01", "40", "NOK"),
        charge("2021-06-02", "10"),
        charge("2021-07-05", period=JULY),  # July: no rate even after
    ]
    result = ingest_file(write(tmp_path / "a.csv", rows), costs_dir, ORG, usd({}))
    store = OrgStore(costs_dir, ORG)
    old = store.current.resolve()
    june_dir = next(old.glob("provider=*/billing_month=2021-06/snapshot=*"))
    july_dir = next(old.glob("provider=*/billing_month=2021-07/snapshot=*"))
    old_june = pq.read_table(june_dir / "part-0.parquet")
    july_inode = (july_dir / "part-0.parquet").stat().st_ino
    manifest = store.manifest()

    done = reconvert(costs_dir, ORG, usd({"2021-06-02": "10", "2021-06-03": "12"}))

    assert (done.unconverted_before, done.rows_converted, done.unconverted_after) == (3, 2, 1)
    june = [s.key for s in result.snapshots if s.billing_month == "2021-06"]
    assert done.snapshots_rewritten == june
    new = store.current.resolve()
    assert new.name == done.generation != old.name
    assert store.manifest() == manifest  # same snapshots and checksums: nothing was imported
    # July's files are the same files (hard links), June's are new ones.
    new_july = new / july_dir.relative_to(old) / "part-0.parquet"
    assert new_july.stat().st_ino == july_inode
    assert not old.exists()  # the old generation is collected once nothing points at it
    new_june = pq.read_table(new / june_dir.relative_to(old) / "part-0.parquet")
    assert new_june.schema.equals(old_june.schema, check_metadata=True)
    changed = {
        "x_mps_fx_rate",
        "x_mps_fx_date",
        *(f"x_mps_{c}_cost_nok" for c in ("billed", "effective", "list", "contracted")),
    }
    for name in old_june.column_names:
        if name not in changed:
            assert new_june.column(name).equals(old_june.column(name)), name
    by_resource = {
        r["ResourceId"]: (r["x_mps_fx_rate"], r["x_mps_fx_date"], r["x_mps_list_cost_nok"])
        for r in new_june.to_pylist()
    }
    assert by_resource == {
        "vm-2021-06-03-USD": (12.0, date(2021, 6, 3), pytest.approx(1440)),
        "vm-2021-06-01-NOK": (1.0, date(2021, 6, 1), pytest.approx(48)),
        "vm-2021-06-02-USD": (10.0, date(2021, 6, 2), pytest.approx(120)),
    }
    total = summarise(costs_dir, ORG, ["month"])
    assert [(r.group["month"], r.effective_cost) for r in total.rows] == [("2021-06", 1340.0)]
    assert total.unconverted_rows == unconverted_rows(costs_dir, ORG) == 1

    assert (
        reconvert(costs_dir, ORG, usd({"2021-06-02": "10", "2021-06-03": "12"})).generation is None
    )
    assert store.current.resolve() == new


def test_the_engine_rewrites_nothing_outside_the_days_of_the_new_rates(costs_dir, tmp_path):
    rows = [charge("2021-06-01"), charge("2021-07-20", period=JULY)]
    ingest_file(write(tmp_path / "a.csv", rows), costs_dir, ORG, usd({}))
    rates = usd({"2021-06-01": "8", "2021-07-20": "9"})
    # Rates for 10–12 July reach 19 July at most (7 days): neither row's day.
    done = reconvert(costs_dir, ORG, rates, date(2021, 7, 10), date(2021, 7, 12))
    assert done.generation is None and done.unconverted_after == 2
    done = reconvert(costs_dir, ORG, rates, date(2021, 7, 13), date(2021, 7, 13))
    assert (done.rows_converted, done.unconverted_after, len(done.snapshots_rewritten)) == (1, 1, 1)


def test_the_engine_raises_and_keeps_the_store_when_a_file_cannot_be_rewritten(costs_dir, tmp_path):
    ingest_file(write(tmp_path / "a.csv", [charge("2021-06-01")]), costs_dir, ORG, usd({}))
    store = OrgStore(costs_dir, ORG)
    generation = store.current.resolve()
    snapshot = next(generation.glob("provider=*/billing_month=*/snapshot=*"))
    (snapshot / "part-1.parquet").write_bytes(b"PAR1 not really parquet")
    before = digests(generation)
    with pytest.raises(ReconvertError, match="part-1.parquet"):
        reconvert(costs_dir, ORG, usd({"2021-06-01": "8"}))
    assert store.current.resolve() == generation and digests(generation) == before
    directories = [p.name for p in store.root.iterdir() if p.is_dir() and not p.is_symlink()]
    assert directories == [generation.name]


def test_mps_fx_import_says_how_many_billing_rows_it_converted(world, data_dir, tmp_path):
    june = write(tmp_path / "june.csv", [charge("2021-06-01"), charge("2021-06-02")])
    actions.do_import_costs(None, world.eksempel, june)

    out = run("fx", "import", str(exr_file(tmp_path / "r.csv", {"2021-06-01": "8.5"})))

    assert "2 billing rows that had no rate converted, for 1 organisations" in out
