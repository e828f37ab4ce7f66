"""Template tags other apps use to point at privacy pages (the registry's service page)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from mps.privacy.models import Declaration, DeclarationStatus

register = template.Library()


@register.simple_tag
def published_declaration_url(service: Any) -> str:
    """The newest published privacy declaration of `service`, or "" when it has none.

    One query, for a single service's page; published declarations are readable by every
    logged-in user, so no tenancy filter is needed."""
    if service is None or getattr(service, "pk", None) is None:
        return ""
    pk = (
        Declaration.objects.filter(service_id=service.pk, status=DeclarationStatus.PUBLISHED)
        .order_by("-number")
        .values_list("pk", flat=True)
        .first()
    )
    return reverse("privacy:declaration", args=[pk]) if pk else ""


@register.inclusion_tag("privacy/_registry_facts.html")
def privacy_declaration_facts(service: Any) -> dict[str, str]:
    """A <dt>/<dd> pair for a service's fact list linking to its privacy declaration (nothing
    when it has none); the strings live here, in the privacy app's catalogue."""
    return {"url": published_declaration_url(service)}
