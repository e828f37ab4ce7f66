"""From stored declarations and activities to engine scenarios, and back to stored verdicts.

The engine (mps.privacy.rules) knows nothing of the database: this module turns one
activity × one linked service's current published declaration into a scenario dict, runs
every scenario of a batch through `assess_many` against the stored DPF list, and brings
the stored hop assessments of the activities in the batch up to date (set-based: see
`_write_hops`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Prefetch, QuerySet
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


@dataclass(frozen=True, slots=True)
class _Agency:
    name: str
    country: str


@dataclass(frozen=True, slots=True)
class _Activity:
    """The fields of an activity the assessment reads (no model instance per row)."""

    pk: int
    agency_id: int
    data_categories: list[str]
    public_powers: bool
    agency: _Agency


_ACTIVITY_FIELDS = (
    "pk",
    "agency_id",
    "data_categories",
    "public_powers",
    "agency__name",
    "agency__country",
)


def _light(activities: Iterable[ProcessingActivity] | QuerySet) -> list[_Activity]:
    if isinstance(activities, QuerySet):
        rows = activities.order_by().values_list(*_ACTIVITY_FIELDS)
        return [
            _Activity(pk, agency_id, list(cats or []), powers, _Agency(name, country or "NO"))
            for pk, agency_id, cats, powers, name, country in rows
        ]
    return [
        _Activity(
            a.pk,
            a.agency_id,
            list(a.data_categories or []),
            a.public_powers,
            _Agency(a.agency.name, a.agency.country or "NO"),
        )
        for a in activities
    ]


_HOP_COLUMNS = (
    "activity_id",
    "service_id",
    "declaration_id",
    "position",
    "hop_id",
    "from_hop",
    "entity",
    "country",
    "function",
    "access",
    "mechanism",
    "scc_module",
    "status",
    "documents",
    "missing_documents",
    "flags",
    "rule",
    "legal_basis",
    "explanation_nb",
    "explanation_en",
    "assessed_on",
    "method_version",
)
# A stored hop is the same hop as a fresh one when these agree (with the activity); its
# other columns are the verdict, updated in place where they differ.
_SAME_HOP = ("service_id", "declaration_id", "position")
_VERDICT = tuple(c for c in _HOP_COLUMNS[1:] if c not in _SAME_HOP)
_CHUNK = 5000
# Temporary tables of one re-assessment: each distinct verdict's rows (numbered k) and each
# (activity, k) it applies to. Both are dropped again before the transaction ends.
_TMP_VERDICT = "privacy_reassess_verdict"
_TMP_JOB = "privacy_reassess_job"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _for_ids(
    sql: str, ids: list[int], params: tuple[Any, ...] = (), fetch: bool = False
) -> list[tuple[Any, ...]]:
    """Run `sql`, which ends in a column name, for the rows whose column is in `ids`, in
    plain SQL: on PostgreSQL once with `= ANY(array)`, elsewhere once per chunk of an IN
    list (some databases take only so many parameters). For tens of thousands of ids
    Django's per-value lookup handling, or the driver's splitting of a query with thousands
    of placeholders, costs more than the query."""
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"{sql} = ANY(%s)", (*params, ids))
            return cursor.fetchall() if fetch else out
        for chunk in _chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"{sql} IN ({marks})", (*params, *chunk))
            if fetch:
                out.extend(cursor.fetchall())
    return out


def _fill(cursor: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Many rows into `table` without a model instance per row: `COPY` on PostgreSQL
    (values as text: JSON, dates), `executemany` elsewhere."""
    if not rows:
        return
    names = ", ".join(_q(c) for c in columns)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    # Table and column names come from this module and the model, never from input.
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
    for i in range(0, len(rows), _CHUNK):
        cursor.executemany(sql, rows[i : i + _CHUNK])


