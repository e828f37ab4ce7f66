"""Evaluates every hop of a supplier chain against GDPR Chapter V and picks the ground in place.

Each hop gets every ground that is actually in place on assessed_on (a "candidate"); the hop
takes the best status among them, and among equals the order Art. 45 > Art. 46 > Art. 49.
Adding a safeguard therefore can only add candidates, never worsen a hop.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from mps.privacy.rules import explain
from mps.privacy.rules.constants import (
    DEROGATIONS,
    DEROGATIONS_BARRED_FOR_PUBLIC_POWERS,
    HR_CATEGORY,
    MECHANISM_ORDER,
    METHOD_VERSION,
    ROOT,
    SCC_MODULES,
    SPECIAL_OR_NATIONAL_ID,
    STATUS_RANK,
)
from mps.privacy.rules.dpf import DpfIndex, DpfMatch, DpfVerdict, judge
from mps.privacy.rules.model import Assessment, DpfEntry, Hop, HopResult, Scenario, Summary
from mps.privacy.rules.refdata import AdequacyDecision, ReferenceData, reference

_ORDER = {m: i for i, m in enumerate(MECHANISM_ORDER)}
_US = "US"
_ART46 = frozenset({"scc", "bcr"})

DPA = "dpa_art28"
SCC_ANNEXES = "scc_annexes_i_iii"
TIA = "tia"
BCR_DOC = "bcr_art47"
DPF_CHECK = "dpf_yearly_certification_check"
DPF_CONFIRM = "dpf_entity_confirmation"
ADEQ_SCOPE = "adequacy_scope_confirmation"
DEROG_RECORD = "derogation_record_art49"


def scc_doc(module: int) -> str:
    return f"scc_module_{module}"


@dataclass(slots=True)
class Candidate:
    """A ground in place for a hop, with the status it gives and the documents it needs."""

    mechanism: str
    status: str
    rule: str
    legal_basis: tuple[str, ...]
    documents: tuple[str, ...] = ()


@dataclass(slots=True)
class Facts:
    """What the rules found about one hop; the explanation is written from these."""

    eea: bool = False
    adequacy: AdequacyDecision | None = None
    adequacy_expired: AdequacyDecision | None = None
    adequacy_out_of_scope: bool = False
    dpf_decision_in_force: bool = False
    dpf_match: DpfMatch | None = None
    dpf_verdict: DpfVerdict | None = None
    bcr_not_intra_group: bool = False
    barred_derogations: tuple[str, ...] = ()
    flags: list[str] = field(default_factory=list)


def _sort_key(c: Candidate) -> tuple[int, int]:
    return (STATUS_RANK[c.status], _ORDER[c.mechanism])


def _adequacy(hop: Hop, scenario: Scenario, ref: ReferenceData, facts: Facts) -> Candidate | None:
    """Art. 45(1): a decision in force on assessed_on for the country or organisation."""
    if hop.international_organisation is not None:
        decision = ref.adequacy_by_organisation.get(hop.international_organisation)
    else:
        decision = ref.adequacy_by_country.get(hop.country)
    if decision is None or decision.scope == "dpf_only":
        return None
    period = decision.period_on(scenario.assessed_on)
    if period is None:
        facts.adequacy_expired = decision
        return None
    # Art. 45(3) allows decisions for "one or more specified sectors"; the recipient must
    # fall inside that sector (e.g. PIPEDA, APPI business operators, PIPA).
    if decision.scope == "partial" and hop.in_adequacy_scope is False:
        facts.adequacy_out_of_scope = True
        return None
    facts.adequacy = decision
    if decision.eea_incorporation == "pending":
        facts.flags.append("adequacy_eea_incorporation_pending")
    basis = ("GDPR Art. 45(1)", f"{decision.decision} ({period.reference})")
    if decision.scope == "partial" and hop.in_adequacy_scope is None:
        return Candidate("adequacy", "action", "R-ADEQ-SCOPE", basis, (ADEQ_SCOPE,))
    return Candidate("adequacy", "ok", "R-ADEQ", basis)


def _dpf(
    hop: Hop, scenario: Scenario, ref: ReferenceData, index: DpfIndex, facts: Facts
) -> Candidate | None:
    """Art. 45(1) with Implementing Decision (EU) 2023/1795: the US only through an active,
    covering, not overdue DPF certification of the exact legal entity."""
    if hop.country != _US or hop.international_organisation is not None:
        return None
    decision = ref.adequacy_by_country.get(_US)
    if decision is None or decision.period_on(scenario.assessed_on) is None:
        return None
    facts.dpf_decision_in_force = True
    name = hop.dpf_entity or hop.entity
    match = index.lookup(name)
    facts.dpf_match = match
    if match.entry is None:
        if match.near_names or hop.dpf_entity is not None:
            facts.flags.append("dpf_entity_name_mismatch")
        return None
    if name != hop.entity:
        # A person mapped the declared entity to a differently named list entry.
        facts.flags.append("dpf_entity_name_mismatch")
    categories = (
        hop.data_categories if hop.data_categories is not None else scenario.data_categories
    )
    # Any row under the exact name that is a ground will do; otherwise explain the best row.
    verdict = judge(match.entry, categories, scenario.assessed_on)
    for row in match.rows[1:]:
        if verdict.valid:
            break
        other = judge(row, categories, scenario.assessed_on)
        if other.valid:
            verdict, match = other, replace(match, entry=row)
    facts.dpf_match = match
    facts.dpf_verdict = verdict
    if not verdict.valid:
        return None
    if verdict.due_soon:
        facts.flags.append("dpf_due_within_60_days")
    basis = ("GDPR Art. 45(1)", "Implementing Decision (EU) 2023/1795 (EU-US DPF)")
    return Candidate("dpf", "ok", "R-DPF", basis, (DPF_CHECK,))


def _art46(hop: Hop, module: int, facts: Facts) -> list[Candidate]:
    """Art. 46(2)(b) BCR (intra-group only, Art. 47(1)) and Art. 46(2)(c) SCCs; both need a
    transfer impact assessment (CJEU C-311/18 Schrems II; EDPB Recommendations 01/2020)."""
    out: list[Candidate] = []
    has_tia = "tia" in hop.safeguards
    if "bcr" in hop.safeguards:
        if hop.intra_group:
            basis = ("GDPR Art. 46(2)(b)", "GDPR Art. 47", "EDPB Recommendations 01/2020")
            if has_tia:
                out.append(Candidate("bcr", "ok", "R-BCR", basis, (BCR_DOC, TIA)))
            else:
                out.append(Candidate("bcr", "action", "R-BCR-TIA", basis, (BCR_DOC, TIA)))
        else:
            facts.bcr_not_intra_group = True
            facts.flags.append("bcr_not_intra_group")
    if "scc" in hop.safeguards:
        basis = (
            "GDPR Art. 46(2)(c)",
            "Implementing Decision (EU) 2021/914",
            "EDPB Recommendations 01/2020",
        )
        docs = (scc_doc(module), SCC_ANNEXES, TIA)
        if has_tia:
            out.append(Candidate("scc", "ok", "R-SCC", basis, docs))
        else:
            out.append(Candidate("scc", "action", "R-SCC-TIA", basis, docs))
    return out


def _derogation(hop: Hop, scenario: Scenario, facts: Facts) -> Candidate | None:
    """Art. 49(1): a last resort, never better than "action" (EDPB Guidelines 2/2018: to be read
    restrictively, for occasional transfers); Art. 49(3) bars (a)-(c) for public powers."""
    if hop.safeguards.isdisjoint(DEROGATIONS):
        return None
    declared = [d for d in DEROGATIONS if d in hop.safeguards]
    if scenario.controller.exercising_public_powers:
        barred = tuple(d for d in declared if d in DEROGATIONS_BARRED_FOR_PUBLIC_POWERS)
        if barred:
            facts.barred_derogations = barred
            facts.flags.append("derogation_barred_art49_3")
        declared = [d for d in declared if d not in DEROGATIONS_BARRED_FOR_PUBLIC_POWERS]
    if not declared:
        return None
    points = ", ".join(f"GDPR Art. 49(1)({d[-1]})" for d in declared)
    return Candidate(
        "derogation", "action", "R-DEROG", (points, "EDPB Guidelines 2/2018"), (DEROG_RECORD,)
    )


def _blocked(module: int, hop: Hop) -> Candidate:
    """Art. 44: no ground, no transfer. Documents list the usual way to make it lawful."""
    return Candidate(
        "none",
        "blocked",
        "R-NONE",
        ("GDPR Art. 44", "GDPR Art. 46(2)(c)"),
        (scc_doc(module), SCC_ANNEXES, TIA),
    )


def _missing(documents: tuple[str, ...], hop: Hop) -> tuple[str, ...]:
    """Documents the input shows are not yet in place (a DPA is not part of the input)."""
    present: set[str] = set()
    if "scc" in hop.safeguards:
        present.update(d for d in documents if d.startswith("scc_"))
    if "tia" in hop.safeguards:
        present.add(TIA)
    if "bcr" in hop.safeguards:
        present.add(BCR_DOC)
    unknown = {DPA, DPF_CHECK}
    return tuple(d for d in documents if d not in present and d not in unknown)


def assess_hop(
    hop: Hop,
    exporter_role: str,
    scenario: Scenario,
    ref: ReferenceData,
    index: DpfIndex,
) -> HopResult:
    """One hop's verdict; onward hops are evaluated on their own (Art. 44, "onward transfers")."""
    facts = Facts()
    categories = (
        hop.data_categories if hop.data_categories is not None else scenario.data_categories
    )
    if (
        hop.parent_country is not None
        and hop.parent_country not in ref.eea
        and hop.access != "storage"
    ):
        # Data in clear at an entity whose parent sits in a third country (possible foreign
        # access orders; EDPB Recommendations 01/2020 Annex 2, use cases 6-7), even inside the EEA.
        facts.flags.append("clear_text_parent_third_country")
    is_eea = hop.country in ref.eea and hop.international_organisation is None
    module: int | None = None
    if is_eea:
        # Art. 44: Chapter V governs transfers to third countries and international
        # organisations; a recipient in the EEA (GDPR incorporated by EEA JCD 154/2018) is none.
        facts.eea = True
        chosen = Candidate("eea", "ok", "R-EEA", ("GDPR Art. 44", "EEA Agreement Annex XI"))
        others: list[Candidate] = []
    else:
        module = SCC_MODULES[(exporter_role, hop.role)]
        candidates: list[Candidate] = []
        for found in (
            _adequacy(hop, scenario, ref, facts),
            _dpf(hop, scenario, ref, index, facts),
            *_art46(hop, module, facts),
            _derogation(hop, scenario, facts),
        ):
            if found is not None:
                candidates.append(found)
        if not candidates:
            candidates.append(_blocked(module, hop))
        candidates.sort(key=_sort_key)
        chosen, others = candidates[0], candidates[1:]
        if chosen.mechanism == "dpf" and not any(c.mechanism in _ART46 for c in others):
            # No Art. 46 fallback should the framework fall (as Privacy Shield did in
            # C-311/18); a derogation is no fallback for systematic transfers.
            facts.flags.append("dpf_only_ground")
        if hop.access == "remote":
            # EDPB Guidelines 05/2021: making data available by remote access from a third
            # country is itself a transfer under Art. 44.
            facts.flags.append("remote_access_third_country")
        # Art. 9(1) and Art. 10 data, fødselsnummer (personopplysningsloven § 12) and
        # duty-of-confidentiality data (forvaltningsloven § 13) raise the stakes of a transfer.
        if any(c in SPECIAL_OR_NATIONAL_ID for c in categories):
            facts.flags.append("special_categories_or_national_id")
    documents: tuple[str, ...] = chosen.documents
    legal_basis = chosen.legal_basis
    if hop.role == "processor":
        # Art. 28(3): a contract with every processor; Art. 28(4): a processor engaging a
        # sub-processor passes the same duties down the chain.
        documents = (DPA, *documents)
        legal_basis = (
            *legal_basis,
            "GDPR Art. 28(3)" if exporter_role == "controller" else "GDPR Art. 28(4)",
        )
    flags = tuple(dict.fromkeys(facts.flags))
    return HopResult(
        id=hop.id,
        from_=hop.from_,
        entity=hop.entity,
        country=hop.country,
        exporter_role=exporter_role,
        importer_role=hop.role,
        mechanism=chosen.mechanism,
        scc_module=module,
        status=chosen.status,
        documents=documents,
        missing_documents=_missing(documents, hop),
        flags=flags,
        rule=chosen.rule,
        legal_basis=legal_basis,
        explanation=explain.explain(hop, chosen.mechanism, chosen.rule, module, facts, flags, ref),
        adequacy_decision=facts.adequacy.decision
        if chosen.mechanism == "adequacy" and facts.adequacy
        else None,
        dpf_organisation=(
            facts.dpf_match.entry.organisation
            if chosen.mechanism == "dpf" and facts.dpf_match and facts.dpf_match.entry
            else None
        ),
    )


