"""The scan tasks' idempotency (without a broker, same code path) and scheduled rescans."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from mps.riskscore import actions, distributed
from mps.riskscore.models import Asset, AssetScan, Finding, ScanRun, ScanSchedule, ScoreSnapshot
from mps.riskscore.schedule import due_organisations
from mps.scanner.runner import scan_sync
from tests.riskscore.helpers import verified_eksempel, web_and_tls  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("web_and_tls")]


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_without_a_broker_dispatch_runs_each_batch_here_and_closes_the_run(world):
    asset = verified_eksempel(world)
    (sent,) = distributed.dispatch([world.eksempel], trigger="cli")
    run_row = ScanRun.objects.get(pk=sent.run.pk)
    assert run_row.status == ScanRun.Status.DONE and run_row.finished_at
    (one,) = AssetScan.objects.filter(run=run_row)
    assert (one.asset_id, one.attempts, one.error) == (asset.pk, 1, "")
    assert one.findings_written == run_row.findings_recorded > 0
    assert Finding.objects.filter(asset=asset).count() == one.findings_written
    assert ScoreSnapshot.objects.filter(organisation=world.eksempel).exists()


def test_a_task_delivered_again_after_it_finished_writes_nothing(world):
    asset = verified_eksempel(world)
    (sent,) = distributed.dispatch([world.eksempel])
    before = list(Finding.objects.values_list("pk", "observed_at"))
    config = distributed.config_to_json(actions.scan_config())
    assert distributed.execute_batch(sent.run.pk, [asset.pk], config) == 0
    assert list(Finding.objects.values_list("pk", "observed_at")) == before
    assert AssetScan.objects.get(run=sent.run).attempts == 1


def test_a_task_redone_after_its_worker_died_updates_the_same_findings(world):
    asset = verified_eksempel(world)
    (sent,) = distributed.dispatch([world.eksempel])
    keys = set(Finding.objects.values_list("pk", "asset_id", "check_id", "address", "port"))
    # The worker died after writing but before the row was marked: the task comes back.
    AssetScan.objects.filter(run=sent.run).update(finished_at=None)
    ScanRun.objects.filter(pk=sent.run.pk).update(status=ScanRun.Status.RUNNING)
    config = distributed.config_to_json(actions.scan_config())
    assert distributed.execute_batch(sent.run.pk, [asset.pk], config, worker="w2") == 1
    assert set(Finding.objects.values_list("pk", "asset_id", "check_id", "address", "port")) == keys
    row = AssetScan.objects.get(run=sent.run)
    assert (row.attempts, row.worker) == (2, "w2")
    assert ScanRun.objects.get(pk=sent.run.pk).status == ScanRun.Status.DONE


def test_record_result_is_keyed_by_asset_check_address_and_port(world):
    asset = verified_eksempel(world)
    (result,) = scan_sync([asset.value], actions.scan_config())
    first = actions.record_result(asset, result)
    assert first > 0
    assert actions.record_result(asset, result) == 0  # the same result again changes nothing
    keys = list(Finding.objects.values_list("check_id", "address", "port"))
    assert len(keys) == len(set(keys)) == first


def test_the_task_message_carries_the_whole_scan_configuration(risknet):
    config = risknet.only("tls")
    again = distributed.config_from_json(json.loads(json.dumps(distributed.config_to_json(config))))
    assert again == config


def test_an_organisation_is_due_when_an_asset_is_unmeasured_or_older_than_its_cadence(world):
    asset = verified_eksempel(world)
    assert due_organisations() == [world.eksempel]  # never measured
    Asset.objects.filter(pk=asset.pk).update(last_scanned_at=timezone.now() - timedelta(days=3))
    assert due_organisations() == []
    Asset.objects.filter(pk=asset.pk).update(last_scanned_at=timezone.now() - timedelta(days=8))
    assert due_organisations() == [world.eksempel]  # the default cadence is 7 days
    schedule = ScanSchedule.objects.create(organisation=world.eksempel, cadence_days=30)
    assert due_organisations() == []
    schedule.cadence_days = 1
    schedule.paused = True
    schedule.save()
    assert due_organisations() == []


def test_an_organisation_with_a_scan_in_progress_is_not_queued_again(world):
    verified_eksempel(world)
    ScanRun.objects.create(
        organisation=world.eksempel, started_at=timezone.now(), method_version="x"
    )
    assert due_organisations() == []


def test_scan_due_scans_what_is_due_and_then_nothing(world):
    verified_eksempel(world)
    data = json.loads(run("scan", "--due", "--json"))
    assert [o["orgnr"] for o in data["organisations"]] == [world.eksempel.orgnr]
    assert ScanRun.objects.get().trigger == "schedule"
    assert json.loads(run("scan", "--due", "--json")) == {"organisations": []}


def test_the_celery_beat_schedule_looks_for_due_rescans_hourly():
    from mps.riskscore.tasks import scan_due
    from mps.tasks import celery_app

    entry = celery_app.conf.beat_schedule["riskscore-due-rescans"]
    assert entry == {"task": scan_due.name, "schedule": 3600.0}
