"""Typed input (a scenario: controller, DPF list, chain of hops) and typed results per hop."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Controller:
    """The agency at the root of the chain; it exports as controller."""

    name: str
    country: str
    public_authority: bool
    # Art. 49(3) bars derogations (a)-(c) for "public authorities in the exercise of their
    # public powers"; defaults to public_authority when the input does not say.
    exercising_public_powers: bool


@dataclass(frozen=True, slots=True)
class DpfEntry:
    """One organisation on the Data Privacy Framework List, as of a snapshot."""

    organisation: str
    covered_entities: tuple[str, ...]
    eu_us: str  # "active" | "inactive"
    hr: bool
    non_hr: bool
    next_due: date | None


@dataclass(frozen=True, slots=True)
class Hop:
    """One recipient in the chain, receiving data from `from_` (another hop or the controller)."""

    id: str
    from_: str
    entity: str
    country: str
    role: str  # "controller" | "processor"
    access: str  # "storage" | "processing" | "remote"
    intra_group: bool
    safeguards: frozenset[str]
    parent_country: str | None = None
    # Categories this hop can reach; None means all of the scenario's categories.
    data_categories: tuple[str, ...] | None = None
    # For partial-scope adequacy (Canada, Japan, Korea): has the vendor confirmed the
    # recipient falls within the decision's scope? None = not stated.
    in_adequacy_scope: bool | None = None
    # The name on the DPF list that a person confirmed for this entity, if it differs.
    dpf_entity: str | None = None
    # Set when the recipient is an international organisation (Art. 4(26)), e.g. the EPOrg.
    international_organisation: str | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    """A self-contained assessment input; dates are judged on assessed_on only."""

    assessed_on: date
    controller: Controller
    data_categories: tuple[str, ...]
    dpf_list: tuple[DpfEntry, ...]
    hops: tuple[Hop, ...]


@dataclass(frozen=True, slots=True)
class Explanation:
    nb: str
    en: str


@dataclass(frozen=True, slots=True)
class HopResult:
    """The verdict on one hop: the ground actually in place and what is still needed."""

    id: str
    from_: str = field(metadata={"json": "from"})
    entity: str
    country: str
    exporter_role: str
    importer_role: str
    mechanism: str  # eea | adequacy | dpf | scc | bcr | derogation | none
    scc_module: int | None
    status: str  # ok | action | blocked
    documents: tuple[str, ...]
    missing_documents: tuple[str, ...]
    flags: tuple[str, ...]
    rule: str
    legal_basis: tuple[str, ...]
    explanation: Explanation
    adequacy_decision: str | None = None
    dpf_organisation: str | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    ok: int
    action: int
    blocked: int


@dataclass(frozen=True, slots=True)
class Assessment:
    """All hop results of one scenario, in input order."""

    assessed_on: date
    method_version: str
    reference_data_version: str
    controller: str
    summary: Summary
    hops: tuple[HopResult, ...]
