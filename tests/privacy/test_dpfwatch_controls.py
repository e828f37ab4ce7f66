"""Every hop relying on DPF gets a yearly control; due and overdue ones are listed on a given date."""

from __future__ import annotations

from datetime import date

from mps.privacy.dpfwatch import DpfReliance, due_controls, next_control, overdue_controls
from mps.privacy.dpfwatch.controls import add_year

ON = date(2026, 11, 29)


def test_control_is_due_a_calendar_year_after_the_last_one() -> None:
    assert next_control(DpfReliance("h1", "Acme", date(2025, 12, 10)), ON) == (
        date(2026, 12, 10),
        "yearly",
    )


def test_leap_day_control_falls_due_on_28_february() -> None:
    assert add_year(date(2028, 2, 29)) == date(2029, 2, 28)


def test_certification_due_after_the_last_control_brings_the_control_forward() -> None:
    reliance = DpfReliance("h1", "Acme", date(2026, 6, 1), certification_due=date(2026, 12, 1))
    assert next_control(reliance, ON) == (date(2026, 12, 1), "certification_due")
    older = DpfReliance("h1", "Acme", date(2026, 6, 1), certification_due=date(2026, 5, 1))
    assert next_control(older, ON) == (date(2027, 6, 1), "yearly")


def test_never_controlled_hop_is_due_from_when_it_started_relying_on_dpf() -> None:
    reliance = DpfReliance("h1", "Acme", None, relied_since=date(2026, 11, 1))
    assert next_control(reliance, ON) == (date(2026, 11, 1), "never_controlled")
    assert next_control(DpfReliance("h2", "Acme", None), ON) == (ON, "never_controlled")


def test_due_controls_lists_overdue_first_then_due_within_the_window() -> None:
    reliances = [
        DpfReliance("fresh", "A", date(2026, 6, 1)),  # due 2027-06-01: not listed
        DpfReliance("soon", "B", date(2025, 12, 20)),  # due in 21 days
        DpfReliance("late", "C", date(2025, 10, 1), agency="eksempel"),  # 59 days overdue
        DpfReliance("later", "D", date(2025, 11, 1)),  # 28 days overdue
        DpfReliance("today", "E", date(2025, 11, 29)),  # due today
        DpfReliance("never", "F", None),
    ]
    tasks = due_controls(reliances, ON)
    assert [(t.reliance.key, t.status, t.days_overdue) for t in tasks] == [
        ("late", "overdue", 59),
        ("later", "overdue", 28),
        ("never", "due", 0),  # same due date: by key
        ("today", "due", 0),
        ("soon", "due", 0),
    ]
    assert tasks[0].reliance.agency == "eksempel" and tasks[0].due_on == date(2026, 10, 1)


def test_window_is_adjustable_and_overdue_list_has_only_overdue() -> None:
    reliances = [
        DpfReliance("soon", "B", date(2025, 12, 20)),
        DpfReliance("late", "C", date(2025, 10, 1)),
    ]
    assert [t.reliance.key for t in due_controls(reliances, ON, window_days=7)] == ["late"]
    assert [t.reliance.key for t in overdue_controls(reliances, ON)] == ["late"]


def test_a_control_done_today_clears_the_task() -> None:
    assert due_controls([DpfReliance("h1", "Acme", ON)], ON) == ()
