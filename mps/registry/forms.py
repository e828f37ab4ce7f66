"""Forms for register search and the vendor portal; they turn posts into action-layer data."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mps.registry.actions import CertificationData, LocationData, ServiceData
from mps.registry.models import Category, LocationZone, Standard
from mps.registry.search import SearchFilters

# Blank rows offered for new data locations and certifications on the edit page (no JavaScript
# to add rows, so the form always offers a few empty ones).
EXTRA_ROWS = 3


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.ChoiceField(label=_("Category"), required=False)
    location = forms.ChoiceField(label=_("Data location"), required=False)
    standard = forms.ChoiceField(label=_("Certification"), required=False)
    agreement = forms.TypedChoiceField(
        label=_("Agreement"), required=False, coerce=int, empty_value=None
    )
    lot = forms.TypedChoiceField(label=_("Lot"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, agreements=None, lots=None, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["category"].choices = everything + list(Category.choices)
        self.fields["location"].choices = [("", _("Anywhere"))] + [
            (LocationZone.NORWAY, _("In Norway only")),
            (LocationZone.EEA, _("In the EEA only (Norway included)")),
            (LocationZone.OUTSIDE_EEA, _("Also outside the EEA")),
        ]
        self.fields["standard"].choices = everything + [
            c for c in Standard.choices if c[0] != Standard.OTHER
        ]
        self.has_agreements = agreements is not None
        if agreements is None:
            del self.fields["agreement"]
            del self.fields["lot"]
        else:
            self.fields["agreement"].choices = everything + [(a.pk, str(a)) for a in agreements]
            self.fields["lot"].choices = everything + [
                (lot.pk, f"{lot.agreement.name}: {lot}") for lot in lots or []
            ]

    def filters(self) -> SearchFilters:
        if not self.is_bound:
            return SearchFilters()
        # A bad value in one filter is reported on that field; the valid filters still apply.
        self.is_valid()
        data = self.cleaned_data
        return SearchFilters(
            q=data.get("q") or "",
            category=data.get("category") or "",
            location=data.get("location") or "",
            standard=data.get("standard") or "",
            agreement=data.get("agreement"),
            lot=data.get("lot"),
        )


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    description_nb = forms.CharField(
        label=_("Description (Norwegian)"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    platform_domains = forms.CharField(
        label=_("Shared platform domains"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: domains under which your shared platform serves customers "
            "(for example kunde.plattform.no). The risk score attributes hosts under them to "
            "you, not to the agency whose DNS points there."
        ),
    )


class VendorForm(forms.Form):
    """The operator picks which vendor a new service belongs to."""

    vendor = forms.ModelChoiceField(label=_("Vendor"), queryset=None)

    def __init__(self, *args, vendors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors


class LocationForm(forms.Form):
    country = forms.CharField(
        label=_("Country"), max_length=2, min_length=2, help_text=_("ISO 3166-1 alpha-2, e.g. NO")
    )
    region = forms.CharField(label=_("Provider region"), max_length=100, required=False)

    def clean_country(self) -> str:
        return self.cleaned_data["country"].strip().upper()


class CertificationForm(forms.Form):
    standard = forms.ChoiceField(label=_("Standard"), choices=Standard.choices)
    scope = forms.CharField(label=_("Scope"), max_length=300, required=False)
    issuer = forms.CharField(label=_("Issuer"), max_length=200, required=False)
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )


LocationFormSet = forms.formset_factory(
    LocationForm, extra=EXTRA_ROWS, max_num=50, validate_max=True
)
CertificationFormSet = forms.formset_factory(
    CertificationForm, extra=EXTRA_ROWS, max_num=50, validate_max=True
)


def initial_from(data: ServiceData | None) -> tuple[dict, list[dict], list[dict]]:
    if data is None:
        return {}, [], []
    return (
        {
            "name": data.name,
            "category": data.category,
            "description_nb": data.description_nb,
            "description_en": data.description_en,
            "platform_domains": "\n".join(data.platform_domains),
        },
        [{"country": loc.country, "region": loc.region} for loc in data.locations],
        [
            {
                "standard": c.standard,
                "scope": c.scope,
                "issuer": c.issuer,
                "valid_until": c.valid_until,
            }
            for c in data.certifications
        ],
    )


def service_data(
    form: ServiceForm, locations: forms.BaseFormSet, certifications: forms.BaseFormSet
) -> ServiceData:
    """Action-layer data from valid forms; blank rows are left out."""
    return ServiceData(
        name=form.cleaned_data["name"],
        category=form.cleaned_data["category"],
        description_nb=form.cleaned_data["description_nb"],
        description_en=form.cleaned_data["description_en"],
        platform_domains=tuple(form.cleaned_data["platform_domains"].splitlines()),
        locations=tuple(
            LocationData(f.cleaned_data["country"], f.cleaned_data.get("region", ""))
            for f in locations.forms
            if f.cleaned_data
        ),
        certifications=tuple(
            CertificationData(
                f.cleaned_data["standard"],
                f.cleaned_data["valid_until"],
                f.cleaned_data.get("scope", ""),
                f.cleaned_data.get("issuer", ""),
            )
            for f in certifications.forms
            if f.cleaned_data
        ),
    )
