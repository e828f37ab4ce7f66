"""Shared steps of the risk score tests (the test internet itself is in conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mps.core.tenancy import viewer_for
from mps.riskscore import actions
from mps.riskscore.models import Asset
from tests.riskscore.conftest import DNS_TOKEN, RiskNet


@pytest.fixture
def web_and_tls(risknet: RiskNet) -> Iterator[RiskNet]:
    """Platform scans measure only the http and tls families (fast), for the test's duration."""
    actions.set_scan_config(risknet.only("http", "tls"))
    yield risknet
    actions.set_scan_config(None)


def verified_eksempel(world) -> Asset:
    """eksempel.test in Eksempel kommune's footprint, validated by its DNS TXT token."""
    asset = actions.do_add_asset(viewer_for(world.alice), world.eksempel, "domain", "eksempel.test")
    Asset.objects.filter(pk=asset.pk).update(token=DNS_TOKEN)
    asset.refresh_from_db()
    assert actions.do_verify_asset(viewer_for(world.alice), asset, "dns_txt").verified
    return asset
