"""Yearly control of every hop that relies on DPF: which controls are due or overdue.

The post-DPF checklist for public bodies asks agencies to check the recipient's
certification every year. A control is due one calendar year after the last one, or
earlier, on the certification's next due date, if that falls after the last control: the
re-certification (or its lapse) is exactly what the control must see.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

#: Report a control as "due" this many days before its due date.
DUE_WINDOW_DAYS = 30

ControlStatus = Literal["due", "overdue"]


@dataclass(frozen=True, slots=True)
class DpfReliance:
    """A hop that relies on DPF, with its control history."""

    key: Hashable  # the caller's id for the hop (e.g. a primary key)
    entity: str
    last_control: date | None  # None: never controlled
    relied_since: date | None = None  # when the hop started to rely on DPF
    certification_due: date | None = None  # the DPF entry's next certification due date
    agency: Hashable | None = None


@dataclass(frozen=True, slots=True)
class ControlTask:
    reliance: DpfReliance
    due_on: date
    status: ControlStatus
    days_overdue: int  # 0 when not overdue
    reason: str  # "never_controlled" | "yearly" | "certification_due"


def add_year(day: date) -> date:
    """The same day a year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def next_control(reliance: DpfReliance, on: date) -> tuple[date, str]:
    """When the next control of this hop is due, and why."""
    if reliance.last_control is None:
        return (reliance.relied_since or on), "never_controlled"
    due, reason = add_year(reliance.last_control), "yearly"
    cert = reliance.certification_due
    if cert is not None and reliance.last_control < cert < due:
        due, reason = cert, "certification_due"
    return due, reason


def due_controls(
    reliances: Iterable[DpfReliance], on: date, *, window_days: int = DUE_WINDOW_DAYS
) -> tuple[ControlTask, ...]:
    """The controls due within `window_days` after `on` or overdue on `on`, overdue first
    (longest overdue first), then by due date. A hop never controlled is due from the day
    it started relying on DPF (or `on`, if that is unknown)."""
    horizon = on + timedelta(days=window_days)
    tasks: list[ControlTask] = []
    for reliance in reliances:
        due_on, reason = next_control(reliance, on)
        if due_on > horizon:
            continue
        overdue = (on - due_on).days if due_on < on else 0
        status: ControlStatus = "overdue" if overdue else "due"
        tasks.append(ControlTask(reliance, due_on, status, overdue, reason))
    tasks.sort(key=lambda t: (t.status != "overdue", t.due_on, str(t.reliance.key)))
    return tuple(tasks)


def overdue_controls(reliances: Iterable[DpfReliance], on: date) -> tuple[ControlTask, ...]:
    """Only the overdue ones (the issue's "overdue list")."""
    return tuple(t for t in due_controls(reliances, on, window_days=0) if t.status == "overdue")
