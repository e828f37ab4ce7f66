"""Re-assessment writes only what changed: a changed verdict is updated in its row, an
unchanged one is left alone, a hop of a chain no longer assessed is removed and a new one
inserted; the date moves for all."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from mps.privacy import actions, chain
from mps.privacy.actions import ActivityData, EntryData
from mps.privacy.models import DpfListEntry, HopAssessment, ProcessingActivity
from tests.privacy.factories import (
    activity,
    declaration,
    declared_service,
    dpf_chain,
    dpf_listed,
    eea_chain,
    india_chain,
)

pytestmark = pytest.mark.django_db


def _rows(act) -> list[tuple]:
    return list(
        HopAssessment.objects.filter(activity=act)
        .order_by("service_id", "position")
        .values_list("pk", "declaration_id", "hop_id", "entity", "status")
    )


def test_a_changed_verdict_is_updated_in_its_row_and_unchanged_rows_are_left_alone(world):
    dpf_listed()
    us = activity(world.eksempel, "Sak", [declared_service(world.vendor, "Sak", dpf_chain())])
    eea = activity(world.eksempel, "Arkiv", [declared_service(world.vendor, "Arkiv", eea_chain())])
    before = {act.pk: _rows(act) for act in (us, eea)}
    explained = HopAssessment.objects.get(activity=us, country="US").explanation_en
    DpfListEntry.objects.update(eu_us="inactive")
    today = HopAssessment.objects.first().assessed_on
    assert chain.reassess([us, eea], today) == 4
    assert _rows(eea) == before[eea.pk]
    after = _rows(us)
    assert [r[:4] for r in after] == [r[:4] for r in before[us.pk]]  # the same rows
    assert [r[4] for r in before[us.pk]] == ["ok", "ok"]
    assert [r[4] for r in after] == ["ok", "blocked"]
    hop = HopAssessment.objects.get(activity=us, country="US")
    assert hop.mechanism == "none"
    assert hop.explanation_en != explained
    us.refresh_from_db()
    assert (us.hops_ok, us.hops_blocked) == (1, 1)


def test_a_later_assessment_moves_the_date_of_unchanged_rows(world):
    eea = activity(world.eksempel, "Arkiv", [declared_service(world.vendor, "Arkiv", eea_chain())])
    pks = set(HopAssessment.objects.values_list("pk", flat=True))
    chain.reassess([eea], date(2099, 1, 2))
    assert set(HopAssessment.objects.values_list("pk", flat=True)) == pks
    assert set(HopAssessment.objects.values_list("assessed_on", flat=True)) == {date(2099, 1, 2)}


def test_a_new_version_replaces_the_hops_of_the_old_one_for_every_activity_using_it(world):
    service = declared_service(world.vendor, "Sak", eea_chain())
    acts = [activity(world.eksempel, f"Sak {i}", [service]) for i in range(3)]
    old = {pk for act in acts for pk, *_rest in _rows(act)}
    actions.save_declaration_draft(
        None,
        service,
        declaration(
            (*eea_chain(), EntryData("Backup AG", "CH", "Sikkerhetskopi", "storage", upstream=0))
        ),
    )
    published = actions.publish_declaration(None, service).declaration
    for act in acts:
        rows = _rows(act)
        assert [(r[1], r[2], r[3]) for r in rows] == [
            (published.pk, "e0", "Skyleverandør AS"),
            (published.pk, "e1", "Datasenter GmbH"),
            (published.pk, "e2", "Backup AG"),
        ]
        assert old.isdisjoint(r[0] for r in rows)
        act.refresh_from_db()
        assert act.hops_ok == 3
    assert not HopAssessment.objects.filter(pk__in=old).exists()


def test_unlinking_a_service_removes_its_hops_and_keeps_the_others(world):
    eea = declared_service(world.vendor, "Arkiv", eea_chain())
    india = declared_service(world.vendor, "Støtte", india_chain())
    act = activity(world.eksempel, "Sak", [eea, india])
    rows = _rows(act)
    assert [r[3] for r in rows] == [
        "Skyleverandør AS",
        "Datasenter GmbH",
        "Skyleverandør AS",
        "Support Services India Pvt Ltd",
    ]
    kept = rows[:2]
    data = ActivityData.of(act)
    actions.update_activity(None, act, replace(data, service_ids=(eea.pk,)))
    assert _rows(act) == kept
    actions.update_activity(None, act, replace(data, service_ids=()))
    assert _rows(act) == []
    act.refresh_from_db()
    assert (act.hops_ok, act.hops_action, act.hops_blocked) == (0, 0, 0)


def test_activities_sharing_one_verdict_each_get_their_own_rows(world):
    service = declared_service(world.vendor, "Sak", india_chain())
    acts = [activity(world.eksempel, f"Sak {i}", [service]) for i in range(5)]
    HopAssessment.objects.all().delete()
    assert chain.reassess(ProcessingActivity.objects.filter(pk__in=[a.pk for a in acts])) == 10
    for act in acts:
        assert [(r[2], r[4]) for r in _rows(act)] == [("e0", "ok"), ("e1", "action")]
    assert HopAssessment.objects.count() == 10


def test_an_activity_outside_the_batch_keeps_its_rows(world):
    dpf_listed()
    service = declared_service(world.vendor, "Sak", dpf_chain())
    inside, outside = (activity(world.eksempel, f"Sak {i}", [service]) for i in range(2))
    before = _rows(outside)
    DpfListEntry.objects.update(eu_us="inactive")
    chain.reassess([inside], date(2099, 1, 2))
    assert _rows(outside) == before
    assert set(
        HopAssessment.objects.filter(activity=outside).values_list("assessed_on", flat=True)
    ) != {date(2099, 1, 2)}
