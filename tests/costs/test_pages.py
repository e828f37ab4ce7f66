"""Cost pages, the overview card and the API: what an agency sees, who may see it, query counts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mps.core.models import AuditEntry
from mps.core.tenancy import viewer_for
from mps.costs import actions, overview
from mps.costs.engine import synthetic
from mps.costs.models import Budget, CostImport, CostMonth, CostUpload
from tests.costs.focus_rows import row, write

SPEC = synthetic.Spec(
    start=date(2024, 8, 1),
    days=92,
    resources=4,
    providers=synthetic.PROVIDERS[:2],
    price_rise=(date(2024, 10, 1), 1.1),
    anomaly=(date(2024, 9, 20), "aws", "Amazon Elastic Compute Cloud", 20.0),
)


@pytest.fixture
def data_dir(settings, tmp_path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


@pytest.fixture
def costs(world, data_dir, tmp_path):
    """Eksempel's costs: three months of two providers with a price rise and a spike."""
    path = tmp_path / "export.csv"
    synthetic.write_csv(path, SPEC)
    record, result = actions.do_import_costs(None, world.eksempel, path)
    assert result.ok
    return record


def test_the_overview_shows_cost_per_month_and_provider_and_the_krone_split(
    world, costs, login, django_assert_max_num_queries
):
    client = login(world.alice)
    with django_assert_max_num_queries(6):
        response = client.get(f"/kostnader/virksomhet/{world.eksempel.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Amazon Web Services" in body and "Microsoft" in body
    assert "2024-10" in body and "<svg" in body
    assert 'scope="row"' in body
    # The original currency is shown next to NOK.
    assert "USD" in body and "EUR" in body


def test_cost_months_are_filled_at_import(world, costs):
    months = list(
        CostMonth.objects.filter(organisation=world.eksempel).values_list("month", flat=True)
    )
    assert months == ["2024-08", "2024-09", "2024-10"]


def test_the_index_sends_an_agency_to_its_own_costs(world, costs, login):
    response = login(world.mari).get("/kostnader/")
    assert response.status_code == 302
    assert response["Location"] == f"/kostnader/virksomhet/{world.eksempel.pk}/"


def test_other_agencies_central_and_vendors_do_not_see_an_agencys_costs(world, costs, login):
    for user in (world.bob, world.nina, world.vera):
        client = login(user)
        for page in ("", "fordeling/", "avvik/", "prognose/", "importer/", "sammenligning/"):
            assert (
                client.get(f"/kostnader/virksomhet/{world.eksempel.pk}/{page}").status_code == 404
            )
        assert client.get(f"/kostnader/import/{costs.pk}/").status_code == 404


def test_the_breakdown_groups_by_region_and_by_tag(
    world, costs, login, django_assert_max_num_queries
):
    client = login(world.alice)
    with django_assert_max_num_queries(5):
        body = client.get(
            f"/kostnader/virksomhet/{world.eksempel.pk}/fordeling/?dim=region"
        ).content.decode()
    assert "eu-north-1" in body and "norwayeast" in body
    body = client.get(
        f"/kostnader/virksomhet/{world.eksempel.pk}/fordeling/?dim=tag:team&from=2024-09&to=2024-09"
    ).content.decode()
    assert "plattform" in body
    assert "Unknown dimension" not in body
    body = client.get(
        f"/kostnader/virksomhet/{world.eksempel.pk}/fordeling/?dim=colour"
    ).content.decode()
    assert "Unknown dimension" in body or "Ukjent" in body


def test_the_anomalies_page_lists_the_spike_with_its_driver(
    world, costs, login, django_assert_max_num_queries
):
    client = login(world.alice)
    with django_assert_max_num_queries(5):
        body = client.get(f"/kostnader/virksomhet/{world.eksempel.pk}/avvik/").content.decode()
    assert "2024-09-20" in body
    assert "Amazon Elastic Compute Cloud" in body


def test_a_member_sets_the_budget_and_it_is_audited(
    world, costs, login, django_assert_max_num_queries
):
    client = login(world.mari)
    url = f"/kostnader/virksomhet/{world.eksempel.pk}/prognose/"
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    response = client.post(
        url, {"year": "2024", "amount_nok": "1000", "reference_date": "2024-01-02", "note": "IT"}
    )
    assert response.status_code == 302
    budget = Budget.objects.get(organisation=world.eksempel, year=2024)
    assert budget.amount_nok == 1000 and budget.reference_date == date(2024, 1, 2)
    assert AuditEntry.objects.filter(action="costs.budget.set").count() == 1
    body = client.get(url).content.decode()
    assert 'role="alert"' in body  # a few months of cloud cost is far over 1 000 NOK
    assert budget.alerts[0]["kind"] == "over_budget" and budget.forecast_nok > 1000
    card = overview.card(viewer_for(world.mari))
    assert card.context["alert_kinds"][0] == "over_budget"


def test_a_read_only_user_may_not_set_the_budget(world, costs, login):
    url = f"/kostnader/virksomhet/{world.eksempel.pk}/prognose/"
    response = login(world.rolf).post(
        url, {"year": "2024", "amount_nok": "1000", "reference_date": "2024-01-02"}
    )
    assert response.status_code == 403
    assert not Budget.objects.exists()


def test_a_web_upload_is_imported_by_a_task_and_shows_its_status(
    world, data_dir, login, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    client = login(world.alice)
    content = (Path(write(data_dir / "x.csv", [row()]))).read_bytes()
    upload = SimpleUploadedFile("focus.csv", content, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/kostnader/virksomhet/{world.eksempel.pk}/last-opp/", {"file": upload}
        )
    assert response.status_code == 302
    item = CostUpload.objects.get()
    assert response["Location"] == f"/kostnader/opplasting/{item.pk}/"
    assert item.status == "done" and item.cost_import.outcome == "imported"
    assert not Path(item.stored_path).exists()
    with django_assert_max_num_queries(5):
        status = client.get(response["Location"])
    assert "Refresh" not in status
    assert f"/kostnader/import/{item.cost_import.pk}/" in status.content.decode()


def test_a_queued_upload_refreshes_until_done(world, login):
    item = CostUpload.objects.create(
        organisation=world.eksempel, file_name="f.csv", stored_path="/nonexistent"
    )
    client = login(world.alice)
    response = client.get(f"/kostnader/opplasting/{item.pk}/")
    assert response["Refresh"] == "2"
    assert "Refresh" not in client.get(f"/kostnader/opplasting/{item.pk}/?stop=1")


def test_a_read_only_user_may_not_upload(world, data_dir, login):
    response = login(world.rolf).get(f"/kostnader/virksomhet/{world.eksempel.pk}/last-opp/")
    assert response.status_code == 403


def test_imports_list_and_detail_show_the_conformance_warnings(
    world, data_dir, tmp_path, login, django_assert_max_num_queries
):
    path = write(tmp_path / "w.csv", [row(ContractedCost="")])
    record, result = actions.do_import_costs(None, world.eksempel, path)
    assert result.ok and result.warning_counts
    client = login(world.rolf)
    with django_assert_max_num_queries(6):
        body = client.get(f"/kostnader/virksomhet/{world.eksempel.pk}/importer/").content.decode()
    assert "w.csv" in body
    with django_assert_max_num_queries(7):
        body = client.get(f"/kostnader/import/{record.pk}/").content.decode()
    assert "ContractedCost" in body


def test_the_operator_sees_data_quality_per_provider(
    world, data_dir, tmp_path, login, django_assert_max_num_queries
):
    actions.do_import_costs(
        None, world.eksempel, write(tmp_path / "w.csv", [row(ContractedCost="")])
    )
    assert login(world.alice).get("/kostnader/datakvalitet/").status_code == 404
    client = login(world.ola)
    with django_assert_max_num_queries(6):
        body = client.get("/kostnader/datakvalitet/").content.decode()
    assert "Example Cloud" in body and "ContractedCost" in body
    assert client.get("/kostnader/").status_code == 200


def test_the_overview_card_gives_the_last_month_and_the_savings_rate(
    world, costs, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        card = overview.card(viewer_for(world.alice))
    assert card is not None
    assert card.context["last"]["month"] == "2024-10"
    assert 0 < card.context["savings_rate"] < 1
    assert overview.card(viewer_for(world.vera)) is None


def test_the_api_gives_summary_analyses_forecast_and_anomalies(world, costs, login):
    client = login(world.alice)
    base = f"/api/v1/costs/organisations/{world.eksempel.pk}"
    summary = client.get(f"{base}/summary?by=provider,month").json()
    assert summary["currency"] == "NOK"
    assert {r["provider"] for r in summary["rows"]} == {"Amazon Web Services", "Microsoft"}
    cli = actions.cost_summary(world.eksempel, ["provider", "month"])
    assert summary["rows"] == [r.to_dict() for r in cli.rows]
    analyses = client.get(f"{base}/analyses").json()
    assert analyses["savings"]["effective_savings_rate"] > 0
    assert analyses["last_change"]["month"] == "2024-10"
    assert client.get(f"{base}/forecast").json()["forecast"]["year"] == 2024
    assert any(a["day"] == "2024-09-20" for a in client.get(f"{base}/anomalies").json())
    assert client.get(f"{base}/breakdown?dimension=colour").status_code == 422
    assert client.get(f"{base}/summary?by=colour").status_code == 422
    assert client.get("/api/v1/costs/imports").json()[0]["id"] == costs.pk


def test_the_api_hides_another_agencys_costs(world, costs, login):
    client = login(world.bob)
    base = f"/api/v1/costs/organisations/{world.eksempel.pk}"
    for endpoint in ("summary", "analyses", "forecast", "anomalies", "breakdown", "benchmark"):
        response = client.get(f"{base}/{endpoint}")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/problem+json")
    assert json.loads(client.get("/api/v1/costs/imports").content) == []
    assert CostImport.objects.count() == 1


def test_mps_costs_aggregate_rebuilds_the_pre_aggregates(world, costs):
    import io

    from django.core.management import call_command

    CostMonth.objects.all().delete()
    out = io.StringIO()
    call_command("costs", "aggregate", "--json", stdout=out)
    (result,) = json.loads(out.getvalue())["organisations"]
    assert result["orgnr"] == world.eksempel.orgnr and result["daily_rows"] > 0
    assert CostMonth.objects.filter(organisation=world.eksempel).count() == 3


def test_an_upload_that_cannot_be_read_is_marked_failed(world, data_dir):
    item = CostUpload.objects.create(
        organisation=world.eksempel, file_name="gone.csv", stored_path=str(data_dir / "gone")
    )
    assert actions.run_upload(item.pk).status == "failed"
    item.refresh_from_db()
    assert item.message and item.finished_at is not None
    assert actions.run_upload(item.pk).status == "failed"  # a second delivery changes nothing


def test_the_api_sets_a_budget_for_writers_only(world, login):
    url = f"/api/v1/costs/organisations/{world.eksempel.pk}/budget"
    body = {"year": 2024, "amount_nok": "5000", "reference_date": "2024-01-02"}
    response = login(world.rolf).put(url, body, content_type="application/json")
    assert response.status_code == 403 and not Budget.objects.exists()
    response = login(world.alice).put(url, body, content_type="application/json")
    assert response.status_code == 200 and response.json()["amount_nok"] == 5000.0
    bad = {**body, "amount_nok": "0"}
    assert login(world.alice).put(url, bad, content_type="application/json").status_code == 422
    other = f"/api/v1/costs/organisations/{world.annen.pk}/budget"
    assert login(world.alice).put(other, body, content_type="application/json").status_code == 404


def test_the_upload_form_works_without_javascript(world, login, django_assert_max_num_queries):
    client = login(world.alice)
    with django_assert_max_num_queries(4):
        body = client.get(f"/kostnader/virksomhet/{world.eksempel.pk}/last-opp/").content.decode()
    assert 'enctype="multipart/form-data"' in body and 'type="file"' in body
    assert "<script" not in body and "style=" not in body


def test_the_operator_sees_an_agencys_cost_pages(world, costs, login):
    client = login(world.ola)
    for page in ("", "fordeling/", "avvik/", "prognose/", "importer/", "sammenligning/"):
        assert client.get(f"/kostnader/virksomhet/{world.eksempel.pk}/{page}").status_code == 200


def test_amounts_are_written_the_norwegian_way():
    from mps.costs.templatetags.costs_tags import nok, pct

    assert nok(1234567.891) == "1\u00a0234\u00a0567,89"
    assert nok(-5) == "−5,00" and nok(None) == "–"
    assert pct(0.1234) == "12,3\u00a0%" and pct(-0.05) == "−5,0\u00a0%" and pct(None) == "–"


def test_data_imported_before_the_aggregates_existed_is_aggregated_on_first_view(
    world, costs, data_dir, login
):
    import shutil

    from mps.costs.engine import aggregate

    shutil.rmtree(aggregate.directory(actions.costs_dir(), actions.store_key(world.eksempel)))
    body = login(world.alice).get(f"/kostnader/virksomhet/{world.eksempel.pk}/").content.decode()
    assert "Amazon Web Services" in body


def test_short_addresses_lead_an_agency_to_its_own_pages(world, login):
    client = login(world.rolf)
    response = client.get("/kostnader/prognose/")
    assert response["Location"] == f"/kostnader/virksomhet/{world.eksempel.pk}/prognose/"
    assert login(world.vera).get("/kostnader/avvik/").status_code == 404


def test_the_overview_says_when_rows_lack_an_exchange_rate(world, data_dir, tmp_path, login):
    rows = [
        row(),
        row(ChargePeriodStart="2030-01-02T00:00:00Z", ChargePeriodEnd="2030-01-03T00:00:00Z"),
    ]
    actions.do_import_costs(None, world.eksempel, write(tmp_path / "r.csv", rows))
    body = login(world.alice).get(f"/kostnader/virksomhet/{world.eksempel.pk}/").content.decode()
    assert 'role="note"' in body and "mps fx import" in body
