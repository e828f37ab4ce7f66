"""Number formatting for the cost pages: NOK with thin-space thousands, shares as percent."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def nok(value: Any) -> str:
    if value is None or value == "":
        return "–"
    amount = float(value)
    text = f"{abs(amount):,.2f}".replace(",", "\u00a0").replace(".", ",")
    return ("−" if amount < 0 else "") + text


@register.filter
def pct(value: Any) -> str:
    if value is None or value == "":
        return "–"
    share = float(value) * 100
    text = f"{abs(share):.1f}".replace(".", ",") + "\u00a0%"
    return ("−" if share < 0 and round(share, 1) != 0 else "") + text


@register.filter
def share_of(value: Any, total: Any) -> float | None:
    return float(value) / float(total) if total else None


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
