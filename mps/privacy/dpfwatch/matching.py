"""Links vendors' declared legal entities to names on a DPF list snapshot.

Two names are the same legal entity only if they agree after normalising case,
punctuation, spacing and the spelling of the company form ("Acme Cloud, Inc." =
"ACME Cloud Inc" = "Acme Cloud Incorporated"); such a match is made automatically.
A different company form is a different legal entity ("Acme Ltd" is not "Acme Inc"), and a
name that is only similar may be a sister company: those come back as suggestions that a
person must confirm (issue 5: "a close match only after a person confirms"). The engine
itself (mps.privacy.rules.dpf) grants a ground only on the identical name or on the name a
person or this matcher confirmed (`Hop.dpf_entity`).
"""

from __future__ import annotations

import difflib
import heapq
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from mps.privacy.dpfwatch.snapshot import Snapshot

#: A suggestion needs at least this similarity (0..1) between the names without company form.
SUGGESTION_CUTOFF = 0.75
MAX_SUGGESTIONS = 5
#: Stop collecting candidates (by shared words, rarest first) past this many.
MAX_CANDIDATES = 50
#: A word on more names than this is not used to find candidates once a rarer one has.
COMMON_WORD = 200

# Spellings of the same company form, mapped to one canonical token. Only trailing words
# count as the form ("Company" inside "The Walt Disney Company" is the form;
# "Co" in "Co Op Services" is not).
_FORM_SPELLINGS: dict[tuple[str, ...], str] = {
    ("inc",): "inc",
    ("incorporated",): "inc",
    ("llc",): "llc",
    ("l", "l", "c"): "llc",
    ("ltd",): "ltd",
    ("limited",): "ltd",
    ("corp",): "corp",
    ("corporation",): "corp",
    ("co",): "co",
    ("company",): "co",
    ("lp",): "lp",
    ("l", "p"): "lp",
    ("llp",): "llp",
    ("l", "l", "p"): "llp",
    ("plc",): "plc",
    ("gmbh",): "gmbh",
    ("ag",): "ag",
    ("sa",): "sa",
    ("s", "a"): "sa",
    ("bv",): "bv",
    ("b", "v"): "bv",
    ("nv",): "nv",
    ("n", "v"): "nv",
    ("as",): "as",
    ("asa",): "asa",
    ("ab",): "ab",
    ("oy",): "oy",
    ("aps",): "aps",
    ("pvt", "ltd"): "pvt ltd",
    ("private", "limited"): "pvt ltd",
    ("pty", "ltd"): "pty ltd",
    ("sarl",): "sarl",
    ("srl",): "srl",
    ("spa",): "spa",
}
_LONGEST_FORM = max(len(k) for k in _FORM_SPELLINGS)
_NON_WORD = re.compile(r"[^\w]+")
# Dots and apostrophes join letters ("L.L.C." -> "llc", "Macy's" -> "macys").
_JOINERS = re.compile(r"(?<=\w)[.'’](?=\w)")


@dataclass(frozen=True, slots=True)
class NameKey:
    """A name split into its base words and its canonical company form (may be empty)."""

    base: str
    form: str

    @property
    def full(self) -> str:
        return f"{self.base} {self.form}".strip()


def name_key(name: str) -> NameKey:
    """Casefold, strip accents' compatibility forms, punctuation and spacing; split off the
    trailing company form in one canonical spelling."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    text = _JOINERS.sub("", text)
    words = _NON_WORD.sub(" ", text).split()
    if words and words[0] == "the":
        words = words[1:]
    forms: list[str] = []
    changed = True
    while changed and words:
        changed = False
        for size in range(min(_LONGEST_FORM, len(words) - 1), 0, -1):
            tail = tuple(words[-size:])
            if tail in _FORM_SPELLINGS:
                forms.insert(0, _FORM_SPELLINGS[tail])
                words = words[:-size]
                changed = True
                break
    return NameKey(base=" ".join(words), form=" ".join(forms))


def normalise_name(name: str) -> str:
    """The key two names must share to be matched automatically."""
    return name_key(name).full


MatchKind = Literal["exact", "normalised", "suggestion"]


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A candidate DPF list name for a declared entity."""

    entity: str  # the vendor's declared legal entity
    listed_name: str  # the name on the list (an organisation or a covered entity)
    organisation: str  # the list row's organisation
    kind: MatchKind
    score: float  # 1.0 for exact and normalised matches
    reason: str  # why a suggestion is only a suggestion (in English, for the person checking)

    @property
    def automatic(self) -> bool:
        return self.kind != "suggestion"


