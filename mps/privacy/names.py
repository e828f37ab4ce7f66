"""DPF names a person must confirm: a vendor's declared US entity that is not on the DPF
list under exactly its name, but close to a listed name (mps.privacy.dpfwatch.matching).

The engine grants DPF only on the identical name (or the name a person confirmed), so
"Acme Cloud Inc" declared against "Acme Cloud, Inc." on the list stays without a ground
until the vendor or the operator confirms that they are the same legal entity. A
confirmation is stored per vendor and entity (`DpfNameMatch`), audited, and the
activities using the vendor's services that declare the entity are re-assessed; a
rejection only keeps that suggestion off the list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mps.core import audit
from mps.core.tenancy import Viewer, get_visible_or_404, require_act_for
from mps.organisations.models import Organisation
from mps.privacy import chain
from mps.privacy.dpf import stored_snapshot
from mps.privacy.dpfwatch import NameMatch, NameMatcher
from mps.privacy.models import (
    ChainEntry,
    Declaration,
    DeclarationStatus,
    DpfNameMatch,
    NameMatchDecision,
    ProcessingActivity,
)

#: DPF is a ground only for recipients in the United States.
DPF_COUNTRY = "US"


@dataclass
class PendingName:
    """One declared entity of one vendor with the list names a person may confirm."""

    vendor_id: int
    vendor_name: str
    entity: str
    services: list[str]
    suggestions: list[NameMatch]


@dataclass(frozen=True)
class _Use:
    vendor_id: int
    vendor_name: str
    service_id: int
    service_name: str
    entity: str


def _current_entries(vendor_ids: set[int] | None) -> list[_Use]:
    """US entries of every service's newest published declaration (optionally of some
    vendors) that do not already name their DPF list entry."""
    declarations = Declaration.objects.filter(status=DeclarationStatus.PUBLISHED)
    if vendor_ids is not None:
        declarations = declarations.filter(service__vendor_id__in=vendor_ids)
    newest: dict[int, int] = {}
    for pk, service_id in declarations.order_by("service_id", "-number").values_list(
        "pk", "service_id"
    ):
        newest.setdefault(service_id, pk)
    rows = (
        ChainEntry.objects.filter(
            declaration_id__in=newest.values(), country=DPF_COUNTRY, dpf_entity=""
        )
        .values_list(
            "legal_name",
            "declaration__service_id",
            "declaration__service__name",
            "declaration__service__vendor_id",
            "declaration__service__vendor__name",
        )
        .order_by("declaration__service__vendor__name", "legal_name")
    )
    return [
        _Use(vendor_id, vendor_name, service_id, service_name, " ".join(legal_name.split()))
        for legal_name, service_id, service_name, vendor_id, vendor_name in rows
    ]


def _candidates(matcher: NameMatcher, entity: str) -> list[NameMatch]:
    """Names a person may confirm for `entity`: none when the list has it exactly."""
    found = matcher.match(entity)
    if found.match is not None and found.match.kind == "exact":
        return []
    # A name equal only after normalising is still another spelling: the engine wants
    # the exact list name, so a person confirms it too (offered first).
    if found.match is None:
        return list(found.suggestions)
    others = [m for m in matcher.suggest(entity) if m.listed_name != found.match.listed_name]
    return [found.match, *others]


def pending(vendor_ids: set[int] | None = None) -> list[PendingName]:
    """Declared US entities with close list names and no confirmation yet; rejected
    suggestions are left out (and an entity whose every suggestion is rejected)."""
    uses = _current_entries(vendor_ids)
    if not uses:
        return []
    decided = DpfNameMatch.objects.all()
    if vendor_ids is not None:
        decided = decided.filter(vendor_id__in=vendor_ids)
    confirmed: set[tuple[int, str]] = set()
    rejected: set[tuple[int, str, str]] = set()
    for vendor_id, entity, listed_name, decision in decided.values_list(
        "vendor_id", "entity", "listed_name", "decision"
    ):
        if decision == NameMatchDecision.CONFIRMED:
            confirmed.add((vendor_id, entity))
        else:
            rejected.add((vendor_id, entity, listed_name))
    grouped: dict[tuple[int, str], list[_Use]] = defaultdict(list)
    for use in uses:
        if (use.vendor_id, use.entity) not in confirmed:
            grouped[(use.vendor_id, use.entity)].append(use)
    if not grouped:
        return []
    matcher = NameMatcher(stored_snapshot())
    out = []
    for (vendor_id, entity), group in grouped.items():
        suggestions = [
            m
            for m in _candidates(matcher, entity)
            if (vendor_id, entity, m.listed_name) not in rejected
        ]
        if suggestions:
            out.append(
                PendingName(
                    vendor_id=vendor_id,
                    vendor_name=group[0].vendor_name,
                    entity=entity,
                    services=sorted({u.service_name for u in group}),
                    suggestions=suggestions,
                )
            )
    return out


def affected_activities(vendor_id: int, entity: str) -> Any:
    """Activities using a service of the vendor whose current chain declares `entity`."""
    service_ids = {
        u.service_id for u in _current_entries({vendor_id}) if u.entity == " ".join(entity.split())
    }
    return (
        ProcessingActivity.objects.filter(services__in=service_ids)
        .select_related("agency")
        .distinct()
    )


@transaction.atomic
def decide_name(
    actor: Any, vendor: Organisation, entity: str, listed_name: str, decision: str
) -> tuple[DpfNameMatch, int]:
    """Confirm or reject one suggested list name for a vendor's entity; returns the stored
    decision and the number of hops re-assessed (a confirmation changes verdicts)."""
    if decision not in NameMatchDecision.values:
        raise ValidationError({"decision": _("Choose confirm or reject.")})
    entity = " ".join(entity.split())
    if not any(u.entity == entity for u in _current_entries({vendor.pk})):
        raise ValidationError(
            {
                "entity": _("%(entity)s is not a US recipient in this vendor's chains.")
                % {"entity": entity}
            }
        )
    if DpfNameMatch.objects.filter(
        vendor=vendor, entity=entity, decision=NameMatchDecision.CONFIRMED
    ).exists():
        raise ValidationError({"entity": _("A list name is already confirmed for this entity.")})
    suggestion = next(
        (
            m
            for m in _candidates(NameMatcher(stored_snapshot()), entity)
            if m.listed_name == listed_name
        ),
        None,
    )
    if suggestion is None:
        raise ValidationError(
            {
                "listed_name": _("%(name)s is not a suggestion for this entity.")
                % {"name": listed_name}
            }
        )
    match, _created = DpfNameMatch.objects.update_or_create(
        vendor=vendor,
        entity=entity,
        listed_name=suggestion.listed_name,
        defaults={
            "organisation": suggestion.organisation,
            "decision": decision,
            "decided_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    audit.record(actor, f"privacy.dpf.name_{decision}", match, after=audit.snapshot(match))
    hops = 0
    if decision == NameMatchDecision.CONFIRMED:
        hops = chain.reassess(affected_activities(vendor.pk, entity))
    return match, hops


@transaction.atomic
def withdraw_name(actor: Any, match: DpfNameMatch) -> int:
    """Undo a decision; a withdrawn confirmation re-assesses the affected activities."""
    before = audit.snapshot(match)
    was_confirmed = match.decision == NameMatchDecision.CONFIRMED
    vendor_id, entity = match.vendor_id, match.entity
    audit.record(actor, "privacy.dpf.name_withdraw", match, before=before)
    match.delete()
    return chain.reassess(affected_activities(vendor_id, entity)) if was_confirmed else 0


def do_decide_name(
    viewer: Viewer, vendor_id: int, entity: str, listed_name: str, decision: str
) -> tuple[DpfNameMatch, int]:
    """The vendor that declared the entity, or the operator, decides."""
    vendor = get_visible_or_404(Organisation, viewer, pk=vendor_id, kind="vendor")
    require_act_for(viewer, vendor)
    return decide_name(viewer.user, vendor, entity, listed_name, decision)


def do_withdraw_name(viewer: Viewer, match_id: int) -> int:
    match = get_visible_or_404(DpfNameMatch, viewer, pk=match_id)
    require_act_for(viewer, match.vendor)
    return withdraw_name(viewer.user, match)
