"""JSON output: the typed Assessment serialised field by field (no hand-built dicts)."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any

from mps.privacy.rules.model import Assessment


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.metadata.get("json", f.name): _plain(getattr(value, f.name)) for f in fields(value)
        }
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_dict(assessment: Assessment) -> dict[str, Any]:
    result = _plain(assessment)
    assert isinstance(result, dict)
    return result


def to_json(assessment: Assessment, *, indent: int | None = 2) -> str:
    return json.dumps(to_dict(assessment), ensure_ascii=False, indent=indent)