def _write_hops(
    batch: list[int],
    verdicts: list[tuple[tuple[Any, ...], ...]],
    jobs: list[tuple[int, int]],
) -> None:
    """Make the stored hops of the activities in `batch` those of `jobs` (activity, k) with
    the rows of verdict k, in three set-based statements: delete the stored hops no job has
    (a chain changed, a service was unlinked), update in place the hops whose verdict
    changed (unchanged ones are not touched), insert the hops not stored yet.

    Each distinct verdict is sent once and fanned out to its activities in the database:
    after a DPF import 30,000 activities share about 3,900 verdicts, so this sends about
    15,000 verdict rows and 30,000 pairs of numbers instead of comparing and rewriting
    111,000 rows from Python.
    """
    hop = _q(HopAssessment._meta.db_table)
    verdict, job = _q(_TMP_VERDICT), _q(_TMP_JOB)
    k, activity = _q("k"), _q("activity_id")
    copied = ", ".join(_q(c) for c in _HOP_COLUMNS[1:])
    has_job = {pk for pk, _k in jobs}
    pairs = jobs + [(pk, -1) for pk in batch if pk not in has_job]  # -1: no hop any more
    postgres = connection.vendor == "postgresql"
    distinct = "IS DISTINCT FROM" if postgres else "IS NOT"
    same = " AND ".join(f"h.{_q(c)} = v.{_q(c)}" for c in _SAME_HOP)
    # SQLite would otherwise look the stored hops up by service (thousands of rows per
    # verdict row): the unary plus keeps it on the activity index.
    plus = "" if postgres else "+"
    keyed = ", ".join(_q(c) for c in ("k", *_SAME_HOP))
    same_by_activity = " AND ".join(f"{plus}h.{_q(c)} = v.{_q(c)}" for c in _SAME_HOP)
    # Table and column names come from this module and the model, never from input.
    with connection.cursor() as cursor:
        for table in (verdict, job):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {verdict} AS SELECT 0 AS {k}, {copied} "  # noqa: S608
            f"FROM {hop} WHERE 1 = 0"
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE {job} AS SELECT {activity}, 0 AS {k} "  # noqa: S608
            f"FROM {hop} WHERE 1 = 0"
        )
        _fill(
            cursor,
            verdict,
            ("k", *_HOP_COLUMNS[1:]),
            [(i, *row) for i, rows in enumerate(verdicts) for row in rows],
        )
        _fill(cursor, job, ("activity_id", "k"), pairs)
        if postgres:
            # Without statistics the planner takes the temporary tables for tiny ones and
            # joins 111,000 stored hops by sort-merge (40 s instead of under one).
            cursor.execute(f"ANALYZE {verdict} ({keyed}), {job}")
        else:
            cursor.execute(f"CREATE INDEX {_q(_TMP_VERDICT + '_k')} ON {verdict} ({keyed})")
            cursor.execute(f"CREATE INDEX {_q(_TMP_JOB + '_a')} ON {job} ({activity})")
        fresh = f"{job} j JOIN {verdict} v ON v.{k} = j.{k}"
        assign = ", ".join(f"{_q(c)} = v.{_q(c)}" for c in _VERDICT)
        differs = " OR ".join(f"h.{_q(c)} {distinct} v.{_q(c)}" for c in _VERDICT)
        values = ", ".join(f"v.{_q(c)}" for c in _HOP_COLUMNS[1:])
        order = f"j.{activity}, v.{_q('service_id')}, v.{_q('position')}"
        statements = (
            f"DELETE FROM {hop} AS h WHERE h.{activity} IN (SELECT {activity} FROM {job}) "  # noqa: S608
            f"AND NOT EXISTS (SELECT 1 FROM {fresh} WHERE j.{activity} = h.{activity} "
            f"AND {same})",
            f"UPDATE {hop} AS h SET {assign} FROM {fresh} "  # noqa: S608
            f"WHERE h.{activity} = j.{activity} AND {same_by_activity} AND ({differs})",
            f"INSERT INTO {hop} ({activity}, {copied}) SELECT j.{activity}, {values} "  # noqa: S608
            f"FROM {fresh} WHERE NOT EXISTS (SELECT 1 FROM {hop} h "
            f"WHERE h.{activity} = j.{activity} AND {same}) ORDER BY {order}",
        )
        for statement in statements:
            cursor.execute(statement)
        for table in (verdict, job):
            cursor.execute(f"DROP TABLE {table}")


def reassess_ids(ids: Iterable[int], on: date | None = None) -> int:
    """`reassess` for many activity ids (read in plain SQL: see `_for_ids`)."""
    ids = sorted(set(ids))
    if not ids:
        return 0
    activities = _q(ProcessingActivity._meta.db_table)
    agencies = _q(ProcessingActivity._meta.get_field("agency").related_model._meta.db_table)
    light = []
    # Table and column names come from the models, never from input.
    for pk, agency_id, categories, powers, name, country in _for_ids(
        f"SELECT a.{_q('id')}, a.{_q('agency_id')}, a.{_q('data_categories')}, "  # noqa: S608
        f"a.{_q('public_powers')}, o.{_q('name')}, o.{_q('country')} FROM {activities} a "
        f"JOIN {agencies} o ON o.{_q('id')} = a.{_q('agency_id')} WHERE a.{_q('id')}",
        ids,
        fetch=True,
    ):
        if isinstance(categories, str):  # JSON as text (SQLite; Django's jsonb loader)
            categories = json.loads(categories)
        light.append(
            _Activity(pk, agency_id, list(categories or []), powers, _Agency(name, country or "NO"))
        )
    return _reassess(light, None, on)


def reassess(activities: Iterable[ProcessingActivity] | QuerySet, on: date | None = None) -> int:
    """Recompute and store every hop of every linked chain of `activities`; returns hops stored.

    Activities with the same inputs (declaration, categories, public powers, the agency's
    TIAs and the vendor's confirmed DPF names) share one parsed scenario and one verdict:
    after a DPF import 30,000 activities reduce to a few thousand distinct chains.
    """
    instances = None if isinstance(activities, QuerySet) else list(activities)
    return _reassess(_light(instances if instances is not None else activities), instances, on)


