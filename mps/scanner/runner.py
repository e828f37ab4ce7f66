"""Runs the check families over many targets with bounded concurrency and deadlines.

Results stream out as hosts finish (an async iterator), so memory stays flat in the number of
hosts. A family that errors or runs past the deadline yields inconclusive findings for the
checks it did not finish; it never ends the run.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from types import ModuleType

from mps.scanner.catalogue import CATALOGUE, family_check_ids
from mps.scanner.checks import FAMILIES
from mps.scanner.config import ScanConfig
from mps.scanner.context import Limiter, TargetContext
from mps.scanner.model import Finding, Status, TargetResult, utcnow

ProgressCallback = Callable[[int, TargetResult], None]


def selected_families(config: ScanConfig) -> tuple[ModuleType, ...]:
    if config.families is None:
        return FAMILIES
    wanted = set(config.families)
    return tuple(f for f in FAMILIES if f.__name__.rsplit(".", 1)[-1] in wanted)


def _inconclusive(ctx: TargetContext, check_id: str, detail: str) -> Finding:
    spec = CATALOGUE[check_id]
    return Finding(
        check=check_id,
        status=Status.INCONCLUSIVE,
        severity=spec.severity,
        target=ctx.name,
        detail=detail,
        observed_at=utcnow(),
    )


def _fill_missing(ctx: TargetContext, family: ModuleType, detail: str) -> list[Finding]:
    """Findings the family recorded before it stopped, plus inconclusive for the rest."""
    ids = family_check_ids(family)
    done = [f for f in ctx.findings if f.check in ids]
    seen = {f.check for f in done}
    return done + [_inconclusive(ctx, cid, detail) for cid in ids if cid not in seen]


def _failed_target(name: str, detail: str, config: ScanConfig) -> TargetResult:
    ctx = TargetContext(name, config, addresses=[])
    families = selected_families(config)
    findings = [_inconclusive(ctx, cid, detail) for f in families for cid in family_check_ids(f)]
    return TargetResult(name=ctx.name, findings=findings)


async def scan_target(
    name: str, config: ScanConfig, limiter: Limiter, *, deadline: float
) -> TargetResult:
    """Scan one name; ``deadline`` is in seconds from now."""
    started = utcnow()
    families = selected_families(config)
    loop = asyncio.get_running_loop()
    end = loop.time() + max(deadline, 0.0)
    ctx: TargetContext | None = None
    if deadline > 0:
        with contextlib.suppress(TimeoutError, Exception):
            ctx = await asyncio.wait_for(TargetContext.create(name, config, limiter), deadline)
    if ctx is None:
        if deadline <= 0:
            detail = "run deadline reached before the scan started"
        else:
            detail = "name resolution failed or timed out"
        result = _failed_target(name, detail, config)
        result.started_at = started
        return result

    tasks = {asyncio.create_task(f.run(ctx), name=f"{name}:{f.__name__}"): f for f in families}
    remaining = end - loop.time()
    done, pending = await asyncio.wait(tasks, timeout=max(remaining, 0.0))
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
    findings: list[Finding] = []
    for task, family in tasks.items():
        if task in pending:
            findings += _fill_missing(ctx, family, "host deadline reached")
            continue
        exc = task.exception()
        if exc is not None:
            findings += _fill_missing(ctx, family, f"check error: {type(exc).__name__}: {exc}")
        else:
            findings += list(task.result())
    return TargetResult(
        name=ctx.name,
        findings=findings,
        started_at=started,
        finished_at=utcnow(),
        addresses=list(ctx.all_addresses),
    )


async def scan(
    targets: Iterable[str], config: ScanConfig, *, progress: ProgressCallback | None = None
) -> AsyncIterator[TargetResult]:
    """Scan every target, yielding each TargetResult as soon as its host finishes."""
    loop = asyncio.get_running_loop()
    limiter = Limiter(config)
    run_end = None if config.run_deadline is None else loop.time() + config.run_deadline
    source: Iterator[str] = iter(targets)
    queue: asyncio.Queue[TargetResult | None] = asyncio.Queue(maxsize=config.concurrency)

    async def worker() -> None:
        for name in source:  # a shared iterator: each worker pulls the next name
            deadline = config.host_deadline
            if run_end is not None:
                deadline = min(deadline, run_end - loop.time())
            try:
                result = await scan_target(name, config, limiter, deadline=deadline)
            except Exception as exc:  # a bug in the engine must not end the run
                result = _failed_target(name, f"engine error: {type(exc).__name__}: {exc}", config)
            await queue.put(result)
        await queue.put(None)

    workers = [asyncio.create_task(worker()) for _ in range(config.concurrency)]
    running = len(workers)
    count = 0
    try:
        while running:
            item = await queue.get()
            if item is None:
                running -= 1
                continue
            count += 1
            if progress is not None:
                progress(count, item)
            yield item
    finally:
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


def scan_sync(
    targets: Iterable[str], config: ScanConfig, *, progress: ProgressCallback | None = None
) -> list[TargetResult]:
    """Blocking wrapper for callers without an event loop (CLI, tests)."""

    async def collect() -> list[TargetResult]:
        return [r async for r in scan(targets, config, progress=progress)]

    return asyncio.run(collect())
