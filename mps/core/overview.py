"""The agency overview ("Oversikt") is one card per capability, and the main menu one item each.

Each app may ship an `overview` module with `card(viewer) -> Card | None` and
`menu(viewer) -> list[MenuItem]`; later capabilities add a card and menu items by adding that
module, without touching the overview view or the base template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps

from mps.core.tenancy import Viewer


@dataclass
class Card:
    title: str
    template: str
    order: int = 100
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MenuItem:
    """One entry of the main menu; `key` matches the `nav` a view puts in its context."""

    key: str
    label: str
    url_name: str
    order: int = 100


def _overview_modules() -> list[Any]:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("mps."):
            continue
        try:
            modules.append(import_module(f"{config.name}.overview"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.overview":
                raise
    return modules


def menu_for(viewer: Viewer) -> list[MenuItem]:
    """The main menu for this viewer: every app's items, in order. Costs no query."""
    items: list[MenuItem] = []
    for module in _overview_modules():
        make_items = getattr(module, "menu", None)
        if make_items is not None:
            items.extend(make_items(viewer))
    return sorted(items, key=lambda item: (item.order, item.key))


def cards_for(viewer: Viewer) -> list[Card]:
    found: list[Card] = []
    for module in _overview_modules():
        make_card = getattr(module, "card", None)
        card = make_card(viewer) if make_card is not None else None
        if card is not None:
            found.append(card)
    return sorted(found, key=lambda c: (c.order, c.title))


def menu(viewer: Viewer) -> list[MenuItem]:
    from django.utils.translation import gettext as _

    return [MenuItem("overview", _("Overview"), "core:overview", order=0)]
