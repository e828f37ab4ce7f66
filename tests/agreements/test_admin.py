"""Operator maintenance in the Django admin goes through the actions and the audit log."""

from __future__ import annotations

import pytest

from mps.agreements.models import CallOffTemplate, Lot
from mps.core.models import AuditEntry
from tests.agreements.helpers import make_cips

pytestmark = pytest.mark.django_db


def test_operator_adds_a_lot_in_the_admin_and_it_is_audited(world, login):
    cips = make_cips(world)
    world.ola.is_staff = True
    world.ola.save()
    response = login(world.ola).post(
        "/admin/agreements/lot/add/",
        {"agreement": cips.agreement.pk, "number": 3, "name": "Programvare", "category": "SaaS"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lot = Lot.objects.get(number=3)
    entry = AuditEntry.objects.get(action="agreements.lot.create")
    assert entry.object_id == str(lot.pk) and entry.actor == world.ola


def test_staff_user_outside_the_operator_cannot_change_agreements_in_the_admin(world, login):
    cips = make_cips(world)
    world.alice.is_staff = True
    world.alice.save()
    response = login(world.alice).post(
        "/admin/agreements/lot/add/",
        {"agreement": cips.agreement.pk, "number": 3, "name": "Programvare", "category": "SaaS"},
    )
    assert response.status_code == 403
    assert not Lot.objects.filter(number=3).exists()


def test_template_with_unknown_placeholder_is_rejected_in_the_admin(world, login):
    world.ola.is_staff = True
    world.ola.save()
    response = login(world.ola).post(
        "/admin/agreements/callofftemplate/add/",
        {"name": "Mal", "language": "nb", "title": "Avrop", "body": "Kunde: ${kunde}"},
    )
    assert response.status_code == 200
    assert "${kunde}" in response.content.decode()
    assert not CallOffTemplate.objects.exists()
