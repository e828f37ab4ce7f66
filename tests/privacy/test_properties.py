"""Property-based tests of the transfer rules over random chains (hypothesis)."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mps.privacy.rules import assess, assess_many, parse_scenario, to_json
from mps.privacy.rules.constants import SAFEGUARDS, SCC_MODULES, STATUS_RANK
from mps.privacy.rules.refdata import reference

COUNTRIES = ["NO", "IE", "DE", "SE", "US", "IN", "CH", "GB", "CA", "JP", "KR", "BR", "CN"]
ENTITIES = ["Acme Cloud, Inc.", "Acme Cloud Inc", "Globex LLC", "Initech Ltd", "Umbrella Corp"]
CATEGORIES = ["contact", "hr", "health", "national_id"]
EXAMPLES = settings(max_examples=200, deadline=None)

dates = st.dates(date(2019, 1, 1), date(2033, 12, 31))


@st.composite
def dpf_entries(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "organisation": draw(st.sampled_from(ENTITIES)),
        "covered_entities": draw(st.lists(st.sampled_from(ENTITIES), max_size=2, unique=True)),
        "eu_us": draw(st.sampled_from(["active", "inactive"])),
        "hr": draw(st.booleans()),
        "non_hr": draw(st.booleans()),
        "next_due": draw(st.none() | dates.map(date.isoformat)),
    }


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 6))
    categories = draw(st.lists(st.sampled_from(CATEGORIES), unique=True, max_size=4))
    hops = []
    for i in range(count):
        org = draw(st.sampled_from([None, None, None, "european_patent_organisation"]))
        hop: dict[str, Any] = {
            "id": f"h{i}",
            "from": draw(st.sampled_from(["controller", *[f"h{j}" for j in range(i)]])),
            "entity": draw(st.sampled_from(ENTITIES)),
            "country": draw(st.sampled_from(COUNTRIES)),
            "role": draw(st.sampled_from(["controller", "processor"])),
            "access": draw(st.sampled_from(["storage", "processing", "remote"])),
            "intra_group": draw(st.booleans()),
            "safeguards": draw(
                st.lists(st.sampled_from(sorted(SAFEGUARDS)), unique=True, max_size=4)
            ),
            "parent_country": draw(st.none() | st.sampled_from(COUNTRIES)),
            "in_adequacy_scope": draw(st.sampled_from([None, True, False])),
        }
        if org:
            hop["international_organisation"] = org
        if categories and draw(st.booleans()):
            hop["data_categories"] = draw(
                st.lists(st.sampled_from(categories), unique=True, min_size=1)
            )
        hops.append(hop)
    return {
        "assessed_on": draw(dates).isoformat(),
        "controller": {
            "name": "Eksempel kommune",
            "country": "NO",
            "public_authority": draw(st.booleans()),
        },
        "data_categories": categories,
        "dpf_list": draw(st.lists(dpf_entries(), max_size=4)),
        "hops": hops,
    }


def statuses(raw: dict[str, Any]) -> dict[str, str]:
    return {h.id: h.status for h in assess(parse_scenario(raw)).hops}


@EXAMPLES
@given(raw=scenarios(), data=st.data())
def test_adding_a_safeguard_never_worsens_any_hop(raw: dict[str, Any], data: st.DataObject) -> None:
    before = statuses(raw)
    richer = copy.deepcopy(raw)
    target = data.draw(st.sampled_from(richer["hops"]))
    extra = data.draw(st.sampled_from(sorted(SAFEGUARDS)))
    if extra not in target["safeguards"]:
        target["safeguards"].append(extra)
    after = statuses(richer)
    for hop_id, status in before.items():
        assert STATUS_RANK[after[hop_id]] <= STATUS_RANK[status], (hop_id, extra)


@EXAMPLES
@given(raw=scenarios())
def test_eea_hops_are_never_blocked(raw: dict[str, Any]) -> None:
    eea = reference().eea
    by_id = {h["id"]: h for h in raw["hops"]}
    for result in assess(parse_scenario(raw)).hops:
        source = by_id[result.id]
        if source["country"] in eea and "international_organisation" not in source:
            assert (result.mechanism, result.status) == ("eea", "ok")


@EXAMPLES
@given(raw=scenarios())
def test_assessment_is_deterministic_and_independent_of_hop_order(raw: dict[str, Any]) -> None:
    first = assess(parse_scenario(raw))
    assert assess(parse_scenario(raw)) == first
    reordered = copy.deepcopy(raw)
    reordered["hops"].reverse()
    again = {h.id: h for h in assess(parse_scenario(reordered)).hops}
    assert all(again[h.id] == h for h in first.hops)


@EXAMPLES
@given(raw=scenarios(), lag=st.integers(1, 2000))
def test_overdue_dpf_entries_never_give_dpf(raw: dict[str, Any], lag: int) -> None:
    assessed_on = date.fromisoformat(raw["assessed_on"])
    for entry in raw["dpf_list"]:
        entry["next_due"] = (assessed_on - timedelta(days=lag)).isoformat()
    assert all(h.mechanism != "dpf" for h in assess(parse_scenario(raw)).hops)


@EXAMPLES
@given(raw=scenarios())
def test_every_verdict_is_consistent_with_its_inputs(raw: dict[str, Any]) -> None:
    """Blocked exactly when no ground; the SCC module follows the roles; a DPF ground needs a
    US recipient with an active entry due on or after assessed_on."""
    by_id = {h["id"]: h for h in raw["hops"]}
    for result in assess(parse_scenario(raw)).hops:
        assert (result.status == "blocked") == (result.mechanism == "none")
        if result.mechanism != "eea":
            assert result.scc_module == SCC_MODULES[(result.exporter_role, result.importer_role)]
        if result.mechanism == "dpf":
            assert by_id[result.id]["country"] == "US"
            named = [e for e in raw["dpf_list"] if result.dpf_organisation == e["organisation"]]
            assert any(
                e["eu_us"] == "active" and (e["next_due"] or "") >= raw["assessed_on"]
                for e in named
            )


@settings(max_examples=50, deadline=None)
@given(raw=scenarios())
def test_json_output_keeps_the_cli_contract(raw: dict[str, Any]) -> None:
    out = json.loads(to_json(assess(parse_scenario(raw))))
    assert [h["id"] for h in out["hops"]] == [h["id"] for h in raw["hops"]]
    for hop in out["hops"]:
        assert {
            "id",
            "mechanism",
            "scc_module",
            "status",
            "documents",
            "flags",
            "explanation",
        } <= hop.keys()
        assert set(hop["explanation"]) == {"nb", "en"}


@settings(max_examples=30, deadline=None)
@given(raws=st.lists(scenarios(), min_size=1, max_size=4), dpf=st.lists(dpf_entries(), max_size=4))
def test_batch_reassessment_equals_one_by_one(
    raws: list[dict[str, Any]], dpf: list[dict[str, Any]]
) -> None:
    for raw in raws:
        raw["dpf_list"] = dpf
    parsed = [parse_scenario(raw) for raw in raws]
    one_by_one = [assess(s) for s in parsed]
    entries = parsed[0].dpf_list
    assert list(assess_many(parsed, entries)) == one_by_one


@EXAMPLES
@given(raw=scenarios(), extra=dpf_entries())
def test_adding_a_dpf_list_row_never_worsens_any_hop(
    raw: dict[str, Any], extra: dict[str, Any]
) -> None:
    before = statuses(raw)
    richer = copy.deepcopy(raw)
    richer["dpf_list"].append(extra)
    after = statuses(richer)
    assert all(STATUS_RANK[after[h]] <= STATUS_RANK[s] for h, s in before.items())
