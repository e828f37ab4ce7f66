"""Turns a JSON-like scenario into a typed Scenario, rejecting bad input with a precise error.

Every error names where it is (the hop id or the section), the field and the offending value,
so a script author can fix the file without reading code.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from mps.privacy.rules.constants import ACCESS_MODES, MAX_HOPS, MAX_TEXT, ROLES, ROOT, SAFEGUARDS
from mps.privacy.rules.errors import ScenarioError
from mps.privacy.rules.model import Controller, DpfEntry, Hop, Scenario
from mps.privacy.rules.refdata import ReferenceData, reference

_CATEGORY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_SCENARIO_KEYS = frozenset({"assessed_on", "controller", "data_categories", "dpf_list", "hops"})
_CONTROLLER_KEYS = frozenset({"name", "country", "public_authority", "exercising_public_powers"})
_DPF_KEYS = frozenset({"organisation", "covered_entities", "eu_us", "hr", "non_hr", "next_due"})
_HOP_KEYS = frozenset(
    {
        "id",
        "from",
        "entity",
        "country",
        "role",
        "access",
        "intra_group",
        "safeguards",
        "parent_country",
        "data_categories",
        "in_adequacy_scope",
        "dpf_entity",
        "international_organisation",
    }
)
_DPF_STATUSES = frozenset({"active", "inactive"})


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _obj(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ScenarioError(where, "*", f"expected an object, got {type(raw).__name__}")
    return raw


def _no_unknown(raw: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    extra = sorted(str(k) for k in raw.keys() - allowed)
    if extra:
        raise ScenarioError(
            where, extra[0], f"unknown field (allowed: {', '.join(sorted(allowed))})"
        )


def _text(raw: dict[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise ScenarioError(where, key, "is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(where, key, f"expected a non-empty string, got {_show(value)}")
    if len(value) > MAX_TEXT:
        raise ScenarioError(where, key, f"longer than {MAX_TEXT} characters")
    return value.strip()


def _bool(raw: dict[str, Any], key: str, where: str, default: bool | None) -> bool | None:
    value = raw.get(key, default)
    if value is None or isinstance(value, bool):
        return value
    raise ScenarioError(where, key, f"expected true or false, got {_show(value)}")


def _date(raw: dict[str, Any], key: str, where: str, *, required: bool = True) -> date | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise ScenarioError(where, key, "is required (YYYY-MM-DD)")
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ScenarioError(where, key, f"expected a date YYYY-MM-DD, got {_show(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ScenarioError(where, key, f"not a real calendar date: {_show(value)}") from None


def _country(
    raw: dict[str, Any], key: str, where: str, ref: ReferenceData, *, required: bool = True
) -> str | None:
    value = _text(raw, key, where, required=required)
    if value is None:
        return None
    code = value.upper()
    if code not in ref.iso_alpha2:
        raise ScenarioError(where, key, f"unknown ISO 3166-1 alpha-2 country code {_show(value)}")
    return code


def _str_list(raw: dict[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise ScenarioError(where, key, f"expected a list, got {_show(value)}")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip() or len(item) > MAX_TEXT:
            raise ScenarioError(where, key, f"expected non-empty strings, got {_show(item)}")
        out.append(item.strip())
    return out


def _categories(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = _str_list(raw, key, where)
    for value in values:
        if not _CATEGORY.match(value):
            raise ScenarioError(
                where, key, f"category must be lower_snake_case, got {_show(value)}"
            )
    return tuple(dict.fromkeys(values))


def _controller(raw: Any, ref: ReferenceData) -> Controller:
    where = "controller"
    obj = _obj(raw, where)
    _no_unknown(obj, _CONTROLLER_KEYS, where)
    public = _bool(obj, "public_authority", where, False)
    powers = _bool(obj, "exercising_public_powers", where, public)
    return Controller(
        name=_text(obj, "name", where) or "",
        country=_country(obj, "country", where, ref) or "",
        public_authority=bool(public),
        exercising_public_powers=bool(powers),
    )


def _dpf_entry(raw: Any, index: int) -> DpfEntry:
    where = f"dpf_list[{index}]"
    obj = _obj(raw, where)
    _no_unknown(obj, _DPF_KEYS, where)
    organisation = _text(obj, "organisation", where) or ""
    where = f"dpf_list[{index}] ({organisation!r})"
    status = _text(obj, "eu_us", where) or ""
    if status not in _DPF_STATUSES:
        raise ScenarioError(where, "eu_us", f"expected 'active' or 'inactive', got {_show(status)}")
    return DpfEntry(
        organisation=organisation,
        covered_entities=tuple(_str_list(obj, "covered_entities", where)),
        eu_us=status,
        hr=bool(_bool(obj, "hr", where, False)),
        non_hr=bool(_bool(obj, "non_hr", where, False)),
        next_due=_date(obj, "next_due", where, required=False),
    )


def _hop(raw: Any, index: int, categories: tuple[str, ...], ref: ReferenceData) -> Hop:
    where = f"hops[{index}]"
    obj = _obj(raw, where)
    hop_id = _text(obj, "id", where) or ""
    where = f"hop '{hop_id}'"
    if hop_id == ROOT:
        raise ScenarioError(where, "id", f"'{ROOT}' is reserved for the root of the chain")
    _no_unknown(obj, _HOP_KEYS, where)
    role = _text(obj, "role", where) or ""
    if role not in ROLES:
        raise ScenarioError(where, "role", f"expected one of {sorted(ROLES)}, got {_show(role)}")
    access = _text(obj, "access", where) or ""
    if access not in ACCESS_MODES:
        raise ScenarioError(
            where, "access", f"expected one of {sorted(ACCESS_MODES)}, got {_show(access)}"
        )
    safeguards = _str_list(obj, "safeguards", where)
    for item in safeguards:
        if item not in SAFEGUARDS:
            raise ScenarioError(
                where,
                "safeguards",
                f"unknown safeguard {_show(item)} (allowed: {', '.join(sorted(SAFEGUARDS))})",
            )
    hop_categories: tuple[str, ...] | None = None
    if obj.get("data_categories") is not None:
        hop_categories = _categories(obj, "data_categories", where)
        outside = [c for c in hop_categories if c not in categories]
        if outside:
            raise ScenarioError(
                where,
                "data_categories",
                f"{_show(outside[0])} is not among the scenario's data_categories",
            )
    org = _text(obj, "international_organisation", where, required=False)
    if org is not None and org not in ref.international_organisations:
        raise ScenarioError(
            where,
            "international_organisation",
            f"unknown organisation {_show(org)} (known: {', '.join(sorted(ref.international_organisations))})",
        )
    return Hop(
        id=hop_id,
        from_=_text(obj, "from", where) or "",
        entity=_text(obj, "entity", where) or "",
        country=_country(obj, "country", where, ref) or "",
        role=role,
        access=access,
        intra_group=bool(_bool(obj, "intra_group", where, False)),
        safeguards=frozenset(safeguards),
        parent_country=_country(obj, "parent_country", where, ref, required=False),
        data_categories=hop_categories,
        in_adequacy_scope=_bool(obj, "in_adequacy_scope", where, None),
        dpf_entity=_text(obj, "dpf_entity", where, required=False),
        international_organisation=org,
    )


def _check_tree(hops: list[Hop]) -> None:
    """Art. 28(2)/(4) chains: every hop must lead back to the controller without a loop."""
    by_id: dict[str, Hop] = {}
    for hop in hops:
        if hop.id in by_id:
            raise ScenarioError(f"hop '{hop.id}'", "id", "duplicate hop id")
        by_id[hop.id] = hop
    for hop in hops:
        if hop.from_ != ROOT and hop.from_ not in by_id:
            raise ScenarioError(
                f"hop '{hop.id}'",
                "from",
                f"no hop with id {_show(hop.from_)} (use '{ROOT}' for the root)",
            )
    reaches_root: set[str] = set()
    for hop in hops:
        path: list[str] = []
        seen: set[str] = set()
        current: str = hop.id
        while current != ROOT and current not in reaches_root:
            if current in seen:
                loop = path[path.index(current) :] + [current]
                raise ScenarioError(
                    f"hop '{current}'", "from", f"cycle in the chain: {' -> '.join(loop)}"
                )
            seen.add(current)
            path.append(current)
            current = by_id[current].from_
        reaches_root.update(path)


def parse_scenario(raw: Any, ref: ReferenceData | None = None) -> Scenario:
    """Validate and type a scenario dict (as read from the CLI's JSON file)."""
    ref = ref or reference()
    obj = _obj(raw, "scenario")
    _no_unknown(obj, _SCENARIO_KEYS, "scenario")
    assessed_on = _date(obj, "assessed_on", "scenario")
    assert assessed_on is not None
    if "controller" not in obj:
        raise ScenarioError("scenario", "controller", "is required")
    controller = _controller(obj["controller"], ref)
    categories = _categories(obj, "data_categories", "scenario")
    dpf_raw = obj.get("dpf_list", [])
    if not isinstance(dpf_raw, list):
        raise ScenarioError("scenario", "dpf_list", f"expected a list, got {_show(dpf_raw)}")
    dpf_list = tuple(_dpf_entry(item, i) for i, item in enumerate(dpf_raw))
    hops_raw = obj.get("hops")
    if not isinstance(hops_raw, list):
        raise ScenarioError("scenario", "hops", f"expected a list of hops, got {_show(hops_raw)}")
    if len(hops_raw) > MAX_HOPS:
        raise ScenarioError("scenario", "hops", f"more than {MAX_HOPS} hops")
    hops = [_hop(item, i, categories, ref) for i, item in enumerate(hops_raw)]
    _check_tree(hops)
    return Scenario(
        assessed_on=assessed_on,
        controller=controller,
        data_categories=categories,
        dpf_list=dpf_list,
        hops=tuple(hops),
    )
