"""The commands: `mps scan --org/--all`, `mps score ORGNR --json`, `mps footprint-recheck`."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from mps.riskscore.models import Asset, ScanRun
from tests.riskscore.helpers import verified_eksempel, web_and_tls  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("web_and_tls")]


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_scan_org_then_score_json_gives_every_deduction_with_its_finding(world):
    verified_eksempel(world)
    text = run("scan", "--org", world.eksempel.orgnr)
    assert "eksempel" in text.lower() and "grade" in text
    assert ScanRun.objects.filter(organisation=world.eksempel, trigger="cli").count() == 1
    data = json.loads(run("score", world.eksempel.orgnr, "--json"))
    assert data["organisation"]["orgnr"] == world.eksempel.orgnr
    assert data["grade"] in "ABCDF" and data["method_version"].startswith("2026")
    assert data["confidence"] == 1.0
    assert set(data["factors"]) >= {"tls", "web"}
    assert data["deductions"] and all(d["finding"] and d["check"] for d in data["deductions"])
    lost = sum(Decimal(str(d["points"])) for d in data["deductions"])
    assert lost == Decimal(100) - Decimal(str(data["score"]))


def test_scan_all_scans_only_organisations_with_verified_assets(world):
    verified_eksempel(world)
    data = json.loads(run("scan", "--all", "--json"))
    assert [o["orgnr"] for o in data["organisations"]] == [world.eksempel.orgnr]


def test_an_unknown_or_invalid_orgnr_is_a_usage_error_naming_it(world):
    with pytest.raises(CommandError, match="123"):
        run("score", "123")
    with pytest.raises(CommandError, match="no such organisation"):
        run("scan", "--org", "974760673")


def test_score_without_measurements_says_so(world):
    assert "not scored" in run("score", world.annen.orgnr)


def test_footprint_recheck_reports_its_counts(world):
    verified_eksempel(world)
    Asset.objects.update(last_checked_at=None)
    counts = json.loads(run("footprint-recheck"))
    assert counts == {
        "checked": 1,
        "still_valid": 1,
        "lost": 0,
        "inconclusive": 0,
        "platform_to_vendor": 0,
        "platform_back_to_agency": 0,
    }
