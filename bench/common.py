"""What several benchmark scripts need: a fresh PostgreSQL database, timings, percentiles.

Not part of the test suite or the product. Scripts put the repository root on sys.path and
import this as ``bench.common``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse


def recreate_postgres(url: str) -> None:
    """Drop and create the database in ``url``; only names starting with mps_bench, so a
    mistyped URL cannot drop real data."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.startswith("mps_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the bench database must start with mps_bench")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (the value at or above pct % of the samples)."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call (CPU is steadier on a shared machine)."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def synthetic_orgnrs(n: int, first_seed: int) -> list[str]:
    """n distinct synthetic organisation numbers (distinct seeds give distinct numbers)."""
    from mps.organisations.orgnr import synthetic_orgnr

    return [synthetic_orgnr(seed) for seed in range(first_seed, first_seed + n)]


def setup_django(
    db: str, prefix: str, *, settings_module: str = "tests.settings"
) -> tuple[str, str]:
    """Point Django at a fresh database (``sqlite`` or a ``postgres://…/mps_bench*`` URL that
    is dropped and re-created) and a new data directory, and set it up; returns both.

    DEBUG is off after set-up (it would keep every query in memory) and the test client's host
    is allowed.
    """
    import os
    import tempfile

    data_dir = tempfile.mkdtemp(prefix=prefix)
    if db == "sqlite":
        url = f"sqlite:///{data_dir}/bench.sqlite3"
    else:
        url = db
        recreate_postgres(url)
    os.environ["MPS_DATABASE_URL"] = url
    os.environ["MPS_DATA_DIR"] = data_dir
    os.environ.setdefault("MPS_SECRET_KEY", "bench-secret-key-that-is-long-enough-0123456789")
    os.environ["MPS_DEBUG"] = "1"  # no host list needed during set-up
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ.pop("MPS_TEST_DATABASE_URL", None)
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return url, data_dir
