"""Forms of the cost pages; validation of meaning happens in the actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# Upload limit for the web form; larger exports go through `mps costs import`.
MAX_UPLOAD_BYTES = 2 * 1024**3


class BudgetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    amount_nok = forms.DecimalField(
        label=_("Budget (NOK)"), min_value=1, max_digits=16, decimal_places=2
    )
    reference_date = forms.DateField(
        label=_("Exchange-rate reference date"),
        help_text=_("The day whose exchange rates the budget assumed (YYYY-MM-DD)."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("FOCUS export"),
        help_text=_("CSV, gzip-compressed CSV or Parquet, FOCUS 1.0 to 1.3."),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large for the web form; use the CLI."))
        return f
