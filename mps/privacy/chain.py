"""From stored declarations and activities to engine scenarios, and back to stored verdicts.

The engine (mps.privacy.rules) knows nothing of the database: this module turns one
activity × one linked service's current published declaration into a scenario dict, runs
every scenario of a batch through `assess_many` against the stored DPF list, and replaces
the stored hop assessments of the activities in the batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from mps.privacy.diff import EntryFacts
from mps.privacy.models import (
    AgencyTia,
    ChainEntry,
    Declaration,
    DeclarationStatus,
    DpfListEntry,
    DpfNameMatch,
    HopAssessment,
    NameMatchDecision,
    ProcessingActivity,
)
from mps.privacy.rules import assess_many, parse_scenario
from mps.privacy.rules.constants import ROOT
from mps.privacy.rules.model import DpfEntry


def current_declarations(service_ids: Iterable[int]) -> dict[int, Declaration]:
    """The newest published declaration of each service, with its chain prefetched."""
    ids = set(service_ids)
    if not ids:
        return {}
    rows = (
        Declaration.objects.filter(service_id__in=ids, status=DeclarationStatus.PUBLISHED)
        .order_by("service_id", "-number")
        .prefetch_related(Prefetch("entries", queryset=ChainEntry.objects.order_by("position")))
    )
    found: dict[int, Declaration] = {}
    for declaration in rows:
        found.setdefault(declaration.service_id, declaration)
    return found


def dpf_entries() -> tuple[DpfEntry, ...]:
    return tuple(
        DpfEntry(
            organisation=row.organisation,
            covered_entities=tuple(row.covered_entities or ()),
            eu_us=row.eu_us,
            hr=row.hr,
            non_hr=row.non_hr,
            next_due=row.next_due,
        )
        for row in DpfListEntry.objects.all()
    )


def confirmed_names(service_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Per service: declared legal entity -> the DPF list name a person confirmed for it
    (confirmations belong to the service's vendor)."""
    ids = set(service_ids)
    out: dict[int, dict[str, str]] = defaultdict(dict)
    if not ids:
        return out
    rows = DpfNameMatch.objects.filter(
        decision=NameMatchDecision.CONFIRMED, vendor__services__pk__in=ids
    ).values_list("vendor__services__pk", "entity", "listed_name")
    for service_id, entity, listed_name in rows:
        out[service_id][entity] = listed_name
    return out


def entry_safeguards(declaration: Declaration, entry: ChainEntry) -> list[str]:
    out = []
    if entry.scc_module:
        out.append("scc")
    if entry.tia_done:
        out.append("tia")
    if entry.bcr:
        out.append("bcr")
    if declaration.customer_keys_in_eea:
        out.append("encryption_eea_keys")
    return out


