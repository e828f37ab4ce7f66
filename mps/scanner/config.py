"""Scan configuration: every network parameter, so the engine runs against a local test internet.

Also the address policy: by default the scanner refuses loopback, private, link-local,
multicast and reserved addresses, so a user cannot point mps at internal systems.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# Standard ports (IANA service name registry) of the services the scanner looks at.
DEFAULT_PORTS: dict[str, int] = {
    "https": 443,
    "http": 80,
    "smtp": 25,
    # Risky services that should not face the internet (NSM Grunnprinsipper 2.2.3 / 2.3.x).
    "ftp": 21,
    "telnet": 23,
    "smb": 445,
    "rdp": 3389,
    "vnc": 5900,
    "mssql": 1433,
    "mysql": 3306,
    "postgresql": 5432,
    "mongodb": 27017,
    "redis": 6379,
    "elasticsearch": 9200,
    "memcached": 11211,
}

# Defaults sized for one 2-core machine scanning ~20,000 names in under 30 minutes (issue 3):
# 11 hosts/s at ~3 s per host needs ~33 hosts in flight; 64 leaves headroom for slow hosts.
DEFAULT_CONCURRENCY = 64
# Politeness: at most this many simultaneous connections to one IP address (issue 3).
DEFAULT_PER_IP_CONCURRENCY = 2
# Per /24 (or /64 for IPv6): shared hosting puts many names on one network.
DEFAULT_PER_NETWORK_CONCURRENCY = 8
# A single connect/read/handshake; a browser gives up far later, but a scanner must not wait.
DEFAULT_PROBE_TIMEOUT = 5.0
# A whole host (all families) must finish within this; slower families end inconclusive.
DEFAULT_HOST_DEADLINE = 60.0


class ConfigError(ValueError):
    """A configuration value is malformed; the message names the field and the value."""


@dataclass
class ScanConfig:
    """Everything the engine needs to know about the network it measures."""

    resolver: tuple[str, int] | None = None
    trust_anchor_file: Path | None = None
    ca_file: Path | None = None
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    allow_private: bool = False
    allowed_networks: tuple[str, ...] = ()
    static_hosts: dict[str, list[str]] = field(default_factory=dict)
    concurrency: int = DEFAULT_CONCURRENCY
    per_ip_concurrency: int = DEFAULT_PER_IP_CONCURRENCY
    per_network_concurrency: int = DEFAULT_PER_NETWORK_CONCURRENCY
    probe_timeout: float = DEFAULT_PROBE_TIMEOUT
    host_deadline: float = DEFAULT_HOST_DEADLINE
    run_deadline: float | None = None
    now: datetime | None = None
    families: tuple[str, ...] | None = None  # None = every family; else module names to run

    def __post_init__(self) -> None:
        merged = dict(DEFAULT_PORTS)
        merged.update(self.ports)
        self.ports = merged
        for name, port in self.ports.items():
            if not isinstance(port, int) or not 0 < port < 65536:
                raise ConfigError(f"ports: {name}={port!r} is not a TCP port (1-65535)")
        for key in ("concurrency", "per_ip_concurrency", "per_network_concurrency"):
            value = getattr(self, key)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"{key}: {value!r} must be a positive integer")
        for key in ("probe_timeout", "host_deadline"):
            if getattr(self, key) <= 0:
                raise ConfigError(f"{key}: {getattr(self, key)!r} must be positive")
        try:
            self._allowed = tuple(
                ipaddress.ip_network(n, strict=False) for n in self.allowed_networks
            )
        except ValueError as exc:
            raise ConfigError(f"allowed_networks: {exc}") from exc
        self.static_hosts = {k.lower().rstrip("."): list(v) for k, v in self.static_hosts.items()}

    @staticmethod
    def parse_ports(text: str) -> dict[str, int]:
        """Parse the CLI's ``https=8443,http=8080,smtp=2525`` into a port map."""
        result: dict[str, int] = {}
        for item in filter(None, (p.strip() for p in text.split(","))):
            name, sep, value = item.partition("=")
            name = name.strip().lower()
            if not sep or not name:
                raise ConfigError(f"--ports: {item!r} is not NAME=PORT")
            if name not in DEFAULT_PORTS:
                raise ConfigError(
                    f"--ports: unknown service {name!r} (known: {', '.join(DEFAULT_PORTS)})"
                )
            try:
                port = int(value)
            except ValueError:
                raise ConfigError(f"--ports: {name}={value!r} is not a number") from None
            if not 0 < port < 65536:
                raise ConfigError(f"--ports: {name}={port} is not a TCP port (1-65535)")
            result[name] = port
        return result

    @staticmethod
    def parse_hostport(text: str, default_port: int = 53) -> tuple[str, int]:
        """Parse ``HOST:PORT`` (or ``[v6]:PORT`` or bare ``HOST``) for --resolver."""
        text = text.strip()
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            port_text = rest.removeprefix(":") or str(default_port)
        elif text.count(":") == 1:
            host, _, port_text = text.partition(":")
        else:
            host, port_text = text, str(default_port)
        try:
            ipaddress.ip_address(host)
            port = int(port_text)
        except ValueError:
            raise ConfigError(f"--resolver: {text!r} is not IP:PORT") from None
        if not 0 < port < 65536:
            raise ConfigError(f"--resolver: port {port} out of range")
        return host, port

    def refusal_reason(self, address: str) -> str | None:
        """Why the address policy refuses ``address``, or None when it may be scanned."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return f"{address!r} is not an IP address"
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in net for net in self._allowed):
            return None
        if self.allow_private:
            return None
        for attr, label in (
            ("is_loopback", "loopback"),
            ("is_link_local", "link-local"),
            ("is_multicast", "multicast"),
            ("is_unspecified", "unspecified"),
            ("is_reserved", "reserved"),
            ("is_private", "private"),
        ):
            if getattr(ip, attr):
                return f"{ip} is {label}; refused unless allow_private or allowed_networks"
        if not ip.is_global:
            return (
                f"{ip} is not globally routable; refused unless allow_private or allowed_networks"
            )
        return None

    def address_allowed(self, address: str) -> bool:
        return self.refusal_reason(address) is None
