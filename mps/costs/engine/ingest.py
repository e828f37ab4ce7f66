"""Streamed ingest of one FOCUS export into the Parquet store, validated in one pass by DuckDB.

DuckDB reads the file with every column as text, parses and normalises the values and computes one
bit per rule; its result streams, as Arrow batches, into partitioned Parquet in a staging directory,
in a single pass.
A second, cheap pass over two small integer columns of the staged files counts the breaches;
only a rejected file is read again, to name the first rows in error.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mps.costs.engine import rules as R
from mps.costs.engine.columns import (
    BY_NAME,
    CATALOGUE,
    CUSTOM_PREFIX,
    Kind,
    canonical_name,
    detect_version,
    nok_column,
)
from mps.costs.engine.fx import HOME_CURRENCY, FxTable
from mps.costs.engine.results import (
    ImportResult,
    IngestError,
    Issue,
    Outcome,
    RuleCount,
    Severity,
    Snapshot,
)
from mps.costs.engine.store import OrgStore

# Issue 6: report the first 100 errors, and counts of the rest.
MAX_REPORTED_ERRORS = 100
# Bits per flag column: BIGINT has 63 usable bits; keep one spare.
BITS_PER_FLAG_COLUMN = 62
# DuckDB memory ceiling for one import. Issue 6 asks for < 1 GB peak whatever the file size;
# DuckDB spills to the staging directory beyond this.
DUCKDB_MEMORY_LIMIT = "600MB"
# Read the file in 1 MiB blocks when computing its checksum.
CHECKSUM_BLOCK = 1 << 20
# Strings the CSV reader takes as empty: real exports write the text NULL (issue 6).
NULL_STRINGS = ("", "NULL", "null", "Null")
# Names our own derived columns use; custom columns that collide are renamed.
RESERVED_PREFIX = "x_mps_"
PARTITION_COLUMNS = ("provider", "billing_month", "snapshot")
# The staged files are written from DuckDB's streamed result, batch by batch (_write_partitioned):
# DuckDB's own COPY … PARTITION_BY holds every row (spilling to disk) until the end, which cost a
# third of the import's CPU and ~1 GB of temporary disk per million rows (docs/benchmarks.md); the
# Arrow dataset writer queues batches without bound when the disk or CPU is slower than DuckDB.
BATCH_ROWS = 16_384
ROW_GROUP_ROWS = 8_192

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHECKSUM_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def detect_format(path: Path) -> str:
    """'parquet', 'csv.gz' or 'csv', from the first bytes rather than the file name."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head.startswith(GZIP_MAGIC):
        return "csv.gz"
    return "csv"


def source_sql(path: Path, fmt: str) -> str:
    if fmt == "parquet":
        return f"read_parquet({lit(str(path))})"
    nulls = "[" + ", ".join(lit(s) for s in NULL_STRINGS) + "]"
    compression = "gzip" if fmt == "csv.gz" else "none"
    return (
        f"read_csv({lit(str(path))}, all_varchar = true, header = true, nullstr = {nulls}, "
        f"compression = '{compression}', auto_detect = true)"
    )


@dataclass(frozen=True)
class Layout:
    """How the file's header maps onto FOCUS columns."""

    raw_by_focus: dict[str, str]  # canonical FOCUS name -> header as written
    custom: dict[str, str]  # stored name -> header as written
    unprefixed: list[str]  # custom headers without the x_ prefix (a conformance warning)
    version: str


