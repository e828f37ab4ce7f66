"""The agency overview ("Oversikt") is one card per capability.

Each app may ship an `overview` module with `card(viewer) -> Card | None`; later
capabilities add a card by adding that module, without touching the overview view.
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


def cards_for(viewer: Viewer) -> list[Card]:
    found: list[Card] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("mps."):
            continue
        try:
            module = import_module(f"{config.name}.overview")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.overview":
                raise
            continue
        make_card = getattr(module, "card", None)
        card = make_card(viewer) if make_card is not None else None
        if card is not None:
            found.append(card)
    return sorted(found, key=lambda c: (c.order, c.title))
