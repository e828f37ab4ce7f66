"""The STARTTLS probe against hostile SMTP servers and random replies."""

from __future__ import annotations

import asyncio
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mps.scanner.mail_smtp import _ProtocolError, _reply, probe_smtp
from mps.testnet.smtp import SmtpTestServer


@pytest.mark.parametrize("mode", ["silent", "endless"])
def test_hostile_smtp_server_gives_an_inconclusive_probe_quickly(mode: str) -> None:
    with SmtpTestServer("127.20.15.25", mode=mode) as server:
        started = time.monotonic()
        probe = asyncio.run(probe_smtp("mx.hostile.test", server.host, server.port, timeout=0.5))
    assert probe.inconclusive
    assert probe.error
    assert time.monotonic() - started < 3


def test_closed_port_gives_an_inconclusive_probe() -> None:
    with SmtpTestServer("127.20.15.26") as server:
        port = server.port
    probe = asyncio.run(probe_smtp("mx.closed.test", "127.20.15.26", port, timeout=0.5))
    assert probe.inconclusive and not probe.connected


def test_plain_server_banner_and_ehlo_are_evidence() -> None:
    with SmtpTestServer("127.20.15.27", hostname="mx.plain.test") as server:
        probe = asyncio.run(probe_smtp("mx.plain.test", server.host, server.port, timeout=1))
    evidence = probe.to_evidence()
    assert evidence["banner"] == "220 mx.plain.test ESMTP mps-test"
    assert evidence["ehlo"][0] == "mx.plain.test"
    assert probe.starttls_offered is False


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="mode"):
        SmtpTestServer("127.20.15.28", mode="chaos")


async def _parse(data: bytes) -> tuple[int, list[str]] | None:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    try:
        return await _reply(reader)
    except _ProtocolError:
        return None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_as_an_smtp_reply_never_raise_anything_else(data: bytes) -> None:
    result = asyncio.run(_parse(data))
    if result is not None:
        code, lines = result
        assert 0 <= code <= 999
        assert isinstance(lines, list)


def test_multiline_reply_is_joined_in_order() -> None:
    result = asyncio.run(_parse(b"250-mx.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n"))
    assert result == (250, ["mx.test", "STARTTLS", "8BITMIME"])
