"""Check families: one module per family, each with ``CHECKS`` and ``async def run(ctx)``.

A new family is one new module plus one line in ``FAMILIES``.
"""

from mps.scanner.checks import dns, email, http, ipv6, services, tls

FAMILIES = (tls, http, services, dns, email, ipv6)

__all__ = ["FAMILIES"]
