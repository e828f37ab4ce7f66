"""Re-assessment rewrites only the hops whose verdict changed; the date moves for all."""

from __future__ import annotations

from datetime import date

import pytest

from mps.privacy import chain
from mps.privacy.models import DpfListEntry, HopAssessment
from tests.privacy.factories import activity, declared_service, dpf_chain, dpf_listed, eea_chain

pytestmark = pytest.mark.django_db


def test_unchanged_verdicts_keep_their_rows_and_changed_ones_are_replaced(world):
    dpf_listed()
    us = activity(world.eksempel, "Sak", [declared_service(world.vendor, "Sak", dpf_chain())])
    eea = activity(world.eksempel, "Arkiv", [declared_service(world.vendor, "Arkiv", eea_chain())])
    before = dict(HopAssessment.objects.values_list("pk", "activity_id"))
    DpfListEntry.objects.update(eu_us="inactive")
    today = HopAssessment.objects.first().assessed_on
    assert chain.reassess([us, eea], today) == 4
    after = dict(HopAssessment.objects.values_list("pk", "activity_id"))
    assert {pk for pk, a in before.items() if a == eea.pk} == {
        pk for pk, a in after.items() if a == eea.pk
    }
    assert {pk for pk, a in after.items() if a == us.pk}.isdisjoint(before)
    assert HopAssessment.objects.get(activity=us, country="US").status == "blocked"
    us.refresh_from_db()
    assert us.hops_blocked == 1


def test_a_later_assessment_moves_the_date_of_unchanged_rows(world):
    eea = activity(world.eksempel, "Arkiv", [declared_service(world.vendor, "Arkiv", eea_chain())])
    pks = set(HopAssessment.objects.values_list("pk", flat=True))
    chain.reassess([eea], date(2099, 1, 2))
    assert set(HopAssessment.objects.values_list("pk", flat=True)) == pks
    assert set(HopAssessment.objects.values_list("assessed_on", flat=True)) == {date(2099, 1, 2)}
