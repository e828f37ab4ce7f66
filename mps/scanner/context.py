"""Per-target scan context: resolved addresses, politeness limits, and the finding factory.

Checks get one ``TargetContext`` per scanned name; the ``Limiter`` is shared by the whole run so
that no IP address (or /24 network) sees more than a few of our connections at a time.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, TypeVar

from mps.scanner.config import ScanConfig
from mps.scanner.model import Finding, Severity, Status, utcnow

T = TypeVar("T")

# Bound on simultaneous connections across the whole run: several per host in flight.
CONNECTIONS_PER_HOST_SLOT = 4
# IPv6 neighbourhood treated like an IPv4 /24 (one customer network, RFC 6177 §2).
IPV6_NETWORK_PREFIX = 64
IPV4_NETWORK_PREFIX = 24


class _KeyedSemaphores:
    """Semaphores created on demand per key and dropped when idle, so memory stays flat."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._sems: dict[str, tuple[asyncio.Semaphore, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        sem, users = self._sems.get(key, (asyncio.Semaphore(self._limit), 0))
        self._sems[key] = (sem, users + 1)
        try:
            async with sem:
                yield
        finally:
            sem, users = self._sems[key]
            if users <= 1:
                del self._sems[key]
            else:
                self._sems[key] = (sem, users - 1)

    def __len__(self) -> int:
        return len(self._sems)


def network_of(ip: str) -> str:
    """The /24 (IPv4) or /64 (IPv6) that ``ip`` belongs to, as text."""
    addr = ipaddress.ip_address(ip)
    prefix = IPV4_NETWORK_PREFIX if addr.version == 4 else IPV6_NETWORK_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class Limiter:
    """Global, per-IP and per-network connection limits shared by one scan run."""

    def __init__(self, config: ScanConfig) -> None:
        self.global_sem = asyncio.Semaphore(config.concurrency * CONNECTIONS_PER_HOST_SLOT)
        self.per_ip = _KeyedSemaphores(config.per_ip_concurrency)
        self.per_network = _KeyedSemaphores(config.per_network_concurrency)

    @asynccontextmanager
    async def slot(self, ip: str) -> AsyncIterator[None]:
        async with self.global_sem, self.per_network.hold(network_of(ip)), self.per_ip.hold(ip):
            yield


async def resolve_addresses(config: ScanConfig, name: str) -> list[str]:
    """Addresses for ``name``: an IP literal, static_hosts, then DNS (engineer B's dnsclient)."""
    try:
        return [str(ipaddress.ip_address(name))]
    except ValueError:
        pass
    key = name.lower().rstrip(".")
    if key in config.static_hosts:
        return list(config.static_hosts[key])
    try:
        from mps.scanner import dnsclient  # engineer B's module; absent early in development
    except ImportError:
        dnsclient = None  # type: ignore[assignment]
    if dnsclient is not None and hasattr(dnsclient, "addresses"):
        return list(await dnsclient.addresses(config, name))
    if config.resolver is not None:
        return []  # a configured resolver must not be bypassed by the system one
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(name, None, type=socket.SOCK_STREAM), config.probe_timeout
        )
    except (OSError, TimeoutError, UnicodeError):
        return []
    seen: list[str] = []
    for info in infos:
        addr = str(info[4][0])
        if addr not in seen:
            seen.append(addr)
    return seen


def _resolved_by_dns(config: ScanConfig, name: str) -> bool:
    """True when ``resolve_addresses`` would ask the configured resolver for A and AAAA."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return name.lower().rstrip(".") not in config.static_hosts
    return False


class TargetContext:
    """What a check family needs to measure one name."""

    def __init__(
        self,
        name: str,
        config: ScanConfig,
        *,
        addresses: list[str] | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        self.name = name.rstrip(".").lower()
        self.config = config
        self.limiter = limiter or Limiter(config)
        self.all_addresses: list[str] = list(addresses or [])
        self.refused: dict[str, str] = {}
        self.addresses: list[str] = []
        self._apply_policy()
        self.findings: list[Finding] = []
        self._memo: dict[str, asyncio.Future[Any]] = {}

    @classmethod
    async def create(
        cls, name: str, config: ScanConfig, limiter: Limiter | None = None
    ) -> TargetContext:
        """Resolve ``name`` once and build its context."""
        if _resolved_by_dns(config, name):
            # The A/AAAA answers are kept in the context's memo, where the DNS and IPv6
            # families look them up again: one pair of queries per target, not two.
            from mps.scanner import dns_facts

            ctx = cls(name, config, addresses=[], limiter=limiter)
            found = await dns_facts.host_addresses(ctx, ctx.name)
            ctx.all_addresses = [*found.ipv4, *found.ipv6]
            ctx._apply_policy()
            return ctx
        addresses = await resolve_addresses(config, name)
        return cls(name, config, addresses=addresses, limiter=limiter)

    def _apply_policy(self) -> None:
        for addr in self.all_addresses:
            reason = self.config.refusal_reason(addr)
            if reason is None:
                self.addresses.append(addr)
            else:
                self.refused[addr] = reason

    def connection_slot(self, ip: str) -> Any:
        """``async with ctx.connection_slot(ip):`` before opening any connection to ``ip``."""
        return self.limiter.slot(ip)

    def now(self) -> datetime:
        return self.config.now or utcnow()

    def finding(
        self,
        check_id: str,
        status: Status,
        *,
        address: str | None = None,
        port: int | None = None,
        evidence: dict[str, Any] | None = None,
        detail: str = "",
        severity: Severity | None = None,
    ) -> Finding:
        """Build (and record) a finding; severity comes from the catalogue unless overridden."""
        from mps.scanner.catalogue import CATALOGUE

        spec = CATALOGUE.get(check_id)
        if spec is None:
            raise KeyError(f"unknown check id {check_id!r}; add it to its family's CHECKS")
        result = Finding(
            check=check_id,
            status=status,
            severity=severity or spec.severity,
            target=self.name,
            address=address,
            port=port,
            evidence=dict(evidence or {}),
            observed_at=utcnow(),
            detail=detail,
        )
        self.findings.append(result)
        return result

    async def memo(self, key: str, factory: Callable[[], Awaitable[T]]) -> T:
        """Run ``factory`` once per key per target, so families can share one probe."""
        fut = self._memo.get(key)
        if fut is None:
            fut = asyncio.get_running_loop().create_future()
            self._memo[key] = fut
            try:
                fut.set_result(await factory())
            except asyncio.CancelledError:
                fut.cancel()
                raise
            except Exception as exc:
                fut.set_exception(exc)
                fut.exception()  # mark retrieved so asyncio does not log it as lost
                raise
        return await asyncio.shield(fut)
