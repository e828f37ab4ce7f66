"""`mps contracts remind`: e-mails agency admins once per contract and threshold."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from mps.agreements.models import ContractReminder
from tests.agreements.helpers import active_calloff, make_cips

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


def _remind(*args: str) -> list[dict]:
    out = StringIO()
    call_command("contracts", "remind", "--json", "--today", TODAY.isoformat(), *args, stdout=out)
    return json.loads(out.getvalue())


def test_reminder_goes_to_agency_admins_once(world):
    cips = make_cips(world)
    # notice deadline 20 days ahead (end minus 1 month), end date 50 days ahead
    calloff = active_calloff(
        world.alice,
        cips,
        world,
        start=date(2025, 1, 1),
        end=TODAY + timedelta(days=50),
        notice_months=1,
    )
    results = _remind()
    kinds = {r["kind"]: r for r in results}
    assert kinds["notice"]["threshold_days"] == 30 and kinds["notice"]["sent"]
    assert kinds["end"]["threshold_days"] == 90 and kinds["end"]["sent"]
    assert len(mail.outbox) == 2
    assert all(m.to == ["alice@example.test"] for m in mail.outbox)  # admins only: not mari or rolf
    assert any(calloff.title in m.subject for m in mail.outbox)
    assert _remind() == []
    assert len(mail.outbox) == 2
    # the 90-day notice reminder was crossed, never to be sent late
    assert ContractReminder.objects.filter(calloff=calloff, kind="notice").count() == 2


def test_a_tighter_threshold_sends_again_later(world):
    cips = make_cips(world)
    active_calloff(
        world.alice,
        cips,
        world,
        start=date(2025, 1, 1),
        end=TODAY + timedelta(days=80),
        notice_months=0,
    )
    assert [r["threshold_days"] for r in _remind()] == [90, 90]  # notice and end on the same day
    out = StringIO()
    call_command(
        "contracts",
        "remind",
        "--json",
        "--today",
        (TODAY + timedelta(days=55)).isoformat(),
        stdout=out,
    )
    assert [r["threshold_days"] for r in json.loads(out.getvalue())] == [30, 30]
    assert len(mail.outbox) == 4


def test_no_admin_email_is_reported_and_retried(world):
    cips = make_cips(world)
    world.alice.email = ""
    world.alice.save()
    active_calloff(
        world.alice,
        cips,
        world,
        start=date(2025, 1, 1),
        end=TODAY + timedelta(days=10),
        notice_months=0,
    )
    results = _remind()
    assert results and not any(r["sent"] for r in results)
    assert "administrator" in results[0]["reason"]
    assert not ContractReminder.objects.exists()


def test_custom_days_and_bad_days(world):
    cips = make_cips(world)
    active_calloff(
        world.alice,
        cips,
        world,
        start=date(2025, 1, 1),
        end=TODAY + timedelta(days=100),
        notice_months=0,
    )
    assert _remind("--days", "30") == []
    assert len(_remind("--days", "120,7")) == 2
    with pytest.raises(CommandError, match="'x'"):
        _remind("--days", "90,x")