@transaction.atomic
def _reassess(
    light: list[_Activity], instances: list[ProcessingActivity] | None, on: date | None
) -> int:
    on = on or timezone.localdate()
    if not light:
        return 0
    ids = [a.pk for a in light]
    links: dict[int, list[int]] = defaultdict(list)
    through = _q(ProcessingActivity.services.through._meta.db_table)
    # Table and column names come from the models, never from input.
    for activity_id, service_id in _for_ids(
        f"SELECT {_q('processingactivity_id')}, {_q('service_id')} FROM {through} "  # noqa: S608
        f"WHERE {_q('processingactivity_id')}",
        ids,
        fetch=True,
    ):
        links[activity_id].append(service_id)
    declarations = current_declarations(s for ss in links.values() for s in ss)
    tias: dict[tuple[int, int], set[str]] = defaultdict(set)
    agency_ids = {a.agency_id for a in light}
    for agency_id, service_id, entity in AgencyTia.objects.filter(
        agency_id__in=agency_ids
    ).values_list("agency_id", "service_id", "entity"):
        tias[(agency_id, service_id)].add(entity)
    names = confirmed_names(declarations)
    entries_of = {sid: list(d.entries.all()) for sid, d in declarations.items()}
    dpf = dpf_entries()
    # One scenario per distinct input; the verdict rows (without the activity id) per key.
    keys: dict[tuple[Any, ...], int] = {}
    scenarios = []
    key_parts: list[tuple[Declaration, list[ChainEntry]]] = []
    jobs: list[tuple[_Activity, int]] = []
    for activity in light:
        categories = tuple(dict.fromkeys(activity.data_categories))
        for service_id in sorted(links.get(activity.pk, [])):
            declaration = declarations.get(service_id)
            entries = entries_of.get(service_id)
            if declaration is None or not entries:
                continue
            tia = frozenset(tias.get((activity.agency_id, service_id), ()))
            key = (
                declaration.pk,
                frozenset(categories),  # the verdicts read the set, never the order
                activity.public_powers,
                activity.agency.country,
                tia,
            )
            index = keys.get(key)
            if index is None:
                index = keys[key] = len(scenarios)
                scenarios.append(
                    parse_scenario(
                        scenario_dict(
                            activity, declaration, entries, on, tia, names.get(service_id)
                        )
                    )
                )
                key_parts.append((declaration, entries))
            jobs.append((activity, index))
    verdicts: list[tuple[tuple[Any, ...], ...]] = []
    statuses: list[tuple[int, int, int]] = []
    for (declaration, entries), assessment in zip(
        key_parts, assess_many(scenarios, dpf), strict=True
    ):
        by_hop = {e.hop_id: e for e in entries}
        tails = []
        for position, hop in enumerate(assessment.hops):
            entry = by_hop[hop.id]
            tails.append(
                (
                    declaration.service_id,
                    declaration.pk,
                    position,
                    hop.id,
                    hop.from_,
                    hop.entity,
                    hop.country,
                    entry.function,
                    entry.access,
                    hop.mechanism,
                    hop.scc_module,
                    hop.status,
                    json.dumps(list(hop.documents)),
                    json.dumps(list(hop.missing_documents)),
                    json.dumps(list(hop.flags)),
                    hop.rule,
                    json.dumps(list(hop.legal_basis)),
                    hop.explanation.nb,
                    hop.explanation.en,
                    assessment.assessed_on.isoformat(),
                    assessment.method_version,
                )
            )
        verdicts.append(tuple(tails))
        summary = assessment.summary
        statuses.append((summary.ok, summary.action, summary.blocked))
    counts: dict[int, list[int]] = {a.pk: [0, 0, 0] for a in light}
    for activity, index in jobs:
        c = counts[activity.pk]
        ok, action, blocked = statuses[index]
        c[0] += ok
        c[1] += action
        c[2] += blocked
    _write_hops(ids, verdicts, [(activity.pk, index) for activity, index in jobs])
    now = timezone.now()
    by_counts: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for pk, c in counts.items():
        by_counts[(c[0], c[1], c[2])].append(pk)
    activities_table = _q(ProcessingActivity._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(now)
    for (ok, action, blocked), pks in by_counts.items():
        _for_ids(
            f"UPDATE {activities_table} SET {_q('hops_ok')} = %s, "  # noqa: S608
            f"{_q('hops_action')} = %s, {_q('hops_blocked')} = %s, {_q('assessed_at')} = %s "
            f"WHERE {_q(ProcessingActivity._meta.pk.column)}",
            pks,
            (ok, action, blocked, stamp),
        )
    for instance in instances or ():
        c = counts[instance.pk]
        instance.hops_ok, instance.hops_action, instance.hops_blocked = c
        instance.assessed_at = now
    return sum(len(verdicts[index]) for _activity, index in jobs)
