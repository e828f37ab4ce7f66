"""Experiment (not production): Polars parses the CSV, DuckDB validates and converts its batches.

Production (`mps/costs/engine/ingest.py`) has DuckDB read the FOCUS CSV with every column as
text. Here Polars reads it instead (`pl.scan_csv(..., infer_schema=False)` collected in
streaming batches, every column as text, the same null strings), the batches are handed to
DuckDB as an Arrow RecordBatchReader registered as a view, and ingest.py's own plan, SQL,
writer thread, counts and publish run unchanged on it. ingest.py is not modified: this script
monkeypatches, in its own process only, the places where ingest.py names its source:

- `source_sql` returns the view name `polars_src` for a plain CSV (gzip and Parquet keep
  production's reader);
- `read_layout`, `_write_partitioned` and `_first_errors` register a fresh stream under that
  name before their query (an Arrow stream can be read once);
- `_first_errors` reads the stream with a row index (`with_row_index`) and asks DuckDB for the
  first rows in error by that index, so the report names the file's rows without relying on
  the order of a parallel scan.

Commands (from the repository root):

    # same output as production on a file (row counts, NOK sums, every stored row, the result)
    .venv/bin/python bench/costs/proto_polars_source.py verify --csv /tmp/cb/focus-1000000.csv
    # side by side with production and the bare conversions, in one run
    .venv/bin/python bench/costs/proto_polars_source.py bench --rows 1000000 --repeat 3 --dir /tmp/cb

Findings: docs/benchmarks.md, "Experiment: Polars as the CSV reader".
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ingest  # noqa: E402 - the bench's generator and contenders

from mps.costs.engine import ingest  # noqa: E402
from mps.costs.engine import rules as R  # noqa: E402

VIEW = "polars_src"
ROW_INDEX = "x_mps_row"
CONTENDERS = ("mps", "polars-source", "bare-duckdb", "bare-polars")

_paths: dict[str, Path] = {}  # the file being imported (source_sql sees it, the patches need it)


def polars_reader(path: Path, *, row_index: bool = False) -> pa.RecordBatchReader:
    """The CSV as a stream of Arrow batches of text columns, parsed by Polars' streaming engine."""
    import polars as pl

    lf = pl.scan_csv(
        path,
        has_header=True,
        infer_schema=False,
        null_values=list(ingest.NULL_STRINGS),
        truncate_ragged_lines=False,  # a row with too many fields is an error, as in DuckDB
    )
    if row_index:
        lf = lf.with_row_index(ROW_INDEX)
    # Arrow string views are Polars' own layout: no copy into large_string (measured: 0.4-0.7
    # CPU s less per million rows, and DuckDB reads them as cheaply).
    compat = pl.CompatLevel.newest()
    schema = pl.DataFrame(schema=lf.collect_schema()).to_arrow(compat_level=compat).schema

    def batches() -> Iterator[pa.RecordBatch]:
        for frame in lf.collect_batches(chunk_size=ingest.BATCH_ROWS, maintain_order=True):
            yield from frame.to_arrow(compat_level=compat).to_batches()

    return pa.RecordBatchReader.from_batches(schema, batches())


def _register(con: duckdb.DuckDBPyConnection, *, row_index: bool = False) -> None:
    path = _paths.get("current")
    if path is None:
        return
    with contextlib.suppress(duckdb.Error):
        con.unregister(VIEW)
    con.register(VIEW, polars_reader(path, row_index=row_index))


def install() -> None:
    """Route ingest.py's CSV reading through Polars (in this process only)."""
    orig_source_sql = ingest.source_sql
    orig_read_layout = ingest.read_layout
    orig_write = ingest._write_partitioned

    def source_sql(path: Path, fmt: str) -> str:
        if fmt != "csv":
            _paths.pop("current", None)
            return orig_source_sql(path, fmt)
        _paths["current"] = path
        return VIEW

    def read_layout(con: duckdb.DuckDBPyConnection, source: str, file: str) -> ingest.Layout:
        if source == VIEW:
            try:
                _register(con)
            except Exception as exc:  # Polars cannot even read the header
                raise ingest.IngestError(
                    ingest.Issue(file, None, None, None, R.MALFORMED_FILE, f"not readable: {exc}")
                ) from None
        return orig_read_layout(con, source, file)

    def write_partitioned(con: duckdb.DuckDBPyConnection, sql: str, *args: Any) -> None:
        if f"FROM {VIEW})" in sql:
            _register(con)
        orig_write(con, sql, *args)

    ingest.source_sql = source_sql
    ingest.read_layout = read_layout
    ingest._write_partitioned = write_partitioned
    ingest._first_errors = first_errors_by_index


