"""The `mps privacy assess FILE --json` contract, run as scripts run it and through call_command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mps.privacy.rules import cli
from tests.privacy.builders import hop, scenario

REPO = Path(__file__).resolve().parents[2]
DEMO = Path(__file__).with_name("fixtures") / "demo_chain.json"


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    return subprocess.run(
        [sys.executable, "-m", "mps", "privacy", "assess", *args],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def write(tmp_path: Path, raw: Any, name: str = "scenario.json") -> Path:
    path = tmp_path / name
    path.write_text(raw if isinstance(raw, str) else json.dumps(raw), encoding="utf-8")
    return path


def test_cli_assesses_the_demo_chain_as_json() -> None:
    proc = run_cli(str(DEMO), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    hops = {h["id"]: h for h in out["hops"]}
    assert (hops["h1"]["mechanism"], hops["h1"]["status"]) == ("eea", "ok")
    assert "clear_text_parent_third_country" in hops["h1"]["flags"]
    # HR data is in scope but Acme's DPF entry covers non-HR only, and no SCCs: blocked.
    assert (hops["h2"]["mechanism"], hops["h2"]["status"]) == ("none", "blocked")
    assert hops["h2"]["documents"] == ["dpa_art28", "scc_module_3", "scc_annexes_i_iii", "tia"]
    assert (hops["h3"]["mechanism"], hops["h3"]["scc_module"], hops["h3"]["status"]) == (
        "scc",
        3,
        "action",
    )
    assert "remote_access_third_country" in hops["h3"]["flags"]
    assert hops["h4"]["mechanism"] == "adequacy"
    assert (hops["h5"]["mechanism"], hops["h5"]["scc_module"]) == ("dpf", 2)
    assert out["summary"] == {"ok": 3, "action": 1, "blocked": 1}
    assert hops["h3"]["explanation"]["nb"] and hops["h3"]["explanation"]["en"]


def test_cli_reports_bad_input_naming_hop_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, scenario([hop("h1", "IE"), hop("h2", "QQ", src="h1")]))
    proc = run_cli(str(path), "--json")
    assert proc.returncode == 2
    assert "hop 'h2'" in proc.stderr and "'country'" in proc.stderr and "QQ" in proc.stderr
    assert proc.stdout == ""


def test_cli_fail_on_blocked_exits_3_and_reads_stdin() -> None:
    proc = run_cli("-", "--fail-on", "blocked", stdin=DEMO.read_text(encoding="utf-8"))
    assert proc.returncode == 3
    assert "h2" in proc.stderr
    assert "[BLOCKED] h2" in proc.stdout


def call(*args: str) -> str:
    out = StringIO()
    call_command("privacy", "assess", *args, stdout=out)
    return out.getvalue()


def test_call_command_gives_the_same_json_as_the_engine() -> None:
    out = json.loads(call(str(DEMO), "--json"))
    assert out["assessed_on"] == "2026-11-29"
    assert [h["id"] for h in out["hops"]] == ["h1", "h2", "h3", "h4", "h5"]


def test_call_command_text_output_lists_every_hop() -> None:
    text = call(str(DEMO))
    assert "ok 3 · action 1 · blocked 1" in text
    for hop_id in ("h1", "h2", "h3", "h4", "h5"):
        assert f"] {hop_id}:" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON at line 1"),
        ("[" * 100_000 + "]" * 100_000, "JSON"),
        (
            '{"assessed_on": "2026-11-29", "controller": {"name": "X", "country": "NO"}, "hops": [{"id": "a", "from": "b", "entity": "E", "country": "IE", "role": "processor", "access": "storage"}, {"id": "b", "from": "a", "entity": "E", "country": "IE", "role": "processor", "access": "storage"}]}',
            "cycle",
        ),
    ],
)
def test_call_command_rejects_broken_files_with_a_clear_error(
    tmp_path: Path, content: str, message: str
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(CommandError) as caught:
        call(str(path), "--json")
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_call_command_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call(str(tmp_path / "absent.json"))


def run_plain(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    code = cli.run(list(argv), stdin=StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_plain_entry_point_gives_the_same_json_as_the_django_command() -> None:
    code, out, err = run_plain("assess", str(DEMO), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == json.loads(call(str(DEMO), "--json"))


def test_plain_entry_point_reports_bad_input_with_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, scenario([hop("h1", "IE", safeguards=["magic"])]))
    code, out, err = run_plain("assess", str(path))
    assert code == 2 and out == ""
    assert "hop 'h1'" in err and "'safeguards'" in err and "magic" in err


def test_plain_entry_point_runs_without_django_settings() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MPS_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "mps.privacy.rules", "assess", "-", "--json"],
        cwd=REPO,
        env=env,
        input=DEMO.read_text(encoding="utf-8"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"] == {"ok": 3, "action": 1, "blocked": 1}
