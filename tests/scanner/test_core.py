"""The shared core: address policy, port parsing, catalogue, runner deadlines."""

import asyncio

import pytest

from mps.scanner.config import ConfigError, ScanConfig
from mps.scanner.context import TargetContext
from mps.scanner.model import METHOD_VERSION, Status


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "169.254.1.1",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "0.0.0.0",  # noqa: S104
        "::ffff:127.0.0.1",
    ],
)
def test_internal_addresses_are_refused_by_default(address):
    assert ScanConfig().refusal_reason(address) is not None


def test_public_address_is_allowed_by_default():
    assert ScanConfig().address_allowed("8.8.8.8")


def test_allow_private_opens_loopback():
    assert ScanConfig(allow_private=True).address_allowed("127.10.0.1")


def test_allowed_networks_open_only_their_range():
    config = ScanConfig(allowed_networks=("127.10.0.0/16",))
    assert config.address_allowed("127.10.3.4")
    assert not config.address_allowed("127.20.0.53")


def test_context_drops_refused_addresses_and_says_why():
    ctx = TargetContext("x.test", ScanConfig(), addresses=["127.0.0.1", "8.8.8.8"])
    assert ctx.addresses == ["8.8.8.8"]
    assert "loopback" in ctx.refused["127.0.0.1"]


def test_parse_ports_reads_the_cli_syntax():
    assert ScanConfig.parse_ports("https=8443,http=8080,smtp=2525") == {
        "https": 8443,
        "http": 8080,
        "smtp": 2525,
    }


@pytest.mark.parametrize("text", ["https", "https=x", "https=70000", "gopher=70"])
def test_parse_ports_rejects_bad_input_with_a_named_error(text):
    with pytest.raises(ConfigError, match="--ports"):
        ScanConfig.parse_ports(text)


def test_parse_hostport_reads_resolver():
    assert ScanConfig.parse_hostport("127.20.0.53:5353") == ("127.20.0.53", 5353)
    with pytest.raises(ConfigError):
        ScanConfig.parse_hostport("resolver.example:53")


def test_per_ip_limit_holds_at_most_two_connections_at_once():
    config = ScanConfig(allow_private=True)
    ctx = TargetContext("x.test", config, addresses=["127.10.0.1"])
    active = 0
    peak = 0

    async def one():
        nonlocal active, peak
        async with ctx.connection_slot("127.10.0.1"):
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.01)
            active -= 1

    async def main():
        await asyncio.gather(*(one() for _ in range(10)))

    asyncio.run(main())
    assert peak == 2
    assert len(ctx.limiter.per_ip) == 0


def test_method_version_is_set():
    assert METHOD_VERSION


def test_status_values_are_the_contract_strings():
    assert [str(s) for s in Status] == ["pass", "fail", "warn", "info", "inconclusive"]
