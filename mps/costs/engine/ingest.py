"""Streamed ingest of one FOCUS export into the Parquet store, validated in one pass by DuckDB.

DuckDB reads the file with every column as text, parses and normalises the values and computes one
bit per rule; its result streams, as Arrow batches, into partitioned Parquet in a staging directory,
in a single pass.
A second, cheap pass over two small integer columns of the staged files counts the breaches;
only a rejected file is read again, to name the first rows in error.
"""

from __future__ import annotations

import hashlib
import queue
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
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
from mps.costs.engine.store import HIVE_READ, OrgStore

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
# The column the query adds for the writer: the text a snapshot's key is the hash of.
SNAPSHOT_TEXT = "x_snapshot_text"
# The staged files are written from DuckDB's streamed result, batch by batch, by a writer thread
# (_write_partitioned): DuckDB's own COPY … PARTITION_BY holds every row (spilling to disk) until
# the end, and the Arrow dataset writer queues batches without bound when the disk or CPU is
# slower than DuckDB (docs/benchmarks.md).
BATCH_ROWS = 16_384
QUEUED_BATCHES = 2
# Row groups of this many rows; all partitions together hold at most PENDING_ROWS rows not yet
# written (about 1.3 KB a row in Arrow), and a file is closed after FILE_ROWS rows.
ROW_GROUP_ROWS = 65_536
PENDING_ROWS = 98_304
FILE_ROWS = 1_048_576
# A partition that got no rows in this many batches is written out and its file closed.
IDLE_BATCHES = 32
# Columns with (nearly) one value per row: dictionary encoding costs time and space for them.
PLAIN_ENCODED = frozenset(
    {
        "ResourceId",
        "ResourceName",
        "ChargeDescription",
        "Tags",
        "AllocatedTags",
        "AllocatedResourceId",
        "AllocatedResourceName",
        "AllocatedMethodDetails",
        "ContractApplied",
        "SkuPriceDetails",
        "CommitmentDiscountId",
        "CapacityReservationId",
    }
)

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


def build_plan(layout: Layout, source: str) -> Plan:
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

    fx_date, fx_rate = fx_sql(R.v("BillingCurrency"), "x_charge_date")
    joined = (
        "joined AS (SELECT typed.*, "  # noqa: S608 - identifiers quoted by q(), values by lit()
        f"{fx_date} AS x_fx_date, {fx_rate} AS x_fx_rate "
        f"FROM typed {fx_join(R.v('BillingCurrency'), 'typed.x_charge_date')})"
    )
    out_cols = [f"{R.v(c.name)} AS {q(c.name)}" for c in CATALOGUE]
    out_cols += [f"{q('c_' + stored)} AS {q(stored)}" for stored in layout.custom]
    out_cols += [
        "x_provider_name AS x_mps_provider_name",
        "x_charge_date AS x_mps_charge_date",
        "x_fx_date AS x_mps_fx_date",
        "x_fx_rate AS x_mps_fx_rate",
    ]
    for cost in NOK_COSTS:
        out_cols.append(f"{R.v(cost)} * x_fx_rate AS {nok_column(cost)}")
    out_cols += _flag_columns(errors, "x_mps_errors_")
    out_cols += _flag_columns(warnings, "x_mps_warnings_")
    # The partition of a row (provider slug, billing month, snapshot key) follows from this text;
    # the writer derives it once per distinct text instead of once per row (_PartitionedSink).
    snapshot_text = (
        "concat_ws('|', x_provider_name, "
        f"coalesce({R.v('BillingAccountId')}, ''), "
        f"CAST({R.v('BillingPeriodStart')} AS VARCHAR), CAST({R.v('BillingPeriodEnd')} AS VARCHAR))"
    )
    out_cols.append(f"{snapshot_text} AS {SNAPSHOT_TEXT}")
    write_sql = f"{with_sql}, {joined} SELECT {', '.join(out_cols)} FROM joined"  # noqa: S608 - identifiers quoted by q(), values by lit()
    return Plan(errors, warnings, write_sql, errors_sql)


