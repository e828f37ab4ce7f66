"""Our own house (issue 4): the running mps, scanned by its own engine, has no finding of
medium severity or worse.

mps runs in a subprocess with production settings (MPS_DEBUG=0) behind a small TLS front
(tests/riskscore/serve_tls.py) on a loopback address, with a certificate from the test CA.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from mps.scanner.config import ScanConfig
from mps.scanner.model import Severity, Status
from mps.scanner.runner import scan_sync
from mps.testnet.ca import TestCA
from mps.testnet.world import TEST_PORTS
from tests.riskscore.subprocs import shared_database, subprocess_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

IP = "127.43.0.1"
NAME = "mps.test"
SERIOUS = {Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL}


def serve(env: dict[str, str], chain: Path, key: Path, log: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "tests.riskscore.serve_tls", IP]
        + [str(TEST_PORTS["https"]), str(TEST_PORTS["http"]), str(chain), str(key)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[2],
    )
    end = time.monotonic() + 45
    while b"ready" not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > end:
            proc.kill()
            pytest.fail(f"mps did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)
    return proc


def test_mps_itself_has_no_finding_of_medium_severity_or_worse(tmp_path):
    ca = TestCA(tmp_path / "ca")
    cert = ca.issue([NAME])
    with shared_database(tmp_path) as database_url:
        env = subprocess_env(
            database_url,
            tmp_path / "data",
            MPS_DEBUG="0",
            MPS_SECRET_KEY="own-house-test-secret-key-0123456789-abcdefghijklmnop",
            MPS_ALLOWED_HOSTS=f"{NAME},{IP}",
        )
        proc = serve(env, cert.chain_path, cert.key_path, tmp_path / "server.log")
        try:
            config = ScanConfig(
                static_hosts={NAME: [IP]},
                allow_private=True,
                ca_file=Path(ca.root_pem_path),
                ports=dict(TEST_PORTS),
                families=("tls", "http", "services"),
                probe_timeout=5.0,
                host_deadline=60.0,
            )
            (result,) = scan_sync([NAME], config)
        finally:
            proc.kill()
            proc.wait(10)
    problems = [
        f"{f.check} [{f.severity}/{f.status}] {f.address}:{f.port} {f.detail}"
        for f in result.findings
        if f.status in (Status.FAIL, Status.WARN) and f.severity in SERIOUS
    ]
    for f in result.findings:  # the lesser ones, for the record (pytest -rP shows them)
        if f.status in (Status.FAIL, Status.WARN, Status.INCONCLUSIVE):
            print(f"{f.check} [{f.severity}/{f.status}] {f.address}:{f.port} {f.detail}")
    assert not problems, "mps fails its own scan:\n" + "\n".join(problems)
    # The scan did reach mps over HTTPS: the web checks are conclusive.
    web = [f for f in result.findings if f.check.startswith("http.")]
    assert web and all(
        f.status != Status.INCONCLUSIVE for f in web if f.check != "http.security_txt.invalid"
    )
