"""Yearly DPF controls: due for every hop relying on DPF, recorded by the agency, overdue listed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from mps.core.tenancy import viewer_for
from mps.privacy import controls
from mps.privacy.models import DpfControl
from tests.privacy.factories import ACME, activity, declared_service, dpf_chain, dpf_listed

pytestmark = pytest.mark.django_db


@pytest.fixture
def relying(world):
    dpf_listed(next_due=timezone.localdate() + timedelta(days=200))
    service = declared_service(world.vendor, "Sak", dpf_chain())
    activity(world.eksempel, "Sak", [service])
    activity(world.eksempel, "Arkiv", [service])
    return service


def test_a_hop_relying_on_dpf_needs_a_control_until_the_agency_records_one(world, relying):
    today = timezone.localdate()
    due = controls.tasks([world.eksempel.pk], today)
    assert [(t.reliance.entity, t.reason) for t in due] == [(ACME, "never_controlled")]
    controls.do_record_control(viewer_for(world.mari), ACME, "Sjekket listen")
    assert controls.tasks([world.eksempel.pk], today) == ()
    # A year on, it is due again; the certification date comes first if earlier.
    later = controls.tasks([world.eksempel.pk], today + timedelta(days=190))
    assert [t.reason for t in later] == ["certification_due"]
    assert controls.tasks([world.annen.pk], today) == ()


def test_only_agencies_relying_on_the_entity_record_controls(world, relying):
    with pytest.raises(ValidationError):
        controls.do_record_control(viewer_for(world.bob), ACME)
    with pytest.raises(PermissionDenied):
        controls.do_record_control(viewer_for(world.rolf), ACME)
    assert not DpfControl.objects.exists()


def test_the_summary_lists_due_controls_and_the_operator_sees_overdue_ones(world, relying, login):
    client = login(world.alice)
    assert ACME in client.get(reverse("privacy:summary")).content.decode()
    client.post(reverse("privacy:dpf_control"), {"entity": ACME})
    assert DpfControl.objects.get().agency == world.eksempel
    DpfControl.objects.update(controlled_on=date(2020, 1, 1))
    html = login(world.ola).get(reverse("privacy:national")).content.decode()
    assert "Eksempel kommune" in html and ACME in html