def _connect(fx: FxTable, temp_dir: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = {lit(DUCKDB_MEMORY_LIMIT)}")
    con.execute(f"SET temp_directory = {lit(str(temp_dir))}")
    load_fx_daily(con, fx)
    return con


# The cost columns also stored in NOK (columns.nok_column), at the row's rate.
NOK_COSTS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")


def load_fx_daily(con: duckdb.DuckDBPyConnection, fx: FxTable) -> None:
    """Create the table fx_daily (currency, day, quote_day, rate): FxTable.daily() in DuckDB."""
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


def fx_join(currency: str, charge_date: str, alias: str = "fx") -> str:
    """The join that finds a row's quote in fx_daily (no match: no rate that day)."""
    return (
        f"LEFT JOIN fx_daily AS {alias} ON {alias}.currency = {currency} "
        f"AND {alias}.day = {charge_date}"
    )


def fx_sql(currency: str, charge_date: str, alias: str = "fx") -> tuple[str, str]:
    """SQL for a row's (fx date, NOK rate) over fx_join: NOK at 1 on its own day, else NULL
    where fx_daily has no quote. Shared by ingest and reconvert, so both convert alike."""
    nok = lit(HOME_CURRENCY)
    return (
        f"CASE WHEN {currency} = {nok} THEN {charge_date} ELSE {alias}.quote_day END",
        f"CASE WHEN {currency} = {nok} THEN 1.0 ELSE {alias}.rate END",
    )


def ingest_file(
    path: Path,
    costs_dir: Path,
    org: str,
    fx: FxTable,
    *,
    display_name: str | None = None,
) -> ImportResult:
    """Validate one FOCUS export and, if it has no errors, publish it for `org`.

    The file's checksum is computed in a thread while the file is converted: a file imported
    before is recognised as soon as its checksum is known (the conversion stops there), and a
    new one does not wait for it (a sixth of the time, earlier).
    """
    path = Path(path)
    file = display_name or path.name
    started = time.perf_counter()
    store = OrgStore(costs_dir, org)
    with ThreadPoolExecutor(1, thread_name_prefix="checksum") as pool:
        pending = pool.submit(file_checksum, path)
        with store.locked():
            known = set(store.manifest().checksums)

            def checksum() -> str:
                """The file's checksum; raises _AlreadyImported for a file imported before."""
                value = pending.result()
                if value in known:
                    raise _AlreadyImported(value)
                return value

            staging = store.new_staging_dir()
            phases: dict[str, float] = {}
            try:
                result = _ingest_locked(path, file, checksum, store, staging, fx, phases)
            except _AlreadyImported as exc:
                return ImportResult(Outcome.UNCHANGED, file, exc.checksum)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    phases["total"] = time.perf_counter() - started
    result.seconds = {k: round(v, 3) for k, v in phases.items()}
    return result


class _AlreadyImported(Exception):
    def __init__(self, checksum: str) -> None:
        self.checksum = checksum
        super().__init__(checksum)


def _ingest_locked(
    path: Path,
    file: str,
    checksum: Callable[[], str],
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
            return _rejected(file, checksum(), [exc.issue])
        missing = [name for name in R.REQUIRED_COLUMNS if name not in layout.raw_by_focus]
        if not any(name in layout.raw_by_focus for name in R.PROVIDER_COLUMNS):
            missing.append("ProviderName")
        if missing:
            issues = [
                Issue(file, 1, name, None, R.MISSING_COLUMN, f"required column {name} is missing")
                for name in missing
            ]
            return _rejected(file, checksum(), issues, layout.version)
        plan = build_plan(layout, source)
        out_dir = staging / "data"
        mark = time.perf_counter()
        # Stored rows need no order; the writer may then work on several row groups at once.
        con.execute("SET preserve_insertion_order = false")
        try:
            _write_partitioned(con, plan.write_sql, out_dir, lambda: checksum()[:16])
        except (duckdb.Error, UnreadableInput) as exc:
            issue = Issue(file, None, None, None, R.MALFORMED_FILE, f"cannot be read: {exc}")
            return _rejected(file, checksum(), [issue], layout.version)
        phases["convert"] = time.perf_counter() - mark
        mark = time.perf_counter()
        digest = checksum()  # known by now, except for a file without rows
        staged = lit(str(out_dir / "**" / "*.parquet"))
        reader = f"read_parquet({staged}, {HIVE_READ})"
        if not any(out_dir.rglob("*.parquet")):
            error_counts: list[RuleCount] = []
            warning_counts: list[RuleCount] = []
            snapshots: list[Snapshot] = []
        else:
            error_counts = _count_rules(
                con, reader, plan.errors, "x_mps_errors_", by_provider=False
            )
            if any(c.count for c in error_counts):
                issues = _first_errors(con, plan, file, fmt)
                return _rejected(file, digest, issues, layout.version, error_counts)
            warning_counts = _count_rules(
                con, reader, plan.warnings, "x_mps_warnings_", by_provider=True
            )
            snapshots = _snapshots(con, reader, digest, digest[:16])
            warning_counts += _column_warnings(layout, snapshots)
        phases["count"] = time.perf_counter() - mark
    finally:
        con.close()
    mark = time.perf_counter()
    replaced = store.commit(out_dir, snapshots, digest)
    phases["publish"] = time.perf_counter() - mark
    return ImportResult(
        Outcome.IMPORTED,
        file,
        digest,
        focus_version=layout.version,
        rows=sum(s.rows for s in snapshots),
        providers=sorted({s.provider for s in snapshots}),
        billing_periods=sorted({s.billing_month for s in snapshots}),
        snapshots=snapshots,
        replaced_snapshots=replaced,
        warning_counts=warning_counts,
    )


def _write_partitioned(
    con: duckdb.DuckDBPyConnection, sql: str, out_dir: Path, import_id: Callable[[], str]
) -> None:
    """Stream the query's rows into Parquet files partitioned like the store (hive layout).

    This thread pulls DuckDB's batches (DuckDB works while the GIL is released) and hands them
    to a writer thread through a short queue, so reading and validating overlap with splitting,
    compressing and writing, and memory holds only a few batches in flight.
    """
    reader = con.sql(sql).to_arrow_reader(BATCH_ROWS)
    sink = _PartitionedSink(out_dir, reader.schema, import_id)
    batches: queue.Queue[pa.RecordBatch | None] = queue.Queue(maxsize=QUEUED_BATCHES)
    stop = threading.Event()

    def write() -> None:
        failure: BaseException | None = None
        while (batch := batches.get()) is not None:
            if failure is None:
                try:
                    sink.add(batch)
                except BaseException as exc:  # handed to the reading thread below
                    failure = exc
                    stop.set()
        if failure is not None:
            raise failure
        sink.close()

    with ThreadPoolExecutor(1, thread_name_prefix="parquet-writer") as pool:
        writer = pool.submit(write)
        try:
            for batch in _batches(reader):
                if stop.is_set():
                    break
                batches.put(batch)
        finally:
            batches.put(None)
            reader.close()
            try:
                writer.result()
            finally:
                sink.abort()


class UnreadableInput(Exception):
    """The input broke off or stopped parsing part way (DuckDB's message says where)."""


def _batches(reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatch]:
    """The reader's batches; a failure to read or parse the input becomes UnreadableInput."""
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except (duckdb.Error, pa.ArrowException, OSError) as exc:
            raise UnreadableInput(str(exc)) from exc
        yield batch


@dataclass
class _Partition:
    directory: Path
    pending: list[pa.RecordBatch]
    pending_rows: int = 0
    writer: pq.ParquetWriter | None = None
    written_rows: int = 0  # in the current file
    files: int = 0
    last_batch: int = 0  # the last batch that brought rows


class _PartitionedSink:
    """Partitions batches by snapshot and writes each partition's rows in large row groups.

    A partition's rows are written as a row group once it holds ROW_GROUP_ROWS; when all
    partitions together hold more than PENDING_ROWS, the fullest is written. A partition's file
    is closed after FILE_ROWS rows, or when no rows came for IDLE_BATCHES batches, and its next
    rows go to a new file: neither pending rows nor open writers (their buffers and footers)
    grow with the file (issue 6: memory flat whatever the size).
    """

    def __init__(self, out_dir: Path, schema: pa.Schema, import_id: Callable[[], str]) -> None:
        self.out_dir = out_dir
        self.import_id = import_id
        self._import_id: str | None = None
        self.key_index = schema.get_field_index(SNAPSHOT_TEXT)
        self.provider_index = schema.get_field_index("x_mps_provider_name")
        self.period_index = schema.get_field_index("BillingPeriodStart")
        self.columns = [i for i, name in enumerate(schema.names) if name != SNAPSHOT_TEXT]
        fields = [schema.field(i) for i in self.columns]
        self.schema = pa.schema([*fields, pa.field("x_mps_import", pa.string())])
        # Dictionaries for text only: timestamps read back 2.5× slower with one (measured).
        dictionary = [
            f.name for f in fields if pa.types.is_string(f.type) and f.name not in PLAIN_ENCODED
        ]
        self.options = {"compression": "zstd", "use_dictionary": dictionary}
        self.partitions: dict[str, _Partition] = {}
        self.pending_rows = 0
        self.batches = 0

    def add(self, batch: pa.RecordBatch) -> None:
        self.batches += 1
        encoded = pc.dictionary_encode(batch.column(self.key_index))
        texts = encoded.dictionary.to_pylist()
        if len(texts) == 1:
            self._pend(texts[0], batch)
        else:
            for index, text in enumerate(texts):
                self._pend(text, batch.filter(pc.equal(encoded.indices, index)))
        if self.batches % IDLE_BATCHES == 0:
            # Exports come roughly in date order: a partition without rows for a while (a past
            # month) is written out and its file closed, so open files do not pile up.
            for partition in self.partitions.values():
                if partition.last_batch <= self.batches - IDLE_BATCHES:
                    self._flush(partition)
                    if partition.writer is not None:
                        partition.writer.close()
                        partition.writer, partition.written_rows = None, 0

    def _pend(self, text: str, rows: pa.RecordBatch) -> None:
        partition = self.partitions.get(text)
        if partition is None:
            partition = self.partitions[text] = self._partition(text, rows)
        partition.last_batch = self.batches
        partition.pending.append(rows.select(self.columns))
        partition.pending_rows += rows.num_rows
        self.pending_rows += rows.num_rows
        if partition.pending_rows >= ROW_GROUP_ROWS:
            self._flush(partition)
        while self.pending_rows > PENDING_ROWS:
            self._flush(max(self.partitions.values(), key=lambda p: p.pending_rows))

    def _partition(self, text: str, rows: pa.RecordBatch) -> _Partition:
        provider = rows.column(self.provider_index)[0].as_py()
        slug = re.sub("[^a-z0-9]+", "-", provider.lower()).strip("-") if provider else ""
        start = rows.column(self.period_index)[0].as_py()
        month = start.strftime("%Y-%m") if start is not None else "_"
        key = hashlib.md5(text.encode()).hexdigest()[:16]  # noqa: S324 - a name, not security
        directory = self.out_dir / f"provider={slug or '_'}/billing_month={month}/snapshot={key}"
        return _Partition(directory, [])

    def _flush(self, partition: _Partition) -> None:
        if not partition.pending_rows:
            return
        if self._import_id is None:
            self._import_id = self.import_id()
        table = pa.Table.from_batches(partition.pending)
        table = table.append_column(
            "x_mps_import", pa.repeat(self._import_id, table.num_rows).cast(pa.string())
        )
        self.pending_rows -= partition.pending_rows
        partition.pending, partition.pending_rows = [], 0
        if partition.writer is None:
            partition.directory.mkdir(parents=True, exist_ok=True)
            partition.writer = pq.ParquetWriter(
                partition.directory / f"part-{partition.files}.parquet",
                self.schema,
                **self.options,
            )
            partition.files += 1
        partition.writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
        partition.written_rows += table.num_rows
        if partition.written_rows >= FILE_ROWS:
            partition.writer.close()
            partition.writer, partition.written_rows = None, 0

    def close(self) -> None:
        for partition in self.partitions.values():
            self._flush(partition)
        self.abort()

    def abort(self) -> None:
        """Close every open file (what was written stays in the staging directory)."""
        for partition in self.partitions.values():
            if partition.writer is not None:
                partition.writer.close()
                partition.writer = None


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
    # Row numbers follow the order rows arrive in. DuckDB's parallel CSV scan does not keep the
    # file's order on larger files even with preserve_insertion_order (seen with 40,000 rows:
    # two of three errors named the wrong row), so this pass, run only for a rejected file,
    # reads with one thread.
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET threads = 1")
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
