"""Vendors' legal entities are linked to DPF names: same entity automatically, look-alikes only as suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from mps.privacy.dpfwatch import NameMatcher, match_entities, normalise_name, parse_json

FIXTURES = Path(__file__).parent / "fixtures"
SNAP = parse_json((FIXTURES / "dpf_snapshot_2026-10-01.json").read_text())


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Acme Cloud, Inc.", "ACME CLOUD INC"),
        ("Acme Cloud, Inc.", "Acme Cloud Incorporated"),
        ("Globex Mail LLC", "Globex Mail, L.L.C."),
        ("Umbrella Storage Ltd.", "umbrella  storage limited"),
        ("Initech Corporation", "Initech Corp."),
        ("The Acme Company", "Acme Co"),
        ("Smith & Sons Pvt Ltd", "Smith and Sons Private Limited"),
    ],
)
def test_same_legal_entity_written_differently_normalises_alike(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Acme Cloud Ltd", "Acme Cloud Inc"),
        ("Acme Cloud", "Acme Cloud Inc"),
        ("Acme Cloud GmbH", "Acme Cloud AG"),
        ("Acme Cloud Ireland Ltd", "Acme Cloud Ltd"),
    ],
)
def test_a_different_company_form_or_word_is_a_different_entity(a: str, b: str) -> None:
    assert normalise_name(a) != normalise_name(b)


def test_a_name_made_only_of_a_company_form_word_keeps_it() -> None:
    assert normalise_name("Company") == "company"


def test_identical_name_matches_exactly_including_a_covered_entity() -> None:
    found = NameMatcher(SNAP).match("Acme Payments Inc.")
    assert found.match is not None and found.match.kind == "exact" and found.match.automatic
    assert found.match.organisation == "Acme Cloud, Inc." and found.suggestions == ()


def test_normalised_name_matches_automatically() -> None:
    found = NameMatcher(SNAP).match("ACME Cloud Inc")
    assert found.match is not None
    assert (found.match.kind, found.match.listed_name) == ("normalised", "Acme Cloud, Inc.")


def test_other_company_form_is_only_a_suggestion_with_the_reason() -> None:
    found = NameMatcher(SNAP).match("Acme Cloud Ltd")
    assert found.match is None
    top = found.suggestions[0]
    assert (top.listed_name, top.kind, top.automatic) == ("Acme Cloud, Inc.", "suggestion", False)
    assert "company form differs" in top.reason and top.score == 1.0


def test_misspelt_name_is_suggested_not_matched() -> None:
    found = NameMatcher(SNAP).match("Globex Mial LLC")
    assert found.match is None
    assert [s.listed_name for s in found.suggestions][:1] == ["Globex Mail LLC"]
    assert 0.75 <= found.suggestions[0].score < 1


def test_longer_name_sharing_words_is_suggested() -> None:
    found = NameMatcher(SNAP).match("Initech Support Services Inc.")
    assert found.match is None
    assert "Initech Support Inc." in [s.listed_name for s in found.suggestions]


def test_unrelated_name_gets_nothing() -> None:
    found = NameMatcher(SNAP).match("Helvetia Backup AG")
    assert found.match is None and found.suggestions == ()


def test_a_normalised_name_on_two_organisations_needs_a_person() -> None:
    snap = parse_json(
        [
            {"organisation": "Acme Inc.", "eu_us": "active"},
            {"organisation": "Other Corp", "covered_entities": ["ACME, Inc"], "eu_us": "active"},
        ]
    )
    found = NameMatcher(snap).match("Acme Incorporated")
    assert found.match is None
    assert {s.organisation for s in found.suggestions} == {"Acme Inc.", "Other Corp"}


def test_match_entities_collapses_duplicates_and_keeps_order() -> None:
    found = match_entities(["Globex Mail LLC", "Acme Cloud Ltd", "Globex Mail LLC"], SNAP)
    assert list(found) == ["Globex Mail LLC", "Acme Cloud Ltd"]
    assert found["Globex Mail LLC"].match is not None


def test_matching_a_large_list_is_fast() -> None:
    import time

    snap = parse_json(
        [
            {
                "organisation": f"Vendor {i} Cloud Services Inc.",
                "covered_entities": [f"Vendor {i} Ltd"],
                "eu_us": "active",
            }
            for i in range(3000)
        ]
    )
    started = time.process_time()
    found = match_entities([f"Vendor {i} Cloud Services LLC" for i in range(0, 3000, 15)], snap)
    assert time.process_time() - started < 5
    assert all(m.match is None for m in found.values())
    top = found["Vendor 15 Cloud Services LLC"].suggestions[0]
    assert top.listed_name == "Vendor 15 Cloud Services Inc." and "company form" in top.reason
