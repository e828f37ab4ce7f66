"""Import of FOCUS exports: validation, normalisation, snapshots, all-or-nothing."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from mps.costs.engine import ingest, rules
from mps.costs.engine.ingest import MAX_REPORTED_ERRORS, ingest_file
from mps.costs.engine.results import Outcome
from mps.costs.engine.store import HIVE_READ, OrgStore
from tests.costs.conftest import ORG, OTHER_ORG
from tests.costs.focus_rows import csv_text, row, write

# The FOCUS 1.2 specification's example tables (CC BY 4.0, FinOps Foundation), shipped here.
SHARED_FOCUS = Path(__file__).resolve().parent / "fixtures" / "spec-v1.2-examples"


def stored(costs_dir: Path, org: str = ORG, sql: str = "SELECT * FROM t") -> list[tuple]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    glob = OrgStore(costs_dir, org).current.resolve() / "**" / "*.parquet"
    con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{glob}', {HIVE_READ})")  # noqa: S608
    return con.execute(sql).fetchall()


def test_clean_export_imports_every_row_with_nok_amounts(tmp_path, costs_dir, fx):
    path = write(tmp_path / "a.csv", [row(), row(ResourceId="vm-2", BilledCost="2")])
    result = ingest_file(path, costs_dir, ORG, fx)
    assert result.outcome == Outcome.IMPORTED, result.errors
    assert result.rows == 2
    assert result.providers == ["Example Cloud"]
    assert result.billing_periods == ["2024-09"]
    assert result.focus_version == "1.2"
    # 2024-09-02 is a Monday: the USD rate of that day applies.
    _, usd = fx.rate_on("USD", __import__("datetime").date(2024, 9, 2))
    ((billed, billed_nok, rate),) = stored(
        costs_dir,
        sql="SELECT sum(BilledCost), sum(x_mps_billed_cost_nok), any_value(x_mps_fx_rate) FROM t",
    )
    assert billed == pytest.approx(2.9)
    assert rate == pytest.approx(float(usd))
    assert billed_nok == pytest.approx(2.9 * float(usd))


def test_messy_values_are_normalised(tmp_path, costs_dir, fx):
    messy = row(
        ChargePeriodStart="2024-09-02 00:00:00",
        ChargePeriodEnd="2024-09-03T00:00:00",
        ChargeCategory="USAGE",
        PricingCategory="standard",
        ChargeFrequency="usage-based",
        ServiceCategory="compute",
        BillingCurrency="usd",
        RegionName="NULL",
        Tags='{" team": "web", "env ": "prod"}',
    )
    result = ingest_file(write(tmp_path / "m.csv", [messy]), costs_dir, ORG, fx)
    assert result.outcome == Outcome.IMPORTED, result.errors
    (values,) = stored(
        costs_dir,
        sql="SELECT ChargeCategory, PricingCategory, ChargeFrequency, ServiceCategory, BillingCurrency, "
        "RegionName, Tags, strftime(ChargePeriodStart, '%Y-%m-%d %H:%M') FROM t",
    )
    assert values[:6] == ("Usage", "Standard", "Usage-Based", "Compute", "USD", None)
    assert values[6] == '{"team": "web", "env": "prod"}'
    assert values[7] == "2024-09-02 00:00"


def test_timestamp_with_offset_is_converted_to_utc_for_the_charge_date(tmp_path, costs_dir, fx):
    late = row(
        ChargePeriodStart="2024-09-03T00:30:00+02:00", ChargePeriodEnd="2024-09-03T01:30:00+02:00"
    )
    ingest_file(write(tmp_path / "o.csv", [late]), costs_dir, ORG, fx)
    ((day,),) = [stored(costs_dir, sql="SELECT CAST(x_mps_charge_date AS VARCHAR) FROM t")]
    assert day == ("2024-09-02",)


def test_importing_the_same_file_twice_changes_nothing(tmp_path, costs_dir, fx):
    path = write(tmp_path / "a.csv", [row(), row(ResourceId="vm-2")])
    first = ingest_file(path, costs_dir, ORG, fx)
    second = ingest_file(path, costs_dir, ORG, fx)
    assert first.outcome == Outcome.IMPORTED
    assert second.outcome == Outcome.UNCHANGED
    assert stored(costs_dir, sql="SELECT count(*) FROM t") == [(2,)]


def test_newer_snapshot_of_the_same_period_replaces_the_older(tmp_path, costs_dir, fx):
    old = write(tmp_path / "old.csv", [row(BilledCost="1"), row(BilledCost="2")])
    new = write(
        tmp_path / "new.csv", [row(BilledCost="5"), row(BilledCost="2"), row(BilledCost="3")]
    )
    ingest_file(old, costs_dir, ORG, fx)
    result = ingest_file(new, costs_dir, ORG, fx)
    assert result.outcome == Outcome.IMPORTED
    assert len(result.replaced_snapshots) == 1
    assert result.replaced_snapshots[0].rows == 2
    assert stored(costs_dir, sql="SELECT count(*), sum(BilledCost) FROM t") == [(3, 10.0)]


def test_other_billing_periods_and_accounts_are_kept(tmp_path, costs_dir, fx):
    ingest_file(write(tmp_path / "sep.csv", [row()]), costs_dir, ORG, fx)
    october = row(
        BillingPeriodStart="2024-10-01T00:00:00Z",
        BillingPeriodEnd="2024-11-01T00:00:00Z",
        ChargePeriodStart="2024-10-02T00:00:00Z",
        ChargePeriodEnd="2024-10-03T00:00:00Z",
    )
    ingest_file(write(tmp_path / "oct.csv", [october]), costs_dir, ORG, fx)
    result = ingest_file(
        write(tmp_path / "acct2.csv", [row(BillingAccountId="acct-2")]), costs_dir, ORG, fx
    )
    assert result.replaced_snapshots == []
    assert stored(costs_dir, sql="SELECT count(*) FROM t") == [(3,)]


def test_organisations_do_not_share_data(tmp_path, costs_dir, fx):
    ingest_file(write(tmp_path / "a.csv", [row()]), costs_dir, ORG, fx)
    ingest_file(write(tmp_path / "b.csv", [row(), row()]), costs_dir, OTHER_ORG, fx)
    assert stored(costs_dir, ORG, "SELECT count(*) FROM t") == [(1,)]
    assert stored(costs_dir, OTHER_ORG, "SELECT count(*) FROM t") == [(2,)]


@pytest.mark.parametrize(
    ("changes", "column", "rule"),
    [
        ({"BilledCost": "$10,000.00"}, "BilledCost", rules.UNPARSEABLE_NUMBER),
        ({"ListCost": "NaN"}, "ListCost", rules.UNPARSEABLE_NUMBER),
        ({"ChargePeriodStart": "5/1/25"}, "ChargePeriodStart", rules.UNPARSEABLE_DATETIME),
        ({"BillingCurrency": "XYZ"}, "BillingCurrency", rules.UNKNOWN_CURRENCY),
        ({"ChargePeriodEnd": "2024-09-02T00:00:00Z"}, "ChargePeriodStart", rules.PERIOD_ORDER),
        ({"BilledCost": ""}, "BilledCost", rules.REQUIRED_VALUE),
        ({"ChargeCategory": "Refund"}, "ChargeCategory", rules.INVALID_VALUE),
    ],
)
def test_unusable_row_rejects_the_file_naming_row_column_value_and_rule(
    tmp_path, costs_dir, fx, changes, column, rule
):
    path = write(tmp_path / "bad.csv", [row(), row(**changes)])
    result = ingest_file(path, costs_dir, ORG, fx)
    assert result.outcome == Outcome.REJECTED
    issue = result.errors[0]
    assert (issue.file, issue.row, issue.column, issue.rule) == ("bad.csv", 3, column, rule)
    if changes.get(column):
        assert issue.value == changes[column]
    assert not OrgStore(costs_dir, ORG).has_data()


def test_first_hundred_errors_are_listed_and_the_rest_counted(tmp_path, costs_dir, fx):
    bad = [row(BilledCost="abc") for _ in range(250)] + [
        row(BillingCurrency="ZZZ") for _ in range(5)
    ]
    result = ingest_file(write(tmp_path / "bad.csv", bad), costs_dir, ORG, fx)
    assert len(result.errors) == MAX_REPORTED_ERRORS
    assert [e.row for e in result.errors[:3]] == [2, 3, 4]
    counts = {(c.rule, c.column): c.count for c in result.error_counts}
    assert counts == {
        (rules.UNPARSEABLE_NUMBER, "BilledCost"): 250,
        (rules.UNKNOWN_CURRENCY, "BillingCurrency"): 5,
    }


def test_rejected_file_leaves_earlier_data_untouched(tmp_path, costs_dir, fx):
    ingest_file(write(tmp_path / "good.csv", [row(BilledCost="7")]), costs_dir, ORG, fx)
    bad = write(tmp_path / "bad.csv", [row(BilledCost="9"), row(BilledCost="x")])
    assert ingest_file(bad, costs_dir, ORG, fx).outcome == Outcome.REJECTED
    assert stored(costs_dir, sql="SELECT sum(BilledCost) FROM t") == [(7.0,)]
    leftovers = [p.name for p in (costs_dir / ORG).iterdir() if p.name.startswith("staging-")]
    assert leftovers == []


def test_missing_required_column_is_reported_before_reading_rows(tmp_path, costs_dir, fx):
    result = ingest_file(
        write(tmp_path / "a.csv", [row()], drop=("BilledCost",)), costs_dir, ORG, fx
    )
    assert result.outcome == Outcome.REJECTED
    assert [(e.rule, e.column, e.row) for e in result.errors] == [
        (rules.MISSING_COLUMN, "BilledCost", 1)
    ]


def test_conformance_warnings_are_counted_per_provider_and_the_data_imports(
    tmp_path, costs_dir, fx
):
    rows = [
        row(RegionId="", ContractedCost="NULL", CostCentre="K1"),
        row(ProviderName="Other Cloud", PricingCategory=""),
        row(
            ChargeCategory="Purchase",
            EffectiveCost="100",
            ResourceId="",
            ChargePeriodEnd="2024-10-01T00:00:00Z",
        ),
    ]
    result = ingest_file(write(tmp_path / "w.csv", rows), costs_dir, ORG, fx)
    assert result.outcome == Outcome.IMPORTED
    counts = {(c.rule, c.provider, c.column): c.count for c in result.warning_counts}
    assert counts == {
        (rules.MANDATORY_NULL, "Example Cloud", "RegionId"): 1,
        (rules.MANDATORY_NULL, "Example Cloud", "ContractedCost"): 1,
        (rules.MANDATORY_NULL, "Other Cloud", "PricingCategory"): 1,
        (rules.PURCHASE_EFFECTIVE_COST, "Example Cloud", "EffectiveCost"): 1,
        (rules.CUSTOM_COLUMN_PREFIX, "Example Cloud", "CostCentre"): 1,
        (rules.CUSTOM_COLUMN_PREFIX, "Other Cloud", "CostCentre"): 1,
    }
    assert stored(costs_dir, sql="SELECT count(*), count(CostCentre) FROM t") == [(3, 1)]


def test_charge_without_an_exchange_rate_imports_with_empty_nok(tmp_path, costs_dir, fx):
    future = row(
        BillingPeriodStart="2030-01-01T00:00:00Z",
        BillingPeriodEnd="2030-02-01T00:00:00Z",
        ChargePeriodStart="2030-01-02T00:00:00Z",
        ChargePeriodEnd="2030-01-03T00:00:00Z",
    )
    result = ingest_file(write(tmp_path / "f.csv", [future]), costs_dir, ORG, fx)
    assert result.outcome == Outcome.IMPORTED
    assert [c.rule for c in result.warning_counts] == [rules.NO_EXCHANGE_RATE]
    assert stored(costs_dir, sql="SELECT BilledCost, x_mps_billed_cost_nok FROM t") == [(0.9, None)]


def test_gzip_csv_imports_like_plain_csv(tmp_path, costs_dir, fx):
    plain = write(tmp_path / "a.csv", [row(), row()])
    packed = tmp_path / "upload.bin"  # the format is read from the bytes, not the name
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    result = ingest_file(packed, costs_dir, ORG, fx)
    assert result.outcome == Outcome.IMPORTED
    assert result.rows == 2


def test_parquet_export_imports(tmp_path, costs_dir, fx):
    plain = write(tmp_path / "a.csv", [row(), row(BilledCost="3")])
    table = pacsv.read_csv(plain)  # typed columns: doubles, timestamps
    pq.write_table(table, tmp_path / "a.parquet")
    result = ingest_file(tmp_path / "a.parquet", costs_dir, ORG, fx)
    assert result.outcome == Outcome.IMPORTED, result.errors
    assert stored(costs_dir, sql="SELECT sum(BilledCost) FROM t") == [(3.9,)]


def test_focus_1_3_service_provider_name_is_the_provider(tmp_path, costs_dir, fx):
    r13 = row(ServiceProviderName="Marketplace Vendor", HostProviderName="Example Cloud")
    del r13["ProviderName"], r13["PublisherName"]
    result = ingest_file(write(tmp_path / "v13.csv", [r13]), costs_dir, ORG, fx)
    assert result.outcome == Outcome.IMPORTED, result.errors
    assert result.focus_version == "1.3"
    assert result.providers == ["Marketplace Vendor"]
    assert result.warning_counts == []


def test_header_case_and_spaces_are_tolerated(tmp_path, costs_dir, fx):
    path = write(tmp_path / "a.csv", [row()])
    text = path.read_text().replace("BilledCost", " billedcost ", 1)
    path.write_text(text)
    assert ingest_file(path, costs_dir, ORG, fx).outcome == Outcome.IMPORTED


@pytest.mark.parametrize(
    "content", [b"", b"\x00\x01\x02garbage\xff\xfe", b"PAR1 not really parquet"]
)
def test_unreadable_file_is_rejected_with_a_message(tmp_path, costs_dir, fx, content):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    result = ingest_file(path, costs_dir, ORG, fx)
    assert result.outcome == Outcome.REJECTED
    assert result.errors and result.errors[0].message


def test_specification_example_tables_are_rejected_with_clear_errors(tmp_path, costs_dir, fx):
    examples = sorted(SHARED_FOCUS.rglob("*.csv"))
    assert examples
    for example in examples:
        copy = tmp_path / example.name
        shutil.copy(example, copy)
        result = ingest_file(copy, costs_dir, ORG, fx)
        assert result.outcome == Outcome.REJECTED, example.name
        assert all(e.file == example.name and e.rule for e in result.errors)
    assert not OrgStore(costs_dir, ORG).has_data()


def test_snapshot_key_is_the_hash_earlier_versions_stored_so_their_snapshots_are_replaced(
    tmp_path, costs_dir, fx
):
    result = ingest_file(write(tmp_path / "a.csv", [row()]), costs_dir, ORG, fx)
    text = "Example Cloud|acct-1|2024-09-01 00:00:00+00|2024-10-01 00:00:00+00"
    (snapshot,) = result.snapshots
    assert snapshot.key == hashlib.md5(text.encode()).hexdigest()[:16]  # noqa: S324
    assert (snapshot.provider_slug, snapshot.billing_month) == ("example-cloud", "2024-09")


def test_large_partitions_are_written_as_several_row_groups_and_files(
    tmp_path, costs_dir, fx, monkeypatch
):
    # Tiny limits stand in for a file of millions of rows: every rule of the writer is used.
    monkeypatch.setattr(ingest, "BATCH_ROWS", 4)
    monkeypatch.setattr(ingest, "ROW_GROUP_ROWS", 3)
    monkeypatch.setattr(ingest, "PENDING_ROWS", 4)
    monkeypatch.setattr(ingest, "FILE_ROWS", 6)
    rows = [
        row(ResourceId=f"vm-{i}", ProviderName="Other Cloud" if i % 3 else "Example Cloud")
        for i in range(40)
    ]
    result = ingest_file(write(tmp_path / "big.csv", rows), costs_dir, ORG, fx)
    assert result.outcome == Outcome.IMPORTED, result.errors
    assert {s.provider: s.rows for s in result.snapshots} == {
        "Example Cloud": 14,
        "Other Cloud": 26,
    }
    files = sorted(OrgStore(costs_dir, ORG).current.resolve().rglob("*.parquet"))
    assert len(files) > 2 * 2
    assert all(pq.ParquetFile(f).metadata.num_rows <= 6 + 3 for f in files)
    assert stored(
        costs_dir,
        sql="SELECT count(DISTINCT ResourceId), count(DISTINCT x_mps_import), "
        "min(x_mps_import) FROM t",
    ) == [(40, 1, result.checksum[:16])]


def test_file_broken_after_its_first_rows_is_rejected_and_nothing_is_left(
    tmp_path, costs_dir, fx, monkeypatch
):
    monkeypatch.setattr(ingest, "BATCH_ROWS", 2)
    text = csv_text([row(ResourceId=f"vm-{i}") for i in range(30_000)])
    lines = text.splitlines()
    lines[25_000] += ',"unterminated'
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(lines) + "\n")
    result = ingest_file(path, costs_dir, ORG, fx)
    assert result.outcome == Outcome.REJECTED
    assert result.errors[0].rule == rules.MALFORMED_FILE
    assert not OrgStore(costs_dir, ORG).has_data()
    leftovers = [p.name for p in (costs_dir / ORG).iterdir() if p.name.startswith("staging-")]
    assert leftovers == []


def test_a_snapshot_key_of_only_digits_is_read_back_as_the_directory_names_it(
    tmp_path, costs_dir, fx
):
    # A key is sixteen hex digits; one in about 1,800 has no letter. DuckDB would read such a
    # directory value as a number (a BIGINT, when it has no leading zero) unless told not to.
    from mps.costs.engine import query

    ingest_file(write(tmp_path / "a.csv", [row()]), costs_dir, ORG, fx)
    [directory] = OrgStore(costs_dir, ORG).current.resolve().glob("*/*/snapshot=*")
    directory.rename(directory.with_name("snapshot=1234567890123456"))

    con = query.connect(costs_dir, ORG)
    assert con is not None
    assert con.execute("SELECT DISTINCT snapshot FROM billing").fetchall() == [
        ("1234567890123456",)
    ]


def test_errors_in_a_file_large_enough_to_be_read_in_parallel_name_their_rows(
    tmp_path, costs_dir, fx
):
    # About 20 MB: DuckDB splits the scan over threads, and rows arrive out of file order.
    n = 40_000
    bad = {n // 7: "twelve", n // 2: "x1", n - 5: "abc"}
    rows = [row(BilledCost=bad.get(i, "1"), ResourceId=f"r-{i}-" + "x" * 200) for i in range(n)]

    result = ingest_file(write(tmp_path / "big.csv", rows), costs_dir, ORG, fx)

    assert result.outcome == Outcome.REJECTED
    reported = sorted((issue.row, issue.value) for issue in result.errors)
    assert reported == sorted((i + 2, value) for i, value in bad.items())  # header is row 1
