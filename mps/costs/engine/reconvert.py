"""Convert billing rows to NOK that were imported before their day had an exchange rate.

Ingest converts each row at its charge date's rate; a row whose day had none is stored with a
NULL rate and left out of every amount (docs/costs.md). Once rates for that day exist, this
module rewrites only the snapshots holding such rows: the same rows in the same order, every
column as it was, except that rows without a rate get the rate, the fx date and the NOK costs,
computed by the same SQL as ingest (ingest.fx_join / fx_sql). The rewritten snapshots are
published as a new store generation (OrgStore.replace_files): readers see the old or the new,
and a failure leaves the old generation in place.

Rows that already have a rate are never changed, even where newer rates differ for their day:
an amount shown, reported or budgeted against stays what it was (a deliberate choice; a provider's
restated file is the way to change converted rows).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from mps.costs.engine.columns import nok_column
from mps.costs.engine.fx import MAX_RATE_AGE_DAYS, FxTable
from mps.costs.engine.ingest import (
    DUCKDB_MEMORY_LIMIT,
    NOK_COSTS,
    PLAIN_ENCODED,
    ROW_GROUP_ROWS,
    fx_join,
    fx_sql,
    lit,
    load_fx_daily,
    q,
)
from mps.costs.engine.store import HIVE_READ, OrgStore, snapshot_dir

RATE = "x_mps_fx_rate"
FX_DATE = "x_mps_fx_date"
CHARGE_DATE = "x_mps_charge_date"
CURRENCY = "BillingCurrency"
# Rows are read back from DuckDB in batches of this many and written in ROW_GROUP_ROWS groups.
BATCH_ROWS = 16_384


class ReconvertError(RuntimeError):
    """A snapshot file could not be rewritten; the store is left as it was."""


@dataclass(frozen=True)
class ReconvertResult:
    """What one organisation's reconversion did (rows counted over the whole store)."""

    org: str
    unconverted_before: int  # rows without a rate before
    rows_converted: int  # rows that got a rate now
    unconverted_after: int  # rows still without a rate
    snapshots_rewritten: list[str] = field(default_factory=list)  # snapshot keys
    generation: str | None = None  # the new store generation; None when nothing changed
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return self.generation is not None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Pending:
    unconverted: int  # rows without a rate in the snapshot
    convertible: int  # of those, rows whose day now has a rate
    in_range: int  # of those, rows with a charge date in the range asked for


def reconvert(
    costs_dir: Path,
    org: str,
    fx: FxTable,
    first: date | None = None,
    last: date | None = None,
) -> ReconvertResult:
    """Give rows without a rate the rate `fx` now has for their day; publish atomically.

    `first`..`last` are the days of newly imported rates: only snapshots with a convertible row
    charged in that range (or up to MAX_RATE_AGE_DAYS after `last`, which a quote also covers)
    are rewritten. Without them every snapshot with a convertible row is.
    """
    started = time.perf_counter()
    store = OrgStore(costs_dir, org)
    with store.locked():
        if not store.has_data():
            return ReconvertResult(org, 0, 0, 0)
        generation = store.current.resolve()
        staging = store.new_staging_dir()
        try:
            con = _connect(fx, staging / ".spill")
            try:
                pending = _pending(con, generation, first, last)
                chosen = [
                    s
                    for s in store.manifest().snapshots
                    if s.key in pending and pending[s.key].in_range
                ]
                before = sum(p.unconverted for p in pending.values())
                if not chosen:
                    return ReconvertResult(org, before, 0, before)
                out = staging / "data"
                for snapshot in chosen:
                    source = generation / snapshot_dir(snapshot)
                    target = out / snapshot_dir(snapshot)
                    target.mkdir(parents=True)
                    for file in sorted(source.iterdir()):
                        _rewrite(con, file, target / file.name)
            finally:
                con.close()
            converted = sum(pending[s.key].convertible for s in chosen)
            name = store.replace_files(out, {s.key for s in chosen})
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return ReconvertResult(
        org,
        before,
        converted,
        before - converted,
        [s.key for s in chosen],
        name,
        round(time.perf_counter() - started, 3),
    )


def unconverted_rows(costs_dir: Path, org: str) -> int:
    """Rows of the organisation's current billing data without an exchange rate."""
    store = OrgStore(costs_dir, org)
    if not store.has_data():
        return 0
    con = duckdb.connect()
    try:
        row = con.execute(
            f"SELECT count(*) FROM {_reader(store.current.resolve())} WHERE {RATE} IS NULL"  # noqa: S608 - path quoted by lit()
        ).fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0