@dataclass(frozen=True, slots=True)
class EntityMatch:
    """The automatic match for one entity, if any, and the suggestions to confirm."""

    entity: str
    match: NameMatch | None
    suggestions: tuple[NameMatch, ...]


class NameMatcher:
    """Indexes one snapshot's names; build once per import, call `match` per vendor entity."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._exact: dict[str, list[tuple[str, str]]] = {}
        self._full: dict[str, list[tuple[str, str]]] = {}
        self._base: dict[str, list[tuple[str, str, str]]] = {}
        self._by_token: dict[str, set[str]] = {}
        for org in snapshot.organisations:
            for listed in org.names:
                key = name_key(listed)
                self._exact.setdefault(listed, []).append((listed, org.organisation))
                self._full.setdefault(key.full, []).append((listed, org.organisation))
                self._base.setdefault(key.base, []).append((listed, org.organisation, key.form))
                for token in key.base.split():
                    self._by_token.setdefault(token, set()).add(key.base)

    def match(self, entity: str) -> EntityMatch:
        entity = " ".join(entity.split())
        if entity in self._exact:
            listed, org = sorted(self._exact[entity])[0]
            return EntityMatch(entity, NameMatch(entity, listed, org, "exact", 1.0, ""), ())
        key = name_key(entity)
        if key.full in self._full:
            hits = sorted(self._full[key.full])
            if len({org for _, org in hits}) == 1:
                listed, org = hits[0]
                return EntityMatch(
                    entity, NameMatch(entity, listed, org, "normalised", 1.0, ""), ()
                )
            # The same normalised name on several organisations: a person must choose.
            return EntityMatch(
                entity,
                None,
                tuple(
                    NameMatch(entity, listed, org, "suggestion", 1.0, "same name on several rows")
                    for listed, org in hits
                ),
            )
        return EntityMatch(entity, None, self._suggest(entity, key))

    def suggest(self, entity: str) -> tuple[NameMatch, ...]:
        """Close names for `entity` even when it has an automatic match (for a person who
        must choose among every candidate)."""
        return self._suggest(" ".join(entity.split()), name_key(entity))

    def _suggest(self, entity: str, key: NameKey) -> tuple[NameMatch, ...]:
        tokens = set(key.base.split())
        # Candidates share a word with the entity, weighted by how rare the word is on the
        # list, so a list full of "Cloud Services" names does not make every name a candidate.
        weight: dict[str, float] = {}
        for token in sorted(tokens, key=lambda t: (len(self._by_token.get(t, ())), t)):
            bases = self._by_token.get(token, ())
            if weight and len(bases) > COMMON_WORD:
                break  # a word on that many names says little once rarer words matched
            share = 1.0 / len(bases) if bases else 0.0
            for base in bases:
                weight[base] = weight.get(base, 0.0) + share
        candidates = heapq.nlargest(MAX_CANDIDATES, weight, key=weight.__getitem__)
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(key.base)  # SequenceMatcher caches its work on the second sequence
        scored: list[NameMatch] = []
        for base in candidates:
            other = set(base.split())
            overlap = len(tokens & other) / len(tokens | other)
            matcher.set_seq1(base)
            if overlap < SUGGESTION_CUTOFF and (
                matcher.real_quick_ratio() < SUGGESTION_CUTOFF
                or matcher.quick_ratio() < SUGGESTION_CUTOFF
            ):
                continue
            score = round(max(overlap, matcher.ratio()), 3)
            if score < SUGGESTION_CUTOFF:
                continue
            for listed, org, form in self._base[base]:
                if base == key.base:
                    reason = f"company form differs ({key.form or 'none'} vs {form or 'none'})"
                else:
                    reason = "similar name"
                scored.append(NameMatch(entity, listed, org, "suggestion", score, reason))
        scored.sort(key=lambda m: (-m.score, m.listed_name, m.organisation))
        return tuple(scored[:MAX_SUGGESTIONS])


def match_entities(entities: Iterable[str], snapshot: Snapshot) -> dict[str, EntityMatch]:
    """Match every declared entity (duplicates collapse) against one snapshot."""
    matcher = NameMatcher(snapshot)
    return {entity: matcher.match(entity) for entity in dict.fromkeys(entities)}
