"""Read access to one organisation's billing rows with DuckDB (a view named `billing`)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from mps.costs.engine.fx import FxTable
from mps.costs.engine.store import HIVE_READ, OrgStore


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connect(
    costs_dir: Path, org: str, fx: FxTable | None = None
) -> duckdb.DuckDBPyConnection | None:
    """A connection with the view `billing` (and `fx_daily` when fx is given); None if no data."""
    store = OrgStore(costs_dir, org)
    if not store.has_data():
        return None
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # Resolve the symlink once: a concurrent import then cannot swap files under this query.
    root = store.current.resolve()
    con.execute(
        "CREATE VIEW billing AS SELECT * FROM read_parquet("  # noqa: S608 - identifiers quoted by q(), values by lit()
        f"{_lit(str(root / '**' / '*.parquet'))}, {HIVE_READ}, union_by_name = true)"
    )
    if fx is not None:
        daily = fx.daily()
        table = pa.table(
            {
                "currency": pa.array([d[0] for d in daily], pa.string()),
                "day": pa.array([d[1] for d in daily], pa.date32()),
                "rate": pa.array([d[3] for d in daily], pa.float64()),
            }
        )
        con.register("fx_daily_arrow", table)
        con.execute("CREATE TABLE fx_daily AS SELECT * FROM fx_daily_arrow")
        con.unregister("fx_daily_arrow")
    return con
