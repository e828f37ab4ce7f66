"""What changed between two DPF list snapshots, as typed changes an alert can be built from.

Organisations are compared by their exact name. Each change says which legal-entity names
it touches (`names`), so the chains relying on those names can be found without knowing
how the list is structured, and whether it can take a ground away (`worsens`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from mps.privacy.dpfwatch.snapshot import ListedOrganisation, Snapshot
from mps.privacy.rules.model import Explanation


class ChangeKind(StrEnum):
    ADDED = "added"  # a new organisation on the list
    REMOVED = "removed"  # the organisation is gone from the list
    LAPSED = "lapsed"  # EU–US status active -> inactive
    REACTIVATED = "reactivated"  # EU–US status inactive -> active
    HR_DROPPED = "hr_dropped"
    HR_ADDED = "hr_added"
    NON_HR_DROPPED = "non_hr_dropped"
    NON_HR_ADDED = "non_hr_added"
    ENTITY_REMOVED = "entity_removed"  # a covered entity no longer named
    ENTITY_ADDED = "entity_added"
    DUE_DATE_CHANGED = "due_date_changed"
    UK_EXTENSION_CHANGED = "uk_extension_changed"
    SWISS_US_CHANGED = "swiss_us_changed"


#: Changes that can take away a ground an EEA exporter relies on (the EU–US framework).
WORSENING: frozenset[ChangeKind] = frozenset(
    {
        ChangeKind.REMOVED,
        ChangeKind.LAPSED,
        ChangeKind.HR_DROPPED,
        ChangeKind.NON_HR_DROPPED,
        ChangeKind.ENTITY_REMOVED,
    }
)

_ORDER = {kind: i for i, kind in enumerate(ChangeKind)}


@dataclass(frozen=True, slots=True)
class DpfChange:
    """One difference. `before`/`after` hold the changed value as text (a status, a date,
    a name) or None when it does not apply or was empty."""

    kind: ChangeKind
    organisation: str
    names: tuple[str, ...]  # legal-entity names this change touches
    before: str | None = None
    after: str | None = None

    @property
    def worsens(self) -> bool:
        return self.kind in WORSENING

    @property
    def data(self) -> str | None:
        """Which data the change is about: "hr", "non_hr", or None for all data."""
        if self.kind in (ChangeKind.HR_DROPPED, ChangeKind.HR_ADDED):
            return "hr"
        if self.kind in (ChangeKind.NON_HR_DROPPED, ChangeKind.NON_HR_ADDED):
            return "non_hr"
        return None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _compare(old: ListedOrganisation, new: ListedOrganisation) -> list[DpfChange]:
    org, a, b = new.organisation, old.entry, new.entry
    names = old.names
    out: list[DpfChange] = []
    if a.eu_us != b.eu_us:
        kind = ChangeKind.LAPSED if b.eu_us != "active" else ChangeKind.REACTIVATED
        out.append(
            DpfChange(kind, org, new.names if b.eu_us == "active" else names, a.eu_us, b.eu_us)
        )
    if a.hr != b.hr:
        kind = ChangeKind.HR_DROPPED if a.hr else ChangeKind.HR_ADDED
        out.append(DpfChange(kind, org, names, str(a.hr).lower(), str(b.hr).lower()))
    if a.non_hr != b.non_hr:
        kind = ChangeKind.NON_HR_DROPPED if a.non_hr else ChangeKind.NON_HR_ADDED
        out.append(DpfChange(kind, org, names, str(a.non_hr).lower(), str(b.non_hr).lower()))
    for name in a.covered_entities:
        if name not in b.covered_entities:
            out.append(DpfChange(ChangeKind.ENTITY_REMOVED, org, (name,), name, None))
    for name in b.covered_entities:
        if name not in a.covered_entities:
            out.append(DpfChange(ChangeKind.ENTITY_ADDED, org, (name,), None, name))
    if a.next_due != b.next_due:
        out.append(
            DpfChange(ChangeKind.DUE_DATE_CHANGED, org, names, _iso(a.next_due), _iso(b.next_due))
        )
    if old.uk_extension != new.uk_extension:
        out.append(
            DpfChange(
                ChangeKind.UK_EXTENSION_CHANGED, org, names, old.uk_extension, new.uk_extension
            )
        )
    if old.swiss_us != new.swiss_us:
        out.append(DpfChange(ChangeKind.SWISS_US_CHANGED, org, names, old.swiss_us, new.swiss_us))
    return out


def diff_snapshots(old: Snapshot, new: Snapshot) -> tuple[DpfChange, ...]:
    """Every change from `old` to `new`, sorted by organisation, then kind."""
    before, after = old.by_organisation(), new.by_organisation()
    changes: list[DpfChange] = []
    for name, item in before.items():
        if name not in after:
            changes.append(DpfChange(ChangeKind.REMOVED, name, item.names, name, None))
        else:
            changes.extend(_compare(item, after[name]))
    for name, item in after.items():
        if name not in before:
            changes.append(DpfChange(ChangeKind.ADDED, name, item.names, None, name))
    changes.sort(key=lambda c: (c.organisation, _ORDER[c.kind], c.names))
    return tuple(changes)


_TEXTS: dict[ChangeKind, tuple[str, str]] = {
    ChangeKind.ADDED: ("{org} er ført opp på DPF-listen.", "{org} has been added to the DPF list."),
    ChangeKind.REMOVED: (
        "{org} er ikke lenger på DPF-listen. Overføringer som bygger på sertifiseringen, har ikke lenger grunnlag.",
        "{org} is no longer on the DPF list. Transfers relying on its certification have lost their ground.",
    ),
    ChangeKind.LAPSED: (
        "Sertifiseringen til {org} under EU–US-rammeverket er ikke lenger aktiv. Overføringer som bygger på den, har ikke lenger grunnlag.",
        "{org}'s certification under the EU–US framework is no longer active. Transfers relying on it have lost their ground.",
    ),
    ChangeKind.REACTIVATED: (
        "Sertifiseringen til {org} under EU–US-rammeverket er aktiv igjen.",
        "{org}'s certification under the EU–US framework is active again.",
    ),
    ChangeKind.HR_DROPPED: (
        "Sertifiseringen til {org} dekker ikke lenger personalopplysninger (HR).",
        "{org}'s certification no longer covers HR data.",
    ),
    ChangeKind.HR_ADDED: (
        "Sertifiseringen til {org} dekker nå personalopplysninger (HR).",
        "{org}'s certification now covers HR data.",
    ),
    ChangeKind.NON_HR_DROPPED: (
        "Sertifiseringen til {org} dekker ikke lenger andre opplysninger enn personalopplysninger.",
        "{org}'s certification no longer covers data other than HR data.",
    ),
    ChangeKind.NON_HR_ADDED: (
        "Sertifiseringen til {org} dekker nå andre opplysninger enn personalopplysninger.",
        "{org}'s certification now covers data other than HR data.",
    ),
    ChangeKind.ENTITY_REMOVED: (
        "{before} er ikke lenger oppført som omfattet av sertifiseringen til {org}.",
        "{before} is no longer listed as covered by {org}'s certification.",
    ),
    ChangeKind.ENTITY_ADDED: (
        "{after} er nå oppført som omfattet av sertifiseringen til {org}.",
        "{after} is now listed as covered by {org}'s certification.",
    ),
    ChangeKind.DUE_DATE_CHANGED: (
        "Neste frist for ny sertifisering for {org} er endret fra {before} til {after}.",
        "{org}'s next certification due date changed from {before} to {after}.",
    ),
    ChangeKind.UK_EXTENSION_CHANGED: (
        "Status for {org} under den britiske utvidelsen er endret fra {before} til {after}.",
        "{org}'s status under the UK Extension changed from {before} to {after}.",
    ),
    ChangeKind.SWISS_US_CHANGED: (
        "Status for {org} under det sveitsiske rammeverket er endret fra {before} til {after}.",
        "{org}'s status under the Swiss–US framework changed from {before} to {after}.",
    ),
}


_STATUS_NB = {"active": "aktiv", "inactive": "inaktiv", "not participating": "deltar ikke"}


def describe(change: DpfChange) -> Explanation:
    """One plain sentence per language, for alerts and the import report."""
    nb, en = _TEXTS[change.kind]
    values = {
        "org": change.organisation,
        "before": change.before or "–",
        "after": change.after or "–",
    }
    if change.kind in (ChangeKind.UK_EXTENSION_CHANGED, ChangeKind.SWISS_US_CHANGED):
        for key in ("before", "after"):
            if getattr(change, key) is None:
                values[key] = "not participating"
    nb_values = {**values}
    for key in ("before", "after"):
        nb_values[key] = _STATUS_NB.get(values[key], values[key])
    return Explanation(nb=nb.format(**nb_values), en=en.format(**values))
