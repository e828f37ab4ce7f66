"""Time the agreements pages on a loaded demo database: p50/p95 and query counts.

Run against a database that `mps demo --no-serve` has filled:

    MPS_DEBUG=1 MPS_DATA_DIR=/tmp/demo .venv/bin/python -m tests.agreements.bench_pages [RUNS]

Not collected by pytest (no test_ prefix); prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mps.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from mps.accounts.models import User  # noqa: E402
from mps.agreements.models import CallOff, FrameworkAgreement  # noqa: E402


def main(runs: int) -> None:
    agreement = FrameworkAgreement.objects.get(reference="DEMO-CIPS-2025")
    kari = User.objects.get(username="kari")
    calloff = CallOff.objects.filter(agency=kari.organisation).order_by("pk").first()
    cases = [
        ("kari", "agreement list", "/avtaler/"),
        ("kari", "agreement detail", f"/avtaler/{agreement.pk}/"),
        ("kari", "contract register", "/avtaler/kontrakter/"),
        ("kari", "call-off detail", f"/avtaler/avrop/{calloff.pk}/"),
        ("kari", "overview (all cards)", "/"),
        ("ola", "national picture", "/avtaler/nasjonalt/"),
        ("ola", "contract register, all agencies", "/avtaler/kontrakter/"),
        ("ola", "OCDS package, all releases", "/api/v1/agreements/ocds"),
        ("kari", "call-off PDF", f"/avtaler/avrop/{calloff.pk}/dokument.pdf"),
        ("kari", "call-off DOCX", f"/avtaler/avrop/{calloff.pk}/dokument.docx"),
    ]
    print(f"database: {connection.vendor}; {runs} runs per page after one warm-up\n")
    print("| user | page | p50 ms | p95 ms | queries |")
    print("|---|---|---|---|---|")
    for username, label, url in cases:
        client = Client()
        client.force_login(User.objects.get(username=username))
        client.get(url, HTTP_HOST="127.0.0.1")
        timings = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, HTTP_HOST="127.0.0.1")
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        print(
            f"| {username} | {label} | {statistics.median(timings):.0f} | {p95:.0f} | {len(queries.captured_queries)} |"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