def hop_dicts(
    declaration: Declaration,
    entries: list[ChainEntry],
    categories: list[str] | None,
    tia_entities: frozenset[str] = frozenset(),
    dpf_names: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The chain as the engine's hops; `categories` None means 'whatever the entry says';
    `tia_entities` are recipients the agency itself has done a TIA for; `dpf_names` maps
    a legal entity to the DPF list name a person confirmed for it."""
    by_pk = {e.pk: e for e in entries}
    hops = []
    for entry in entries:
        safeguards = entry_safeguards(declaration, entry)
        if entry.legal_name in tia_entities and "tia" not in safeguards:
            safeguards.append("tia")
        hop: dict[str, Any] = {
            "id": entry.hop_id,
            "from": by_pk[entry.upstream_id].hop_id if entry.upstream_id in by_pk else ROOT,
            "entity": entry.legal_name,
            "country": entry.country,
            "role": entry.role,
            "access": entry.access,
            "intra_group": entry.intra_group,
            "safeguards": safeguards,
        }
        if entry.parent_country:
            hop["parent_country"] = entry.parent_country
        if entry.dpf_entity:
            hop["dpf_entity"] = entry.dpf_entity
        elif dpf_names and entry.legal_name in dpf_names:
            hop["dpf_entity"] = dpf_names[entry.legal_name]
        if entry.data_categories:
            reach = list(entry.data_categories)
            if categories is not None:
                reach = [c for c in reach if c in categories]
            hop["data_categories"] = reach
        hops.append(hop)
    return hops


def scenario_dict(
    activity: ProcessingActivity,
    declaration: Declaration,
    entries: list[ChainEntry],
    assessed_on: date,
    tia_entities: frozenset[str] = frozenset(),
    dpf_names: dict[str, str] | None = None,
) -> dict[str, Any]:
    categories = list(dict.fromkeys(activity.data_categories or []))
    return {
        "assessed_on": assessed_on.isoformat(),
        "controller": {
            "name": activity.agency.name,
            "country": activity.agency.country or "NO",
            "public_authority": True,
            "exercising_public_powers": activity.public_powers,
        },
        "data_categories": categories,
        "hops": hop_dicts(declaration, entries, categories, tia_entities, dpf_names),
    }


def check_declaration(declaration: Declaration, entries: list[ChainEntry], on: date) -> None:
    """Parse the chain as the engine would (raises ScenarioError naming hop and field)."""
    categories = sorted({c for e in entries for c in (e.data_categories or [])})
    parse_scenario(
        {
            "assessed_on": on.isoformat(),
            "controller": {"name": "check", "country": "NO", "public_authority": True},
            "data_categories": categories,
            "hops": hop_dicts(declaration, entries, None),
        }
    )


def entry_facts(entries: list[ChainEntry]) -> list[EntryFacts]:
    by_pk = {e.pk: e for e in entries}
    out = []
    for e in entries:
        tools = []
        if e.scc_module:
            tools.append(f"scc_module_{e.scc_module}")
        if e.tia_done:
            tools.append("tia")
        if e.bcr:
            tools.append("bcr")
        if e.dpf_claimed:
            tools.append("dpf")
        upstream = by_pk.get(e.upstream_id)
        out.append(
            EntryFacts(
                legal_name=e.legal_name,
                country=e.country,
                function=e.function,
                access=e.access,
                data_categories=tuple(sorted(e.data_categories or [])),
                tools=tuple(tools),
                upstream=upstream.legal_name if upstream else "",
            )
        )
    return out


DECLARATION_FACTS = (
    "processing_locations",
    "dpa_version",
    "dpa_date",
    "dpa_url",
    "encryption_at_rest",
    "encryption_in_transit",
    "customer_keys_in_eea",
)


def declaration_facts(declaration: Declaration | None) -> dict[str, Any]:
    if declaration is None:
        return {}
    facts = {name: getattr(declaration, name) for name in DECLARATION_FACTS}
    if facts["dpa_date"] is not None:
        facts["dpa_date"] = facts["dpa_date"].isoformat()
    return facts


@transaction.atomic
def reassess(activities: Iterable[ProcessingActivity], on: date | None = None) -> int:
    """Recompute and store every hop of every linked chain of `activities`; returns hops stored."""
    on = on or timezone.localdate()
    activities = list(activities)
    if not activities:
        return 0
    ids = [a.pk for a in activities]
    links: dict[int, list[int]] = defaultdict(list)
    through = ProcessingActivity.services.through
    for activity_id, service_id in through.objects.filter(
        processingactivity_id__in=ids
    ).values_list("processingactivity_id", "service_id"):
        links[activity_id].append(service_id)
    declarations = current_declarations(s for ss in links.values() for s in ss)
    tias: dict[tuple[int, int], set[str]] = defaultdict(set)
    for agency_id, service_id, entity in AgencyTia.objects.filter(
        agency_id__in={a.agency_id for a in activities}
    ).values_list("agency_id", "service_id", "entity"):
        tias[(agency_id, service_id)].add(entity)
    names = confirmed_names(declarations)
    jobs: list[tuple[ProcessingActivity, Declaration, list[ChainEntry]]] = []
    scenarios = []
    for activity in activities:
        for service_id in sorted(links.get(activity.pk, [])):
            declaration = declarations.get(service_id)
            if declaration is None:
                continue
            entries = list(declaration.entries.all())
            if not entries:
                continue
            jobs.append((activity, declaration, entries))
            tia = frozenset(tias.get((activity.agency_id, service_id), ()))
            scenarios.append(
                parse_scenario(
                    scenario_dict(activity, declaration, entries, on, tia, names.get(service_id))
                )
            )
    results = list(assess_many(scenarios, dpf_entries()))
    rows: list[HopAssessment] = []
    counts: dict[int, dict[str, int]] = {
        a.pk: {"ok": 0, "action": 0, "blocked": 0} for a in activities
    }
    for (activity, declaration, entries), assessment in zip(jobs, results, strict=True):
        by_hop = {e.hop_id: e for e in entries}
        for position, hop in enumerate(assessment.hops):
            entry = by_hop[hop.id]
            counts[activity.pk][hop.status] += 1
            rows.append(
                HopAssessment(
                    activity=activity,
                    service_id=declaration.service_id,
                    declaration=declaration,
                    position=position,
                    hop_id=hop.id,
                    from_hop=hop.from_,
                    entity=hop.entity,
                    country=hop.country,
                    function=entry.function,
                    access=entry.access,
                    mechanism=hop.mechanism,
                    scc_module=hop.scc_module,
                    status=hop.status,
                    documents=list(hop.documents),
                    missing_documents=list(hop.missing_documents),
                    flags=list(hop.flags),
                    rule=hop.rule,
                    legal_basis=list(hop.legal_basis),
                    explanation_nb=hop.explanation.nb,
                    explanation_en=hop.explanation.en,
                    assessed_on=assessment.assessed_on,
                    method_version=assessment.method_version,
                )
            )
    HopAssessment.objects.filter(activity_id__in=ids).delete()
    HopAssessment.objects.bulk_create(rows, batch_size=1000)
    now = timezone.now()
    for activity in activities:
        c = counts[activity.pk]
        activity.hops_ok, activity.hops_action, activity.hops_blocked = (
            c["ok"],
            c["action"],
            c["blocked"],
        )
        activity.assessed_at = now
    ProcessingActivity.objects.bulk_update(
        activities, ["hops_ok", "hops_action", "hops_blocked", "assessed_at"], batch_size=1000
    )
    return len(rows)
