"""The record as JSON, for machines: every field, lists kept as lists, stable keys.

Unlike the spreadsheet formats nothing is escaped for formulas: JSON is read by programs,
which must treat the values as data anyway.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from mps.privacy.exports.record import Article30Record

MEDIA_TYPE = "application/json"
#: Bump when a field is renamed or removed; adding fields keeps the version.
SCHEMA = "mps.privacy.article30/1"


def to_dict(record: Article30Record) -> dict[str, Any]:
    raw = asdict(record)
    raw["as_of"] = record.as_of.isoformat()
    for activity in raw["activities"]:
        for transfer in activity["transfers"]:
            transfer["is_transfer"] = transfer["mechanism"] != "eea"
    return {"schema": SCHEMA, **raw}


def to_json(record: Article30Record) -> bytes:
    return json.dumps(to_dict(record), ensure_ascii=False, indent=2).encode("utf-8")
