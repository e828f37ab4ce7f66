"""Writes for agreements, membership and call-offs. Every function checks permission, validates,
saves inside a transaction and writes the audit log; views, API, admin and CLI all call these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.agreements.models import (
    Award,
    CallOff,
    FrameworkAgreement,
    Lot,
    Membership,
)
from mps.core import audit
from mps.core.tenancy import Viewer, changeable, require_act_for

AGENCY_KIND = "agency"
VENDOR_KIND = "vendor"


# --- operator-maintained reference data -------------------------------------------------


def _require_operator(viewer: Viewer) -> None:
    if not (viewer.is_operator and viewer.can_write):
        raise PermissionDenied(_("Only the marketplace operator maintains agreements."))


@transaction.atomic
def do_save_reference(viewer: Viewer, obj: models.Model, *, created: bool) -> models.Model:
    """Create or change an agreement, lot, award, document or template (operator only)."""
    _require_operator(viewer)
    before = None
    if not created and obj.pk is not None:
        old = type(obj)._default_manager.filter(pk=obj.pk).first()
        before = audit.snapshot(old) if old is not None else None
    if isinstance(obj, Award) and obj.vendor_id is not None:
        _check_vendor_kind(obj.vendor)
    obj.full_clean()
    obj.save()
    verb = "create" if created else "update"
    audit.record(
        viewer.user,
        f"agreements.{obj._meta.model_name}.{verb}",
        obj,
        before=before,
        after=audit.snapshot(obj),
    )
    return obj


@transaction.atomic
def do_delete_reference(viewer: Viewer, obj: models.Model) -> None:
    _require_operator(viewer)
    before = audit.snapshot(obj)
    audit.record(viewer.user, f"agreements.{obj._meta.model_name}.delete", obj, before=before)
    obj.delete()


@transaction.atomic
def do_set_award_services(viewer: Viewer, award: Award, services: Iterable[Any]) -> Award:
    """Set the services an awarded vendor offers under a lot; each must be the vendor's."""
    _require_operator(viewer)
    chosen = list(services)
    for service in chosen:
        if service.vendor_id != award.vendor_id:
            raise ValidationError(
                {
                    "services": _("Service %(service)s does not belong to vendor %(vendor)s.")
                    % {"service": service.pk, "vendor": award.vendor}
                }
            )
    before = sorted(award.services.values_list("pk", flat=True))
    award.services.set(chosen)
    audit.record(
        viewer.user,
        "agreements.award.services",
        award,
        before={"services": before},
        after={"services": sorted(s.pk for s in chosen)},
    )
    return award


def _check_vendor_kind(vendor: Any) -> None:
    if vendor.kind != VENDOR_KIND:
        raise ValidationError(
            {
                "vendor": _("%(org)s is not a vendor (kind %(kind)s).")
                % {"org": vendor, "kind": vendor.kind}
            }
        )


# --- membership (tilslutning / fravalg) --------------------------------------------------


@transaction.atomic
def do_set_membership(
    viewer: Viewer, agency: Any, agreement: FrameworkAgreement, status: str, note: str = ""
) -> Membership:
    """Record an agency's decision on an agreement: joined, opted out or undecided."""
    require_act_for(viewer, agency)
    if status not in Membership.Status.values:
        raise ValidationError(
            {"status": _("Unknown membership status %(value)r.") % {"value": status}}
        )
    if agency.kind != AGENCY_KIND:
        raise ValidationError(
            {"agency": _("%(org)s is not an agency and cannot join agreements.") % {"org": agency}}
        )
    if agreement.status == FrameworkAgreement.Status.EXPIRED:
        raise ValidationError(
            {
                "agreement": _("Agreement %(ref)s has expired; membership can no longer change.")
                % {"ref": agreement.reference}
            }
        )
    if status == Membership.Status.JOINED and not agreement.accepts_members:
        raise ValidationError(
            {
                "agreement": _("Agreement %(ref)s is %(status)s and cannot be joined yet.")
                % {"ref": agreement.reference, "status": agreement.get_status_display()}
            }
        )
    membership = (
        Membership.objects.select_for_update().filter(agency=agency, agreement=agreement).first()
    )
    created = membership is None
    if membership is None:
        membership = Membership(agency=agency, agreement=agreement)
        before = None
    else:
        before = audit.snapshot(membership)
    if status == Membership.Status.OPTED_OUT and not created:
        active = CallOff.objects.filter(
            agency=agency, agreement=agreement, status=CallOff.Status.ACTIVE
        ).count()
        if active:
            raise ValidationError(
                {
                    "status": _(
                        "%(org)s has %(n)s active call-off(s) under %(ref)s; end them before opting out."
                    )
                    % {"org": agency, "n": active, "ref": agreement.reference}
                }
            )
    membership.status = status
    membership.note = note[:500]
    membership.decided_on = timezone.localdate()
    membership.decided_by = viewer.user if getattr(viewer.user, "pk", None) else None
    membership.save()
    verb = {"joined": "join", "opted_out": "opt_out", "undecided": "undecided"}[status]
    audit.record(
        viewer.user,
        f"agreements.membership.{verb}",
        membership,
        before=before,
        after=audit.snapshot(membership),
    )
    return membership