def read_layout(con: duckdb.DuckDBPyConnection, source: str, file: str) -> Layout:
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()  # noqa: S608 - identifiers quoted by q(), values by lit()
    except duckdb.Error as exc:
        raise IngestError(
            Issue(
                file,
                None,
                None,
                None,
                R.MALFORMED_FILE,
                f"not a readable CSV or Parquet file: {exc}",
            )
        ) from None
    raw_by_focus: dict[str, str] = {}
    custom: dict[str, str] = {}
    unprefixed: list[str] = []
    for header, *_rest in described:
        name = canonical_name(header)
        if name is not None:
            if name in raw_by_focus:
                raise IngestError(
                    Issue(file, 1, header, header, R.MALFORMED_FILE, f"column {name} appears twice")
                )
            raw_by_focus[name] = header
            continue
        stored = header.strip()
        if not stored.startswith(CUSTOM_PREFIX):
            unprefixed.append(header)
        if stored.lower().startswith(RESERVED_PREFIX) or stored.lower() in PARTITION_COLUMNS:
            stored = "x_renamed_" + stored
        custom[stored] = header
    return Layout(raw_by_focus, custom, unprefixed, detect_version(set(raw_by_focus)))


def _typed_expr(name: str, raw: str) -> str:
    kind = BY_NAME[name].kind
    if kind == Kind.DECIMAL:
        return f"TRY_CAST({raw} AS DOUBLE)"
    if kind == Kind.DATETIME:
        # ISO 8601 only: DuckDB would otherwise read 5/1/25 as the year 5. Without an offset the
        # time is taken as UTC (the session time zone); a space instead of T is accepted.
        return f"CASE WHEN {raw} LIKE '____-__-__%' THEN TRY_CAST({raw} AS TIMESTAMPTZ) END"
    if kind == Kind.CURRENCY:
        return f"upper(trim({raw}))"
    if kind == Kind.ENUM:
        cases = " ".join(
            f"WHEN {lit(_enum_key(value))} THEN {lit(value)}" for value in BY_NAME[name].allowed
        )
        exact = ", ".join(lit(value) for value in BY_NAME[name].allowed)
        # Most exports write the canonical spelling: test that first, fold case only otherwise.
        folded = f"CASE lower(replace(replace(trim({raw}), '-', ''), ' ', '')) {cases} END"
        return f"CASE WHEN {raw} IN ({exact}) THEN {raw} ELSE {folded} END"
    if kind == Kind.JSON and name in ("Tags", "AllocatedTags"):
        # Tag keys with stray spaces (" env" or "env ") are trimmed (issue 6).
        trimmed = (
            f"regexp_replace({raw}, '\"\\s*((?:[^\"\\\\]|\\\\.)*?)\\s*\"\\s*:', '\"\\1\":', 'g')"
        )
        # Only text with a quote next to a space can hold such a key: skip the regex otherwise.
        return f"CASE WHEN contains({raw}, '\" ') OR contains({raw}, ' \":') THEN {trimmed} ELSE {raw} END"
    return raw


def _enum_key(value: str) -> str:
    return value.replace("-", "").replace(" ", "").lower()


def _flag_columns(checks: list[R.Rule], prefix: str) -> list[str]:
    """SQL for bitmask columns: bit k of column k // 62 is set when check k is broken."""
    columns = []
    for start in range(0, max(len(checks), 1), BITS_PER_FLAG_COLUMN):
        chunk = checks[start : start + BITS_PER_FLAG_COLUMN]
        terms = [
            f"CASE WHEN {rule.predicate} THEN {1 << bit} ELSE 0 END"
            for bit, rule in enumerate(chunk)
        ] or ["0"]
        columns.append(
            f"CAST({' + '.join(terms)} AS BIGINT) AS {prefix}{start // BITS_PER_FLAG_COLUMN}"
        )
    return columns


@dataclass(frozen=True)
class Plan:
    errors: list[R.Rule]
    warnings: list[R.Rule]
    write_sql: str
    errors_sql: str  # the error flags and raw values in file order, for the report


