"""Pre-aggregated tables that the cost pages, the API and the analyses read.

Billing rows are many (one per resource, hour or day); a dashboard must not scan them. After each
import the organisation's rows are folded, under the store's lock, into two small Parquet files:

    <org>/aggregates/daily.parquet   one row per charge day × provider × service category ×
                                     service × region × sub-account × SKU price × pricing unit ×
                                     charge category × pricing category × commitment status ×
                                     billing currency × tagged (yes/no)
    <org>/aggregates/tags.parquet    one row per month × tag key × tag value
    <org>/aggregates/anomalies.json  the daily cost spikes (mps.costs.engine.anomalies)

Amounts are sums over rows that have an exchange rate (in the billing currency and in NOK);
rows without a rate are only counted (`unconverted_rows`), so NOK and original totals always
describe the same rows. The files are written next to each other and renamed into place, so a
reader sees the old or the new aggregate. The relational per-month KPI rows for benchmarking
across organisations are derived from daily.parquet by the Django layer (mps.costs.models).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from mps.costs.engine import anomalies
from mps.costs.engine.query import _lit
from mps.costs.engine.store import HIVE_READ, OrgStore

AGGREGATES = "aggregates"
DAILY = "daily.parquet"
TAGS = "tags.parquet"
INFO = "info.json"
ANOMALIES = "anomalies.json"  # daily spikes are found once per build, not per page view

# True when a Tags cell looks like a JSON object with at least one key. A text test, not a JSON
# parse: parsing every row was most of the aggregation time, and a Tags cell that is not a JSON
# object is already reported as a conformance warning at import.
TAGGED_SQL = "coalesce(Tags LIKE '{%:%}', false)"

DAILY_SQL = """
SELECT
  x_mps_charge_date AS day,
  strftime(x_mps_charge_date, '%Y-%m') AS month,
  x_mps_provider_name AS provider,
  ServiceCategory AS service_category,
  ServiceName AS service,
  lower(trim(RegionId)) AS region,
  SubAccountId AS sub_account,
  coalesce(SkuPriceId, SkuId) AS sku,
  PricingUnit AS pricing_unit,
  ChargeCategory AS charge_category,
  PricingCategory AS pricing_category,
  CommitmentDiscountStatus AS commitment_status,
  CommitmentDiscountId IS NOT NULL AS committed,
  BillingCurrency AS currency,
  TAGGED AS tagged,
  coalesce(sum(BilledCost) FILTER (WHERE x_mps_fx_rate IS NOT NULL), 0) AS billed,
  coalesce(sum(EffectiveCost) FILTER (WHERE x_mps_fx_rate IS NOT NULL), 0) AS effective,
  coalesce(sum(ListCost) FILTER (WHERE x_mps_fx_rate IS NOT NULL), 0) AS list,
  coalesce(sum(x_mps_billed_cost_nok), 0) AS billed_nok,
  coalesce(sum(x_mps_effective_cost_nok), 0) AS effective_nok,
  coalesce(sum(x_mps_list_cost_nok), 0) AS list_nok,
  coalesce(sum(coalesce(x_mps_contracted_cost_nok, x_mps_effective_cost_nok)), 0)
    AS contracted_nok,
  coalesce(sum(PricingQuantity) FILTER (WHERE x_mps_fx_rate IS NOT NULL
    AND EffectiveCost IS NOT NULL), 0) AS quantity,
  count(*) FILTER (WHERE x_mps_fx_rate IS NULL) AS unconverted_rows,
  count(*) AS rows
FROM billing
GROUP BY ALL
""".replace("TAGGED", TAGGED_SQL)

# Rows are first summed per month and distinct Tags text (few: tags belong to resources), and
# only those are parsed as JSON: parsing each billing row's tags was the slowest part.
TAGS_SQL = """
SELECT month, trim(k) AS tag_key,
  json_extract_string(try_cast(Tags AS JSON), '$."' || replace(k, '"', '\\"') || '"') AS tag_value,
  sum(effective_nok) AS effective_nok, sum(list_nok) AS list_nok
