"""Worked cases: one realistic chain per row, each with the one-line reason for its verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.privacy.builders import (
    ACME_INC,
    PRIVATE_FIRM,
    dpf_entry,
    hop,
    results,
    scenario,
)

EEA_PROC = hop("eu", "IE", entity="Acme Cloud Ireland Ltd")


@dataclass
class Case:
    name: str
    reason: str
    raw: dict[str, Any]
    target: str
    mechanism: str
    status: str
    module: int | None = None
    flags: set[str] = field(default_factory=set)
    no_flags: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)


def us(hop_id: str = "us", **kw: Any) -> dict[str, Any]:
    kw.setdefault("entity", ACME_INC)
    kw.setdefault("src", "eu")
    return hop(hop_id, "US", **kw)


CASES = [
    Case(
        "eea_only",
        "an Irish processor is inside the EEA, so no transfer (Art. 44)",
        scenario([EEA_PROC]),
        "eu",
        "eea",
        "ok",
        documents={"dpa_art28"},
    ),
    Case(
        "norway_is_eea",
        "Norway is an EEA/EFTA state, so no transfer",
        scenario([hop("no", "NO")]),
        "no",
        "eea",
        "ok",
    ),
    Case(
        "swiss_subprocessor",
        "Switzerland has full adequacy (Decision 2000/518/EC)",
        scenario([EEA_PROC, hop("ch", "CH", src="eu")]),
        "ch",
        "adequacy",
        "ok",
        module=3,
    ),
    Case(
        "uk_original_decision",
        "UK adequacy (2021/1772) applied on 1 June 2025",
        scenario([hop("uk", "GB")], assessed_on="2025-06-01"),
        "uk",
        "adequacy",
        "ok",
    ),
    Case(
        "uk_extension",
        "the six-month extension covered 20 December 2025",
        scenario([hop("uk", "GB")], assessed_on="2025-12-20"),
        "uk",
        "adequacy",
        "ok",
    ),
    Case(
        "uk_renewed",
        "the renewal of 19 December 2025 runs to 27 December 2031",
        scenario([hop("uk", "GB")]),
        "uk",
        "adequacy",
        "ok",
    ),
    Case(
        "uk_last_day",
        "27 December 2031 is the last day of the renewed UK decision",
        scenario([hop("uk", "GB")], assessed_on="2031-12-27"),
        "uk",
        "adequacy",
        "ok",
    ),
    Case(
        "uk_after_expiry",
        "after 27 December 2031 the UK has no adequacy and nothing else is in place",
        scenario([hop("uk", "GB")], assessed_on="2031-12-28"),
        "uk",
        "none",
        "blocked",
        module=2,
        documents={"scc_module_2", "tia"},
    ),
    Case(
        "us_dpf_only",
        "the exact entity is active on the DPF list for non-HR data; no fallback",
        scenario([EEA_PROC, us()], dpf=[dpf_entry(hr=False)]),
        "us",
        "dpf",
        "ok",
        module=3,
        flags={"dpf_only_ground"},
    ),
    Case(
        "us_dpf_with_scc_fallback",
        "DPF is in place and signed SCCs are a fallback",
        scenario([EEA_PROC, us(safeguards=["scc"])], dpf=[dpf_entry()]),
        "us",
        "dpf",
        "ok",
        no_flags={"dpf_only_ground"},
    ),
    Case(
        "us_dpf_with_only_a_derogation_behind",
        "a derogation is no fallback for DPF",
        scenario([EEA_PROC, us(safeguards=["derogation_49_1_d"])], dpf=[dpf_entry()]),
        "us",
        "dpf",
        "ok",
        flags={"dpf_only_ground"},
    ),
    Case(
        "us_dpf_with_bcr_fallback",
        "intra-group BCR are a fallback for DPF",
        scenario([EEA_PROC, us(intra_group=True, safeguards=["bcr"])], dpf=[dpf_entry()]),
        "us",
        "dpf",
        "ok",
        no_flags={"dpf_only_ground"},
    ),
    Case(
        "us_parent_not_hr_certified",
        "HR data is in scope but the DPF entry covers only non-HR data",
        scenario([EEA_PROC, us()], dpf=[dpf_entry(hr=False)], categories=["contact", "hr"]),
        "us",
        "none",
        "blocked",
        module=3,
        documents={"scc_module_3", "scc_annexes_i_iii", "tia"},
    ),
    Case(
        "us_hr_only_hop",
        "a hop reaching only HR data needs only HR coverage",
        scenario(
            [EEA_PROC, us(data_categories=["hr"])],
            dpf=[dpf_entry(non_hr=False)],
            categories=["contact", "hr"],
        ),
        "us",
        "dpf",
        "ok",
    ),
    Case(
        "us_dpf_inactive",
        "an inactive DPF entry is no ground",
        scenario([EEA_PROC, us()], dpf=[dpf_entry(status="inactive")]),
        "us",
        "none",
        "blocked",
    ),
    Case(
        "us_dpf_overdue",
        "re-certification was due the day before assessed_on",
        scenario([EEA_PROC, us()], dpf=[dpf_entry(next_due="2026-11-28")]),
        "us",
        "none",
        "blocked",
    ),
    Case(
        "us_dpf_due_today",
        "next_due on assessed_on still counts",
        scenario([EEA_PROC, us()], dpf=[dpf_entry(next_due="2026-11-29")]),
        "us",
        "dpf",
        "ok",
        flags={"dpf_due_within_60_days"},
    ),
    Case(
        "us_dpf_due_in_60_days",
        "due in exactly 60 days raises the warning",
        scenario([EEA_PROC, us()], dpf=[dpf_entry(next_due="2027-01-28")]),
        "us",
        "dpf",
        "ok",
        flags={"dpf_due_within_60_days"},
    ),
    Case(
        "us_dpf_due_in_61_days",
        "due in 61 days does not",
        scenario([EEA_PROC, us()], dpf=[dpf_entry(next_due="2027-01-29")]),
        "us",
        "dpf",
        "ok",
        no_flags={"dpf_due_within_60_days"},
    ),
    Case(
        "us_dpf_overdue_scc_tia",
        "an overdue DPF entry falls back to SCCs with a TIA",
        scenario([EEA_PROC, us(safeguards=["scc", "tia"])], dpf=[dpf_entry(next_due="2026-01-01")]),
        "us",
        "scc",
        "ok",
        module=3,
    ),
    Case(
        "us_covered_entity",
        "a named covered entity of a certified organisation is covered",
        scenario(
            [EEA_PROC, us(entity="Acme Support LLC")], dpf=[dpf_entry(covered=["Acme Support LLC"])]
        ),
        "us",
        "dpf",
        "ok",
    ),
    Case(
        "us_near_name_only",
        "'Acme Cloud Inc' is not the exact listed entity; a person must confirm",
        scenario([EEA_PROC, us(entity="Acme Cloud Inc")], dpf=[dpf_entry()]),
        "us",
        "none",
        "blocked",
        flags={"dpf_entity_name_mismatch"},
    ),
    Case(
        "us_confirmed_mapping",
        "a person confirmed the DPF entry for a differently named entity",
        scenario([EEA_PROC, us(entity="Acme Cloud Inc", dpf_entity=ACME_INC)], dpf=[dpf_entry()]),
        "us",
        "dpf",
        "ok",
        flags={"dpf_entity_name_mismatch"},
    ),
    Case(
        "us_before_dpf_decision",
        "the DPF decision of 10 July 2023 did not apply on 9 July 2023",
        scenario([EEA_PROC, us()], dpf=[dpf_entry()], assessed_on="2023-07-09"),
        "us",
        "none",
        "blocked",
    ),
    Case(
        "us_on_dpf_decision_day",
        "on 10 July 2023 the DPF decision applied",
        scenario([EEA_PROC, us()], dpf=[dpf_entry()], assessed_on="2023-07-10"),
        "us",
        "dpf",
        "ok",
    ),
    Case(
        "us_controller_importer",
        "the controller sending to a US controller uses module 1",
        scenario([us(src="controller", role="controller")], dpf=[dpf_entry()]),
        "us",
        "dpf",
        "ok",
        module=1,
    ),
    Case(
        "india_support_scc_no_tia",
        "signed SCCs without a TIA need action; remote access is a transfer",
        scenario([EEA_PROC, hop("in", "IN", src="eu", access="remote", safeguards=["scc"])]),
        "in",
        "scc",
        "action",
        module=3,
        flags={"remote_access_third_country"},
        documents={"scc_module_3", "tia"},
    ),
    Case(
        "india_support_scc_tia",
        "SCCs with a TIA are a complete Art. 46 ground",
        scenario([EEA_PROC, hop("in", "IN", src="eu", access="remote", safeguards=["scc", "tia"])]),
        "in",
        "scc",
        "ok",
        module=3,
    ),
    Case(
        "india_nothing",
        "no ground at all blocks the hop and lists SCC module 3 and a TIA",
        scenario([EEA_PROC, hop("in", "IN", src="eu", access="remote")]),
        "in",
        "none",
        "blocked",
        module=3,
        documents={"scc_module_3", "scc_annexes_i_iii", "tia"},
    ),
    Case(
        "module_2",
        "controller to processor in a third country is module 2",
        scenario([hop("in", "IN", safeguards=["scc", "tia"])]),
        "in",
        "scc",
        "ok",
        module=2,
    ),
    Case(
        "module_4",
        "a processor returning data to a controller is module 4",
        scenario(
            [EEA_PROC, hop("in", "IN", src="eu", role="controller", safeguards=["scc", "tia"])]
        ),
        "in",
        "scc",
        "ok",
        module=4,
    ),
    Case(
        "bcr_intra_group",
        "BCR with a TIA cover an intra-group transfer",
        scenario(
            [EEA_PROC, hop("in", "IN", src="eu", intra_group=True, safeguards=["bcr", "tia"])]
        ),
        "in",
        "bcr",
        "ok",
        documents={"bcr_art47"},
    ),
    Case(
        "bcr_without_tia",
        "BCR still need a transfer impact assessment",
        scenario([EEA_PROC, hop("in", "IN", src="eu", intra_group=True, safeguards=["bcr"])]),
        "in",
        "bcr",
        "action",
    ),
    Case(
        "bcr_outside_group",
        "BCR do not reach a recipient outside the group (Art. 47)",
        scenario([EEA_PROC, hop("in", "IN", src="eu", safeguards=["bcr", "tia"])]),
        "in",
        "none",
        "blocked",
        flags={"bcr_not_intra_group"},
    ),
    Case(
        "consent_barred_for_public_powers",
        "Art. 49(3): a public authority cannot rely on consent",
        scenario([hop("in", "IN", safeguards=["derogation_49_1_a"])]),
        "in",
        "none",
        "blocked",
        flags={"derogation_barred_art49_3"},
    ),
    Case(
        "consent_for_private_controller",
        "a private controller may use explicit consent as a last resort",
        scenario([hop("in", "IN", safeguards=["derogation_49_1_a"])], controller=PRIVATE_FIRM),
        "in",
        "derogation",
        "action",
        documents={"derogation_record_art49"},
    ),
    Case(
        "public_interest_for_public_authority",
        "Art. 49(1)(d) is not barred for public authorities",
        scenario([hop("in", "IN", safeguards=["derogation_49_1_d"])]),
        "in",
        "derogation",
        "action",
    ),
    Case(
        "derogation_is_last_resort",
        "with SCCs in place the derogation is not used",
        scenario([hop("in", "IN", safeguards=["scc", "derogation_49_1_d"])]),
        "in",
        "scc",
        "action",
    ),
    Case(
        "canada_scope_unconfirmed",
        "Canada's decision covers only PIPEDA recipients; scope not confirmed",
        scenario([hop("ca", "CA")]),
        "ca",
        "adequacy",
        "action",
        documents={"adequacy_scope_confirmation"},
    ),
    Case(
        "canada_in_scope",
        "a recipient subject to PIPEDA is covered",
        scenario([hop("ca", "CA", in_adequacy_scope=True)]),
        "ca",
        "adequacy",
        "ok",
    ),
    Case(
        "canada_out_of_scope",
        "a Canadian public body is outside the decision and nothing else is in place",
        scenario([hop("ca", "CA", in_adequacy_scope=False)]),
        "ca",
        "none",
        "blocked",
    ),
    Case(
        "japan_in_scope",
        "an APPI business operator is covered by Decision (EU) 2019/419",
        scenario([hop("jp", "JP", in_adequacy_scope=True)]),
        "jp",
        "adequacy",
        "ok",
    ),
    Case(
        "korea_scope_unconfirmed",
        "Korea's decision excludes some financial credit data",
        scenario([hop("kr", "KR")]),
        "kr",
        "adequacy",
        "action",
    ),
    Case(
        "epo_adequacy",
        "the European Patent Organisation has its own decision (EU) 2025/1382",
        scenario(
            [
                hop(
                    "epo",
                    "DE",
                    role="controller",
                    international_organisation="european_patent_organisation",
                )
            ]
        ),
        "epo",
        "adequacy",
        "ok",
        module=1,
    ),
    Case(
        "epo_before_decision",
        "before 15 July 2025 the EPOrg, though seated in Germany, had no adequacy",
        scenario(
            [
                hop(
                    "epo",
                    "DE",
                    role="controller",
                    international_organisation="european_patent_organisation",
                )
            ],
            assessed_on="2025-07-14",
        ),
        "epo",
        "none",
        "blocked",
    ),
    Case(
        "brazil_adequacy_pending_eea",
        "Brazil's decision applies but is not yet in the EEA Agreement",
        scenario([hop("br", "BR")]),
        "br",
        "adequacy",
        "ok",
        flags={"adequacy_eea_incorporation_pending"},
    ),
    Case(
        "clear_text_us_parent",
        "an EEA processor in clear with a US parent carries foreign-access risk",
        scenario([hop("eu", "IE", parent_country="US")]),
        "eu",
        "eea",
        "ok",
        flags={"clear_text_parent_third_country"},
    ),
    Case(
        "storage_us_parent",
        "storage only at an EEA entity with a US parent raises no clear-text flag",
        scenario([hop("eu", "IE", access="storage", parent_country="US")]),
        "eu",
        "eea",
        "ok",
        no_flags={"clear_text_parent_third_country"},
    ),
    Case(
        "special_categories_transfer",
        "health data leaving the EEA raises the risk flag",
        scenario([hop("in", "IN", safeguards=["scc", "tia"])], categories=["contact", "health"]),
        "in",
        "scc",
        "ok",
        flags={"special_categories_or_national_id"},
    ),
    Case(
        "special_categories_in_eea",
        "national identity numbers inside the EEA raise no transfer flag",
        scenario([EEA_PROC], categories=["national_id"]),
        "eu",
        "eea",
        "ok",
        no_flags={"special_categories_or_national_id"},
    ),
    Case(
        "two_levels_below_blocked",
        "the flag reaches every hop below the blocked one",
        scenario([hop("in", "IN"), hop("sub", "IE", src="in"), hop("subsub", "SE", src="sub")]),
        "subsub",
        "eea",
        "ok",
        flags={"upstream_blocked"},
    ),
    Case(
        "sibling_of_blocked",
        "a hop on another branch is not affected by a blocked sibling",
        scenario([hop("in", "IN"), hop("eu", "IE")]),
        "eu",
        "eea",
        "ok",
        no_flags={"upstream_blocked"},
    ),
    Case(
        "onward_after_blocked",
        "a sub-processor behind a blocked hop is flagged",
        scenario([hop("in", "IN"), hop("sub", "IE", src="in")]),
        "sub",
        "eea",
        "ok",
        flags={"upstream_blocked"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_worked_case(case: Case) -> None:
    result = results(case.raw)[case.target]
    assert (result.mechanism, result.status) == (case.mechanism, case.status), case.reason
    if case.module is not None:
        assert result.scc_module == case.module, case.reason
    assert case.flags <= set(result.flags), case.reason
    assert not (case.no_flags & set(result.flags)), case.reason
    assert case.documents <= set(result.documents), case.reason
    assert result.explanation.nb and result.explanation.en


def test_blocked_hop_lists_what_would_make_it_lawful_as_missing() -> None:
    result = results(scenario([EEA_PROC, hop("in", "IN", src="eu")]))["in"]
    assert result.missing_documents == ("scc_module_3", "scc_annexes_i_iii", "tia")


def test_eea_hops_have_no_scc_module() -> None:
    assert results(scenario([EEA_PROC]))["eu"].scc_module is None


def test_explanation_names_the_missing_hr_coverage_in_both_languages() -> None:
    raw = scenario([EEA_PROC, us()], dpf=[dpf_entry(hr=False)], categories=["hr"])
    text = results(raw)["us"].explanation
    assert "HR-opplysninger er ikke dekket" in text.nb
    assert "HR data is not covered" in text.en


def test_dates_are_judged_on_assessed_on_not_today() -> None:
    # Overdue "today" (2026-11-29) but not on the scenario's date.
    raw = scenario(
        [EEA_PROC, us()], dpf=[dpf_entry(next_due="2024-06-30")], assessed_on="2024-01-15"
    )
    assert results(raw)["us"].mechanism == "dpf"


def test_norwegian_explanation_uses_norwegian_country_names() -> None:
    result = results(scenario([hop("eu", "IE", parent_country="US")]))["eu"]
    assert "(Irland, IE)" in result.explanation.nb and "morselskap i USA" in result.explanation.nb
    assert (
        "(Ireland, IE)" in result.explanation.en
        and "parent is in United States" in result.explanation.en
    )


def test_a_dpa_is_needed_for_processor_recipients_only() -> None:
    raw = scenario(
        [
            EEA_PROC,
            hop("sub", "SE", src="eu"),
            hop("back", "IN", src="eu", role="controller", safeguards=["scc", "tia"]),
        ]
    )
    found = results(raw)
    assert "GDPR Art. 28(3)" in found["eu"].legal_basis and "dpa_art28" in found["eu"].documents
    assert "GDPR Art. 28(4)" in found["sub"].legal_basis and "dpa_art28" in found["sub"].documents
    assert "dpa_art28" not in found["back"].documents


def test_a_name_on_two_dpf_rows_uses_the_row_that_covers_the_data() -> None:
    rows = [
        dpf_entry(hr=True, non_hr=True, next_due="2027-03-01"),
        dpf_entry(hr=False, non_hr=True, next_due="2027-09-01"),
    ]
    raw = scenario([EEA_PROC, us()], dpf=rows, categories=["hr"])
    result = results(raw)["us"]
    assert (result.mechanism, result.status) == ("dpf", "ok")
    assert "2027-03-01" in result.explanation.en
