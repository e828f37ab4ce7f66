"""Private cost objects of a victim organisation for the tenancy walk."""

from datetime import date

from mps.costs.models import (
    Budget,
    ConformanceWarning,
    CostImport,
    CostMonth,
    CostSnapshot,
    CostUpload,
)


def victim_objects(world):
    record = CostImport.objects.create(
        organisation=world.annen,
        file_name="CANARY-export.csv",
        checksum="c" * 64,
        outcome="imported",
        focus_version="1.2",
        rows=10,
    )
    CostSnapshot.objects.create(
        cost_import=record,
        organisation=world.annen,
        provider="CANARY Cloud",
        billing_account_id="CANARY-account",
        billing_period_start="2024-09-01T00:00:00Z",
        billing_period_end="2024-10-01T00:00:00Z",
        billing_month="2024-09",
        key="k" * 16,
        rows=10,
    )
    ConformanceWarning.objects.create(
        cost_import=record,
        organisation=world.annen,
        provider="CANARY Cloud",
        rule="mandatory_value_missing",
        column="ContractedCost",
        count=3,
    )
    CostUpload.objects.create(
        organisation=world.annen,
        file_name="CANARY-upload.csv",
        stored_path="/nonexistent/CANARY",
        status="failed",
        message="CANARY message",
        cost_import=record,
    )
    CostMonth.objects.create(
        organisation=world.annen,
        month="2024-09",
        effective_nok=123.0,
        by_provider={"CANARY Cloud": 123.0},
        by_service_category={"CANARY category": 123.0},
    )
    Budget.objects.create(
        organisation=world.annen,
        year=2024,
        amount_nok=1000,
        reference_date=date(2024, 1, 1),
        note="CANARY budget note",
    )