FROM (
  SELECT month, Tags, effective_nok, list_nok, unnest(json_keys(try_cast(Tags AS JSON))) AS k
  FROM (
    SELECT strftime(x_mps_charge_date, '%Y-%m') AS month, Tags,
      sum(x_mps_effective_cost_nok) AS effective_nok, sum(x_mps_list_cost_nok) AS list_nok
    FROM billing
    WHERE x_mps_fx_rate IS NOT NULL AND Tags IS NOT NULL
    GROUP BY ALL
  )
  WHERE coalesce(json_type(try_cast(Tags AS JSON)) = 'OBJECT', false)
)
GROUP BY ALL
"""


@dataclass(frozen=True)
class AggregateInfo:
    generation: str  # the store generation the aggregate was built from
    daily_rows: int
    tag_rows: int
    seconds: float


def directory(costs_dir: Path, org: str) -> Path:
    return OrgStore(costs_dir, org).root / AGGREGATES


def info(costs_dir: Path, org: str) -> AggregateInfo | None:
    path = directory(costs_dir, org) / INFO
    if not path.exists():
        return None
    return AggregateInfo(**json.loads(path.read_text()))


def build(costs_dir: Path, org: str) -> AggregateInfo | None:
    """(Re)build the organisation's aggregates from its current billing rows."""
    store = OrgStore(costs_dir, org)
    with store.locked():
        if not store.has_data():
            return None
        started = time.perf_counter()
        generation = store.current.resolve()
        out = directory(costs_dir, org)
        out.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            con.execute(
                "CREATE VIEW billing AS SELECT * FROM read_parquet("  # noqa: S608 - path quoted by _lit()
                f"{_lit(str(generation / '**' / '*.parquet'))}, {HIVE_READ}, "
                "union_by_name = true)"
            )
            counts = []
            for name, sql in ((DAILY, DAILY_SQL), (TAGS, TAGS_SQL)):
                staging = out / f".{name}.tmp"
                con.execute(f"COPY ({sql}) TO {_lit(str(staging))} (FORMAT parquet)")
                count_sql = f"SELECT count(*) FROM read_parquet({_lit(str(staging))})"  # noqa: S608
                counts.append(con.execute(count_sql).fetchone()[0])  # type: ignore[index]
        finally:
            con.close()
        for name in (DAILY, TAGS):
            os.replace(out / f".{name}.tmp", out / name)
        _write_anomalies(costs_dir, org)
        result = AggregateInfo(
            generation.name, int(counts[0]), int(counts[1]), round(time.perf_counter() - started, 3)
        )
        (out / f".{INFO}.tmp").write_text(json.dumps(result.__dict__))
        os.replace(out / f".{INFO}.tmp", out / INFO)
        return result


def connect(costs_dir: Path, org: str) -> duckdb.DuckDBPyConnection | None:
    """A connection with the views `daily` and `tags`; None when nothing is aggregated yet."""
    out = directory(costs_dir, org)
    daily, tags = out / DAILY, out / TAGS
    if not daily.exists():
        return None
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # Views: a page runs a few small queries, and reading the file each time is cheaper than
    # copying it into a table first. A rebuild replaces a file by rename, so each query sees a
    # whole aggregate.
    con.execute(f"CREATE VIEW daily AS SELECT * FROM read_parquet({_lit(str(daily))})")  # noqa: S608
    con.execute(f"CREATE VIEW tags AS SELECT * FROM read_parquet({_lit(str(tags))})")  # noqa: S608
    return con


def read_anomalies(costs_dir: Path, org: str) -> list[anomalies.Anomaly]:
    """The spikes found when the aggregate was built (newest first)."""
    path = directory(costs_dir, org) / ANOMALIES
    if not path.exists():
        return []
    return [anomalies.Anomaly.from_dict(item) for item in json.loads(path.read_text())]


def _write_anomalies(costs_dir: Path, org: str) -> int:
    con = connect(costs_dir, org)
    if con is None:
        return 0
    try:
        found = anomalies.find(con)
    finally:
        con.close()
    out = directory(costs_dir, org)
    (out / f".{ANOMALIES}.tmp").write_text(json.dumps([a.to_dict() for a in found]))
    os.replace(out / f".{ANOMALIES}.tmp", out / ANOMALIES)
    return len(found)
