"""Contract date arithmetic: notice deadlines and which reminders are due. No Django import."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

#: Default reminder thresholds in days before a date; 90 and 30 days match the usual
#: quarter-year notice periods in Norwegian public cloud contracts (one reminder a quarter
#: ahead, one a month ahead). Overridable with `mps contracts remind --days`.
DEFAULT_REMINDER_DAYS: tuple[int, ...] = (90, 30)


def subtract_months(day: date, months: int) -> date:
    """`day` moved back by whole calendar months, clamped to the month's last day (31 May − 3 → 28/29 Feb)."""
    if months < 0:
        raise ValueError(f"months must not be negative, got {months}")
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def notice_deadline(end: date, notice_months: int) -> date:
    """The last day notice can be given so the contract ends on `end`."""
    return subtract_months(end, notice_months)


@dataclass(frozen=True)
class DueReminder:
    """A reminder that should go out now: the event (notice or end), its date and the threshold crossed."""

    kind: str
    due_date: date
    threshold_days: int
    days_left: int
    crossed: tuple[int, ...]  # every threshold already crossed, so none is sent again later


def due_reminders(
    today: date, notice: date, end: date, thresholds: tuple[int, ...] = DEFAULT_REMINDER_DAYS
) -> list[DueReminder]:
    """For each event still ahead (or today), the tightest threshold it has come within.

    One reminder per event and run: if a contract is found 20 days before its notice
    deadline for the first time, the 30-day reminder goes out and the 90-day one is
    marked as crossed rather than sent late.
    """
    if not thresholds or any(t < 0 for t in thresholds):
        raise ValueError(f"thresholds must be non-negative days, got {thresholds}")
    result: list[DueReminder] = []
    for kind, when in (("notice", notice), ("end", end)):
        days_left = (when - today).days
        if days_left < 0:
            continue
        crossed = tuple(sorted(t for t in set(thresholds) if days_left <= t))
        if crossed:
            result.append(
                DueReminder(
                    kind=kind,
                    due_date=when,
                    threshold_days=crossed[0],
                    days_left=days_left,
                    crossed=crossed,
                )
            )
    return result


def parse_days(text: str) -> tuple[int, ...]:
    """Parse '90,30' into (90, 30); an error names the bad part."""
    values: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise ValueError(f"--days: {part!r} is not a whole number of days")
        values.append(int(part))
    if not values:
        raise ValueError(f"--days: no thresholds in {text!r}")
    return tuple(values)
