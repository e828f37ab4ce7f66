"""Every write of the price catalogue and baskets; CLI, web and API call these.

Catalogue and baskets are reference data: only the operator (or the system, for the CLI) writes
them. Imports are all or nothing and idempotent — a price already stored for the same SKU,
currency, tier and start day is left as it is, a different one is updated.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from mps.accounts.models import User
from mps.agreements.models import FrameworkAgreement
from mps.core import audit
from mps.core.tenancy import viewer_for
from mps.organisations.models import Organisation
from mps.prices.engine import catalogue as engine
from mps.prices.engine.history import DEFAULT_THRESHOLD_PERCENT, changes
from mps.prices.models import Basket, BasketLine, BasketMapping, ListPrice, PriceSku

# Rows per bulk insert or update.
BATCH = 1000


def alert_threshold() -> Decimal:
    """Percent rise above which a price change is an alert (setting PRICE_ALERT_PERCENT)."""
    return Decimal(str(getattr(settings, "PRICE_ALERT_PERCENT", DEFAULT_THRESHOLD_PERCENT)))


@dataclass
class PriceImportResult:
    file: str
    vendor: str
    format: str
    ok: bool = True
    records: int = 0
    skus_created: int = 0
    prices_created: int = 0
    prices_updated: int = 0
    prices_unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_total: int = 0
    price_list: str = ""  # "" = public list prices; else the framework agreement's reference
    files: list[str] = field(default_factory=list)  # each file of the import; `file` joins them
    alerts: list[dict[str, Any]] = field(
        default_factory=list
    )  # rises above the threshold it brought

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def check_operator(actor: Any) -> None:
    if actor is None:
        return  # the system: CLI run by an administrator on the server
    viewer = viewer_for(actor) if not hasattr(actor, "is_operator") else actor
    if not (viewer.is_operator and viewer.can_write):
        raise PermissionDenied("Only the operator changes the price catalogue.")


def resolve_vendor(text: str) -> tuple[str, Organisation | None]:
    """A vendor organisation by organisation number or name, else the provider name as given."""
    text = text.strip()
    org = (
        Organisation.objects.filter(
            kind=Organisation.Kind.VENDOR, orgnr=text.replace(" ", "")
        ).first()
        or Organisation.objects.filter(kind=Organisation.Kind.VENDOR, name__iexact=text).first()
    )
    return (org.name, org) if org else (text, None)


def resolve_agreement(reference: str) -> FrameworkAgreement:
    agreement = FrameworkAgreement.objects.filter(reference__iexact=reference.strip()).first()
    if agreement is None:
        raise ValidationError({"agreement": f"no framework agreement with reference {reference!r}"})
    return agreement


def do_import_prices(
    actor: Any,
    vendor: str,
    path: Path | Sequence[Path],
    fmt: str | None = None,
    display_name: str | Sequence[str] | None = None,
    agreement: str | None = None,
) -> PriceImportResult:
    """Read one or more price files and store their prices, or store nothing and report every problem.

    Several files are one import, all or nothing: the saved pages of one Azure Retail Prices
    query (checked to form one unbroken NextPageLink chain), or several CSV files. With
    `agreement` (a framework agreement's reference) the prices are that agreement's price list
    for the vendor, kept apart from the vendor's public list prices.
    """
    check_operator(actor)
    paths = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
    if not paths:
        raise ValidationError({"file": "no file given"})
    if display_name is None:
        names = [p.name for p in paths]
    else:
        names = [display_name] if isinstance(display_name, str) else list(display_name)
    formats = {fmt} if fmt else {engine.guess_format(n) for n in names}
    if len(formats) > 1:
        raise ValidationError(
            {"format": "the files are of different formats (by their names); give --format"}
        )
    fmt = formats.pop()
    vendor_name, vendor_org = resolve_vendor(vendor)
    framework = resolve_agreement(agreement) if agreement else None
    result = PriceImportResult(", ".join(names), vendor_name, fmt)
    result.files = names
    result.price_list = framework.reference if framework else ""
    files = []
    for p, name in zip(paths, names, strict=True):
        try:
            files.append((name, p.read_text(encoding="utf-8-sig")))
        except UnicodeDecodeError as exc:
            result.errors.append(
                {
                    "file": name,
                    "row": 0,
                    "column": "-",
                    "value": "",
                    "problem": f"not UTF-8 text ({exc.reason})",
                }
            )
    try:
        if result.errors:
            raise engine.PriceFileError([], 0)
        parsed = engine.parse_files(files, vendor_name, fmt)
    except engine.PriceFileError as exc:
        unreadable = len(result.errors)
        result.ok = False
        result.errors += [issue.__dict__ for issue in exc.issues]
        result.errors = result.errors[: engine.MAX_ISSUES]
        result.error_total = unreadable + exc.total
        return result
    records = parsed.records
    if framework is not None:
        records = [
            dataclasses.replace(r, key=dataclasses.replace(r.key, price_list=framework.reference))
            for r in records
        ]
    return do_store_prices(actor, vendor_org, records, result, framework)


def do_store_prices(
    actor: Any,
    vendor_org: Any,
    records: list[engine.PriceRecord],
    result: PriceImportResult,
    framework: Any = None,
    notify: bool = True,
) -> PriceImportResult:
    """Upsert parsed prices in one transaction (imports and the demo; the demo mails no one)."""
    check_operator(actor)
    result.records = len(records)
    touched: set[tuple[Any, ...]] = set()
    with transaction.atomic():
        first = _store(records, vendor_org, result.file, result, framework, touched)
        result.alerts = _new_alerts(touched)
        subject = vendor_org or first
        if subject is not None:
            audit.record(
                actor,
                "prices.import",
                subject,
                after={k: v for k, v in result.to_dict().items() if k != "errors"},
            )
    if result.alerts and notify:
        _mail_operator(result)
    return result


def _new_alerts(touched: set[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Price rises above the threshold that start on a price this import created or changed."""
    if not touched:
        return []
    from mps.prices.reports import records  # reports reads the threshold from here

    ids = {key.sku_id for key, *_ in touched}
    vendors = {key.vendor for key, *_ in touched}
    prices = ListPrice.objects.filter(sku__sku_id__in=ids, sku__vendor_name__in=vendors)
    threshold = alert_threshold()
    return [
        {
            "vendor": ch.key.vendor,
            "sku_id": ch.key.sku_id,
            "region": ch.key.region,
            "price_list": ch.key.price_list,
            "currency": ch.currency,
            "day": ch.day.isoformat(),
            "old_price": _plain(ch.old_price),
            "new_price": _plain(ch.new_price),
            "percent": None if ch.percent is None else round(float(ch.percent), 2),
        }
        for ch in changes(records(prices))
        if ch.is_alert(threshold) and (ch.key, ch.currency, ch.tier_min_units, ch.day) in touched
    ]


def _plain(value: Decimal) -> str:
    """A price without the database's trailing zeros: 0.0240000000 → 0.024."""
    return format(value.normalize(), "f")


def _mail_operator(result: PriceImportResult) -> None:
    """Tell the operator's administrators about the price rises an import brought."""
    recipients = sorted(
        set(
            User.objects.filter(
                organisation__kind=Organisation.Kind.OPERATOR, role="admin", is_active=True
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not recipients:
        return
    subject = (
        f"mps: {len(result.alerts)} price rise(s) above {alert_threshold()} % ({result.vendor})"
    )
    body = "\n".join(
        f"{a['day']}  {a['vendor']} {a['sku_id']} {a['region']}: {a['old_price']} → "
        f"{a['new_price']} {a['currency']} (+{a['percent']} %)"
        for a in result.alerts[:200]
    )
    send_mail(subject, body + f"\n\nFrom {result.file}.", settings.DEFAULT_FROM_EMAIL, recipients)


def _store(
    records: list[engine.PriceRecord],
    vendor_org: Any,
    source: str,
    result: PriceImportResult,
    framework: Any = None,
    touched: set[tuple[Any, ...]] | None = None,
) -> PriceSku | None:
    """Upsert the SKUs and prices in bulk; the first SKU (for the audit entry without a vendor).

    A few queries per thousand rows whatever the file size, so re-importing a full Azure price
    list (hundreds of thousands of items) stays an operation of seconds, not hours.
    """
    vendors = {r.key.vendor for r in records}
    skus = {s.key: s for s in PriceSku.objects.filter(vendor_name__in=vendors)}
    first_of: dict[engine.SkuKey, engine.PriceRecord] = {}
    for record in records:
        first_of.setdefault(record.key, record)
    new_skus, changed_skus = [], []
    for key, record in first_of.items():
        wanted = {
            "product": record.product[:300],
            "service": record.service[:200],
            "unit": record.unit[:100],
        }
        sku = skus.get(key)
        if sku is None:
            new_skus.append(
                PriceSku(
                    vendor_name=key.vendor,
                    sku_id=key.sku_id,
                    region=key.region,
                    price_type=key.price_type,
                    meter=key.meter,
                    price_list=key.price_list,
                    agreement=framework,
                    vendor=vendor_org,
                    **wanted,
                )
            )
            continue
        if vendor_org is not None:
            wanted["vendor_id"] = vendor_org.pk
        if any(getattr(sku, f) != v for f, v in wanted.items()):
            for f, v in wanted.items():
                setattr(sku, f, v)
            changed_skus.append(sku)
    PriceSku.objects.bulk_create(new_skus, batch_size=BATCH)
    PriceSku.objects.bulk_update(
        changed_skus, ["product", "service", "unit", "vendor"], batch_size=BATCH
    )
    result.skus_created += len(new_skus)
    if new_skus:
        skus = {s.key: s for s in PriceSku.objects.filter(vendor_name__in=vendors)}
    existing = {
        (p.sku_id, p.currency, p.tier_min_units, p.effective_from): p
        for p in ListPrice.objects.filter(sku__vendor_name__in=vendors).only(
            "id",
            "sku_id",
            "currency",
            "tier_min_units",
            "effective_from",
            "unit_price",
            "effective_to",
        )
    }
    new_prices: dict[tuple[Any, ...], ListPrice] = {}
    changed_prices: dict[int, ListPrice] = {}
    for record in records:
        sku = skus[record.key]
        ident = (sku.pk, record.currency, record.tier_min_units, record.effective_from)
        price = existing.get(ident)
        if price is None:
            if ident not in new_prices:
                if touched is not None:
                    touched.add(_ident(record))
                new_prices[ident] = ListPrice(
                    sku=sku,
                    currency=record.currency,
                    unit_price=record.unit_price,
                    tier_min_units=record.tier_min_units,
                    effective_from=record.effective_from,
                    effective_to=record.effective_to,
                    source=source[:255],
                )
        elif price.unit_price != record.unit_price or price.effective_to != record.effective_to:
            price.unit_price = record.unit_price
            price.effective_to = record.effective_to
            changed_prices[price.pk] = price
            if touched is not None:
                touched.add(_ident(record))
        elif price.pk not in changed_prices:
            result.prices_unchanged += 1
    ListPrice.objects.bulk_create(new_prices.values(), batch_size=BATCH)
    ListPrice.objects.bulk_update(
        changed_prices.values(), ["unit_price", "effective_to"], batch_size=BATCH
    )
    result.prices_created += len(new_prices)
    result.prices_updated += len(changed_prices)
    return skus.get(next(iter(first_of))) if first_of else None


def _ident(record: engine.PriceRecord) -> tuple[Any, ...]:
    return (record.key, record.currency, record.tier_min_units, record.effective_from)


@dataclass(frozen=True)
class LineSpec:
    """One basket line as the engine models it (mps.prices.engine.basket.Line): a quantity a
    month in a unit, and per vendor the SKU it is bought as."""

    label: str
    quantity: Decimal
    unit: str
    mappings: tuple[
        tuple[str, str, str, str, Decimal], ...
    ]  # vendor, sku_id, region, match, factor
    row: int = 0  # its row on the editor page, for problems; 0 = its position in the list


@dataclass(frozen=True)
class BasketData:
    name: str  # English; identifies the basket for the CLI and basket files
    name_nb: str
    description: str
    lines: tuple[LineSpec, ...]


class BasketProblem(NamedTuple):
    """Why a basket cannot be saved, and where: the line's row (0 = the basket itself), the
    field, and for a vendor's SKU the vendor (None for the line itself)."""

    row: int
    field: str
    text: str
    vendor: str | None = None


class BasketInvalid(ValidationError):
    """A basket that cannot be saved; a page shows each problem beside its field."""

    def __init__(self, problems: list[BasketProblem]) -> None:
        super().__init__([p.text for p in problems])
        self.problems = problems


# Lengths of the model's text fields, checked before the database would refuse them.
_LIMITS = {"label": 200, "unit": 100, "vendor": 200, "sku_id": 200, "region": 100, "match": 200}


def basket_problems(data: BasketData, basket: Basket | None = None) -> list[BasketProblem]:
    """Every reason `data` cannot be saved (as `basket`, or as a new basket), naming the line,
    field and value."""
    problems: list[BasketProblem] = []
    for field_name, value, label in (
        ("name", data.name, _("Name (English)")),
        ("name_nb", data.name_nb, _("Name (Norwegian bokmål)")),
    ):
        others = Basket.objects.exclude(pk=basket.pk if basket else None)
        if len(value) > 200:
            problems.append(
                BasketProblem(
                    0, field_name, _("%(field)s: longer than 200 characters.") % {"field": label}
                )
            )
        elif value and others.filter(**{f"{field_name}__iexact": value}).exists():
            problems.append(
                BasketProblem(
                    0,
                    field_name,
                    _("%(field)s: “%(value)s” is already the name of another basket.")
                    % {"field": label, "value": value},
                )
            )
    if not data.name:
        problems.append(BasketProblem(0, "name", _("Name (English): required.")))
    if not data.lines:
        problems.append(BasketProblem(0, "lines", _("A basket needs at least one line.")))
    rows: dict[str, int] = {}
    for position, line in enumerate(data.lines, start=1):
        row = line.row or position
        where = _("Line %(row)s “%(label)s”") % {"row": row, "label": line.label}
        if not line.label:
            problems.append(
                BasketProblem(
                    row, "label", _("Line %(row)s: the label is required.") % {"row": row}
                )
            )
        elif line.label.casefold() in rows:
            problems.append(
                BasketProblem(
                    row,
                    "label",
                    _("%(line)s: the label “%(value)s” is also used by line %(other)s.")
                    % {"line": where, "value": line.label, "other": rows[line.label.casefold()]},
                )
            )
        rows.setdefault(line.label.casefold(), row)
        if not (line.quantity.is_finite() and line.quantity > 0):
            problems.append(
                BasketProblem(
                    row,
                    "quantity",
                    _("%(line)s, quantity “%(value)s”: must be a positive number.")
                    % {"line": where, "value": line.quantity},
                )
            )
        if not line.unit:
            problems.append(
                BasketProblem(row, "unit", _("%(line)s: the unit is required.") % {"line": where})
            )
        if not line.mappings:
            problems.append(
                BasketProblem(
                    row,
                    "label",
                    _("%(line)s: no vendor sells it; add a SKU row for the line.")
                    % {"line": where},
                )
            )
        vendors: set[str] = set()
        for vendor, sku_id, _region, match, factor in line.mappings:
            at = _("%(line)s, vendor “%(vendor)s”") % {"line": where, "vendor": vendor}
            if not vendor:
                problems.append(
                    BasketProblem(
                        row,
                        "vendor",
                        _("%(line)s: the vendor is required.") % {"line": where},
                        vendor,
                    )
                )
            elif vendor.casefold() in vendors:
                problems.append(
                    BasketProblem(
                        row, "vendor", _("%(line)s: mapped twice.") % {"line": at}, vendor
                    )
                )
            vendors.add(vendor.casefold())
            if not sku_id and not match:
                problems.append(
                    BasketProblem(
                        row,
                        "sku_id",
                        _("%(line)s: give a SKU id or a match text.") % {"line": at},
                        vendor,
                    )
                )
            if not (factor.is_finite() and factor > 0):
                problems.append(
                    BasketProblem(
                        row,
                        "factor",
                        _("%(line)s, factor “%(value)s”: must be a positive number.")
                        % {"line": at, "value": factor},
                        vendor,
                    )
                )
        texts = [("label", line.label), ("unit", line.unit)]
        for vendor, sku_id, region, match, _factor in line.mappings:
            texts += [("vendor", vendor), ("sku_id", sku_id), ("region", region), ("match", match)]
        for field_name, value in texts:
            if len(value) > _LIMITS[field_name]:
                problems.append(
                    BasketProblem(
                        row,
                        field_name,
                        _("%(line)s, %(field)s “%(value)s…”: longer than %(max)s characters.")
                        % {
                            "line": where,
                            "field": field_name,
                            "value": value[:20],
                            "max": _LIMITS[field_name],
                        },
                    )
                )
    return problems


def basket_snapshot(basket: Basket) -> dict[str, Any]:
    """The basket with its lines and mappings, for the audit log's before and after."""
    return {
        "name": basket.name,
        "name_nb": basket.name_nb,
        "description": basket.description,
        "lines": [
            {
                "label": line.label,
                "quantity": _plain(line.quantity),
                "unit": line.unit,
                "vendors": {
                    m.vendor_name: {
                        "sku_id": m.sku_id,
                        "region": m.region,
                        "match": m.match,
                        "factor": _plain(m.factor),
                    }
                    for m in line.mappings.all()
                },
            }
            for line in basket.lines.prefetch_related("mappings")
        ],
    }


def _write_lines(basket: Basket, lines: Sequence[LineSpec]) -> None:
    basket.lines.all().delete()
    for position, spec in enumerate(lines):
        line = BasketLine.objects.create(
            basket=basket,
            position=position,
            label=spec.label,
            quantity=spec.quantity,
            unit=spec.unit,
        )
        BasketMapping.objects.bulk_create(
            BasketMapping(line=line, vendor_name=v, sku_id=s, region=r, match=m, factor=f)
            for v, s, r, m, f in spec.mappings
        )


def do_create_basket(actor: Any, data: BasketData) -> Basket:
    """A new basket from the editor; nothing is saved when any line has a problem."""
    check_operator(actor)
    with transaction.atomic():
        problems = basket_problems(data)
        if problems:
            raise BasketInvalid(problems)
        basket = Basket.objects.create(
            name=data.name, name_nb=data.name_nb, description=data.description
        )
        _write_lines(basket, data.lines)
        audit.record(actor, "prices.basket.create", basket, after=basket_snapshot(basket))
    return basket


def do_update_basket(actor: Any, basket: Basket, data: BasketData) -> Basket:
    """Rename, describe and replace the lines of a basket; all or nothing."""
    check_operator(actor)
    with transaction.atomic():
        basket = Basket.objects.select_for_update().get(pk=basket.pk)
        problems = basket_problems(data, basket)
        if problems:
            raise BasketInvalid(problems)
        before = basket_snapshot(basket)
        basket.name, basket.name_nb, basket.description = data.name, data.name_nb, data.description
        basket.save(update_fields=["name", "name_nb", "description"])
        _write_lines(basket, data.lines)
        audit.record(
            actor, "prices.basket.update", basket, before=before, after=basket_snapshot(basket)
        )
    return basket


def do_delete_basket(actor: Any, basket: Basket) -> None:
    check_operator(actor)
    with transaction.atomic():
        before = basket_snapshot(basket)
        audit.record(actor, "prices.basket.delete", basket, before=before)
        basket.delete()


def do_save_basket(
    actor: Any, name: str, description: str, lines: list[LineSpec], name_nb: str | None = None
) -> Basket:
    """Create or replace the basket of this (English) name with its lines and mappings (CLI, demo).

    `name_nb` None keeps a replaced basket's bokmål name.
    """
    check_operator(actor)
    with transaction.atomic():
        basket = Basket.objects.select_for_update().filter(name=name).first()
        data = BasketData(
            name,
            name_nb if name_nb is not None else (basket.name_nb if basket else ""),
            description,
            tuple(lines),
        )
        if basket is None:
            return do_create_basket(actor, data)
        return do_update_basket(actor, basket, data)