def build_plan(layout: Layout, source: str, import_id: str) -> Plan:
    present = set(layout.raw_by_focus)
    all_rules = R.row_rules(present, layout.version)
    errors = [rule for rule in all_rules if rule.severity == Severity.ERROR]
    warnings = [rule for rule in all_rules if rule.severity == Severity.WARNING]

    src_cols = [f"{q(raw)} AS {R.r(name)}" for name, raw in layout.raw_by_focus.items()]
    src_cols += [f"{q(raw)} AS {q('c_' + stored)}" for stored, raw in layout.custom.items()]
    if layout.raw_by_focus and source.startswith("read_parquet"):
        src_cols = [
            f"CAST({q(raw)} AS VARCHAR) AS {R.r(name)}" for name, raw in layout.raw_by_focus.items()
        ] + [
            f"CAST({q(raw)} AS VARCHAR) AS {q('c_' + stored)}"
            for stored, raw in layout.custom.items()
        ]

    typed_cols = []
    for column in CATALOGUE:
        if column.name in present:
            typed_cols.append(f"{_typed_expr(column.name, R.r(column.name))} AS {R.v(column.name)}")
        else:
            sql_type = {
                Kind.DECIMAL: "DOUBLE",
                Kind.DATETIME: "TIMESTAMPTZ",
            }.get(column.kind, "VARCHAR")
            typed_cols.append(f"CAST(NULL AS {sql_type}) AS {R.v(column.name)}")
    provider_parts = [R.v(n) for n in R.PROVIDER_COLUMNS]
    typed_cols.append(f"coalesce({', '.join(provider_parts)}) AS x_provider_name")
    typed_cols.append(f"CAST({R.v('ChargePeriodStart')} AS DATE) AS x_charge_date")

    with_sql = (
        f"WITH src AS (SELECT {', '.join(src_cols)} FROM {source}), "  # noqa: S608 - identifiers quoted by q(), values by lit()
        f"typed AS (SELECT src.*, {', '.join(typed_cols)} FROM src)"
    )
    errors_sql = (
        f"{with_sql} SELECT {', '.join(_flag_columns(errors, 'e'))}, "  # noqa: S608 - identifiers quoted by q(), values by lit()
        + ", ".join(R.r(n) for n in layout.raw_by_focus)
        + " FROM typed"
    )

    nok = lit(HOME_CURRENCY)
    joined = (
        "joined AS (SELECT typed.*, "  # noqa: S608 - identifiers quoted by q(), values by lit()
        f"CASE WHEN {R.v('BillingCurrency')} = {nok} THEN x_charge_date ELSE fx.quote_day END AS x_fx_date, "
        f"CASE WHEN {R.v('BillingCurrency')} = {nok} THEN 1.0 ELSE fx.rate END AS x_fx_rate "
        f"FROM typed LEFT JOIN fx_daily AS fx ON fx.currency = {R.v('BillingCurrency')} "
        "AND fx.day = typed.x_charge_date)"
    )
    out_cols = [f"{R.v(c.name)} AS {q(c.name)}" for c in CATALOGUE]
    out_cols += [f"{q('c_' + stored)} AS {q(stored)}" for stored in layout.custom]
    out_cols += [
        "x_provider_name AS x_mps_provider_name",
        "x_charge_date AS x_mps_charge_date",
        "x_fx_date AS x_mps_fx_date",
        "x_fx_rate AS x_mps_fx_rate",
    ]
    for cost in ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost"):
        out_cols.append(f"{R.v(cost)} * x_fx_rate AS {nok_column(cost)}")
    out_cols += _flag_columns(errors, "x_mps_errors_")
    out_cols += _flag_columns(warnings, "x_mps_warnings_")
    out_cols.append(f"{lit(import_id)} AS x_mps_import")
    slug = "trim(regexp_replace(lower(x_provider_name), '[^a-z0-9]+', '-', 'g'), '-')"
    out_cols.append(f"coalesce(nullif({slug}, ''), '_') AS provider")
    out_cols.append(
        f"coalesce(strftime({R.v('BillingPeriodStart')}, '%Y-%m'), '_') AS billing_month"
    )
    snapshot_key = (
        "concat_ws('|', x_provider_name, "
        f"coalesce({R.v('BillingAccountId')}, ''), "
        f"CAST({R.v('BillingPeriodStart')} AS VARCHAR), CAST({R.v('BillingPeriodEnd')} AS VARCHAR))"
    )
    out_cols.append(f"substr(md5({snapshot_key}), 1, 16) AS snapshot")
    write_sql = f"{with_sql}, {joined} SELECT {', '.join(out_cols)} FROM joined"  # noqa: S608 - identifiers quoted by q(), values by lit()
    return Plan(errors, warnings, write_sql, errors_sql)