def do_join_agreement(
    viewer: Viewer, agency: Any, agreement: FrameworkAgreement, note: str = ""
) -> Membership:
    return do_set_membership(viewer, agency, agreement, Membership.Status.JOINED, note)


def do_opt_out_agreement(
    viewer: Viewer, agency: Any, agreement: FrameworkAgreement, note: str = ""
) -> Membership:
    return do_set_membership(viewer, agency, agreement, Membership.Status.OPTED_OUT, note)


def do_mark_undecided(
    viewer: Viewer, agency: Any, agreement: FrameworkAgreement, note: str = ""
) -> Membership:
    return do_set_membership(viewer, agency, agreement, Membership.Status.UNDECIDED, note)


# --- call-offs (avrop) ---------------------------------------------------------------


@dataclass
class CallOffInput:
    """What an agency enters for a call-off; services are Service objects."""

    agreement: FrameworkAgreement
    lot: Lot
    vendor: Any
    services: list[Any]
    title: str
    estimated_value: Decimal | int | str
    start: date
    end: date
    notice_months: int = 3
    requirements: str = ""


CALLOFF_FIELDS = (
    "agreement",
    "lot",
    "vendor",
    "title",
    "estimated_value",
    "start",
    "end",
    "notice_months",
    "requirements",
)
#: Estimated values above this are surely a typing error (one thousand billion NOK).
MAX_VALUE_NOK = Decimal("999999999999")
#: Longest notice period we accept; contracts with longer notice are not call-offs.
MAX_NOTICE_MONTHS = 36


def _value(raw: Decimal | int | str) -> Decimal:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {"estimated_value": _("Estimated value %(value)r is not a number.") % {"value": raw}}
        ) from None
    if not value.is_finite():
        raise ValidationError(
            {"estimated_value": _("Estimated value %(value)r is not a number.") % {"value": raw}}
        )
    return value


