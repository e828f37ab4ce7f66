"""Matches a declared legal entity to the Data Privacy Framework list and judges the entry.

Only an exact name (the organisation or one of its named covered entities) counts as a
match; a name that agrees only after normalising case, punctuation and company-form
suffixes is reported as a mismatch for a person to confirm (issue 5, DPF watch).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from mps.privacy.rules.constants import DPF_DUE_WARNING_DAYS, HR_CATEGORY
from mps.privacy.rules.model import DpfEntry

# Company-form words dropped only when looking for near matches, never for a real match.
_FORMS = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "l l c",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "company",
        "lp",
        "llp",
        "plc",
    }
)
_NON_WORD = re.compile(r"[^\w]+")


def normalise(name: str) -> str:
    """A loose key for near-match detection: casefolded words without company forms."""
    words = [w for w in _NON_WORD.sub(" ", name.casefold()).split() if w not in _FORMS]
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class DpfMatch:
    entry: DpfEntry | None  # the best row under the exact name (active, latest due first)
    listed_name: str | None  # the exact name on the list that matched
    near_names: tuple[str, ...]  # names that match only loosely (need a person to confirm)
    # Every row under the exact name, best first: a name can appear on several rows (an
    # organisation and, separately, as another organisation's covered entity).
    rows: tuple[DpfEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class DpfVerdict:
    """Whether an entry is a ground for this hop on assessed_on, and why not if not."""

    valid: bool
    reasons: tuple[
        str, ...
    ]  # inactive | no_due_date | overdue | hr_not_covered | non_hr_not_covered
    due_soon: bool
    days_to_due: int | None


class DpfIndex:
    """Exact and loose name lookups over one DPF list snapshot; build once, reuse for many chains."""

    def __init__(self, entries: Iterable[DpfEntry]) -> None:
        self._exact: dict[str, list[DpfEntry]] = {}
        self._loose: dict[str, set[str]] = {}
        for entry in entries:
            for name in (entry.organisation, *entry.covered_entities):
                self._exact.setdefault(name, []).append(entry)
                self._loose.setdefault(normalise(name), set()).add(name)

    def lookup(self, name: str) -> DpfMatch:
        exact = self._exact.get(name)
        if exact:
            rows = tuple(
                sorted(
                    exact, key=lambda e: (e.eu_us == "active", e.next_due or date.min), reverse=True
                )
            )
            return DpfMatch(entry=rows[0], listed_name=name, near_names=(), rows=rows)
        near = tuple(sorted(self._loose.get(normalise(name), ())))
        return DpfMatch(entry=None, listed_name=None, near_names=near)


def judge(entry: DpfEntry, categories: Iterable[str], assessed_on: date) -> DpfVerdict:
    """Implementing Decision (EU) 2023/1795 recital 48 and Annex I: only an active certification
    covering the data in question (HR / non-HR) is a ground; an overdue re-certification is not."""
    reasons: list[str] = []
    if entry.eu_us != "active":
        reasons.append("inactive")
    days: int | None = None
    if entry.next_due is None:
        reasons.append("no_due_date")
    else:
        days = (entry.next_due - assessed_on).days
        if days < 0:
            reasons.append("overdue")
    cats = set(categories)
    if HR_CATEGORY in cats and not entry.hr:
        reasons.append("hr_not_covered")
    # Any category other than HR (or none declared) is non-HR data.
    if (cats - {HR_CATEGORY} or not cats) and not entry.non_hr:
        reasons.append("non_hr_not_covered")
    valid = not reasons
    return DpfVerdict(
        valid=valid,
        reasons=tuple(reasons),
        due_soon=valid and days is not None and days <= DPF_DUE_WARNING_DAYS,
        days_to_due=days,
    )
