"""Ingest benchmark: mps against a pandas implementation and a bare CSV-to-Parquet conversion.

Each contender runs in its own subprocess, which reports its wall time and its own peak RSS
(resource.getrusage), on generated FOCUS 1.2 CSV files of two sizes (to show memory is flat):

    .venv/bin/python bench/costs/bench_ingest.py --rows 1000000 10000000 --dir /tmp/costbench

Files above 1M rows are the 1M file repeated as more resources (see generate). Results and
the profile behind the current ingest: docs/benchmarks.md, "Costs: FOCUS ingest and re-aggregation".

Not part of the test suite. `--append docs/benchmarks.md` adds the table to that file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ORG = "974760673"
CONTENDERS = ("mps", "pandas", "bare-duckdb", "bare-polars")
# Pandas reads this many rows at a time: a careful implementation does not load 10 GB at once.
PANDAS_CHUNK_ROWS = 200_000
# Files up to this size are written row by row by the synthetic generator; larger ones repeat it.
BASE_ROWS = 1_000_000
SCALED_COLUMNS = (
    "BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "ConsumedQuantity",
    "PricingQuantity", "CommitmentDiscountQuantity", "PricingCurrencyEffectiveCost",
)  # fmt: skip


def generate(path: Path, rows: int) -> None:
    """A FOCUS 1.2 CSV of `rows` rows (about 960 bytes a row, every FOCUS 1.2 column).

    Up to BASE_ROWS rows come straight from mps.costs.engine.synthetic (messy, a year, four
    providers). The Python generator writes about 17,000 rows per CPU second, so a larger file
    is the base file repeated as more resources: copy k gets its own ResourceId/ResourceName
    and its quantities and costs scaled by its own factor (so values are not repeated), rows
    interleaved in blocks of DuckDB's vector size, written by DuckDB.
    """
    from mps.costs.engine import synthetic

    if rows <= BASE_ROWS:
        days = 366
        resources = math.ceil(rows / (days * len(synthetic.PROVIDERS)))
        spec = synthetic.Spec(
            start=date(2024, 1, 1), days=days, resources=resources, messy=True, seed=rows
        )
        synthetic.write_csv(path, spec, limit=rows)
        return
    import duckdb

    base = path.with_name(f"focus-{BASE_ROWS}.csv")
    if not base.exists():
        generate(base, BASE_ROWS)
    copies = math.ceil(rows / BASE_ROWS)
    scaled = []
    for name in SCALED_COLUMNS:
        scaled.append(
            f"CASE WHEN k = 0 OR {name} IS NULL OR {name} = 'NULL' THEN {name} "
            f"ELSE printf('%.10g', TRY_CAST({name} AS DOUBLE) * (1 + k * 0.037)) END AS {name}"
        )
    for name in ("ResourceId", "ResourceName"):
        scaled.append(
            f"CASE WHEN k = 0 OR {name} IS NULL OR {name} = 'NULL' THEN {name} "
            f"ELSE {name} || '-c' || k END AS {name}"
        )
    header = ", ".join(synthetic.HEADER)
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT {header} FROM (SELECT * REPLACE ({', '.join(scaled)}) "  # noqa: S608
        f"FROM read_csv('{base}', all_varchar = true, header = true), range({copies}) AS t(k)) "
        f"LIMIT {rows}) TO '{path}' (FORMAT csv, HEADER true)"
    )


def run_mps(source: Path, out: Path) -> int:
    from mps.costs.engine.fx import shipped_table
    from mps.costs.engine.ingest import ingest_file

    result = ingest_file(source, out / "costs", ORG, shipped_table())
    if not result.ok:
        raise SystemExit(f"mps rejected the file: {result.errors[:3]}")
    return result.rows


def run_bare_duckdb(source: Path, out: Path) -> int:
    import duckdb

    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_csv('{source}', nullstr = ['', 'NULL'])) "  # noqa: S608
        f"TO '{out / 'bare.parquet'}' (FORMAT parquet)"
    )
    return int(con.execute(f"SELECT count(*) FROM '{out / 'bare.parquet'}'").fetchone()[0])  # noqa: S608


def run_bare_polars(source: Path, out: Path) -> int:
    import polars as pl

    # The file's null marker is given: type inference sees only the first rows.
    pl.scan_csv(source, infer_schema_length=10_000, null_values=["NULL"]).sink_parquet(
        out / "bare.parquet"
    )
    return int(pl.scan_parquet(out / "bare.parquet").select(pl.len()).collect().item())


def run_pandas(source: Path, out: Path) -> int:
    """The same validation and conversion written plainly with pandas, chunk by chunk."""
    import hashlib

    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from mps.costs.engine import rules as R
    from mps.costs.engine.columns import BY_NAME, CATALOGUE, Kind, canonical_name
    from mps.costs.engine.currencies import ISO_4217_CODES
    from mps.costs.engine.fx import shipped_table
    from mps.costs.engine.ingest import NULL_STRINGS

    daily = pd.DataFrame(shipped_table().daily(), columns=["currency", "day", "quote_day", "rate"])
    daily["day"] = pd.to_datetime(daily["day"])
    errors: dict[str, int] = {}
    warnings: dict[tuple[str, str, str], int] = {}
    first_errors: list[tuple[int, str, str]] = []
    total = 0
    staging = out / "pandas"
    for chunk in pd.read_csv(
        source,
        dtype=str,
        keep_default_na=False,
        na_values=list(NULL_STRINGS),
        chunksize=PANDAS_CHUNK_ROWS,
    ):
        chunk.columns = [canonical_name(c) or c.strip() for c in chunk.columns]
        bad = pd.DataFrame(index=chunk.index)
        warn_json = pd.DataFrame(index=chunk.index)
        for column in CATALOGUE:
            if column.name not in chunk:
                chunk[column.name] = None
                continue
            raw = chunk[column.name]
            if column.kind == Kind.DECIMAL:
                value = pd.to_numeric(raw, errors="coerce")
                bad[f"{R.UNPARSEABLE_NUMBER}:{column.name}"] = raw.notna() & ~np.isfinite(
                    value.fillna(np.nan)
                )
            elif column.kind == Kind.DATETIME:
                iso = raw.str.match(r"^\d{4}-\d\d-\d\d", na=False)
                value = pd.to_datetime(raw.where(iso), utc=True, format="ISO8601", errors="coerce")
                bad[f"{R.UNPARSEABLE_DATETIME}:{column.name}"] = raw.notna() & value.isna()
            elif column.kind == Kind.CURRENCY:
                value = raw.str.strip().str.upper()
                bad[f"{R.UNKNOWN_CURRENCY}:{column.name}"] = value.notna() & ~value.isin(
                    ISO_4217_CODES
                )
            elif column.kind == Kind.ENUM:
                lookup = {
                    v.replace("-", "").replace(" ", "").lower(): v
                    for v in BY_NAME[column.name].allowed
                }
                key = raw.str.strip().str.replace("-", "").str.replace(" ", "").str.lower()
                value = key.map(lookup)
                bad[f"{R.INVALID_VALUE}:{column.name}"] = raw.notna() & value.isna()
            elif column.kind == Kind.JSON:
                value = raw
                if column.name in ("Tags", "AllocatedTags"):
                    value = raw.str.replace(r'"\s*((?:[^"\\]|\\.)*?)\s*"\s*:', r'"\1":', regex=True)
                # Parse each distinct text once (tags repeat per resource), as a careful
                # implementation would; json.loads on every row would be far slower.
                is_object = {text: _is_json_object(text) for text in value.dropna().unique()}
                warn_json[f"{R.INVALID_JSON}:{column.name}"] = value.notna() & ~value.map(
                    is_object
                ).fillna(True).astype(bool)
            else:
                value = raw
            chunk[column.name] = value
        for name in R.REQUIRED_COLUMNS:
            bad[f"{R.REQUIRED_VALUE}:{name}"] = chunk[name].isna()
        bad[f"{R.REQUIRED_VALUE}:ProviderName"] = chunk["ProviderName"].isna()
        for start, end in (
            ("ChargePeriodStart", "ChargePeriodEnd"),
            ("BillingPeriodStart", "BillingPeriodEnd"),
        ):
            bad[f"{R.PERIOD_ORDER}:{start}"] = chunk[start] >= chunk[end]
        for key, count in bad.sum().items():
            if count:
                errors[key] = errors.get(key, 0) + int(count)
        if bad.to_numpy().any():
            for index in np.flatnonzero(bad.to_numpy().any(axis=1))[: 100 - len(first_errors)]:
                first_errors.append((total + int(index) + 2, "", ""))
        provider = chunk["ProviderName"]
        warn = warn_json
        for name in R.NOT_NULL_COLUMNS + R.NOT_NULL_BEFORE_1_3:
            warn[f"{R.MANDATORY_NULL}:{name}"] = chunk[name].isna()
        usage = chunk["ChargeCategory"] == "Usage"
        usage_or_purchase = chunk["ChargeCategory"].isin(["Usage", "Purchase"])
        warn[f"{R.MANDATORY_NULL}:PricingCategory"] = (
            chunk["PricingCategory"].isna() & usage_or_purchase & chunk["ChargeClass"].isna()
        )
        for name in ("PricingQuantity", "PricingUnit"):
            warn[f"{R.MANDATORY_NULL}:{name}"] = chunk[name].isna() & usage_or_purchase
        warn[f"{R.EFFECTIVE_COST_ZERO}:EffectiveCost"] = (
            usage & (chunk["EffectiveCost"] == 0) & (chunk["BilledCost"] > 0)
        )
        warn[f"{R.MANDATORY_NULL}:RegionId"] = (
            chunk["RegionId"].isna() & chunk["ResourceId"].notna() & usage
        )
        warn[f"{R.PURCHASE_EFFECTIVE_COST}:EffectiveCost"] = (
            chunk["ChargeCategory"] == "Purchase"
        ) & (chunk["EffectiveCost"].fillna(0) != 0)
        chunk["x_mps_charge_date"] = chunk["ChargePeriodStart"].dt.tz_localize(None).dt.normalize()
        chunk = chunk.merge(
            daily.rename(columns={"day": "x_mps_charge_date", "currency": "BillingCurrency"}),
            on=["BillingCurrency", "x_mps_charge_date"],
            how="left",
        )
        chunk.loc[chunk["BillingCurrency"] == "NOK", "rate"] = 1.0
        warn[f"{R.NO_EXCHANGE_RATE}:BillingCurrency"] = chunk["rate"].isna().to_numpy()
        for key, counts in warn.groupby(provider.to_numpy()).sum().stack().items():
            if counts:
                warnings[(key[0], *key[1].split(":"))] = warnings.get(
                    (key[0], *key[1].split(":")), 0
                ) + int(counts)
        for cost in ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost"):
            chunk[f"{cost}_nok"] = chunk[cost] * chunk["rate"]
        chunk["provider"] = (
            provider.str.lower()
            .str.replace(r"[^a-z0-9]+", "-", regex=True)
            .str.strip("-")
            .to_numpy()
        )
        chunk["billing_month"] = chunk["BillingPeriodStart"].dt.strftime("%Y-%m")
        keys = chunk[
            ["ProviderName", "BillingAccountId", "BillingPeriodStart", "BillingPeriodEnd"]
        ].astype(str)
        joined = keys.agg("|".join, axis=1)
        digests = {k: hashlib.md5(k.encode()).hexdigest()[:16] for k in joined.unique()}  # noqa: S324
        chunk["snapshot"] = joined.map(digests)
        if not first_errors:
            pq.write_to_dataset(
                pa.Table.from_pandas(chunk, preserve_index=False),
                staging,
                partition_cols=["provider", "billing_month", "snapshot"],
                compression="zstd",
            )
        total += len(chunk)
    if first_errors:
        raise SystemExit(f"pandas rejected the file: {first_errors[:3]}")
    return total


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _peak_rss_mib(usage: resource.struct_rusage) -> float:
    """This process's own peak RSS. Linux's ``ru_maxrss`` survives ``execve``, so a child of a
    parent that once held much memory (generating a 10M-row file) reports the parent's peak;
    ``VmHWM`` belongs to the process's own address space, which exec replaces."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return usage.ru_maxrss / 1024  # KiB on Linux


