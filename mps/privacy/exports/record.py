"""The plain input of every Article 30 export: an agency's record of processing activities.

The Django layer fills these dataclasses from its models; the writers never touch the
database, so each format can be tested on its own. Fields follow GDPR Art. 30(1) (the
agency as controller) and Art. 30(2) (the agency as processor for another controller).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

#: Transfer grounds, in the engine's terms (mps.privacy.rules: HopResult.mechanism).
MECHANISMS = ("eea", "adequacy", "dpf", "scc", "bcr", "derogation", "none")


@dataclass(frozen=True, slots=True)
class Party:
    """A controller, representative, DPO or joint controller: name and contact details."""

    name: str
    contact: str = ""  # address, e-mail, telephone, as free text
    organisation_number: str = ""

    def text(self) -> str:
        """One cell's worth: name, organisation number and contact details on lines."""
        lines = [self.name]
        if self.organisation_number:
            lines.append(f"org.nr. {self.organisation_number}")
        if self.contact:
            lines.append(self.contact)
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Transfer:
    """Art. 30(1)(e): one recipient outside the EEA, the ground relied on and its documents."""

    recipient: str
    country: str  # ISO 3166-1 alpha-2 code, or the international organisation's name
    mechanism: str  # one of MECHANISMS
    safeguards: str = ""  # e.g. "SCC modul 3 (signert 2026-01-10), TIA 2026-02-01"
    status: str = ""  # the engine's ok | action | blocked, if assessed
    via: str = ""  # the service or processor the transfer happens through

    @property
    def is_transfer(self) -> bool:
        """EEA recipients are no transfer (GDPR Art. 44) and stay out of column (e)."""
        return self.mechanism != "eea"


@dataclass(frozen=True, slots=True)
class Activity:
    """One processing activity. For `kind="processor"` (Art. 30(2)) the purposes field
    describes the categories of processing carried out for `processor_for`."""

    name: str
    purposes: str = ""
    data_subjects: tuple[str, ...] = ()
    data_categories: tuple[str, ...] = ()
    recipients: str = ""
    transfers: tuple[Transfer, ...] = ()
    other_transfers: str = ""  # transfers outside the linked services' chains, as text
    erasure_limits: str = ""
    security_measures: str = ""
    joint_controller: str = ""
    legal_bases: tuple[str, ...] = ()  # Art. 6(1) points, e.g. "art. 6 nr. 1 bokstav e"
    special_condition: str = ""  # Art. 9(2) / Art. 10 condition and national provision
    services: tuple[str, ...] = ()  # services and systems the activity uses
    reference: str = ""  # the agency's own number for the activity
    kind: Literal["controller", "processor"] = "controller"
    processor_for: str = ""  # Art. 30(2)(a): the controllers, with contact details


@dataclass(frozen=True, slots=True)
class Article30Record:
    """An agency's whole record on one date."""

    controller: Party
    as_of: date
    activities: tuple[Activity, ...] = ()
    dpo: Party | None = None
    representative: Party | None = None
    title: str = "Protokoll over behandlingsaktiviteter"

    @property
    def controller_activities(self) -> tuple[Activity, ...]:
        return tuple(a for a in self.activities if a.kind == "controller")

    @property
    def processor_activities(self) -> tuple[Activity, ...]:
        return tuple(a for a in self.activities if a.kind == "processor")
