"""A readable difference between two versions of a vendor's chain (plain Python, no Django).

Art. 28(2) gives customers the right to object to the *addition or replacement* of
sub-processors, so the diff names those first; a sub-processor that stays but changes
country, access or transfer tool is listed as changed, and dropped ones as removed.
An entry is the same sub-processor in both versions when its legal entity name is the same
(case and surrounding spaces aside); a removed and an added entry with the same function
are read as a replacement.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class EntryFacts:
    legal_name: str
    country: str
    function: str
    access: str
    data_categories: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()  # e.g. ("scc_module_3", "tia", "dpf", "bcr")
    upstream: str = ""  # legal name of the engaging entity, "" for the processor


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass
class ChainDiff:
    added: list[EntryFacts] = field(default_factory=list)
    removed: list[EntryFacts] = field(default_factory=list)
    replaced: list[tuple[EntryFacts, EntryFacts]] = field(default_factory=list)  # (old, new)
    changed: list[tuple[EntryFacts, list[Change]]] = field(default_factory=list)
    declaration: list[Change] = field(default_factory=list)

    @property
    def objection_relevant(self) -> bool:
        """Art. 28(2): an added or replaced sub-processor opens the objection period."""
        return bool(self.added or self.replaced)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.replaced or self.changed or self.declaration)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": [asdict(e) for e in self.added],
            "removed": [asdict(e) for e in self.removed],
            "replaced": [{"old": asdict(o), "new": asdict(n)} for o, n in self.replaced],
            "changed": [
                {"entry": asdict(e), "changes": [asdict(c) for c in cs]} for e, cs in self.changed
            ],
            "declaration": [asdict(c) for c in self.declaration],
        }


_COMPARED = ("country", "function", "access", "data_categories", "tools", "upstream")


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def diff_chains(
    old: list[EntryFacts],
    new: list[EntryFacts],
    old_facts: dict[str, Any] | None = None,
    new_facts: dict[str, Any] | None = None,
) -> ChainDiff:
    """What changed from `old` to `new`; `*_facts` are declaration-level fields to compare."""
    result = ChainDiff()
    old_by = {_key(e.legal_name): e for e in old}
    new_by = {_key(e.legal_name): e for e in new}
    added = [e for k, e in new_by.items() if k not in old_by]
    removed = [e for k, e in old_by.items() if k not in new_by]
    for key, entry in new_by.items():
        before = old_by.get(key)
        if before is None:
            continue
        changes = [
            Change(name, _plain(getattr(before, name)), _plain(getattr(entry, name)))
            for name in _COMPARED
            if getattr(before, name) != getattr(entry, name)
        ]
        if changes:
            result.changed.append((entry, changes))
    for gone in list(removed):
        match = next((a for a in added if _key(a.function) == _key(gone.function)), None)
        if match is not None:
            result.replaced.append((gone, match))
            added.remove(match)
            removed.remove(gone)
    result.added, result.removed = added, removed
    old_facts, new_facts = old_facts or {}, new_facts or {}
    for name in sorted(set(old_facts) | set(new_facts)):
        if old_facts.get(name) != new_facts.get(name):
            result.declaration.append(Change(name, old_facts.get(name), new_facts.get(name)))
    return result


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