def _connect(fx: FxTable, temp_dir: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = {lit(DUCKDB_MEMORY_LIMIT)}")
    con.execute(f"SET temp_directory = {lit(str(temp_dir))}")
    daily = fx.daily()
    table = pa.table(
        {
            "currency": pa.array([d[0] for d in daily], pa.string()),
            "day": pa.array([d[1] for d in daily], pa.date32()),
            "quote_day": pa.array([d[2] for d in daily], pa.date32()),
            "rate": pa.array([d[3] for d in daily], pa.float64()),
        }
    )
    con.register("fx_daily_arrow", table)
    con.execute("CREATE TABLE fx_daily AS SELECT * FROM fx_daily_arrow")
    con.unregister("fx_daily_arrow")
    return con


def ingest_file(
    path: Path,
    costs_dir: Path,
    org: str,
    fx: FxTable,
    *,
    display_name: str | None = None,
) -> ImportResult:
    """Validate one FOCUS export and, if it has no errors, publish it for `org`."""
    path = Path(path)
    file = display_name or path.name
    started = time.perf_counter()
    checksum = file_checksum(path)
    phases = {"checksum": time.perf_counter() - started}
    store = OrgStore(costs_dir, org)
    with store.locked():
        manifest = store.manifest()
        if checksum in manifest.checksums:
            return ImportResult(Outcome.UNCHANGED, file, checksum)
        staging = store.new_staging_dir()
        try:
            result = _ingest_locked(path, file, checksum, store, staging, fx, phases)
            result.seconds = {k: round(v, 3) for k, v in phases.items()}
            return result
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _ingest_locked(
    path: Path,
    file: str,
    checksum: str,
    store: OrgStore,
    staging: Path,
    fx: FxTable,
    phases: dict[str, float],
) -> ImportResult:
    fmt = detect_format(path)
    source = source_sql(path, fmt)
    con = _connect(fx, staging / ".spill")
    try:
        try:
            layout = read_layout(con, source, file)
        except IngestError as exc:
            return _rejected(file, checksum, [exc.issue])
        missing = [name for name in R.REQUIRED_COLUMNS if name not in layout.raw_by_focus]
        if not any(name in layout.raw_by_focus for name in R.PROVIDER_COLUMNS):
            missing.append("ProviderName")
        if missing:
            issues = [
                Issue(file, 1, name, None, R.MISSING_COLUMN, f"required column {name} is missing")
                for name in missing
            ]
            return _rejected(file, checksum, issues, layout.version)
        import_id = checksum[:16]
        plan = build_plan(layout, source, import_id)
        out_dir = staging / "data"
        mark = time.perf_counter()
        # Stored rows need no order; the writer may then work on several row groups at once.
        con.execute("SET preserve_insertion_order = false")
        try:
            _write_partitioned(con, plan.write_sql, out_dir)
        except (duckdb.Error, pa.ArrowException) as exc:
            issue = Issue(file, None, None, None, R.MALFORMED_FILE, f"cannot be read: {exc}")
            return _rejected(file, checksum, [issue], layout.version)
        phases["convert"] = time.perf_counter() - mark
        mark = time.perf_counter()
        staged = lit(str(out_dir / "**" / "*.parquet"))
        reader = f"read_parquet({staged}, hive_partitioning = true)"
        error_counts = _count_rules(con, reader, plan.errors, "x_mps_errors_", by_provider=False)
        if any(c.count for c in error_counts):
            issues = _first_errors(con, plan, file, fmt)
            return _rejected(file, checksum, issues, layout.version, error_counts)
        warning_counts = _count_rules(
            con, reader, plan.warnings, "x_mps_warnings_", by_provider=True
        )
        snapshots = _snapshots(con, reader, checksum, import_id)
        warning_counts += _column_warnings(layout, snapshots)
        phases["count"] = time.perf_counter() - mark
    finally:
        con.close()
    mark = time.perf_counter()
    replaced = store.commit(out_dir, snapshots, checksum)
    phases["publish"] = time.perf_counter() - mark
    return ImportResult(
        Outcome.IMPORTED,
        file,
        checksum,
        focus_version=layout.version,
        rows=sum(s.rows for s in snapshots),
        providers=sorted({s.provider for s in snapshots}),
        billing_periods=sorted({s.billing_month for s in snapshots}),
        snapshots=snapshots,
        replaced_snapshots=replaced,
        warning_counts=warning_counts,
    )


def _write_partitioned(con: duckdb.DuckDBPyConnection, sql: str, out_dir: Path) -> None:
    """Stream the query's rows into Parquet files partitioned like the store (hive layout).

    Batches are pulled one at a time, so DuckDB runs only a little ahead of the writer. A
    partition's rows are written as a row group once it holds ROW_GROUP_ROWS, or as soon as a
    batch brings it none (exports come roughly in date order: its month is over), so memory
    holds at most a row group per partition in use, whatever the file size.
    """
    reader = con.sql(sql).to_arrow_reader(BATCH_ROWS)
    keys = list(PARTITION_COLUMNS)
    columns = [name for name in reader.schema.names if name not in PARTITION_COLUMNS]
    schema = pa.schema([reader.schema.field(name) for name in columns])
    writers: dict[tuple[str, ...], pq.ParquetWriter] = {}
    pending: dict[tuple[str, ...], list[pa.Table]] = {}

    def flush(key: tuple[str, ...]) -> None:
        parts = pending.pop(key)
        if key not in writers:
            directory = out_dir.joinpath(*(f"{k}={v}" for k, v in zip(keys, key, strict=True)))
            directory.mkdir(parents=True, exist_ok=True)
            writers[key] = pq.ParquetWriter(
                directory / "part-0.parquet", schema, compression="zstd"
            )
        writers[key].write_table(pa.concat_tables(parts), row_group_size=ROW_GROUP_ROWS)

    try:
        for batch in reader:
            table = pa.Table.from_batches([batch])
            found = table.select(keys).group_by(keys).aggregate([]).to_pylist()
            seen = set()
            for row in found:
                key = tuple(row[k] for k in keys)
                part = table
                if len(found) > 1:
                    mask = pc.and_(
                        pc.and_(pc.equal(table[keys[0]], key[0]), pc.equal(table[keys[1]], key[1])),
                        pc.equal(table[keys[2]], key[2]),
                    )
                    part = table.filter(mask)
                seen.add(key)
                pending.setdefault(key, []).append(part.select(columns))
                if sum(t.num_rows for t in pending[key]) >= ROW_GROUP_ROWS:
                    flush(key)
            for key in [k for k in pending if k not in seen]:
                flush(key)
        for key in list(pending):
            flush(key)
    finally:
        reader.close()
        for writer in writers.values():
            writer.close()


def _rejected(
    file: str,
    checksum: str,
    issues: list[Issue],
    version: str | None = None,
    counts: list[RuleCount] | None = None,
) -> ImportResult:
    if counts is None:
        totals: dict[tuple[str, str | None], int] = {}
        for issue in issues:
            key = (issue.rule, issue.column)
            totals[key] = totals.get(key, 0) + 1
        counts = [
            RuleCount(rule, Severity.ERROR, n, None, col) for (rule, col), n in totals.items()
        ]
    return ImportResult(
        Outcome.REJECTED,
        file,
        checksum,
        focus_version=version,
        errors=issues[:MAX_REPORTED_ERRORS],
        error_counts=[c for c in counts if c.count],
    )


def _count_rules(
    con: duckdb.DuckDBPyConnection,
    reader: str,
    checks: list[R.Rule],
    prefix: str,
    *,
    by_provider: bool,
) -> list[RuleCount]:
    if not checks:
        return []
    aggregates = []
    for index in range(len(checks)):
        column = f"{prefix}{index // BITS_PER_FLAG_COLUMN}"
        bit = 1 << (index % BITS_PER_FLAG_COLUMN)
        aggregates.append(f"count(*) FILTER (WHERE ({column} & {bit}) <> 0)")
    group = "x_mps_provider_name" if by_provider else "NULL"
    rows = con.execute(
        f"SELECT {group} AS p, {', '.join(aggregates)} FROM {reader} GROUP BY ALL"  # noqa: S608 - identifiers quoted by q(), values by lit()
    ).fetchall()
    counts = []
    for provider, *values in rows:
        for rule, count in zip(checks, values, strict=True):
            if count:
                counts.append(
                    RuleCount(rule.code, rule.severity, int(count), provider, rule.column)
                )
    return counts


def _snapshots(
    con: duckdb.DuckDBPyConnection, reader: str, checksum: str, import_id: str
) -> list[Snapshot]:
    rows = con.execute(
        "SELECT any_value(x_mps_provider_name), provider, "  # noqa: S608 - identifiers quoted by q(), values by lit()
        "coalesce(any_value(BillingAccountId), ''), "
        "strftime(min(BillingPeriodStart), '%Y-%m-%dT%H:%M:%SZ'), "
        "strftime(max(BillingPeriodEnd), '%Y-%m-%dT%H:%M:%SZ'), "
        f"billing_month, snapshot, count(*) FROM {reader} "
        "GROUP BY provider, billing_month, snapshot ORDER BY 2, 6, 3"
    ).fetchall()
    return [
        Snapshot(
            provider=row[0],
            provider_slug=row[1],
            billing_account_id=row[2],
            billing_period_start=row[3],
            billing_period_end=row[4],
            billing_month=row[5],
            key=row[6],
            rows=int(row[7]),
            checksum=checksum,
            import_id=import_id,
        )
        for row in rows
    ]


def _column_warnings(layout: Layout, snapshots: list[Snapshot]) -> list[RuleCount]:
    providers = sorted({s.provider for s in snapshots})
    return [
        RuleCount(R.CUSTOM_COLUMN_PREFIX, Severity.WARNING, 1, provider, header)
        for provider in providers
        for header in layout.unprefixed
    ]


def _first_errors(con: duckdb.DuckDBPyConnection, plan: Plan, file: str, fmt: str) -> list[Issue]:
    """Stream the file once more, in order, and describe the first rows in error."""
    first_row = 1 if fmt == "parquet" else 2  # a CSV's header is row 1
    con.execute("SET preserve_insertion_order = true")  # row numbers follow the file
    issues: list[Issue] = []
    result = con.sql(plan.errors_sql)
    reader = result.to_arrow_reader(100_000)
    offset = 0
    flag_names = [f"e{i}" for i in range((len(plan.errors) - 1) // BITS_PER_FLAG_COLUMN + 1)]
    for batch in reader:
        any_error = None
        for name in flag_names:
            nonzero = pc.not_equal(batch.column(name), 0)
            any_error = nonzero if any_error is None else pc.or_(any_error, nonzero)
        assert any_error is not None
        if pc.any(any_error).as_py():
            indices = pc.indices_nonzero(any_error).to_pylist()
            for index in indices:
                flags = [batch.column(name)[index].as_py() for name in flag_names]
                for k, rule in enumerate(plan.errors):
                    if flags[k // BITS_PER_FLAG_COLUMN] & (1 << (k % BITS_PER_FLAG_COLUMN)):
                        raw_name = "r_" + rule.column
                        value = None
                        if raw_name in batch.schema.names:
                            value = batch.column(raw_name)[index].as_py()
                        issues.append(
                            Issue(
                                file,
                                offset + index + first_row,
                                rule.column,
                                None if value is None else str(value)[:200],
                                rule.code,
                                f"{rule.column}: {rule.message}",
                            )
                        )
                        if len(issues) >= MAX_REPORTED_ERRORS:
                            return issues
        offset += batch.num_rows
    return issues
