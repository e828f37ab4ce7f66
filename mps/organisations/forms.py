from django import forms

from mps.organisations.models import Organisation


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "website", "employees", "peer_opt_in"]
