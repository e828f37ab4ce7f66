"""Discover every URL pattern of the web UI and the API and fill its parameters.

Parameters follow the project convention `<int:{model_name}_id>`; a parameter that names
no model, or a model with no object for the victim, fails loudly so that new capabilities
cannot slip past the tenancy test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from mps.core.tenancy import owner_organisation

PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
SKIPPED_PREFIXES = (
    "admin/",
    "static/",
    "i18n/",
)  # Django admin is operator-only and staff-gated; i18n is a language switch


@dataclass(frozen=True)
class Route:
    route: str  # e.g. "tjenester/<int:service_id>/"
    name: str

    @property
    def params(self) -> list[str]:
        return [m.group("name") for m in PARAM.finditer(self.route)]

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def _walk(patterns, prefix: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield Route(prefix + str(p.pattern), p.name or "")


def all_routes() -> list[Route]:
    routes = []
    for r in _walk(get_resolver().url_patterns):
        if r.route.startswith(SKIPPED_PREFIXES) or r.route.startswith("^"):
            continue
        routes.append(r)
    return routes


def model_for_param(name: str):
    if not name.endswith("_id"):
        raise LookupError(
            f"URL parameter {name!r} does not follow the <int:{{model}}_id> convention"
        )
    model_name = name[: -len("_id")]
    for model in apps.get_models():
        if model._meta.model_name == model_name and model.__module__.startswith("mps."):
            return model
    raise LookupError(f"URL parameter {name!r} names no mps model {model_name!r}")


def object_for(model, victims: set[int]):
    """An object owned by a victim organisation; for reference data, any object."""
    owner_path = getattr(model, "tenant_owner", None)
    candidates = model._default_manager.all().order_by("pk")
    if owner_path is None:
        return candidates.first()
    for obj in candidates:
        owner = owner_organisation(obj)
        if owner is not None and owner.pk in victims:
            return obj
    return None


def fill(route: Route, values: dict[str, int]) -> str:
    def sub(m: re.Match) -> str:
        return str(values[m.group("name")])

    path = PARAM.sub(sub, route.route)
    path = path.replace("^", "").replace("$", "")
    return "/" + path
