from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mps.prices.actions import BasketData, LineSpec
from mps.prices.models import Basket


class _FilesInput(forms.FileInput):
    allow_multiple_selected = True


class _FilesField(forms.FileField):
    """One or more uploaded files, as a list."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(widget=_FilesInput(), **kwargs)  # type: ignore[arg-type]

    def clean(self, data: object, initial: object = None) -> list[object]:
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(_FilesField, self).clean(f, initial) for f in files]


class ImportForm(forms.Form):
    file = _FilesField(
        label=_("Price files"),
        help_text=_(
            "Generic CSV or Azure Retail Prices JSON. Several files are one import, all or "
            "nothing: for example every saved page of one Azure query."
        ),
    )
    vendor = forms.CharField(
        label=_("Vendor"),
        max_length=200,
        help_text=_("Vendor organisation number or name, or a provider name"),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("", _("From the file name")),
            ("csv", _("Generic CSV")),
            ("azure", _("Azure Retail Prices JSON")),
        ],
        required=False,
    )
    agreement = forms.CharField(
        label=_("Framework agreement"),
        max_length=60,
        required=False,
        help_text=_(
            "Its reference, when the file is an agreement's price list; empty for list prices"
        ),
    )


class DayForm(forms.Form):
    dato = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


# Blank rows offered for new basket lines and SKU rows (no JavaScript to add rows).
EXTRA_ROWS = 3
MAX_ROWS = 100


def _number(text: str) -> Decimal | None:
    """A decimal written with "." or "," and optional spaces; None if it is not one."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class _RowForm(forms.Form):
    """A formset row; blank rows are skipped, so no field is required by itself."""

    @property
    def row(self) -> int:
        return int(str(self.prefix).rsplit("-", 1)[-1]) + 1

    def values(self) -> dict[str, str]:
        return {name: (self.cleaned_data.get(name) or "").strip() for name in self.fields}

    def is_blank(self) -> bool:
        """Every field left empty (on a post, whose rows have no initial values)."""
        return not self.has_changed()


class BasketForm(forms.Form):
    name_nb = forms.CharField(label=_("Name (Norwegian bokmål)"), max_length=200)
    name = forms.CharField(
        label=_("Name (English)"),
        max_length=200,
        help_text=_("Identifies the basket for the command line and basket files"),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: 2 vCPU, 8 GB RAM, 100 GB disk, 1 TB egress a month"),
    )


class LineForm(_RowForm):
    label = forms.CharField(label=_("Line"), max_length=200, required=False)
    quantity = forms.CharField(
        label=_("Quantity per month"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    unit = forms.CharField(label=_("Unit"), max_length=100, required=False)

    def clean_quantity(self) -> str:
        text = self.cleaned_data["quantity"].strip()
        if text and _number(text) is None:
            raise ValidationError(
                _("Line %(row)s, quantity “%(value)s”: not a number."),
                params={"row": self.row, "value": text},
            )
        return text


class MappingForm(_RowForm):
    line = forms.CharField(
        label=_("Line"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "basket-line-labels", "size": 10}),
    )
    vendor = forms.CharField(
        label=_("Vendor"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "basket-vendors", "size": 20}),
    )
    # Sizes keep the six columns within the page (no inline style: the CSP forbids it).
    sku_id = forms.CharField(
        label=_("SKU id"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"size": 12}),
    )
    region = forms.CharField(
        label=_("Region"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"size": 10}),
    )
    match = forms.CharField(
        label=_("Match text"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"size": 12}),
    )
    factor = forms.CharField(
        label=_("SKU units per line unit"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "1", "size": 5, "inputmode": "decimal"}),
    )

    def clean_factor(self) -> str:
        text = self.cleaned_data["factor"].strip()
        if text and _number(text) is None:
            raise ValidationError(
                _("SKU row %(row)s, factor “%(value)s”: not a number."),
                params={"row": self.row, "value": text},
            )
        return text


LineFormSet = forms.formset_factory(LineForm, extra=EXTRA_ROWS, max_num=MAX_ROWS, validate_max=True)
MappingFormSet = forms.formset_factory(
    MappingForm, extra=EXTRA_ROWS, max_num=MAX_ROWS, validate_max=True
)


def basket_initial(
    basket: Basket | None,
) -> tuple[dict[str, str], list[dict[str, str]], list[dict[str, str]]]:
    """The editor's initial values: the basket, one row per line, one row per line and vendor."""
    if basket is None:
        return {}, [], []
    lines, mappings = [], []
    for line in basket.lines.prefetch_related("mappings"):
        lines.append({"label": line.label, "quantity": _plain(line.quantity), "unit": line.unit})
        for m in line.mappings.all():
            mappings.append(
                {
                    "line": line.label,
                    "vendor": m.vendor_name,
                    "sku_id": m.sku_id,
                    "region": m.region,
                    "match": m.match,
                    "factor": _plain(m.factor),
                }
            )
    head = {"name_nb": basket.name_nb, "name": basket.name, "description": basket.description}
    return head, lines, mappings


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def basket_data(
    form: BasketForm, lines: forms.BaseFormSet, mappings: forms.BaseFormSet
) -> tuple[BasketData, bool]:
    """The editor's rows as the action's data, and whether a row was refused here.

    Blank rows are left out. A value a row refused itself (a number that is not one) stands in
    as 1, so that the action can still name every other problem on the same page; the data
    must then not be saved. A SKU row names its line by label; one naming no line of the basket
    is refused here, with its row and value, since the action cannot tell which line it meant.
    """
    refused = not form.is_valid()
    specs: list[tuple[int, dict[str, str], Decimal]] = []
    for f in lines:
        if f.is_blank():
            continue
        v = f.values()
        quantity = Decimal(1)
        if f.errors:
            refused = True
        if "quantity" in f.errors:
            pass
        elif not v["quantity"]:
            f.add_error(
                "quantity",
                ValidationError(
                    _("Line %(row)s “%(label)s”: the quantity is required."),
                    params={"row": f.row, "label": v["label"]},
                ),
            )
            refused = True
        else:
            quantity = _number(v["quantity"]) or Decimal(0)
        specs.append((f.row, v, quantity))
    labels = {v["label"].casefold(): v["label"] for _, v, _ in specs if v["label"]}
    per_line: dict[str, list[tuple[str, str, str, str, Decimal]]] = {}
    for f in mappings:
        if f.is_blank():
            continue
        v = f.values()
        refused = refused or bool(f.errors)
        key = v["line"].casefold()
        if key not in labels:
            if "line" not in f.errors:
                f.add_error(
                    "line",
                    ValidationError(
                        _(
                            "SKU row %(row)s, line “%(value)s”: no line of the basket has this "
                            "label."
                        ),
                        params={"row": f.row, "value": v["line"]},
                    ),
                )
            refused = True
            continue
        factor = Decimal(1)
        if v["factor"] and "factor" not in f.errors:
            factor = _number(v["factor"]) or Decimal(0)
        per_line.setdefault(key, []).append(
            (v["vendor"], v["sku_id"], v["region"], v["match"], factor)
        )
    data = BasketData(
        name=(form.cleaned_data.get("name") or "").strip(),
        name_nb=(form.cleaned_data.get("name_nb") or "").strip(),
        description=(form.cleaned_data.get("description") or "").strip(),
        lines=tuple(
            LineSpec(
                v["label"],
                quantity,
                v["unit"],
                tuple(per_line.get(v["label"].casefold(), ())),
                row=row,
            )
            for row, v, quantity in specs
        ),
    )
    return data, refused
