from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Price file"), help_text=_("Generic CSV or Azure Retail Prices JSON")
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
