"""Template helpers for the register: certificate expiry badges."""

from __future__ import annotations

from datetime import date

from django import template

from mps.registry.engine.rules import cert_status

register = template.Library()


@register.inclusion_tag("registry/_cert_status.html")
def cert_badge(certification, today: date):
    """A text badge (never colour alone) saying whether a certificate is expired or expiring."""
    return {"status": cert_status(certification.valid_until, today).value, "cert": certification}
