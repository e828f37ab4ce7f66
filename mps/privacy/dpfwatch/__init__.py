"""DPF watch, plain Python without Django: read DPF list snapshots (JSON, CSV), diff two
imports, link listed names to vendors' legal entities, find the agencies a change touches
and the yearly controls that are due. The Django layer stores the results and alerts."""

from mps.privacy.dpfwatch.controls import (
    ControlTask,
    DpfReliance,
    due_controls,
    next_control,
    overdue_controls,
)
from mps.privacy.dpfwatch.diff import WORSENING, ChangeKind, DpfChange, describe, diff_snapshots
from mps.privacy.dpfwatch.impact import EntityUse, affected_agencies, impacts
from mps.privacy.dpfwatch.matching import (
    EntityMatch,
    NameMatch,
    NameMatcher,
    match_entities,
    normalise_name,
)
from mps.privacy.dpfwatch.snapshot import (
    ListedOrganisation,
    Snapshot,
    SnapshotError,
    parse_csv,
    parse_json,
    parse_snapshot,
    to_dict,
)

__all__ = [
    "WORSENING",
    "ChangeKind",
    "ControlTask",
    "DpfChange",
    "DpfReliance",
    "EntityMatch",
    "EntityUse",
    "ListedOrganisation",
    "NameMatch",
    "NameMatcher",
    "Snapshot",
    "SnapshotError",
    "affected_agencies",
    "describe",
    "diff_snapshots",
    "due_controls",
    "impacts",
    "match_entities",
    "next_control",
    "normalise_name",
    "overdue_controls",
    "parse_csv",
    "parse_json",
    "parse_snapshot",
    "to_dict",
]
