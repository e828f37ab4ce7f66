"""Notice deadlines and due reminders (pure functions)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mps.agreements.dates import due_reminders, notice_deadline, parse_days, subtract_months


def test_notice_deadline_clamps_to_month_end():
    assert notice_deadline(date(2028, 5, 31), 3) == date(2028, 2, 29)
    assert notice_deadline(date(2027, 5, 31), 3) == date(2027, 2, 28)
    assert notice_deadline(date(2028, 1, 15), 1) == date(2027, 12, 15)
    assert notice_deadline(date(2028, 1, 15), 0) == date(2028, 1, 15)


def test_negative_months_are_rejected():
    with pytest.raises(ValueError, match="-1"):
        subtract_months(date(2028, 1, 1), -1)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)), st.integers(0, 60))
def test_subtracting_months_never_moves_forward_and_lands_in_the_right_month(day, months):
    result = subtract_months(day, months)
    assert result <= day
    assert (day.year * 12 + day.month) - (result.year * 12 + result.month) == months
    assert result.day <= day.day


def test_past_events_are_not_reminded_and_tightest_threshold_wins():
    today = date(2026, 1, 1)
    due = due_reminders(today, today - timedelta(days=1), today + timedelta(days=25), (90, 30))
    assert [(d.kind, d.threshold_days, d.crossed) for d in due] == [("end", 30, (30, 90))]


def test_parse_days_names_the_bad_part():
    assert parse_days("90, 30") == (90, 30)
    with pytest.raises(ValueError, match="'-3'"):
        parse_days("90,-3")
    with pytest.raises(ValueError):
        parse_days(",")
