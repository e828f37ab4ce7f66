"""DPF list snapshots are read from JSON and CSV into the engine's entry type; bad rows are named."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from mps.privacy.dpfwatch import SnapshotError, parse_csv, parse_json, parse_snapshot, to_dict
from mps.privacy.rules import assess, parse_scenario
from mps.privacy.rules.model import DpfEntry

FIXTURES = Path(__file__).parent / "fixtures"
OCTOBER = FIXTURES / "dpf_snapshot_2026-10-01.json"
NOVEMBER = FIXTURES / "dpf_snapshot_2026-11-29.csv"
HEADER = "organisation,covered_entities,eu_us,uk_extension,swiss_us,hr,non_hr,original_certification,next_due\n"


def csv_error(body: str, header: str = HEADER) -> SnapshotError:
    with pytest.raises(SnapshotError) as caught:
        parse_csv(header + body)
    return caught.value


def test_json_snapshot_reads_every_field_per_framework() -> None:
    snap = parse_json(OCTOBER.read_bytes())
    assert snap.taken_on == date(2026, 10, 1)
    acme = snap.by_organisation()["Acme Cloud, Inc."]
    assert acme.entry == DpfEntry(
        organisation="Acme Cloud, Inc.",
        covered_entities=("Acme Analytics LLC", "Acme Payments Inc."),
        eu_us="active",
        hr=True,
        non_hr=True,
        next_due=date(2027, 7, 17),
    )
    assert (acme.uk_extension, acme.swiss_us) == ("active", "active")
    assert acme.original_certification == date(2023, 7, 17)
    globex = snap.by_organisation()["Globex Mail LLC"]
    assert globex.swiss_us is None and globex.status("uk_extension") == "active"


def test_csv_snapshot_splits_covered_entities_on_the_bar() -> None:
    snap = parse_csv(NOVEMBER.read_text(encoding="utf-8"))
    initech = snap.by_organisation()["Initech Corporation"]
    assert initech.entry.covered_entities == ("Initech Support Inc.", "Initech Hosting LLC")
    assert initech.uk_extension is None and initech.swiss_us == "inactive"
    assert snap.by_organisation()["Globex Mail LLC"].entry.eu_us == "inactive"
    assert "Hooli Ærlig Data Inc." in snap.by_organisation()


def test_semicolon_csv_with_byte_order_mark_and_norwegian_booleans_is_read() -> None:
    data = b"\xef\xbb\xbf" + (FIXTURES / "dpf_snapshot_semicolon.csv").read_bytes()
    snap = parse_snapshot(data)
    acme = snap.by_organisation()["Acme; Cloud, Inc."]
    assert acme.entry.eu_us == "active" and acme.entry.hr is True
    globex = snap.by_organisation()["Globex Mail LLC"]
    assert (globex.entry.hr, globex.entry.non_hr) == (False, True)
    assert globex.uk_extension is None and globex.original_certification is None


def test_format_is_guessed_from_the_first_character() -> None:
    assert parse_snapshot(OCTOBER.read_text()).taken_on == date(2026, 10, 1)
    assert len(parse_snapshot(NOVEMBER.read_bytes()).organisations) == 4
    assert parse_snapshot("[]").organisations == ()


def test_snapshot_entries_feed_the_transfer_engine() -> None:
    snap = parse_json(OCTOBER.read_text())
    scenario = parse_scenario(
        {
            "assessed_on": "2026-11-29",
            "controller": {"name": "Eksempel kommune", "country": "NO", "public_authority": True},
            "data_categories": ["contact"],
            "hops": [
                {
                    "id": "h1",
                    "from": "controller",
                    "entity": "Acme Payments Inc.",
                    "country": "US",
                    "role": "processor",
                    "access": "processing",
                }
            ],
        }
    )
    from dataclasses import replace

    result = assess(replace(scenario, dpf_list=snap.entries()))
    assert result.hops[0].mechanism == "dpf"
    assert result.hops[0].dpf_organisation == "Acme Cloud, Inc."


def test_to_dict_round_trips_through_json() -> None:
    snap = parse_csv(NOVEMBER.read_bytes(), taken_on=date(2026, 11, 29))
    again = parse_json(json.dumps(to_dict(snap)))
    assert again == snap


def test_csv_error_names_line_field_and_value_for_a_bad_date() -> None:
    err = csv_error("Acme Cloud Inc,,active,,,true,true,2023-07-17,2027-02-30\n")
    assert (err.where, err.field, err.value) == (
        "line 2 ('Acme Cloud Inc')",
        "next_due",
        "2027-02-30",
    )
    assert "'2027-02-30'" in str(err) and "YYYY-MM-DD" in str(err)


def test_csv_error_counts_lines_after_a_quoted_multi_line_cell() -> None:
    body = '"Acme\nCloud",,active,,,true,true,,2027-01-01\nGlobex,,lapsed,,,true,true,,\n'
    err = csv_error(body)
    assert err.where.startswith("line 4") and err.field == "eu_us" and err.value == "lapsed"


def test_unknown_status_in_another_framework_is_named() -> None:
    err = csv_error("Acme,,active,pending,,true,true,,\n")
    assert (err.field, err.value) == ("uk_extension", "pending")


def test_non_boolean_coverage_is_named() -> None:
    err = csv_error("Acme,,active,,,maybe,true,,\n")
    assert (err.where, err.field, err.value) == ("line 2 ('Acme')", "hr", "maybe")


def test_missing_organisation_and_status_are_required() -> None:
    assert csv_error(",,active,,,true,true,,\n").field == "organisation"
    assert csv_error("Acme,,,,,true,true,,\n").field == "eu_us"


def test_unknown_and_missing_columns_are_named_on_the_header_line() -> None:
    err = csv_error("", header="organisation,eu_us,colour\n")
    assert (err.where, err.field) == ("line 1", "colour")
    err = csv_error("", header="organisation,hr\n")
    assert (err.where, err.field) == ("line 1", "eu_us")


def test_a_row_with_the_wrong_number_of_cells_is_named() -> None:
    err = csv_error("Acme,,active\n")
    assert err.where == "line 2" and "9 cells" in str(err)


def test_an_organisation_listed_twice_is_rejected_with_both_places() -> None:
    err = csv_error("Acme,,active,,,,,,\nAcme,,inactive,,,,,,\n")
    assert err.where == "line 3 ('Acme')" and "also line 2" in str(err)


def test_json_errors_name_the_entry() -> None:
    with pytest.raises(SnapshotError) as caught:
        parse_json([{"organisation": "A", "eu_us": "active"}, {"organisation": "B", "eu_us": 1}])
    assert (caught.value.where, caught.value.field) == ("entry 2 ('B')", "eu_us")
    with pytest.raises(SnapshotError) as caught:
        parse_json({"organisations": [{"organisation": "A", "eu_us": "active", "extra": 1}]})
    assert caught.value.field == "extra"
    with pytest.raises(SnapshotError) as caught:
        parse_json("{not json")
    assert "not valid JSON" in str(caught.value)
    with pytest.raises(SnapshotError) as caught:
        parse_json(
            {"organisations": [{"organisation": "A", "eu_us": "active", "covered_entities": "B"}]}
        )
    assert caught.value.field == "covered_entities"


def test_unknown_format_and_empty_csv_are_rejected() -> None:
    with pytest.raises(SnapshotError):
        parse_snapshot("x", fmt="xml")
    with pytest.raises(SnapshotError) as caught:
        parse_csv("")
    assert caught.value.where == "line 1"


def test_blank_lines_are_skipped_and_whitespace_in_names_is_collapsed() -> None:
    snap = parse_csv(HEADER + "\n  Acme   Cloud ,,active,,,,,,\n\n")
    assert snap.organisations[0].organisation == "Acme Cloud"
