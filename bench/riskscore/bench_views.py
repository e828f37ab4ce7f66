"""Benchmark: the national view and the agency view of the risk score at national size, and the
throughput of distributed scans with one and with two workers.

Not part of the test suite. Builds a fresh database (SQLite file in a temporary directory, or a
PostgreSQL database named mps_bench* that it drops and re-creates) with 600 organisations,
50,000 verified assets, 8 findings per asset and a year of daily score snapshots per agency,
then measures p50/p95 of the pages through Django's test client (the agency view rotates over
ten agencies). With ``--broker`` it then starts a local test internet (sites behind proxies that
add round-trip time), starts one and then two ``mps worker`` processes, and measures how many
assets per second a distributed ``--org`` scan gets through (from queueing to the run closed).

    .venv/bin/python bench/riskscore/bench_views.py --db sqlite --broker redis://127.0.0.1:6379/15
    .venv/bin/python bench/riskscore/bench_views.py \
        --db postgres://postgres@127.0.0.1:5432/mps_bench_riskscore --broker redis://127.0.0.1:6379/15
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import percentile, setup_django, synthetic_orgnrs, timed  # noqa: E402

VIEW_P95_GOAL_MS = 200  # issue 4
COUNTIES = (
    "Agder", "Akershus", "Buskerud", "Finnmark", "Innlandet", "Møre og Romsdal", "Nordland",
    "Oslo", "Rogaland", "Telemark", "Troms", "Trøndelag", "Vestfold", "Vestland", "Østfold",
)  # fmt: skip
SECTORS = ("municipality", "municipality", "state", "state", "county_municipality", "other")
FINDINGS_PER_ASSET = 8
THROUGHPUT_HOSTS = 48
THROUGHPUT_RTT = 0.05


@dataclass
class Timing:
    name: str
    runs: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p50_ms: float  # CPU time of this process (on SQLite it includes the database work)


def _timing(name: str, samples: list[tuple[float, float]]) -> Timing:
    ms = [w * 1000 for w, _ in samples]
    cpu = [c * 1000 for _, c in samples]
    return Timing(
        name,
        len(ms),
        round(statistics.median(ms), 1),
        round(percentile(ms, 95), 1),
        round(max(ms), 1),
        round(statistics.median(cpu), 1),
    )


# ---------------------------------------------------------------- database
def configure(db: str, broker: str | None) -> tuple[str, str]:
    if broker:
        os.environ["MPS_BROKER_URL"] = broker
    url, data_dir = setup_django(db, "mps-bench-riskscore-")
    # Import every page now: the code measured is the code as it was at start (and a broken
    # import fails at once, not after the fill).
    import mps.riskscore.distributed  # noqa: F401
    import mps.urls  # noqa: F401

    return url, data_dir


def _grade(score: float) -> str:
    return next(
        (g for g, floor in (("A", 90), ("B", 80), ("C", 70), ("D", 60)) if score >= floor), "F"
    )


def fill(n_orgs: int, n_assets: int, days: int, rng: random.Random) -> dict[str, float]:
    from django.db import transaction
    from django.utils import timezone

    from mps.accounts.models import User
    from mps.organisations.models import Organisation
    from mps.riskscore.models import Asset, Finding, ScoreSnapshot
    from mps.scanner.catalogue import CATALOGUE

    t0 = time.perf_counter()
    numbers = synthetic_orgnrs(n_orgs, first_seed=20_000)
    n_vendors = 30
    orgs = [
        Organisation(name="Markedsplassen", kind="operator", orgnr=numbers[0]),
        Organisation(name="NSM", kind="central", orgnr=numbers[1]),
    ]
    orgs += [
        Organisation(
            name=f"Leverandør {i:02d} AS", kind="vendor", orgnr=numbers[2 + i], synthetic=True
        )
        for i in range(n_vendors)
    ]
    for i in range(n_orgs - len(orgs)):
        sector = SECTORS[i % len(SECTORS)]
        orgs.append(
            Organisation(
                name=f"Virksomhet {i:03d}",
                kind="agency",
                orgnr=numbers[2 + n_vendors + i],
                sector=sector,
                county=COUNTIES[i % len(COUNTIES)],
                population=rng.randint(1_000, 700_000) if "municipality" in sector else None,
                employees=rng.randint(20, 20_000),
                peer_opt_in=i % 4 == 0,
            )
        )
    with transaction.atomic():
        Organisation.objects.bulk_create(orgs, batch_size=1000)
    agencies = list(Organisation.objects.filter(kind="agency").order_by("pk"))
    operator = Organisation.objects.get(kind="operator")
    central = Organisation.objects.get(kind="central")
    User.objects.create(username="bench-central", organisation=central, role="member")
    User.objects.create(username="bench-operator", organisation=operator, role="admin")
    for org in agencies[:10]:
        User.objects.create(username=f"bench-agency-{org.pk}", organisation=org, role="member")

    now = timezone.now()
    checks = [
        s for s in CATALOGUE.values() if s.factor in ("tls", "web", "email", "dns", "services")
    ]
    assets = []
    for i in range(n_assets):
        org = agencies[i % len(agencies)]
        assets.append(
            Asset(
                organisation=org,
                kind="host",
                value=f"h{i}.v{org.pk}.test",
                status=Asset.Status.VERIFIED,
                method=Asset.Method.OPERATOR,
                verified_at=now,
                last_scanned_at=now - timedelta(days=rng.randint(0, 12)),
            )
        )
    with transaction.atomic():
        Asset.objects.bulk_create(assets, batch_size=2000)
    t_assets = time.perf_counter()
    asset_rows = list(Asset.objects.values_list("pk", "organisation_id", "value"))
    failing: dict[int, set[str]] = {}
    batch: list[Finding] = []
    for pk, org_id, value in asset_rows:
        for spec in rng.sample(checks, FINDINGS_PER_ASSET):
            roll = rng.random()
            status = "pass" if roll < 0.75 else ("fail" if roll < 0.93 else "warn")
            problem = status != "pass"
            if problem:
                failing.setdefault(org_id, set()).add(spec.id)
            seen = now - timedelta(days=rng.randint(0, 300))
            batch.append(
                Finding(
                    organisation_id=org_id,
                    asset_id=pk,
                    check_id=spec.id,
                    factor=spec.factor,
                    severity=str(spec.severity),
                    status=status,
                    target=value,
                    state="open" if problem else "ok",
                    first_seen=seen if problem else None,
                    last_seen=now if problem else None,
                    observed_at=now,
                    method_version="scanner.bench",
                )
            )
        if len(batch) >= 20_000:
            with transaction.atomic():
                Finding.objects.bulk_create(batch, batch_size=2000)
            batch = []
    with transaction.atomic():
        Finding.objects.bulk_create(batch, batch_size=2000)
    t_findings = time.perf_counter()
    today = timezone.localdate()
    snaps: list[ScoreSnapshot] = []
    for org in agencies:
        score = rng.uniform(55, 95)
        checks_failing = sorted(failing.get(org.pk, ()))
        for d in range(days, -1, -1):
            score = min(100.0, max(20.0, score + rng.uniform(-1.5, 1.6)))
            value = Decimal(f"{score:.2f}")
            snaps.append(
                ScoreSnapshot(
                    organisation=org,
                    date=today - timedelta(days=d),
                    score=value,
                    grade=_grade(score),
                    confidence=Decimal("0.9"),
                    tls=value,
                    web=value,
                    email=value,
                    dns=value,
                    ipv6=value,
                    services=value,
                    software=Decimal(100),
                    assets=n_assets // len(agencies),
                    open_findings=rng.randint(0, 40),
                    method_version="bench",
                    failing_checks=checks_failing,
                    generated=True,
                )
            )
        if len(snaps) >= 20_000:
            with transaction.atomic():
                ScoreSnapshot.objects.bulk_create(snaps, batch_size=2000)
            snaps = []
    with transaction.atomic():
        ScoreSnapshot.objects.bulk_create(snaps, batch_size=2000)
    t_end = time.perf_counter()
    return {
        "orgs_assets_s": round(t_assets - t0, 1),
        "findings_s": round(t_findings - t_assets, 1),
        "snapshots_s": round(t_end - t_findings, 1),
    }


def measure_views(repeat: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from mps.accounts.models import User

    central = Client()
    central.force_login(User.objects.get(username="bench-central"))
    agencies = []
    for user in User.objects.filter(username__startswith="bench-agency-").order_by("pk"):
        client = Client()
        client.force_login(user)
        agencies.append((client, reverse("riskscore:organisation", args=[user.organisation_id])))
    national = reverse("riskscore:national")
    out: dict = {"queries": {}}
    for name, calls in (
        ("national view", [(central, national)]),
        ("agency view", agencies),
    ):
        client, url = calls[0]
        client.get(url)  # warm
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        out["queries"][name] = len(ctx.captured_queries)
        samples = []
        for i in range(repeat):
            c, u = calls[i % len(calls)]
            samples.append(timed(lambda c=c, u=u: c.get(u)))
        out[name] = asdict(_timing(name, samples))
    return out


def profile_views(directory: Path) -> None:
    """One request per view under cProfile (``python -m pstats FILE`` reads them): where the time goes."""
    import cProfile

    from django.test import Client
    from django.urls import reverse

    from mps.accounts.models import User

    directory.mkdir(parents=True, exist_ok=True)
    for name, username, view, arg in (
        ("national", "bench-central", "riskscore:national", None),
        ("agency", None, "riskscore:organisation", True),
    ):
        user = (
            User.objects.get(username=username)
            if username
            else User.objects.filter(username__startswith="bench-agency-").order_by("pk").first()
        )
        client = Client()
        client.force_login(user)
        url = reverse(view, args=[user.organisation_id] if arg else [])
        client.get(url)
        profiler = cProfile.Profile()
        profiler.runcall(client.get, url)
        profiler.dump_stats(directory / f"{name}.prof")


# ---------------------------------------------------------------- distributed throughput
def _slownet(directory: Path):
    from mps.testnet import https
    from mps.testnet.ca import TestCA
    from mps.testnet.internet import LocalInternet
    from mps.testnet.latency import DelayProxy
    from mps.testnet.world import TEST_PORTS

    ca = TestCA(directory / "ca")
    net = LocalInternet()
    servers = []
    for n in range(1, THROUGHPUT_HOSTS + 1):
        cert = ca.issue([f"site{n}.test"])
        for service, tls in (("https", cert), ("http", None)):
            port = TEST_PORTS[service]
            servers += [
                https.WebServer(
                    f"127.44.1.{n}", port, https.weak(), cert=tls, https_port=TEST_PORTS["https"]
                ),
                DelayProxy(f"127.44.0.{n}", port, f"127.44.1.{n}", port, THROUGHPUT_RTT),
            ]
    net.add_many(servers)
    return net, Path(ca.root_pem_path)


def _drop_queue(broker: str, queue: str) -> None:
    from kombu import Connection

    with Connection(broker, connect_timeout=3) as conn:
        conn.default_channel.queue_delete(queue)
        if broker.startswith("redis"):
            conn.default_channel.client.delete(
                f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
            )


def measure_throughput(url: str, data_dir: str, broker: str, rounds: tuple[int, ...]) -> dict:
    from django.utils import timezone

    from mps.organisations.models import Organisation
    from mps.riskscore import distributed
    from mps.riskscore.models import Asset, AssetScan
    from mps.scanner.config import ScanConfig
    from mps.testnet.world import TEST_PORTS

    directory = Path(data_dir)
    net, ca_file = _slownet(directory)
    org = Organisation.objects.filter(kind="agency").order_by("pk").first()
    Asset.objects.bulk_create(
        [
            Asset(
                organisation=org,
                kind="ip",
                value=f"127.44.0.{n}",
                status=Asset.Status.VERIFIED,
                method=Asset.Method.OPERATOR,
                verified_at=timezone.now(),
            )
            for n in range(1, THROUGHPUT_HOSTS + 1)
        ]
    )
    # Only the reachable IP assets: the bench organisation's generated host names stay out.
    Asset.objects.filter(organisation=org, kind="host").update(status=Asset.Status.PENDING)
    config = ScanConfig(
        allow_private=True,
        ca_file=ca_file,
        ports=dict(TEST_PORTS),
        families=("http", "tls"),
        probe_timeout=5.0,
        host_deadline=60.0,
        per_network_concurrency=1000,
    )
    env = {k: v for k, v in os.environ.items() if k != "MPS_TEST_DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="mps.settings", MPS_DATABASE_URL=url, PYTHONUNBUFFERED="1")
    results = {}
    try:
        for n_workers in rounds:
            queue = f"mps-bench-{uuid.uuid4().hex[:10]}"
            procs, logs = [], []
            for k in range(n_workers):
                log = directory / f"worker-{n_workers}-{k}.log"
                logs.append(log)
                procs.append(
                    subprocess.Popen(  # noqa: S603 - our own command
                        [
                            sys.executable,
                            "-m",
                            "mps",
                            "worker",
                            "--concurrency=2",
                            f"--queues={queue}",
                        ]
                        + [f"--hostname=w{k}@bench", "--loglevel=INFO"],
                        env=env,
                        stdout=log.open("wb"),
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
            try:
                end = time.monotonic() + 90
                while not all(b" ready." in log.read_bytes() for log in logs):
                    if time.monotonic() > end:
                        raise SystemExit("workers did not start: " + logs[0].read_text()[-2000:])
                    time.sleep(0.1)
                load = os.getloadavg()[0]
                t0 = time.perf_counter()
                (sent,) = distributed.dispatch([org], config, trigger="bench", queue=queue)
                if not distributed.wait([sent.run.pk], timeout=600, poll=0.2):
                    raise SystemExit("the distributed scan did not finish in 600 s")
                seconds = time.perf_counter() - t0
                done = AssetScan.objects.filter(run=sent.run, finished_at__isnull=False).count()
                results[f"{n_workers} worker(s)"] = {
                    "assets": done,
                    "seconds": round(seconds, 2),
                    "assets_per_s": round(done / seconds, 2),
                    "load_1m_at_start": round(load, 2),
                }
            finally:
                for proc in procs:
                    os.killpg(proc.pid, 15)
                for proc in procs:
                    proc.wait(30)
                _drop_queue(broker, queue)
    finally:
        net.close()
    results["setup"] = {
        "hosts": THROUGHPUT_HOSTS,
        "rtt_ms": int(THROUGHPUT_RTT * 1000),
        "families": "http,tls",
        "worker_concurrency": 2,
        "batch_size": distributed.DEFAULT_BATCH,
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", help="'sqlite' or a postgres:// URL (mps_bench*)")
    parser.add_argument("--orgs", type=int, default=600)
    parser.add_argument("--assets", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--broker", default=None, help="Celery broker for the throughput part")
    parser.add_argument(
        "--profile", type=Path, default=None, help="write a cProfile of one request per view here"
    )
    args = parser.parse_args()

    url, data_dir = configure(args.db, args.broker)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    fill_seconds = fill(args.orgs, args.assets, args.days, random.Random(2026))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    results: dict = {"database": connection.vendor, "load_1m_before": round(os.getloadavg()[0], 2)}
    results |= measure_views(args.repeat)
    if args.profile:
        profile_views(args.profile)
    results["load_1m_after_views"] = round(os.getloadavg()[0], 2)
    results["goals_met"] = {
        name: results[name]["p95_ms"] < VIEW_P95_GOAL_MS
        for name in ("national view", "agency view")
    }
    results["setup"] = {
        "organisations": args.orgs,
        "assets": args.assets,
        "findings": args.assets * FINDINGS_PER_ASSET,
        "snapshot_days": args.days + 1,
        "fill_seconds": fill_seconds,
        "cpus": os.cpu_count(),
    }
    if args.broker:
        results["distributed_scan"] = measure_throughput(url, data_dir, args.broker, (1, 2))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