def validate_calloff(agency: Any, data: CallOffInput) -> dict[str, list[str]]:
    """Every problem with a call-off, by field, each naming the offending value."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if agency.kind != AGENCY_KIND:
        add("agency", _("%(org)s is not an agency.") % {"org": agency})
    if not (data.title or "").strip():
        add("title", _("A call-off needs a title."))
    try:
        value = _value(data.estimated_value)
        if value < 0:
            add(
                "estimated_value",
                _("Estimated value %(value)s NOK is negative.") % {"value": value},
            )
        elif value > MAX_VALUE_NOK:
            add(
                "estimated_value",
                _("Estimated value %(value)s NOK is implausibly large.") % {"value": value},
            )
    except ValidationError as exc:
        add("estimated_value", " ".join(exc.messages))
    if data.start and data.end and data.end < data.start:
        add(
            "end",
            _("End %(end)s is before start %(start)s.") % {"end": data.end, "start": data.start},
        )
    if not 0 <= int(data.notice_months) <= MAX_NOTICE_MONTHS:
        add(
            "notice_months",
            _("Notice period %(value)s months is outside 0–%(max)s.")
            % {"value": data.notice_months, "max": MAX_NOTICE_MONTHS},
        )
    agreement = data.agreement
    if agreement.status not in {FrameworkAgreement.Status.OPEN, FrameworkAgreement.Status.ACTIVE}:
        add(
            "agreement",
            _("Agreement %(ref)s is %(status)s; call-offs need an open or active agreement.")
            % {"ref": agreement.reference, "status": agreement.get_status_display()},
        )
    if data.lot.agreement_id != agreement.pk:
        add(
            "lot",
            _("Lot %(lot)s does not belong to agreement %(ref)s.")
            % {"lot": data.lot, "ref": agreement.reference},
        )
    membership = Membership.objects.filter(agency=agency, agreement=agreement).first()
    if membership is None or membership.status != Membership.Status.JOINED:
        state = membership.get_status_display() if membership else _("never joined")
        add(
            "agreement",
            _("%(org)s has not joined agreement %(ref)s (%(state)s).")
            % {"org": agency, "ref": agreement.reference, "state": state},
        )
    award = Award.objects.filter(lot=data.lot, vendor=data.vendor).first()
    if award is None:
        add(
            "vendor",
            _("Vendor %(vendor)s is not awarded %(lot)s.")
            % {"vendor": data.vendor, "lot": data.lot},
        )
    else:
        awarded = set(award.services.values_list("pk", flat=True))
        for service in data.services:
            if service.vendor_id != data.vendor.pk:
                add(
                    "services",
                    _("Service %(service)s is not offered by %(vendor)s.")
                    % {"service": service, "vendor": data.vendor},
                )
            elif service.pk not in awarded:
                add(
                    "services",
                    _("Service %(service)s is not awarded under %(lot)s.")
                    % {"service": service, "lot": data.lot},
                )
    return errors


def _apply(calloff: CallOff, data: CallOffInput) -> None:
    for field in CALLOFF_FIELDS:
        setattr(calloff, field, getattr(data, field))
    calloff.estimated_value = _value(data.estimated_value)
    calloff.title = data.title.strip()


@transaction.atomic
def do_create_calloff(viewer: Viewer, agency: Any, data: CallOffInput) -> CallOff:
    """Create a draft call-off for the agency."""
    require_act_for(viewer, agency)
    errors = validate_calloff(agency, data)
    if errors:
        raise ValidationError(errors)
    calloff = CallOff(
        agency=agency, created_by=viewer.user if getattr(viewer.user, "pk", None) else None
    )
    _apply(calloff, data)
    calloff.status = CallOff.Status.DRAFT
    calloff.save()
    calloff.services.set(data.services)
    audit.record(viewer.user, "agreements.calloff.create", calloff, after=_snapshot(calloff))
    return calloff


def _snapshot(calloff: CallOff) -> dict[str, Any]:
    snap = audit.snapshot(calloff)
    snap["services"] = sorted(calloff.services.values_list("pk", flat=True))
    return snap


def _changeable_calloff(viewer: Viewer, calloff: CallOff) -> CallOff:
    locked = changeable(CallOff, viewer).select_for_update().filter(pk=calloff.pk).first()
    if locked is None:
        raise PermissionDenied(_("You may not change this call-off."))
    return locked


@transaction.atomic
def do_update_calloff(viewer: Viewer, calloff: CallOff, data: CallOffInput) -> CallOff:
    """Change a draft or active call-off; ended and cancelled ones are closed."""
    calloff = _changeable_calloff(viewer, calloff)
    if calloff.status not in {CallOff.Status.DRAFT, CallOff.Status.ACTIVE}:
        raise ValidationError(
            {
                "status": _("Call-off %(title)s is %(status)s and can no longer change.")
                % {"title": calloff.title, "status": calloff.get_status_display()}
            }
        )
    errors = validate_calloff(calloff.agency, data)
    if errors:
        raise ValidationError(errors)
    before = _snapshot(calloff)
    _apply(calloff, data)
    calloff.save()
    calloff.services.set(data.services)
    audit.record(
        viewer.user, "agreements.calloff.update", calloff, before=before, after=_snapshot(calloff)
    )
    return calloff


#: Which status each transition leads to, and from which statuses it is allowed.
TRANSITIONS: dict[str, tuple[str, frozenset[str]]] = {
    "activate": (CallOff.Status.ACTIVE, frozenset({CallOff.Status.DRAFT})),
    "cancel": (CallOff.Status.CANCELLED, frozenset({CallOff.Status.DRAFT, CallOff.Status.ACTIVE})),
    "end": (CallOff.Status.ENDED, frozenset({CallOff.Status.ACTIVE})),
}


@transaction.atomic
def do_transition_calloff(viewer: Viewer, calloff: CallOff, transition: str) -> CallOff:
    if transition not in TRANSITIONS:
        raise ValidationError(
            {"transition": _("Unknown transition %(value)r.") % {"value": transition}}
        )
    calloff = _changeable_calloff(viewer, calloff)
    target, allowed = TRANSITIONS[transition]
    if calloff.status not in allowed:
        raise ValidationError(
            {
                "status": _("Cannot %(action)s call-off %(title)s: it is %(status)s.")
                % {
                    "action": transition,
                    "title": calloff.title,
                    "status": calloff.get_status_display(),
                }
            }
        )
    if transition == "activate":
        membership = Membership.objects.filter(
            agency=calloff.agency, agreement=calloff.agreement
        ).first()
        if membership is None or membership.status != Membership.Status.JOINED:
            raise ValidationError(
                {
                    "agreement": _("%(org)s has not joined agreement %(ref)s.")
                    % {"org": calloff.agency, "ref": calloff.agreement.reference}
                }
            )
    before = _snapshot(calloff)
    calloff.status = target
    calloff.save(update_fields=["status", "updated_at"])
    audit.record(
        viewer.user,
        f"agreements.calloff.{transition}",
        calloff,
        before=before,
        after=_snapshot(calloff),
    )
    return calloff


def do_activate_calloff(viewer: Viewer, calloff: CallOff) -> CallOff:
    return do_transition_calloff(viewer, calloff, "activate")


def do_cancel_calloff(viewer: Viewer, calloff: CallOff) -> CallOff:
    return do_transition_calloff(viewer, calloff, "cancel")


def do_end_calloff(viewer: Viewer, calloff: CallOff) -> CallOff:
    return do_transition_calloff(viewer, calloff, "end")
