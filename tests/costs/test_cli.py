"""The Django layer and the CLI contract: `mps fx import`, `mps costs import`, `mps costs summary`."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from mps.core.models import AuditEntry
from mps.costs import actions
from mps.costs.engine import rules
from mps.costs.engine.fx import shipped_rates_path
from mps.costs.models import ConformanceWarning, CostImport, CostSnapshot, ExchangeRate
from tests.costs.focus_rows import row, write


@pytest.fixture
def data_dir(settings, tmp_path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_fx_import_loads_the_shipped_norges_bank_rates_once(db):
    first = json.loads(run("fx", "import", str(shipped_rates_path()), "--json"))
    assert first["currencies"] == ["CHF", "DKK", "EUR", "GBP", "JPY", "SEK", "USD"]
    run("fx", "import", str(shipped_rates_path()))
    assert ExchangeRate.objects.count() == first["rows"] == 7 * 337
    sek = ExchangeRate.objects.get(currency="SEK", day=date(2023, 9, 1))
    assert 0.5 < float(sek.nok_per_unit) < 2  # per one krona: divided by 10^UNIT_MULT
    assert AuditEntry.objects.filter(action="costs.fx.import").count() == 2


def test_fx_import_of_a_bad_file_names_the_row(db, tmp_path):
    bad = tmp_path / "rates.csv"
    bad.write_text("BASE_CUR;QUOTE_CUR;UNIT_MULT;TIME_PERIOD;OBS_VALUE\nUSD;NOK;0;2024-01-02;abc\n")
    with pytest.raises(CommandError, match="row 2, OBS_VALUE 'abc'") as caught:
        run("fx", "import", str(bad))
    assert caught.value.returncode == 2
    assert ExchangeRate.objects.count() == 0


def test_costs_import_prints_the_result_as_json_and_records_it(world, data_dir, tmp_path):
    path = write(tmp_path / "sep.csv", [row(), row(RegionId="", BilledCost="2")])
    out = json.loads(run("costs", "import", str(path), "--org", world.eksempel.orgnr, "--json"))
    assert out["outcome"] == "imported"
    assert out["rows"] == 2
    assert out["providers"] == ["Example Cloud"]
    assert out["billing_periods"] == ["2024-09"]
    assert out["replaced_snapshots"] == []
    record = CostImport.objects.get()
    assert (record.organisation, record.rows, record.outcome) == (world.eksempel, 2, "imported")
    assert CostSnapshot.objects.get().billing_account_id == "acct-1"
    warning = ConformanceWarning.objects.get()
    assert (warning.rule, warning.column, warning.count) == (rules.MANDATORY_NULL, "RegionId", 1)
    entry = AuditEntry.objects.get(action="costs.import.imported")
    assert entry.organisation == world.eksempel
    assert (data_dir / "costs" / world.eksempel.orgnr / "current").exists()


def test_newer_export_replaces_the_older_snapshot_in_the_records(world, data_dir, tmp_path):
    run(
        "costs",
        "import",
        str(write(tmp_path / "a.csv", [row(BilledCost="1")])),
        "--org",
        world.eksempel.orgnr,
    )
    out = json.loads(
        run(
            "costs",
            "import",
            str(write(tmp_path / "b.csv", [row(BilledCost="4")])),
            "--org",
            world.eksempel.orgnr,
            "--json",
        )
    )
    assert len(out["replaced_snapshots"]) == 1
    old, new = CostSnapshot.objects.order_by("pk")
    assert old.replaced_by == new
    assert new.replaced_by is None


def test_rejected_import_prints_errors_and_exits_non_zero(world, data_dir, tmp_path):
    path = write(tmp_path / "bad.csv", [row(), row(BillingCurrency="ZZZ")])
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("costs", "import", str(path), "--org", world.eksempel.orgnr, stdout=out)
    assert caught.value.returncode == 1
    assert "bad.csv: row 3, BillingCurrency 'ZZZ'" in out.getvalue()
    assert CostImport.objects.get().outcome == "rejected"
    assert CostSnapshot.objects.count() == 0


def test_unknown_organisation_number_is_refused(db, tmp_path):
    path = write(tmp_path / "a.csv", [row()])
    with pytest.raises(CommandError, match="no organisation"):
        run("costs", "import", str(path), "--org", "974760673")
    with pytest.raises(CommandError, match="invalid"):
        run("costs", "import", str(path), "--org", "123")


def test_summary_json_follows_the_cli_contract(world, data_dir, tmp_path):
    run("fx", "import", str(shipped_rates_path()))
    october = dict(
        BillingPeriodStart="2024-10-01T00:00:00Z",
        BillingPeriodEnd="2024-11-01T00:00:00Z",
        ChargePeriodStart="2024-10-02T00:00:00Z",
        ChargePeriodEnd="2024-10-03T00:00:00Z",
    )
    rows_ = [
        row(BilledCost="10", EffectiveCost="8", ListCost="12"),
        row(BilledCost="5", EffectiveCost="5", ListCost="6", **october),
        row(
            ProviderName="Nordsky",
            BillingCurrency="NOK",
            BilledCost="100",
            EffectiveCost="90",
            ListCost="120",
        ),
    ]
    run("costs", "import", str(write(tmp_path / "a.csv", rows_)), "--org", world.eksempel.orgnr)
    out = json.loads(
        run(
            "costs",
            "summary",
            "--org",
            world.eksempel.orgnr,
            "--by",
            "provider,month",
            "--currency",
            "NOK",
            "--json",
        )
    )
    assert out["currency"] == "NOK"
    usd_sep = float(ExchangeRate.objects.get(currency="USD", day=date(2024, 9, 2)).nok_per_unit)
    usd_oct = float(ExchangeRate.objects.get(currency="USD", day=date(2024, 10, 2)).nok_per_unit)
    assert out["rows"] == [
        {"provider": "Example Cloud", "month": "2024-09", "billed_cost": round(10 * usd_sep, 2),
         "effective_cost": round(8 * usd_sep, 2), "list_cost": round(12 * usd_sep, 2)},
        {"provider": "Example Cloud", "month": "2024-10", "billed_cost": round(5 * usd_oct, 2),
         "effective_cost": round(5 * usd_oct, 2), "list_cost": round(6 * usd_oct, 2)},
        {"provider": "Nordsky", "month": "2024-09", "billed_cost": 100.0, "effective_cost": 90.0, "list_cost": 120.0},
    ]  # fmt: skip


def test_summary_in_another_currency_and_by_service(world, data_dir, tmp_path):
    run(
        "costs",
        "import",
        str(write(tmp_path / "a.csv", [row(BilledCost="10")])),
        "--org",
        world.eksempel.orgnr,
    )
    out = json.loads(
        run(
            "costs",
            "summary",
            "--org",
            world.eksempel.orgnr,
            "--by",
            "service",
            "--currency",
            "usd",
            "--json",
        )
    )
    assert out["currency"] == "USD"
    assert out["rows"][0]["service"] == "Virtual Machines"
    assert out["rows"][0]["billed_cost"] == 10.0  # billed in USD: the original amount


def test_summary_rejects_an_unknown_dimension(world, data_dir):
    with pytest.raises(CommandError, match="unknown dimension"):
        run("costs", "summary", "--org", world.eksempel.orgnr, "--by", "provider,colour", "--json")


def test_summary_of_an_organisation_without_data_is_empty(world, data_dir):
    out = json.loads(run("costs", "summary", "--org", world.annen.orgnr, "--json"))
    assert out == {"currency": "NOK", "rows": [], "unconverted_rows": 0}


def test_only_members_who_may_write_import_for_their_own_organisation(world, data_dir, tmp_path):
    path = write(tmp_path / "a.csv", [row()])
    with pytest.raises(PermissionDenied):
        actions.do_import_costs(world.bob, world.eksempel, path)
    with pytest.raises(PermissionDenied):
        actions.do_import_costs(world.rolf, world.eksempel, path)
    record, result = actions.do_import_costs(world.mari, world.eksempel, path)
    assert result.ok and record.created_by == world.mari
    with pytest.raises(PermissionDenied):
        actions.do_import_rates(world.alice, shipped_rates_path())
