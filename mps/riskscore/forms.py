"""Forms of the risk score pages; validation of meaning happens in the actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mps.riskscore.models import Asset, Dispute


class AssetForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Asset.Kind.choices)
    value = forms.CharField(
        label=_("Domain, host name, IP address or CIDR block"),
        max_length=300,
        help_text=_("Norwegian letters are fine, e.g. bærum.kommune.no."),
    )


class VerifyForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Validation method"),
        choices=[
            (Asset.Method.DNS_TXT, Asset.Method.DNS_TXT.label),
            (Asset.Method.WELL_KNOWN, Asset.Method.WELL_KNOWN.label),
            (Asset.Method.OPERATOR, Asset.Method.OPERATOR.label),
        ],
    )
    note = forms.CharField(
        label=_("Note (operator confirmation)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DisputeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of dispute"), choices=Dispute.Kind.choices)
    justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs={"rows": 3})
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("At most one year ahead."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class GrantForm(forms.Form):
    """The operator opens one agency's evidence to a central function, for a reason and a time."""

    grantee = forms.ModelChoiceField(label=_("Central function"), queryset=None)
    subject = forms.CharField(label=_("Agency (organisation number)"), max_length=9, min_length=9)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the incident or inspection the access is for."),
    )
    expires_on = forms.DateField(
        label=_("Access ends on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        from mps.organisations.models import Organisation

        super().__init__(*args, **kwargs)
        self.fields["grantee"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.CENTRAL
        ).order_by("name")

    def clean_subject(self):
        from mps.organisations.models import Organisation

        orgnr = self.cleaned_data["subject"].strip()
        found = Organisation.objects.filter(orgnr=orgnr).first()
        if found is None:
            raise forms.ValidationError(
                _("No organisation has the number %(orgnr)s.") % {"orgnr": orgnr}
            )
        return found
