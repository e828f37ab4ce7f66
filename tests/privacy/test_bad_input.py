"""Bad scenarios are rejected with an error that names the hop (or section), the field and the value."""

from __future__ import annotations

from typing import Any

import pytest

from mps.privacy.rules import ScenarioError, assess, parse_scenario
from tests.privacy.builders import hop, scenario


def error_for(raw: Any) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(raw)
    return caught.value


def test_unknown_country_code_names_hop_field_and_value() -> None:
    err = error_for(scenario([hop("h1", "XX")]))
    assert (err.where, err.field) == ("hop 'h1'", "country")
    assert "'XX'" in str(err) and "ISO 3166-1" in str(err)


def test_lower_case_country_code_is_accepted_and_normalised() -> None:
    assert parse_scenario(scenario([hop("h1", "ie")])).hops[0].country == "IE"


def test_unknown_parent_country_is_rejected() -> None:
    err = error_for(scenario([hop("h1", "IE", parent_country="ZZ")]))
    assert (err.where, err.field) == ("hop 'h1'", "parent_country")


def test_unknown_controller_country_is_rejected() -> None:
    raw = scenario([hop("h1", "IE")], controller={"name": "X", "country": "NOR"})
    assert (error_for(raw).where, error_for(raw).field) == ("controller", "country")


def test_cycle_in_the_chain_is_named() -> None:
    err = error_for(scenario([hop("a", "IE", src="b"), hop("b", "IE", src="a")]))
    assert err.field == "from"
    assert "cycle" in str(err)
    assert "a -> b -> a" in str(err) or "b -> a -> b" in str(err)


def test_hop_sending_to_itself_is_a_cycle() -> None:
    err = error_for(scenario([hop("a", "IE", src="a")]))
    assert (err.where, err.field) == ("hop 'a'", "from")


def test_from_that_does_not_exist_is_named() -> None:
    err = error_for(scenario([hop("h1", "IE"), hop("h2", "US", src="h9")]))
    assert (err.where, err.field) == ("hop 'h2'", "from")
    assert "'h9'" in str(err)


def test_duplicate_hop_ids_are_rejected() -> None:
    err = error_for(scenario([hop("h1", "IE"), hop("h1", "SE")]))
    assert (err.where, err.field) == ("hop 'h1'", "id")


def test_reserved_controller_id_is_rejected() -> None:
    assert error_for(scenario([hop("controller", "IE")])).field == "id"


@pytest.mark.parametrize("value", ["2026-02-30", "29.11.2026", "2026-1-5", 20261129, "", None])
def test_bad_assessed_on_dates_are_rejected(value: Any) -> None:
    raw = scenario([hop("h1", "IE")])
    raw["assessed_on"] = value
    err = error_for(raw)
    assert (err.where, err.field) == ("scenario", "assessed_on")


def test_bad_next_due_names_the_dpf_entry() -> None:
    raw = scenario([hop("h1", "IE")])
    raw["dpf_list"] = [{"organisation": "Acme", "eu_us": "active", "next_due": "2027-13-01"}]
    err = error_for(raw)
    assert err.field == "next_due" and "Acme" in err.where


def test_unknown_safeguard_is_rejected_with_the_allowed_list() -> None:
    err = error_for(scenario([hop("h1", "US", safeguards=["scc", "privacy_shield"])]))
    assert (err.where, err.field) == ("hop 'h1'", "safeguards")
    assert "privacy_shield" in str(err) and "derogation_49_1_a" in str(err)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("role", "subprocessor"),
        ("access", "full"),
        ("intra_group", "yes"),
        ("in_adequacy_scope", 1),
    ],
)
def test_bad_enumerations_and_booleans_are_rejected(field: str, value: Any) -> None:
    err = error_for(scenario([hop("h1", "US", **{field: value})]))
    assert (err.where, err.field) == ("hop 'h1'", field)


def test_misspelt_field_is_not_silently_ignored() -> None:
    bad = hop("h1", "US")
    bad["safegaurds"] = bad.pop("safeguards")
    err = error_for(scenario([bad]))
    assert err.field == "safegaurds"


def test_dpf_status_must_be_active_or_inactive() -> None:
    raw = scenario([hop("h1", "US")])
    raw["dpf_list"] = [{"organisation": "Acme", "eu_us": "lapsed"}]
    assert error_for(raw).field == "eu_us"


def test_hop_categories_must_be_among_the_scenarios() -> None:
    err = error_for(scenario([hop("h1", "US", data_categories=["hr"])], categories=["contact"]))
    assert (err.where, err.field) == ("hop 'h1'", "data_categories")


def test_unknown_international_organisation_is_rejected() -> None:
    err = error_for(scenario([hop("h1", "CH", international_organisation="who")]))
    assert err.field == "international_organisation"


@pytest.mark.parametrize("raw", [[], "text", 42, None])
def test_scenario_must_be_an_object(raw: Any) -> None:
    assert error_for(raw).where == "scenario"


def test_hops_must_be_a_list_of_objects() -> None:
    raw = scenario([])
    raw["hops"] = {"h1": {}}
    assert error_for(raw).field == "hops"
    raw["hops"] = ["h1"]
    assert error_for(raw).where == "hops[0]"


def test_missing_required_hop_field_is_named() -> None:
    bad = hop("h1", "US")
    del bad["entity"]
    err = error_for(scenario([bad]))
    assert (err.where, err.field) == ("hop 'h1'", "entity")


def test_overlong_text_is_rejected() -> None:
    err = error_for(scenario([hop("h1", "US", entity="x" * 10_000)]))
    assert err.field == "entity" and "longer than" in str(err)


def test_a_long_chain_is_accepted_without_recursion() -> None:
    chain = [hop("h0", "IE")] + [hop(f"h{i}", "IE", src=f"h{i - 1}") for i in range(1, 3000)]
    parsed = parse_scenario(scenario(chain))
    assert len(parsed.hops) == 3000
    assert assess(parsed).summary.ok == 3000