def _connect(fx: FxTable, temp_dir: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = {lit(DUCKDB_MEMORY_LIMIT)}")
    con.execute(f"SET temp_directory = {lit(str(temp_dir))}")
    load_fx_daily(con, fx)
    return con


def _reader(generation: Path) -> str:
    # Snapshot keys are hex: without autocast an all-digit key stays text (leading zeros kept).
    return (
        f"read_parquet({lit(str(generation / '**' / '*.parquet'))}, {HIVE_READ}, "
        "union_by_name = true)"
    )


def _pending(
    con: duckdb.DuckDBPyConnection, generation: Path, first: date | None, last: date | None
) -> dict[str, _Pending]:
    """Per snapshot key with rows without a rate: how many, and how many can convert now."""
    _fx_date, rate = fx_sql(f"b.{q(CURRENCY)}", f"b.{CHARGE_DATE}")
    in_range = "true"
    if first is not None and last is not None:
        until = last + timedelta(days=MAX_RATE_AGE_DAYS)
        in_range = f"b.{CHARGE_DATE} BETWEEN {lit(first.isoformat())} AND {lit(until.isoformat())}"
    try:
        rows = con.execute(
            f"SELECT b.snapshot, count(*), count(*) FILTER (WHERE {rate} IS NOT NULL), "  # noqa: S608 - identifiers quoted by q(), values by lit()
            f"count(*) FILTER (WHERE {rate} IS NOT NULL AND {in_range}) "
            f"FROM {_reader(generation)} AS b {fx_join(f'b.{q(CURRENCY)}', f'b.{CHARGE_DATE}')} "
            f"WHERE b.{RATE} IS NULL GROUP BY b.snapshot"
        ).fetchall()
    except duckdb.Error as exc:
        raise ReconvertError(f"{generation}: cannot be read: {exc}") from exc
    return {str(key): _Pending(int(n), int(c), int(r)) for key, n, c, r in rows}


def _rewrite(con: duckdb.DuckDBPyConnection, source: Path, target: Path) -> None:
    """Copy one Parquet file, filling the rate, fx date and NOK costs of rows without a rate.

    The file's own schema (and its encoding options, as ingest writes them) is kept; rows keep
    their order (file_row_number).
    """
    try:
        schema = pq.read_schema(source)
    except (pa.ArrowException, OSError) as exc:
        raise ReconvertError(f"{source}: not a readable Parquet file: {exc}") from exc
    names = set(schema.names)
    missing = [c for c in (RATE, FX_DATE, CHARGE_DATE, CURRENCY, *NOK_COSTS) if c not in names]
    missing += [nok_column(c) for c in NOK_COSTS if nok_column(c) not in names]
    if missing:
        raise ReconvertError(f"{source}: lacks column(s) {', '.join(missing)}")
    fx_date, rate = fx_sql(f"b.{q(CURRENCY)}", f"b.{CHARGE_DATE}")
    without = f"b.{RATE} IS NULL"
    replaced = {
        RATE: f"CASE WHEN {without} THEN {rate} ELSE b.{RATE} END",
        FX_DATE: f"CASE WHEN {without} THEN {fx_date} ELSE b.{FX_DATE} END",
    }
    for cost in NOK_COSTS:
        # As ingest: the cost in the billing currency times the row's rate.
        replaced[nok_column(cost)] = (
            f"CASE WHEN {without} THEN b.{q(cost)} * ({rate}) ELSE b.{q(nok_column(cost))} END"
        )
    select = ", ".join(f"{replaced.get(n, 'b.' + q(n))} AS {q(n)}" for n in schema.names)
    sql = (
        f"SELECT {select} FROM read_parquet({lit(str(source))}, hive_partitioning = false, "  # noqa: S608 - identifiers quoted by q(), values by lit()
        f"file_row_number = true) AS b "
        f"{fx_join(f'b.{q(CURRENCY)}', f'b.{CHARGE_DATE}')} ORDER BY b.file_row_number"
    )
    dictionary = [
        f.name for f in schema if pa.types.is_string(f.type) and f.name not in PLAIN_ENCODED
    ]
    expected = pq.ParquetFile(source).metadata.num_rows
    written = 0
    try:
        reader = con.sql(sql).to_arrow_reader(BATCH_ROWS)
        with pq.ParquetWriter(
            target, schema, compression="zstd", use_dictionary=dictionary
        ) as writer:
            pending: list[pa.RecordBatch] = []
            rows = 0
            for batch in reader:
                pending.append(batch)
                rows += batch.num_rows
                if rows >= ROW_GROUP_ROWS:
                    written += _write(writer, pending, schema)
                    pending, rows = [], 0
            written += _write(writer, pending, schema)
    except (duckdb.Error, pa.ArrowException, OSError) as exc:
        raise ReconvertError(f"{source}: cannot be rewritten: {exc}") from exc
    if written != expected:
        raise ReconvertError(f"{source}: {written} rows rewritten of {expected}")


def _write(writer: pq.ParquetWriter, batches: list[pa.RecordBatch], schema: pa.Schema) -> int:
    if not batches:
        return 0
    table = pa.Table.from_batches(batches).cast(schema)
    writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
    return int(table.num_rows)
