"""Membership and call-off actions: permission, validation with named values, audit."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from mps.agreements import actions
from mps.agreements.models import CallOff, Membership
from mps.core.models import AuditEntry
from mps.core.tenancy import viewer_for
from tests.agreements.helpers import active_calloff, calloff_input, join, make_cips

pytestmark = pytest.mark.django_db


def test_joining_records_who_when_and_writes_the_audit_log(world):
    cips = make_cips(world)
    membership = join(world.alice, cips)
    assert membership.status == Membership.Status.JOINED
    assert membership.decided_by == world.alice and membership.decided_on is not None
    entry = AuditEntry.objects.get(action="agreements.membership.join")
    assert entry.organisation == world.eksempel and entry.after["status"] == "joined"


def test_opting_out_after_joining_keeps_one_row_and_audits_before_and_after(world):
    cips = make_cips(world)
    join(world.alice, cips)
    actions.do_opt_out_agreement(
        viewer_for(world.mari), world.eksempel, cips.agreement, note="Egen avtale"
    )
    assert Membership.objects.filter(agency=world.eksempel).count() == 1
    entry = AuditEntry.objects.get(action="agreements.membership.opt_out")
    assert entry.before["status"] == "joined" and entry.after["status"] == "opted_out"


def test_read_only_user_cannot_join(world):
    cips = make_cips(world)
    with pytest.raises(PermissionDenied):
        join(world.rolf, cips)


def test_agency_cannot_decide_for_another_agency(world):
    cips = make_cips(world)
    with pytest.raises(PermissionDenied):
        actions.do_join_agreement(viewer_for(world.alice), world.annen, cips.agreement)


def test_vendor_cannot_join_an_agreement(world):
    cips = make_cips(world)
    with pytest.raises(ValidationError) as exc:
        actions.do_join_agreement(viewer_for(world.vera), world.vendor, cips.agreement)
    assert "Skyleverandør AS" in str(exc.value)


def test_a_planned_agreement_cannot_be_joined_yet(world):
    cips = make_cips(world, status="planned")
    with pytest.raises(ValidationError) as exc:
        join(world.alice, cips)
    assert "TEST-CIPS" in str(exc.value)


def test_call_off_is_created_as_draft_with_services_and_notice_deadline(world):
    cips = make_cips(world)
    join(world.alice, cips)
    calloff = actions.do_create_calloff(
        viewer_for(world.alice), world.eksempel, calloff_input(cips, world)
    )
    assert calloff.status == CallOff.Status.DRAFT
    assert list(calloff.services.all()) == [cips.vm]
    assert calloff.notice_by == date(2028, 9, 30)
    assert AuditEntry.objects.filter(
        action="agreements.calloff.create", object_id=str(calloff.pk)
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "needle"),
    [
        ({"end": date(2025, 6, 1)}, "end", "2025-06-01"),
        ({"estimated_value": "-5"}, "estimated_value", "-5"),
        ({"estimated_value": "lots"}, "estimated_value", "lots"),
        ({"notice_months": 99}, "notice_months", "99"),
    ],
)
def test_invalid_call_off_values_are_rejected_naming_field_and_value(
    world, overrides, field, needle
):
    cips = make_cips(world)
    join(world.alice, cips)
    with pytest.raises(ValidationError) as exc:
        actions.do_create_calloff(
            viewer_for(world.alice), world.eksempel, calloff_input(cips, world, **overrides)
        )
    assert field in exc.value.message_dict
    assert needle in " ".join(exc.value.message_dict[field])
    assert not CallOff.objects.exists()


def test_vendor_not_awarded_the_lot_is_rejected(world):
    cips = make_cips(world)
    join(world.alice, cips)
    with pytest.raises(ValidationError) as exc:
        actions.do_create_calloff(
            viewer_for(world.alice),
            world.eksempel,
            calloff_input(cips, world, lot=cips.paas, services=[]),
        )
    assert "Skyleverandør AS" in " ".join(exc.value.message_dict["vendor"])


def test_services_must_be_the_vendors_and_awarded(world):
    cips = make_cips(world)
    join(world.alice, cips)
    with pytest.raises(ValidationError) as exc:
        actions.do_create_calloff(
            viewer_for(world.alice),
            world.eksempel,
            calloff_input(cips, world, services=[cips.other_vm, cips.unawarded]),
        )
    text = " ".join(exc.value.message_dict["services"])
    assert "Annen VM" in text and "Sky Epost" in text


def test_agency_that_opted_out_cannot_make_a_call_off(world):
    cips = make_cips(world)
    actions.do_opt_out_agreement(viewer_for(world.alice), world.eksempel, cips.agreement)
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        actions.do_create_calloff(
            viewer_for(world.alice), world.eksempel, calloff_input(cips, world)
        )
    assert "Opted out" in " ".join(exc.value.message_dict["agreement"])


def test_agency_that_never_joined_cannot_make_a_call_off(world):
    cips = make_cips(world)
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        actions.do_create_calloff(
            viewer_for(world.alice), world.eksempel, calloff_input(cips, world)
        )
    assert "never joined" in " ".join(exc.value.message_dict["agreement"])


def test_call_off_lifecycle_activate_end_and_no_reopening(world):
    cips = make_cips(world)
    calloff = active_calloff(world.alice, cips, world)
    assert calloff.status == CallOff.Status.ACTIVE
    viewer = viewer_for(world.alice)
    actions.do_end_calloff(viewer, calloff)
    with pytest.raises(ValidationError):
        actions.do_activate_calloff(viewer, calloff)
    with pytest.raises(ValidationError):
        actions.do_update_calloff(viewer, calloff, calloff_input(cips, world, title="Ny"))
    assert [
        e.action for e in AuditEntry.objects.filter(object_type="agreements.CallOff").order_by("id")
    ] == [
        "agreements.calloff.create",
        "agreements.calloff.activate",
        "agreements.calloff.end",
    ]


def test_another_agency_cannot_change_a_call_off(world):
    cips = make_cips(world)
    calloff = active_calloff(world.alice, cips, world)
    with pytest.raises(PermissionDenied):
        actions.do_cancel_calloff(viewer_for(world.bob), calloff)


def test_opting_out_with_an_active_call_off_is_refused(world):
    cips = make_cips(world)
    active_calloff(world.alice, cips, world)
    with pytest.raises(ValidationError) as exc:
        actions.do_opt_out_agreement(viewer_for(world.alice), world.eksempel, cips.agreement)
    assert "TEST-CIPS" in str(exc.value)


def test_only_the_operator_maintains_agreements(world):
    cips = make_cips(world)
    cips.agreement.name = "Endret"
    with pytest.raises(PermissionDenied):
        actions.do_save_reference(viewer_for(world.alice), cips.agreement, created=False)
    actions.do_save_reference(viewer_for(world.ola), cips.agreement, created=False)
    entry = AuditEntry.objects.get(action="agreements.frameworkagreement.update")
    assert entry.before["name"] == "Skytjenester (test)" and entry.after["name"] == "Endret"


def test_award_services_must_belong_to_the_awarded_vendor(world):
    cips = make_cips(world)
    with pytest.raises(ValidationError):
        actions.do_set_award_services(viewer_for(world.ola), cips.award, [cips.other_vm])


def test_errors_are_in_norwegian_by_default(world):
    cips = make_cips(world)
    with pytest.raises(ValidationError) as exc:
        actions.do_create_calloff(
            viewer_for(world.alice),
            world.eksempel,
            calloff_input(cips, world, end=date(2025, 1, 1)),
        )
    assert "Slutt 2025-01-01 er før start 2026-01-01." in exc.value.message_dict["end"]
