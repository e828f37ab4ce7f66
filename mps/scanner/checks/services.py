"""services checks (being written by engineer A)."""

from mps.scanner.context import TargetContext
from mps.scanner.model import CheckSpec, Finding

CHECKS: tuple[CheckSpec, ...] = ()


async def run(ctx: TargetContext) -> list[Finding]:
    return []
