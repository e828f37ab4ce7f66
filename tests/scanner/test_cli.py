"""`mps scan-targets`: the documented CLI contract (JSON shape, exit codes, progress bar)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mps.scanner.catalogue import CATALOGUE
from mps.scanner.model import TargetResult
from mps.testnet.dns_server import DnsTestServer
from mps.testnet.zones import ZoneSpec, build_zones

REPO = Path(__file__).resolve().parents[2]
RESOLVER_IP = "127.10.250.53"  # a DNS server for the CLI tests, inside engineer A's range
CLI_NAMES = ("good.test", "absent.test", "services.test")


@pytest.fixture(scope="module")
def resolver(internet):
    """B's test DNS server, serving A records for some of the web hosts."""
    specs = tuple(
        ZoneSpec(f"{name}.", f"@ A {internet.hosts[name]}\n@ NS ns1\nns1 A {RESOLVER_IP}\n")
        for name in CLI_NAMES
    )
    server = DnsTestServer(build_zones(specs), RESOLVER_IP, 0)
    server.start()
    yield f"{RESOLVER_IP}:{server.port}"
    server.stop()


@pytest.fixture(scope="module")
def cli_args(internet, test_ca, resolver):
    ports = ",".join(f"{k}={v}" for k, v in internet.ports.items())
    return [
        "--resolver",
        resolver,
        "--ports",
        ports,
        "--allow-private",
        "--ca-file",
        str(test_ca.root_pem_path),
    ]


def run_json(*args: str) -> dict:
    out = io.StringIO()
    call_command("scan-targets", *args, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def test_json_output_follows_the_contract(cli_args):
    doc = run_json("good.test", *cli_args)
    assert doc["method_version"]
    [target] = doc["targets"]
    assert target["name"] == "good.test"
    for finding in target["findings"]:
        assert {"check", "status", "severity", "address", "port", "evidence", "observed_at"} <= set(
            finding
        )
        assert finding["status"] in {"pass", "fail", "warn", "info", "inconclusive"}
        assert finding["check"] in CATALOGUE
    by_check = {
        f["check"]: f["status"] for f in target["findings"] if f["check"].startswith("tls.")
    }
    assert by_check["tls.cert.expired"] == "pass"
    assert by_check["tls.cert.untrusted"] == "pass"


def test_passes_are_listed_so_checked_differs_from_not_checked(cli_args):
    doc = run_json("good.test", "absent.test", *cli_args)
    targets = {t["name"]: t for t in doc["targets"]}
    good = {f["check"]: f["status"] for f in targets["good.test"]["findings"]}
    bad = {f["check"]: f["status"] for f in targets["absent.test"]["findings"]}
    assert good["http.hsts.missing"] == "pass"
    assert bad["http.hsts.missing"] == "fail"


def test_human_output_lists_failures_first(cli_args):
    out = io.StringIO()
    call_command("scan-targets", "services.test", *cli_args, stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("services.test (")
    assert lines[1].split()[0] == "fail"
    assert any("service.exposed.telnet" in line for line in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bad name!"], "NAME 'bad name!'"),
        (["x.test", "--ports", "https=99999"], "--ports"),
        (["x.test", "--resolver", "not-an-ip"], "--resolver"),
        (["x.test", "--concurrency", "0"], "--concurrency"),
        (["x.test", "--ca-file", "/nonexistent/ca.pem"], "--ca-file /nonexistent/ca.pem"),
        (["x.test", "--trust-anchor", "/nonexistent/anchor"], "--trust-anchor"),
    ],
)
def test_usage_errors_name_the_problem(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("scan-targets", *args, stdout=io.StringIO())


def test_ca_file_that_is_not_pem_is_a_usage_error(tmp_path):
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    with pytest.raises(CommandError, match="not PEM"):
        call_command("scan-targets", "x.test", "--ca-file", str(bad), stdout=io.StringIO())


def _subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPS_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "tests.settings"}
    return subprocess.run(
        [sys.executable, "-m", "mps", "scan-targets", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_command_line_exits_zero_with_failing_findings_and_no_progress_bar_off_a_terminal(cli_args):
    proc = _subprocess("absent.test", *cli_args, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert any(f["status"] == "fail" for f in doc["targets"][0]["findings"])
    assert "\r[" not in proc.stderr


def test_command_line_usage_error_exits_non_zero():
    proc = _subprocess("x.test", "--ports", "gopher=70")
    assert proc.returncode != 0
    assert "unknown service 'gopher'" in proc.stderr


def test_progress_bar_is_drawn_on_a_terminal():
    from importlib import import_module

    progress_cls = import_module("mps.riskscore.management.commands.scan-targets").Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = progress_cls(2, stream)
    bar(1, TargetResult(name="a.test"))
    bar(2, TargetResult(name="b.test"))
    assert "[###############...............] 1/2" in stream.getvalue()
    assert stream.getvalue().endswith("\n")


def test_trust_anchor_that_is_not_ds_or_dnskey_is_a_usage_error(tmp_path):
    bad = tmp_path / "anchor.txt"
    bad.write_text("this is not a trust anchor\n")
    with pytest.raises(CommandError, match="--trust-anchor: trust anchor file .* line 1"):
        call_command("scan-targets", "x.test", "--trust-anchor", str(bad), stdout=io.StringIO())


def test_progress_bar_steps_aside_for_human_output_and_comes_back():
    from importlib import import_module

    progress_cls = import_module("mps.riskscore.management.commands.scan-targets").Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = progress_cls(3, stream)
    bar(1, TargetResult(name="a.test"))
    bar.clear()
    assert stream.getvalue().endswith(" \r")  # the line is blanked, the cursor at column 0
    bar.redraw()
    assert stream.getvalue().endswith("1/3 a.test" + " " * 34)
    bar(3, TargetResult(name="c.test"))
    before = stream.getvalue()
    bar.clear()
    bar.redraw()
    assert stream.getvalue() == before  # finished: the bar already ended its line


def _bare_subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m mps` on a machine with no MPS_* configuration and no settings module."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MPS_") and k != "DJANGO_SETTINGS_MODULE"
    }
    return subprocess.run(
        [sys.executable, "-m", "mps", "scan-targets", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_command_line_needs_no_secret_key_database_or_settings(internet, test_ca):
    ports = ",".join(f"{k}={v}" for k, v in internet.ports.items())
    ip = internet.hosts["good.test"]
    args = ("--allow-private", "--ca-file", str(test_ca.root_pem_path), "--ports", ports)
    proc = _bare_subprocess(ip, *args, "--json")
    assert proc.returncode == 0, proc.stderr
    [target] = json.loads(proc.stdout)["targets"]
    assert target["name"] == ip
    assert {f["check"]: f["status"] for f in target["findings"]}["tls.unavailable"] == "pass"


def test_usage_error_without_configuration_is_a_message_not_a_traceback():
    proc = _bare_subprocess("bad name!")
    assert proc.returncode != 0
    assert "NAME 'bad name!'" in proc.stderr
    assert "Traceback" not in proc.stderr
