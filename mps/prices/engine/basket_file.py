"""A workload basket defined in JSON, for `mps prices basket-define FILE` (docs/prices.md).

    {"name": "Small web service", "name_nb": "Liten webtjeneste", "description": "…",
     "lines": [{"label": "vCPU", "quantity": 1460, "unit": "vCPU hours",
                "vendors": {"Microsoft Azure": {"sku_id": "…", "region": "…", "factor": 1},
                            "Nordlys Sky AS": {"match": "virtuell cpu"}}}]}

Every problem is reported with its JSON path; a file with any problem defines nothing.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from mps.prices.engine.basket import Basket, Line, Mapping


class BasketFileError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _number(value: Any, path: str, problems: list[str], positive: bool = True) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        problems.append(f"{path}: {value!r} is not a number")
        return Decimal(0)
    if not number.is_finite() or number < 0 or (positive and number == 0):
        problems.append(f"{path}: {value!r} must be a positive number")
    return number


def _text(obj: dict[str, Any], name: str, path: str, problems: list[str], required: bool) -> str:
    value = obj.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        problems.append(f"{path}.{name}: {'required ' if required else ''}text expected")
        return ""
    return value.strip()


def parse_basket_json(text: str) -> tuple[Basket, str]:
    """The basket and its description (`bokmal_name` reads the optional bokmål name)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BasketFileError([f"line {exc.lineno}: not valid JSON ({exc.msg})"]) from None
    if not isinstance(data, dict):
        raise BasketFileError(["$: a JSON object expected"])
    problems: list[str] = []
    name = _text(data, "name", "$", problems, True)
    description = _text(data, "description", "$", problems, False)
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        problems.append("$.lines: a non-empty list expected")
        raw_lines = []
    lines: list[Line] = []
    labels: set[str] = set()
    for i, raw in enumerate(raw_lines):
        path = f"$.lines[{i}]"
        if not isinstance(raw, dict):
            problems.append(f"{path}: an object expected")
            continue
        label = _text(raw, "label", path, problems, True)
        if label in labels:
            problems.append(f"{path}.label: {label!r} is used twice")
        labels.add(label)
        quantity = _number(raw.get("quantity"), f"{path}.quantity", problems)
        unit = _text(raw, "unit", path, problems, True)
        vendors = raw.get("vendors")
        if not isinstance(vendors, dict) or not vendors:
            problems.append(f"{path}.vendors: an object of vendor name → SKU expected")
            vendors = {}
        mappings = []
        for vendor, spec in vendors.items():
            vpath = f"{path}.vendors[{vendor!r}]"
            if not isinstance(spec, dict):
                problems.append(f"{vpath}: an object expected")
                continue
            sku_id = _text(spec, "sku_id", vpath, problems, False)
            match = _text(spec, "match", vpath, problems, False)
            if not sku_id and not match:
                problems.append(f"{vpath}: give sku_id or match")
            factor = _number(spec.get("factor", 1), f"{vpath}.factor", problems)
            region = _text(spec, "region", vpath, problems, False)
            mappings.append(Mapping(vendor.strip(), sku_id, region, match, factor))
        lines.append(Line(label, quantity, unit, tuple(mappings)))
    if problems:
        raise BasketFileError(problems)
    return Basket(name, tuple(lines)), description


def bokmal_name(text: str) -> str | None:
    """The file's optional `name_nb` (None when absent); call after `parse_basket_json`."""
    data = json.loads(text)
    value = data.get("name_nb") if isinstance(data, dict) else None
    if value is None:
        return None
    if not isinstance(value, str):
        raise BasketFileError(["$.name_nb: text expected"])
    return value.strip()
