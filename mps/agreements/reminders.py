"""Reminders before call-offs' notice deadlines and end dates, e-mailed to the agency's admins.

Each (call-off, event, threshold, date) is e-mailed at most once: the send is recorded in
ContractReminder in the same transaction, so a rerun the same day sends nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from mps.agreements.dates import DEFAULT_REMINDER_DAYS, due_reminders
from mps.agreements.models import CallOff, ContractReminder
from mps.core import audit

REMINDER_LANGUAGE = "nb"


@dataclass
class ReminderResult:
    calloff_id: int
    title: str
    agency: str
    kind: str
    due_date: str
    threshold_days: int
    days_left: int
    recipients: list[str] = field(default_factory=list)
    sent: bool = False
    reason: str = ""


def _admin_emails(agency_ids: set[int]) -> dict[int, list[str]]:
    from mps.accounts.models import User

    emails: dict[int, list[str]] = {}
    for org_id, email in (
        User.objects.filter(organisation_id__in=agency_ids, role="admin", is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("organisation_id", "email")
    ):
        emails.setdefault(org_id, []).append(email)
    return emails


def _message(calloff: CallOff, kind: str, due: date, days_left: int) -> tuple[str, str]:
    with translation.override(REMINDER_LANGUAGE):
        if kind == "notice":
            subject = _("Reminder: notice deadline for %(title)s is %(date)s") % {
                "title": calloff.title,
                "date": due,
            }
            lead = _(
                "The last day to give notice on the call-off %(title)s with %(vendor)s is %(date)s (%(days)s days from now)."
            )
        else:
            subject = _("Reminder: %(title)s ends %(date)s") % {"title": calloff.title, "date": due}
            lead = _(
                "The call-off %(title)s with %(vendor)s ends %(date)s (%(days)s days from now)."
            )
        body = "\n\n".join(
            [
                lead
                % {
                    "title": calloff.title,
                    "vendor": calloff.vendor.name,
                    "date": due,
                    "days": days_left,
                },
                _("Agreement: %(agreement)s, %(lot)s.")
                % {"agreement": calloff.agreement.name, "lot": calloff.lot},
                _("See the contract register in mps for details."),
            ]
        )
    return subject, body


def send_due_reminders(
    today: date, thresholds: tuple[int, ...] = DEFAULT_REMINDER_DAYS, *, dry_run: bool = False
) -> list[ReminderResult]:
    """E-mail every reminder due today that has not been sent before; return what happened."""
    horizon = today + timedelta(days=max(thresholds))
    calloffs = list(
        CallOff.objects.filter(status=CallOff.Status.ACTIVE)
        .filter(Q(notice_by__range=(today, horizon)) | Q(end__range=(today, horizon)))
        .select_related("agency", "vendor", "agreement", "lot")
        .order_by("notice_by", "pk")
    )
    sent_before = set(
        ContractReminder.objects.filter(calloff__in=calloffs).values_list(
            "calloff_id", "kind", "threshold_days", "due_date"
        )
    )
    emails = _admin_emails({c.agency_id for c in calloffs})
    results: list[ReminderResult] = []
    for calloff in calloffs:
        for due in due_reminders(today, calloff.notice_by, calloff.end, thresholds):
            key = (calloff.pk, due.kind, due.threshold_days, due.due_date)
            if key in sent_before:
                continue
            result = ReminderResult(
                calloff_id=calloff.pk,
                title=calloff.title,
                agency=calloff.agency.name,
                kind=due.kind,
                due_date=due.due_date.isoformat(),
                threshold_days=due.threshold_days,
                days_left=due.days_left,
                recipients=emails.get(calloff.agency_id, []),
            )
            results.append(result)
            if not result.recipients:
                result.reason = "the agency has no administrator with an e-mail address"
                continue
            if dry_run:
                result.reason = "dry run"
                continue
            result.sent = _send_once(
                calloff,
                due.kind,
                due.due_date,
                due.days_left,
                due.crossed,
                result.recipients,
                sent_before,
            )
            if not result.sent:
                result.reason = "already sent by a concurrent run"
    return results


def _send_once(
    calloff: CallOff,
    kind: str,
    due_date: date,
    days_left: int,
    crossed: tuple[int, ...],
    recipients: list[str],
    sent_before: set[tuple[int, str, int, date]],
) -> bool:
    """Record first, then send, in one transaction: a failed send rolls the record back."""
    try:
        with transaction.atomic():
            created = []
            for threshold in crossed:
                key = (calloff.pk, kind, threshold, due_date)
                if key in sent_before:
                    continue
                created.append(
                    ContractReminder.objects.create(
                        calloff=calloff,
                        kind=kind,
                        threshold_days=threshold,
                        due_date=due_date,
                        recipients=", ".join(recipients),
                    )
                )
                sent_before.add(key)
            subject, body = _message(calloff, kind, due_date, days_left)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
            audit.record(
                None,
                "agreements.calloff.reminder",
                calloff,
                after={
                    "kind": kind,
                    "due_date": due_date.isoformat(),
                    "thresholds": list(crossed),
                    "recipients": recipients,
                },
            )
    except IntegrityError:
        return False
    return bool(created)
