"""Forms for membership decisions and call-offs. They only collect input; actions validate and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mps.agreements.actions import MAX_NOTICE_MONTHS
from mps.agreements.models import Membership


class MembershipForm(forms.Form):
    status = forms.ChoiceField(label=_("Decision"), choices=Membership.Status.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    confirm = forms.BooleanField(
        label=_("I confirm this decision on behalf of my organisation"), required=True
    )


class DateInput(forms.DateInput):
    input_type = "date"


class CallOffForm(forms.Form):
    """The details of a call-off once agreement, lot and vendor are chosen."""

    services = forms.ModelMultipleChoiceField(
        label=_("Services"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    estimated_value = forms.DecimalField(
        label=_("Estimated value (NOK)"), max_digits=14, decimal_places=2, min_value=0
    )
    start = forms.DateField(label=_("Start"), widget=DateInput)
    end = forms.DateField(label=_("End"), widget=DateInput)
    notice_months = forms.IntegerField(
        label=_("Notice period (months)"), min_value=0, max_value=MAX_NOTICE_MONTHS, initial=3
    )
    requirements = forms.CharField(
        label=_("Requirements"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = services  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error(
                "end", _("End %(end)s is before start %(start)s.") % {"end": end, "start": start}
            )
        return data
