"""The shipped reference data: right members, right dates, every fact with a source."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from mps.privacy.rules.refdata import REFERENCE_FILE, load_reference, reference

REPO = Path(__file__).resolve().parents[2]


def test_eea_is_the_eu_27_plus_iceland_liechtenstein_and_norway() -> None:
    eea = reference().eea
    assert len(eea) == 30
    assert {"NO", "IS", "LI", "IE", "GR", "HR"} <= eea
    assert not {"GB", "CH", "US", "FO"} & eea


def test_iso_list_has_all_249_officially_assigned_codes() -> None:
    codes = reference().iso_alpha2
    assert len(codes) == 249
    assert {"NO", "GB", "US", "IN", "XK"} - codes == {"XK"}  # Kosovo is user-assigned, not ISO


@pytest.mark.parametrize(
    ("key", "adopted", "until"),
    [
        ("US", "2023-07-10", None),
        ("GB", "2021-06-28", "2031-12-27"),
        ("JP", "2019-01-23", None),
        ("KR", "2021-12-17", None),
        ("CA", "2001-12-20", None),
        ("BR", "2026-01-26", None),
    ],
)
def test_key_decision_dates(key: str, adopted: str, until: str | None) -> None:
    decision = reference().adequacy_by_country[key]
    assert decision.periods[0].valid_from == date.fromisoformat(adopted)
    last = max(decision.periods, key=lambda p: p.valid_until or date.max)
    assert last.valid_until == (date.fromisoformat(until) if until else None)


def test_uk_decision_expired_on_27_june_2025_without_the_extension() -> None:
    first = reference().adequacy_by_country["GB"].periods[0]
    assert first.valid_until == date(2025, 6, 27)
    assert reference().adequacy_by_country["GB"].periods[1].valid_until == date(2025, 12, 27)


def test_european_patent_organisation_decision_of_15_july_2025() -> None:
    decision = reference().adequacy_by_organisation["european_patent_organisation"]
    assert decision.decision.endswith("2025/1382")
    assert decision.periods[0].valid_from == date(2025, 7, 15)


def test_partial_scopes_are_marked_and_us_is_dpf_only() -> None:
    by_country = reference().adequacy_by_country
    assert {c for c, d in by_country.items() if d.scope == "partial"} == {"CA", "JP", "KR"}
    assert by_country["US"].scope == "dpf_only"


def test_every_decision_cites_a_known_source() -> None:
    raw = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    for item in raw["adequacy"]:
        for source in item["source"].split(", "):
            assert source in raw["sources"], (item["id"], source)


def test_a_broken_reference_file_fails_loudly(tmp_path: Path) -> None:
    raw = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    raw["eea_members"]["efta_eea"].append("QQ")
    bad = tmp_path / "ref.json"
    bad.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="QQ"):
        load_reference(bad)


def test_engine_imports_no_django() -> None:
    code = (
        "import sys, mps.privacy.rules, mps.privacy.rules.cli; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
