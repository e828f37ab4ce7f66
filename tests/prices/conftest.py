"""Fixtures for the price pages: a throwaway data directory and a small catalogue with a basket."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from mps.prices import actions
from mps.prices.engine.catalogue import parse_csv
from tests.prices.samples import CSV_TEXT

VENDOR = "Example Cloud"


@pytest.fixture
def data_dir(settings, tmp_path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


@pytest.fixture
def catalogue(db, data_dir):
    result = actions.PriceImportResult(file="prices.csv", vendor=VENDOR, format="csv")
    actions.do_store_prices(None, None, parse_csv(CSV_TEXT, VENDOR, "prices.csv").records, result)
    lines = [
        actions.LineSpec(
            "vCPU", Decimal(1460), "vCPU hours", ((VENDOR, "vcpu", "", "", Decimal(1)),)
        ),
        actions.LineSpec(
            "RAM", Decimal(5840), "GB hours", ((VENDOR, "", "", "memory", Decimal(1)),)
        ),
        actions.LineSpec(
            "Disk", Decimal(100), "GB months", ((VENDOR, "disk", "", "", Decimal(1)),)
        ),
        actions.LineSpec("Egress", Decimal(1000), "GB", ((VENDOR, "egress", "", "", Decimal(1)),)),
    ]
    return actions.do_save_basket(None, "Small web service", "2 vCPU, 8 GB RAM", lines)
