"""Listeners on risky service ports: accept a TCP connection and volunteer a banner, as the real
service would (FTP, Telnet, MySQL, VNC), or say nothing (SMB, RDP, PostgreSQL, Redis, ...).
"""

from __future__ import annotations

import asyncio
import contextlib
import struct

from mps.testnet.internet import TcpServer

LINGER = 5.0


def mysql_greeting(version: str) -> bytes:
    """A MySQL protocol v10 initial handshake packet carrying ``version`` (MySQL internals manual)."""
    payload = b"\x0a" + version.encode() + b"\x00" + struct.pack("<I", 7) + b"abcdefgh\x00"
    payload += struct.pack("<HBHH", 0xF7FF, 33, 2, 0x81FF) + b"\x15" + b"\x00" * 10
    payload += b"ijklmnopqrst\x00" + b"mysql_native_password\x00"
    return struct.pack("<I", len(payload))[:3] + b"\x00" + payload


# Banners as the products send them (examples of real, old versions).
BANNERS: dict[str, bytes | None] = {
    "ftp": b"220 ProFTPD 1.3.5 Server (Debian) [127.10.0.1]\r\n",
    "telnet": b"\xff\xfd\x18\xff\xfd\x20Ubuntu 16.04 LTS\r\nlogin: ",
    "smb": None,
    "rdp": None,
    "vnc": b"RFB 003.008\n",
    "mssql": None,
    "mysql": mysql_greeting("5.7.33-0ubuntu0.16.04.1"),
    "postgresql": None,
    "mongodb": None,
    "redis": None,
    "elasticsearch": None,
    "memcached": None,
}


class BannerListener(TcpServer):
    """Accepts, sends ``banner`` (if any) and holds the connection until the client leaves."""

    def __init__(self, ip: str, port: int, banner: bytes | None = None) -> None:
        super().__init__(ip, port)
        self.banner = banner

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.banner:
            writer.write(self.banner)
            await writer.drain()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader.read(1024), LINGER)
