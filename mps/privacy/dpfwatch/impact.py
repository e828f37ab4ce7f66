"""Which agencies a DPF list change touches, so an import alerts exactly those.

The caller (the Django layer) knows which chains use which legal entity; it hands that in
as plain data, keyed by the name the engine matches on: the hop's confirmed `dpf_entity`
if set, else its declared entity. Matching here is on that exact name, as in the engine.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from mps.privacy.dpfwatch.diff import WORSENING, ChangeKind, DpfChange
from mps.privacy.rules.constants import HR_CATEGORY

A = TypeVar("A", bound=Hashable)


@dataclass(frozen=True, slots=True)
class EntityUse:
    """One hop of one agency's chain that relies on a DPF-listed name.

    `categories` are the data categories the hop can reach (None: unknown, treat as all);
    an HR change only touches hops reaching `hr`, a non-HR change only hops reaching
    anything else."""

    entity: str
    agency: Hashable
    chain: Hashable | None = None
    categories: tuple[str, ...] | None = None

    def touched_by(self, change: DpfChange) -> bool:
        if self.entity not in change.names:
            return False
        if self.categories is None or change.data is None:
            return True
        cats = set(self.categories)
        if change.data == "hr":
            return HR_CATEGORY in cats
        return bool(cats - {HR_CATEGORY}) or not cats


def impacts(
    changes: Iterable[DpfChange],
    uses: Iterable[EntityUse],
    *,
    kinds: Iterable[ChangeKind] = WORSENING,
) -> dict[Hashable, tuple[tuple[EntityUse, DpfChange], ...]]:
    """Per agency, every (use, change) pair where a change of the given kinds touches one of
    its hops. Agencies nothing touches are absent."""
    wanted = frozenset(kinds)
    by_name: dict[str, list[DpfChange]] = {}
    for change in changes:
        if change.kind in wanted:
            for name in change.names:
                by_name.setdefault(name, []).append(change)
    out: dict[Hashable, list[tuple[EntityUse, DpfChange]]] = {}
    for use in uses:
        for change in by_name.get(use.entity, ()):
            if use.touched_by(change):
                out.setdefault(use.agency, []).append((use, change))
    return {agency: tuple(pairs) for agency, pairs in out.items()}


def affected_agencies(
    changes: Iterable[DpfChange],
    usage: Mapping[str, Iterable[A]],
    *,
    kinds: Iterable[ChangeKind] = WORSENING,
) -> frozenset[A]:
    """The agencies (or chains: any hashable) whose entity a change of the given kinds
    touches, from a mapping entity name -> agencies. By default only changes that can take
    a ground away count (lapsed, removed, HR or non-HR coverage dropped, covered entity
    removed). Ignores data categories: use `impacts` with `EntityUse` to leave out an agency
    whose hop never reaches HR data when only HR coverage was dropped."""
    wanted = frozenset(kinds)
    names = {name for c in changes if c.kind in wanted for name in c.names}
    return frozenset(agency for name in names for agency in usage.get(name, ()))