def child(contender: str, source: Path, out: Path) -> None:
    run = {
        "mps": run_mps,
        "pandas": run_pandas,
        "bare-duckdb": run_bare_duckdb,
        "bare-polars": run_bare_polars,
    }[contender]
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    rows = run(source, out)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    report = {
        "contender": contender,
        "rows": rows,
        "seconds": seconds,
        # CPU of all threads: on a shared machine this varies less than wall time.
        "cpu_seconds": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        "peak_rss_mib": _peak_rss_mib(after),
    }
    print(json.dumps(report))


def warm(source: Path) -> None:
    """Read the file once, so that every contender finds it in the page cache (the first one
    would otherwise also pay for reading it from disk; 10M rows are 9.7 GB)."""
    with open(source, "rb") as handle:
        while handle.read(1 << 24):
            pass


def measure(
    contender: str, source: Path, work: Path, keep_as: Path | None = None
) -> dict[str, float] | None:
    out = work / f"out-{contender}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    warm(source)
    proc = subprocess.run(
        [sys.executable, __file__, "--child", contender, str(source), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if keep_as is not None and proc.returncode == 0:
        # The store mps wrote, for bench/costs/bench_aggregate.py.
        shutil.rmtree(keep_as, ignore_errors=True)
        (out / "costs").rename(keep_as)
    shutil.rmtree(out, ignore_errors=True)
    if proc.returncode != 0:
        # Reported, and the other contenders still run: one crash should not lose the run.
        print(f"{contender} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}", flush=True)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 3_000_000])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/costbench"))
    parser.add_argument("--contenders", nargs="+", default=list(CONTENDERS), choices=CONTENDERS)
    parser.add_argument(
        "--pandas-max-rows",
        type=int,
        default=1_000_000,
        help="skip pandas on larger files (it is chunked, so its memory does not change)",
    )
    parser.add_argument("--append", type=Path, help="append the results as Markdown to this file")
    parser.add_argument(
        "--keep-store",
        action="store_true",
        help="keep the Parquet store mps wrote for the largest file as DIR/store-ROWS "
        "(input for bench/costs/bench_aggregate.py)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="measure each contender this many times"
    )
    parser.add_argument(
        "--child", nargs=3, metavar=("CONTENDER", "SOURCE", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    args.load_before = _uptime()
    print(f"uptime: {args.load_before}", flush=True)
    results = []
    for rows in args.rows:
        source = args.dir / f"focus-{rows}.csv"
        if not source.exists():
            print(f"generating {source} …", flush=True)
            generate(source, rows)
        size_mb = source.stat().st_size / 1e6
        for run in range(args.repeat):
            for contender in args.contenders:
                if contender == "pandas" and rows > args.pandas_max_rows:
                    continue
                keep = contender == "mps" and args.keep_store and rows == max(args.rows)
                r = measure(
                    contender, source, args.dir, args.dir / f"store-{rows}" if keep else None
                )
                if r is None:
                    continue
                r["file_mb"] = size_mb
                r["run"] = run + 1
                r["load"] = os.getloadavg()[0]
                results.append(r)
                print(
                    f"{rows:>10,} rows {contender:12s} run {run + 1} {r['seconds']:8.1f} s "
                    f"(cpu {r['cpu_seconds']:.1f} s) {r['rows'] / r['seconds']:10,.0f} rows/s "
                    f"peak {r['peak_rss_mib']:7.0f} MiB, load {r['load']:.1f}",
                    flush=True,
                )
    table = render(results, args)
    print(table)
    if args.append:
        with open(args.append, "a") as handle:
            handle.write(table)


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def render(results: list[dict[str, float]], args: argparse.Namespace) -> str:
    by_run: dict[tuple[int, int], dict[str, dict[str, float]]] = {}
    for r in results:
        by_run.setdefault((int(r["rows"]), int(r["run"])), {})[str(r["contender"])] = r
    lines = [
        "",
        f"### Cost ingest (FOCUS 1.2 CSV → validated Parquet), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}; shared with other jobs, so absolute figures are noisy, ratios less so.",
        f"Command: `.venv/bin/python bench/costs/bench_ingest.py --rows {' '.join(map(str, args.rows))} "
        f"--dir {args.dir} --repeat {args.repeat}`",
        f"Load (`uptime`) before: {args.load_before}; after: {_uptime()}",
        "",
        "| rows | run | contender | load | wall s | rows/s | CPU s | peak RSS MiB | wall ÷ fastest bare | CPU ÷ fastest bare |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (rows, run), entries in sorted(by_run.items()):
        bare = [e for name, e in entries.items() if name.startswith("bare")]
        fastest = min((e["seconds"] for e in bare), default=float("nan"))
        fastest_cpu = min((e["cpu_seconds"] for e in bare), default=float("nan"))
        for name in CONTENDERS:
            if name not in entries:
                continue
            e = entries[name]
            lines.append(
                f"| {rows:,} | {run} | {name} | {e['load']:.1f} | {e['seconds']:.1f} | "
                f"{rows / e['seconds']:,.0f} | {e['cpu_seconds']:.1f} | {e['peak_rss_mib']:,.0f} | "
                f"{e['seconds'] / fastest:.2f} | {e['cpu_seconds'] / fastest_cpu:.2f} |"
            )
        if "mps" in entries and "pandas" in entries:
            lines.append(
                f"| {rows:,} | {run} | pandas ÷ mps | | {entries['pandas']['seconds'] / entries['mps']['seconds']:.1f}× | | "
                f"{entries['pandas']['cpu_seconds'] / entries['mps']['cpu_seconds']:.1f}× | | | |"
            )
    lines += summary(by_run)
    lines.append("")
    return "\n".join(lines) + "\n"


def summary(by_run: dict[tuple[int, int], dict[str, dict[str, float]]]) -> list[str]:
    """Medians over the runs: wall and CPU, and each run's ratio to its own fastest bare run."""
    sizes = sorted({rows for rows, _run in by_run})
    lines = [
        "",
        "Medians over the runs (ratios are taken within each run, then the median):",
        "",
        "| rows | contender | runs | wall s | rows/s | CPU s | max peak RSS MiB | wall ÷ fastest bare | wall ÷ bare-duckdb | pandas ÷ mps |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for rows in sizes:
        runs = [entries for (n, _run), entries in sorted(by_run.items()) if n == rows]
        for name in CONTENDERS:
            mine = [entries for entries in runs if name in entries]
            if not mine:
                continue
            walls = [e[name]["seconds"] for e in mine]
            fastest = [
                e[name]["seconds"] / min(v["seconds"] for k, v in e.items() if k.startswith("bare"))
                for e in mine
                if any(k.startswith("bare") for k in e)
            ]
            duck = [
                e[name]["seconds"] / e["bare-duckdb"]["seconds"] for e in mine if "bare-duckdb" in e
            ]
            pandas = [
                e["pandas"]["seconds"] / e["mps"]["seconds"]
                for e in mine
                if name == "mps" and "pandas" in e
            ]
            wall = statistics.median(walls)
            lines.append(
                f"| {rows:,} | {name} | {len(mine)} | {wall:.1f} | {rows / wall:,.0f} | "
                f"{statistics.median(e[name]['cpu_seconds'] for e in mine):.1f} | "
                f"{max(e[name]['peak_rss_mib'] for e in mine):,.0f} | "
                f"{_median(fastest)} | {_median(duck)} | {_median(pandas, '×')} |"
            )
    return lines


def _median(values: list[float], unit: str = "") -> str:
    return f"{statistics.median(values):.2f}{unit}" if values else ""


if __name__ == "__main__":
    main()