def first_errors_by_index(
    con: duckdb.DuckDBPyConnection, plan: ingest.Plan, file: str, fmt: str
) -> list[ingest.Issue]:
    """ingest._first_errors, with rows named by Polars' row index instead of stream order."""
    if f"FROM {VIEW})" not in plan.errors_sql:
        raise RuntimeError("the prototype handles plain CSV only")
    _register(con, row_index=True)
    flag_names = [f"e{i}" for i in range((len(plan.errors) - 1) // ingest.BITS_PER_FLAG_COLUMN + 1)]
    sql = plan.errors_sql.replace(f" FROM {VIEW})", f", {ROW_INDEX} FROM {VIEW})", 1)
    any_flag = " OR ".join(f"{name} <> 0" for name in flag_names)
    # At most MAX_REPORTED_ERRORS rows can give the first MAX_REPORTED_ERRORS issues.
    sql = (
        f"{sql[: sql.rindex(' FROM typed')]}, {ROW_INDEX} FROM typed WHERE {any_flag} "
        f"ORDER BY {ROW_INDEX} LIMIT {ingest.MAX_REPORTED_ERRORS}"
    )
    table = con.sql(sql).fetch_arrow_table()
    issues: list[ingest.Issue] = []
    names = table.schema.names
    for row in table.to_pylist():
        for k, rule in enumerate(plan.errors):
            bits = row[flag_names[k // ingest.BITS_PER_FLAG_COLUMN]]
            if bits & (1 << (k % ingest.BITS_PER_FLAG_COLUMN)):
                value = row.get("r_" + rule.column) if "r_" + rule.column in names else None
                issues.append(
                    ingest.Issue(
                        file,
                        int(row[ROW_INDEX]) + 2,  # a CSV's header is row 1
                        rule.column,
                        None if value is None else str(value)[:200],
                        rule.code,
                        f"{rule.column}: {rule.message}",
                    )
                )
                if len(issues) >= ingest.MAX_REPORTED_ERRORS:
                    return issues
    return issues


# --- verification ------------------------------------------------------------------------------


def _import(csv: Path, out: Path, *, proto: bool) -> dict[str, Any]:
    """Import in a child process (the patch stays there); the result as JSON-able data."""
    proc = subprocess.run(
        [sys.executable, __file__, "import", str(csv), str(out), "--proto" if proto else "--prod"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _result_data(result: Any) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(result)
    data.pop("seconds", None)
    return json.loads(json.dumps(data, default=str))


def verify(csv: Path, work: Path) -> bool:
    """Production and the prototype on the same file: the same result and the same stored rows."""
    outs = {}
    results = {}
    for name, proto in (("production", False), ("prototype", True)):
        outs[name] = work / f"verify-{name}"
        shutil.rmtree(outs[name], ignore_errors=True)
        results[name] = _import(csv, outs[name], proto=proto)
    ok = True
    a, b = results["production"], results["prototype"]
    print(f"outcome: {a['outcome']} / {b['outcome']}, rows {a['rows']} / {b['rows']}")
    for key in sorted(set(a) | set(b)):
        if key in ("checksum", "errors"):
            continue
        if a.get(key) != b.get(key):
            ok = False
            print(
                f"DIFFERENT {key}:\n  production {str(a.get(key))[:600]}\n  prototype  {str(b.get(key))[:600]}"
            )
    if a["outcome"] == "rejected":
        # The same issues (rule, column, value), and is each named row the file's row?
        def issues(r: dict[str, Any]) -> list[tuple[str, str, str]]:
            return sorted((e["rule"], e["column"], str(e["value"])) for e in r["errors"])

        same = issues(a) == issues(b)
        ok = ok and same
        print(f"error counts: {a['error_counts']}")
        print(f"issues reported: {len(a['errors'])} / {len(b['errors'])}, same issues: {same}")
        lines = csv.read_text().split("\n")  # the generated files have no line breaks in values
        for name, r in results.items():
            wrong = [e for e in r["errors"] if not _on_line(e, lines[e["row"] - 1])]
            print(
                f"{name}: {len(wrong)} of {len(r['errors'])} issues name a row without that value"
            )
            if wrong:
                print(f"  e.g. {wrong[0]}")
            ok = ok and (name == "production" or not wrong)
    if a["outcome"] == "imported":
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        views = {}
        for name, out in outs.items():
            glob = str(out / "costs" / "**" / "*.parquet")
            views[name] = (
                "(SELECT * EXCLUDE (x_mps_import) FROM "  # noqa: S608 - our own paths
                f"read_parquet('{glob}', hive_partitioning = true))"
            )
        sums = ", ".join(
            f"count(*), sum({ingest.q(ingest.nok_column(c))}), count({ingest.q(ingest.nok_column(c))})"
            for c in ingest.NOK_COSTS
        )
        for name, view in views.items():
            print(name, con.execute(f"SELECT {sums} FROM {view}").fetchone())  # noqa: S608
        for left, right in (("production", "prototype"), ("prototype", "production")):
            only = con.execute(
                f"SELECT count(*) FROM ({views[left]} EXCEPT ALL {views[right]})"  # noqa: S608
            ).fetchone()[0]
            print(f"rows in {left} and not in {right}: {only}")
            ok = ok and only == 0
    print("SAME" if ok else "DIFFERENT")
    return ok


def _on_line(issue: dict[str, Any], line: str) -> bool:
    value = issue["value"]
    return (",," in line) if value is None else f",{value}," in line


def make_bad_file(source: Path, target: Path, rows: int = 200_000) -> None:
    """The first `rows` rows of `source` with errors written into some of them."""
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * EXCLUDE (n) REPLACE ("  # noqa: S608
        " CASE WHEN n % 9973 = 17 THEN 'twelve' ELSE BilledCost END AS BilledCost,"
        " CASE WHEN n % 15013 = 5 THEN '5/1/25' ELSE ChargePeriodStart END AS ChargePeriodStart,"
        " CASE WHEN n % 20011 = 3 THEN NULL ELSE BillingCurrency END AS BillingCurrency,"
        " CASE WHEN n % 30011 = 7 THEN 'Use' ELSE ChargeCategory END AS ChargeCategory"
        f") FROM (SELECT *, row_number() OVER () AS n FROM read_csv('{source}',"
        " all_varchar = true, header = true) LIMIT "
        f"{rows}) ORDER BY n) TO '{target}' (FORMAT csv, HEADER true)"
    )


# --- benchmark -----------------------------------------------------------------------------------


def run_proto(source: Path, out: Path) -> int:
    install()
    return bench_ingest.run_mps(source, out)


def child(contender: str, source: Path, out: Path) -> None:
    run = {
        "mps": bench_ingest.run_mps,
        "polars-source": run_proto,
        "bare-duckdb": bench_ingest.run_bare_duckdb,
        "bare-polars": bench_ingest.run_bare_polars,
    }[contender]
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    rows = run(source, out)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "contender": contender,
                "rows": rows,
                "seconds": seconds,
                "cpu_seconds": (after.ru_utime + after.ru_stime)
                - (before.ru_utime + before.ru_stime),
                "peak_rss_mib": after.ru_maxrss / 1024,
            }
        )
    )


def measure(contender: str, source: Path, work: Path) -> dict[str, float] | None:
    out = work / f"out-{contender}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    bench_ingest.warm(source)
    load = os.getloadavg()[0]
    proc = subprocess.run(
        [sys.executable, __file__, "child", contender, str(source), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    shutil.rmtree(out, ignore_errors=True)
    if proc.returncode != 0:
        print(f"{contender} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}", flush=True)
        return None
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["load"] = load
    return result


def bench(args: argparse.Namespace) -> None:
    args.dir.mkdir(parents=True, exist_ok=True)
    load_before = bench_ingest._uptime()
    print(f"uptime: {load_before}", flush=True)
    runs: list[dict[str, Any]] = []
    for rows in args.rows:
        source = args.dir / f"focus-{rows}.csv"
        if not source.exists():
            print(f"generating {source} …", flush=True)
            bench_ingest.generate(source, rows)
        for run in range(args.repeat):
            for contender in args.contenders:
                r = measure(contender, source, args.dir)
                if r is None:
                    continue
                r.update(rows=rows, run=run + 1)
                runs.append(r)
                print(
                    f"{rows:>10,} rows {contender:14s} run {run + 1} {r['seconds']:7.1f} s "
                    f"(cpu {r['cpu_seconds']:.1f} s) peak {r['peak_rss_mib']:6.0f} MiB, "
                    f"load {r['load']:.1f}",
                    flush=True,
                )
    print(f"uptime after: {bench_ingest._uptime()}")
    print(render(runs))


def render(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| rows | contender | runs | load | wall s | CPU s | max peak RSS MiB "
        "| wall ÷ Polars | CPU ÷ Polars | wall ÷ mps | CPU ÷ mps |",
        "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for rows in sorted({r["rows"] for r in runs}):
        by_run: dict[int, dict[str, dict[str, Any]]] = {}
        for r in runs:
            if r["rows"] == rows:
                by_run.setdefault(r["run"], {})[r["contender"]] = r
        for name in CONTENDERS:
            mine = [e for e in by_run.values() if name in e]
            if not mine:
                continue

            def ratio(
                base: str,
                key: str,
                entries: list[dict[str, dict[str, Any]]] = mine,
                name: str = name,
            ) -> str:
                values = [e[name][key] / e[base][key] for e in entries if base in e]
                return f"{statistics.median(values):.2f}" if values else ""

            loads = [e[name]["load"] for e in mine]
            lines.append(
                f"| {rows:,} | {name} | {len(mine)} | {min(loads):.1f}–{max(loads):.1f} | "
                f"{statistics.median(e[name]['seconds'] for e in mine):.1f} | "
                f"{statistics.median(e[name]['cpu_seconds'] for e in mine):.1f} | "
                f"{max(e[name]['peak_rss_mib'] for e in mine):,.0f} | "
                f"{ratio('bare-polars', 'seconds')} | {ratio('bare-polars', 'cpu_seconds')} | "
                f"{ratio('mps', 'seconds')} | {ratio('mps', 'cpu_seconds')} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("verify", help="compare the prototype's output with production's")
    p.add_argument("--csv", type=Path, required=True)
    p.add_argument("--dir", type=Path, default=Path("/tmp/costbench"))
    p.add_argument("--bad-rows", type=int, default=200_000, help="rows of the file with errors")
    p.add_argument("--skip-good", action="store_true", help="check only the file with errors")
    p = sub.add_parser(
        "bench", help="time the prototype beside production and the bare conversions"
    )
    p.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    p.add_argument("--dir", type=Path, default=Path("/tmp/costbench"))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--contenders", nargs="+", default=list(CONTENDERS), choices=CONTENDERS)
    p = sub.add_parser("import")
    p.add_argument("csv", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--proto", action="store_true")
    p.add_argument("--prod", action="store_true")
    p = sub.add_parser("child")
    p.add_argument("contender", choices=CONTENDERS)
    p.add_argument("source", type=Path)
    p.add_argument("out", type=Path)
    args = parser.parse_args()
    if args.command == "import":
        from mps.costs.engine.fx import shipped_table

        if args.proto:
            install()
        result = ingest.ingest_file(args.csv, args.out / "costs", bench_ingest.ORG, shipped_table())
        print(json.dumps(_result_data(result)))
    elif args.command == "child":
        child(args.contender, args.source, args.out)
    elif args.command == "bench":
        bench(args)
    else:
        args.dir.mkdir(parents=True, exist_ok=True)
        good = args.skip_good or verify(args.csv, args.dir)
        bad = args.dir / "focus-bad.csv"
        make_bad_file(args.csv, bad, args.bad_rows)
        print(f"--- a file with errors ({args.bad_rows:,} rows): {bad}")
        good = verify(bad, args.dir) and good
        bad.unlink()
        for name in ("production", "prototype"):
            shutil.rmtree(args.dir / f"verify-{name}", ignore_errors=True)
        raise SystemExit(0 if good else 1)


if __name__ == "__main__":
    main()