#: Memo of hop verdicts for batch re-assessment: the key holds every input a verdict depends on.
HopMemo = dict[tuple[object, ...], HopResult]


def assess(
    scenario: Scenario,
    ref: ReferenceData | None = None,
    dpf_index: DpfIndex | None = None,
    memo: HopMemo | None = None,
) -> Assessment:
    """Assess every hop of a parsed scenario.

    Pass a shared `dpf_index` to re-assess many chains against one DPF snapshot without
    re-indexing it; pass a shared `memo` (with that same index and reference data) to reuse
    the verdict of a hop that many agencies' chains share.
    """
    ref = ref or reference()
    index = dpf_index if dpf_index is not None else DpfIndex(scenario.dpf_list)
    roles = {hop.id: hop.role for hop in scenario.hops}
    results: list[HopResult] = []
    powers = scenario.controller.exercising_public_powers
    for hop in scenario.hops:
        # The controller exports as controller; any other hop exports in its own role.
        exporter_role = "controller" if hop.from_ == ROOT else roles[hop.from_]
        if memo is None:
            results.append(assess_hop(hop, exporter_role, scenario, ref, index))
            continue
        categories = (
            hop.data_categories if hop.data_categories is not None else scenario.data_categories
        )
        key = (hop, exporter_role, _category_signature(categories), powers, scenario.assessed_on)
        found = memo.get(key)
        if found is None:
            found = memo[key] = assess_hop(hop, exporter_role, scenario, ref, index)
        results.append(found)
    results = _mark_upstream_blocked(results)
    counts = {"ok": 0, "action": 0, "blocked": 0}
    for result in results:
        counts[result.status] += 1
    return Assessment(
        assessed_on=scenario.assessed_on,
        method_version=METHOD_VERSION,
        reference_data_version=ref.version,
        controller=scenario.controller.name,
        summary=Summary(**counts),
        hops=tuple(results),
    )


