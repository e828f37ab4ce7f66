"""Placeholder for engineer B's email checks (B overwrites this file)."""

from mps.scanner.context import TargetContext
from mps.scanner.model import CheckSpec, Finding

CHECKS: tuple[CheckSpec, ...] = ()


async def run(ctx: TargetContext) -> list[Finding]:
    return []
