"""Register search: full text plus filters, the same results on PostgreSQL and SQLite.

Text matching follows mps/registry/engine/text.py (AND of prefix matches over tokens made in
Python); ordering is by the case-folded name in code-point order, then id, on both engines.
Filters by agreement and lot use the agreements app's Award model when it is installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connections
from django.db.models import BooleanField, Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate

from mps.core.tenancy import Viewer, visible
from mps.registry.engine.rules import scopes_within
from mps.registry.engine.text import fts5_query, query_words, tsquery
from mps.registry.models import Certification, Service, Status

_PG_MATCH = (
    'array_to_tsvector(string_to_array("registry_service"."search_words", \' \')) @@ (%s)::tsquery'
)
_SQLITE_MATCH = "SELECT rowid FROM registry_service_fts WHERE registry_service_fts MATCH %s"


@dataclass(frozen=True)
class SearchFilters:
    q: str = ""
    category: str = ""
    location: str = ""  # "norway" | "eea" | "outside_eea"
    standard: str = ""  # a certification standard held valid on the search date
    agreement: int | None = None
    lot: int | None = None

    @property
    def is_empty(self) -> bool:
        return self == SearchFilters()


def award_model() -> Any:
    """The agreements app's Award model, or None before it exists."""
    try:
        from mps.agreements.models import Award
    except ImportError:
        return None
    return Award


def text_match(qs: QuerySet[Service], query: str) -> QuerySet[Service]:
    words = query_words(query)
    if not words:
        return qs
    if connections[qs.db].vendor == "postgresql":
        # Constant SQL; the user's words are a bound parameter (and only [a-z0-9] anyway).
        return qs.filter(RawSQL(_PG_MATCH, [tsquery(words)], output_field=BooleanField()))  # noqa: S611
    return qs.filter(pk__in=RawSQL(_SQLITE_MATCH, [fts5_query(words)]))  # noqa: S611


def ordered(qs: QuerySet[Service]) -> QuerySet[Service]:
    """Name then id; PostgreSQL compares in the "C" collation to match SQLite's BINARY order."""
    if connections[qs.db].vendor == "postgresql":
        return qs.order_by(Collate("sort_name", "C"), "id")
    return qs.order_by("sort_name", "id")


def search_services(viewer: Viewer, filters: SearchFilters, today: date) -> QuerySet[Service]:
    """Published services the viewer may see that match every given filter, in stable order."""
    qs = visible(Service, viewer).filter(status=Status.PUBLISHED)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.location:
        qs = qs.filter(location_scope__in=scopes_within(filters.location))
    if filters.standard:
        # Uncorrelated: the versions holding a valid certificate are found once, not per service.
        held = Certification.objects.filter(standard=filters.standard, valid_until__gte=today)
        qs = qs.filter(current_version_id__in=held.values("version_id"))
    award = award_model()
    if award is not None and (filters.agreement or filters.lot):
        through = award.services.through
        awarded = through.objects.filter(service_id=OuterRef("pk"))
        if filters.agreement:
            awarded = awarded.filter(award__lot__agreement_id=filters.agreement)
        if filters.lot:
            awarded = awarded.filter(award__lot_id=filters.lot)
        qs = qs.filter(Exists(awarded))
    qs = text_match(qs, filters.q)
    return ordered(qs)