def _category_signature(categories: tuple[str, ...]) -> tuple[bool, bool, bool]:
    """All the rules read from the categories: HR present, non-HR present, special present."""
    has_hr = HR_CATEGORY in categories
    has_other = not categories or any(c != HR_CATEGORY for c in categories)
    return (has_hr, has_other, any(c in SPECIAL_OR_NATIONAL_ID for c in categories))


def assess_many(
    scenarios: Iterable[Scenario],
    dpf_entries: Iterable[DpfEntry],
    ref: ReferenceData | None = None,
) -> Iterator[Assessment]:
    """Re-assess many chains against one DPF snapshot (e.g. after a DPF list import),
    evaluating each distinct hop once. The scenarios' own dpf_list is ignored."""
    ref = ref or reference()
    index = DpfIndex(dpf_entries)
    memo: HopMemo = {}
    for scenario in scenarios:
        yield assess(scenario, ref, index, memo)


def _mark_upstream_blocked(results: list[HopResult]) -> list[HopResult]:
    """Flag hops fed (directly or further up) by a blocked hop: the data should not reach them."""
    if all(r.status != "blocked" for r in results):
        return results
    by_id = {r.id: r for r in results}
    # blocked_here_or_above[id]: that hop or one of its ancestors is blocked. Memoised, so
    # the walk is linear in the number of hops even for a long chain.
    blocked_here_or_above: dict[str, bool] = {}
    for result in results:
        path: list[str] = []
        current = result.id
        while current != ROOT and current not in blocked_here_or_above:
            path.append(current)
            current = by_id[current].from_
        known = current != ROOT and blocked_here_or_above[current]
        for node in reversed(path):
            known = known or by_id[node].status == "blocked"
            blocked_here_or_above[node] = known
    out: list[HopResult] = []
    for result in results:
        if result.from_ != ROOT and blocked_here_or_above[result.from_]:
            result = _with_flag(result, "upstream_blocked")
        out.append(result)
    return out


def _with_flag(result: HopResult, flag: str) -> HopResult:
    return replace(result, flags=(*result.flags, flag))
