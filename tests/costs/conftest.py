"""Fixtures for the billing engine: a costs directory, the shipped rates, an organisation key."""

from __future__ import annotations

from pathlib import Path

import pytest

from mps.costs.engine.fx import FxTable, shipped_table

ORG = "974760673"  # an organisation number (MOD11-valid), used as the store key
OTHER_ORG = "964338531"


@pytest.fixture(scope="session")
def fx() -> FxTable:
    return shipped_table()


@pytest.fixture
def costs_dir(tmp_path: Path) -> Path:
    path = tmp_path / "costs"
    path.mkdir()
    return path
