"""`mps fx import` in the database: ECB files, which source wins, and budgets re-evaluated."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mps.core.models import AuditEntry
from mps.costs import actions
from mps.costs.engine.fx import shipped_ecb_path, shipped_rates_path
from mps.costs.models import ExchangeRate
from tests.costs.focus_rows import row, write

ECB_EXCERPT = Path(__file__).parent / "fixtures" / "ecb-eurofxref-2024-09.csv"
EXR_HEADER = "FREQ;BASE_CUR;QUOTE_CUR;UNIT_MULT;TIME_PERIOD;OBS_VALUE"


@pytest.fixture
def data_dir(settings, tmp_path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def rate(currency: str, day: date) -> ExchangeRate:
    return ExchangeRate.objects.get(currency=currency, day=day)


def exr_file(path: Path, usd_nok: dict[date, str]) -> Path:
    """A Norges Bank EXR CSV with these USD rates."""
    lines = [EXR_HEADER] + [f"B;USD;NOK;0;{d};{v}" for d, v in sorted(usd_nok.items())]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_an_ecb_file_imports_as_cross_rates_marked_ecb(db):
    out = json.loads(run("fx", "import", str(ECB_EXCERPT), "--json"))
    assert out["source"] == "ecb" and out["rows"] == out["stored"] == 5 * 30
    usd = rate("USD", date(2024, 9, 2))
    assert usd.source == ExchangeRate.Source.ECB
    assert usd.nok_per_unit == Decimal("10.6048277733")  # 11.73 / 1.1061
    assert rate("EUR", date(2024, 9, 6)).nok_per_unit == Decimal("11.8015")
    assert AuditEntry.objects.filter(action="costs.fx.import").count() == 1


def test_norges_banks_rate_wins_whichever_file_is_imported_first(db):
    day = date(2024, 9, 2)
    run("fx", "import", str(ECB_EXCERPT))
    assert rate("USD", day).source == "ecb"
    run("fx", "import", str(shipped_rates_path()))  # Norges Bank replaces the ECB cross rate
    assert (rate("USD", day).source, rate("USD", day).nok_per_unit) == (
        "norges-bank",
        Decimal("10.6048"),
    )

    text = run("fx", "import", str(ECB_EXCERPT))  # and an ECB file does not take it back
    assert "35 left to Norges Bank's own rates" in text  # 5 days × its 7 currencies
    assert (rate("USD", day).source, rate("USD", day).nok_per_unit) == (
        "norges-bank",
        Decimal("10.6048"),
    )
    # Currencies Norges Bank's file lacks keep their ECB cross rate.
    assert rate("AUD", day).source == "ecb"
    assert rate("AUD", day).nok_per_unit == Decimal("7.1866192869")  # 11.73 / 1.6322


def test_a_bad_ecb_file_is_rejected_whole_naming_the_row_column_and_value(db, tmp_path):
    lines = ECB_EXCERPT.read_text().splitlines()
    lines[3] = lines[3].replace("1.105,", "1,105,", 1)  # a decimal comma: one column too many
    bad = tmp_path / "eurofxref-hist.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError) as caught:
        run("fx", "import", str(bad))
    assert caught.value.returncode == 2
    assert f"{bad}, row 4, column 43 '19.7997'" in str(caught.value)
    lines = ECB_EXCERPT.read_text().splitlines()
    lines[4] = lines[4].replace(",11.766,", ",11.766 NOK,")
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match=r"row 5, NOK '11.766 NOK': not a number"):
        run("fx", "import", str(bad))
    assert ExchangeRate.objects.count() == 0  # the good rows before it are not stored either


def test_the_shipped_files_together_cover_2022_to_october_2026(db):
    for path in (shipped_rates_path(), shipped_ecb_path()):
        run("fx", "import", str(path))
    assert rate("EUR", date(2026, 10, 30)).nok_per_unit == Decimal("10.312")
    assert rate("EUR", date(2026, 10, 30)).source == "ecb"
    assert rate("EUR", date(2024, 9, 2)).source == "norges-bank"
    assert rate("USD", date(2022, 1, 3)).source == "ecb"
    sources = ExchangeRate.objects.filter(day__gte=date(2023, 9, 1), day__lte=date(2025, 1, 3))
    assert sources.filter(source="norges-bank").count() == 7 * 337


# --- Budgets are re-evaluated when rates are imported ---------------------------------------

SEPTEMBER = [date(2024, 9, 1) + timedelta(days=i) for i in range(30)]


def september_usd(path: Path) -> Path:
    """100 USD a day through September 2024 (the last data day: 30 September)."""
    rows = [
        row(
            ChargePeriodStart=f"{d}T00:00:00Z",
            ChargePeriodEnd=f"{d + timedelta(days=1)}T00:00:00Z",
            BilledCost="100",
            EffectiveCost="100",
            ContractedCost="100",
            ListCost="100",
            ResourceId=f"vm-{d.day}",
        )
        for d in SEPTEMBER
    ]
    return write(path, rows)


def test_rates_that_weaken_the_krone_add_an_exchange_rate_alert_for_that_agency_only(
    world, data_dir, tmp_path
):
    # USD at 10 NOK all year; both agencies spend 100 USD a day in September.
    year = {date(2024, 1, 1) + timedelta(days=i): "10" for i in range(274)}  # to 30 September
    run("fx", "import", str(exr_file(tmp_path / "rates.csv", year)))
    for org in (world.eksempel, world.annen):
        _record, result = actions.do_import_costs(None, org, september_usd(tmp_path / "sep.csv"))
        assert result.ok
    # Forecast: 3 000 USD so far + 92 days × 100 USD at 10 NOK = 122 000 NOK, band ± 9 200.
    tight = actions.do_set_budget(None, world.eksempel, 2024, Decimal(140_000), date(2024, 1, 2))
    roomy = actions.do_set_budget(None, world.annen, 2024, Decimal(300_000), date(2024, 1, 2))
    assert tight.forecast_nok == roomy.forecast_nok == 122_000
    assert tight.alerts == [] and roomy.alerts == []

    # Norges Bank's rate for the last data day: 12 NOK a dollar. The rest of the year now costs
    # 92 × 100 × 12 = 110 400, the forecast 30 000 + 110 400 = 140 400 > 140 000; at the
    # budget's reference rate (10) it would still be 122 000: the krone alone pushes it over.
    weaker = exr_file(tmp_path / "weaker.csv", {date(2024, 9, 30): "12"})
    text = run("fx", "import", str(weaker))
    assert "alerts changed for 1 organisations" in text

    tight.refresh_from_db()
    roomy.refresh_from_db()
    assert tight.forecast_nok == roomy.forecast_nok == 140_400
    assert [a["kind"] for a in tight.alerts] == ["over_budget", "fx_over_budget"]
    assert roomy.alerts == []
    entries = AuditEntry.objects.filter(action="costs.budget.alerts")
    assert [e.organisation_id for e in entries] == [world.eksempel.pk]
    assert entries.get().after["alerts"][1] == {"kind": "fx_over_budget", "amount_nok": 400.0}


def test_rates_for_a_later_year_leave_an_earlier_years_budget_alone(world, data_dir, tmp_path):
    year = {date(2024, 1, 1) + timedelta(days=i): "10" for i in range(274)}
    run("fx", "import", str(exr_file(tmp_path / "rates.csv", year)))
    actions.do_import_costs(None, world.eksempel, september_usd(tmp_path / "sep.csv"))
    budget = actions.do_set_budget(None, world.eksempel, 2024, Decimal(140_000), date(2024, 1, 2))
    evaluated = budget.evaluated_at
    # A 2024 budget converts at rates up to 31 December 2024 and at its reference date's.
    newer = exr_file(tmp_path / "2025.csv", {date(2025, 1, 2): "20"})
    result = actions.do_import_rates(None, newer)
    assert result.budgets_reevaluated == 0
    budget.refresh_from_db()
    assert budget.evaluated_at == evaluated and budget.alerts == []


def test_the_pages_name_the_source_of_the_rates_they_used(world, data_dir, tmp_path, login):
    run("fx", "import", str(ECB_EXCERPT))  # ECB cross rates only, 2–6 September 2024
    actions.do_import_costs(None, world.eksempel, write(tmp_path / "a.csv", [row()]))
    actions.do_set_budget(None, world.eksempel, 2024, Decimal(1_000), date(2024, 9, 2))
    client = login(world.alice)
    overview = client.get(f"/kostnader/virksomhet/{world.eksempel.pk}/").content.decode()
    assert "Valutakurser: ESB (krysskurs via euro)." in overview
    page = client.get(f"/kostnader/virksomhet/{world.eksempel.pk}/prognose/").content.decode()
    # USD on 2 September 2024: 11.73 / 1.1061, as latest rate and as the budget's reference.
    assert page.count("<td>ESB (krysskurs via euro)</td>") == 2
    assert "10,604828" in page  # bokmål decimal comma

    run("fx", "import", str(shipped_rates_path()))  # Norges Bank's own rate replaces it
    page = client.get(f"/kostnader/virksomhet/{world.eksempel.pk}/prognose/").content.decode()
    assert page.count("<td>Norges Bank</td>") == 2 and "10,6048<" in page
