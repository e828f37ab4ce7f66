"""Forms of the privacy pages; the actions validate meaning (countries, chain shape, taxonomy)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mps.privacy import taxonomy
from mps.privacy.actions import ActivityData, DeclarationData, EntryData
from mps.privacy.models import Access, RecordKind, ReviewStatus, Role

SCC_CHOICES = [
    ("", _("None")),
    ("1", "1 (C→C)"),
    ("2", "2 (C→P)"),
    ("3", "3 (P→P)"),
    ("4", "4 (P→C)"),
]
TEXT = {"rows": 2}


class DeclarationForm(forms.Form):
    processing_locations = forms.CharField(
        label=_("Processing locations"),
        required=False,
        max_length=300,
        help_text=_("Country codes separated by spaces or commas, e.g. NO SE DE."),
    )
    dpa_version = forms.CharField(label=_("DPA version"), required=False, max_length=60)
    dpa_date = forms.DateField(
        label=_("DPA date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    dpa_url = forms.URLField(
        label=_("DPA link"), required=False, max_length=500, assume_scheme="https"
    )
    encryption_at_rest = forms.BooleanField(label=_("Encryption at rest"), required=False)
    encryption_in_transit = forms.BooleanField(label=_("Encryption in transit"), required=False)
    customer_keys_in_eea = forms.BooleanField(
        label=_("Customer-held keys kept in the EEA"), required=False
    )
    objection_days = forms.IntegerField(
        label=_("Objection period (days)"),
        min_value=0,
        max_value=365,
        initial=30,
        help_text=_("Art. 28(2): how long customers have to object to a new sub-processor."),
    )
    change_note = forms.CharField(
        label=_("What changed"), required=False, widget=forms.Textarea(attrs=TEXT)
    )

    @classmethod
    def initial_of(cls, data: DeclarationData) -> dict:
        return {
            "processing_locations": " ".join(data.processing_locations),
            "dpa_version": data.dpa_version,
            "dpa_date": data.dpa_date,
            "dpa_url": data.dpa_url,
            "encryption_at_rest": data.encryption_at_rest,
            "encryption_in_transit": data.encryption_in_transit,
            "customer_keys_in_eea": data.customer_keys_in_eea,
            "objection_days": data.objection_days,
            "change_note": data.change_note,
        }


class EntryForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal entity"), max_length=200, required=False)
    country = forms.CharField(label=_("Country"), max_length=2, required=False)
    function = forms.CharField(label=_("Function"), max_length=200, required=False)
    access = forms.ChoiceField(label=_("Access"), choices=Access.choices, required=False)
    upstream = forms.IntegerField(
        label=_("Engaged by entry no."),
        required=False,
        min_value=1,
        help_text=_("Empty for the processor the agency contracts with."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.PROCESSOR)
    parent_name = forms.CharField(label=_("Parent company"), max_length=200, required=False)
    parent_country = forms.CharField(
        label=_("Parent company country"), max_length=2, required=False
    )
    intra_group = forms.BooleanField(label=_("Same group as the engaging entity"), required=False)
    data_categories = forms.MultipleChoiceField(
        label=_("Data categories it can reach (none ticked: all)"),
        choices=taxonomy.CATEGORY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scc_module = forms.ChoiceField(
        label=_("SCC module signed"), choices=SCC_CHOICES, required=False
    )
    tia_done = forms.BooleanField(label=_("Transfer impact assessment done"), required=False)
    bcr = forms.BooleanField(label=_("Binding corporate rules"), required=False)
    dpf_claimed = forms.BooleanField(
        label=_("Relies on the Data Privacy Framework"), required=False
    )
    dpf_entity = forms.CharField(
        label=_("Name on the DPF list, if different"), max_length=200, required=False
    )

    @classmethod
    def initial_of(cls, e: EntryData) -> dict:
        return {
            "legal_name": e.legal_name,
            "country": e.country,
            "function": e.function,
            "access": e.access,
            "upstream": e.upstream + 1 if e.upstream is not None else None,
            "role": e.role,
            "parent_name": e.parent_name,
            "parent_country": e.parent_country,
            "intra_group": e.intra_group,
            "data_categories": list(e.data_categories),
            "scc_module": str(e.scc_module) if e.scc_module else "",
            "tia_done": e.tia_done,
            "bcr": e.bcr,
            "dpf_claimed": e.dpf_claimed,
            "dpf_entity": e.dpf_entity,
        }

    def to_data(self) -> EntryData | None:
        c = self.cleaned_data
        if not c or not (c.get("legal_name") or "").strip():
            return None  # an empty row removes the entry
        return EntryData(
            legal_name=c["legal_name"],
            country=c.get("country") or "",
            function=c.get("function") or "",
            access=c.get("access") or "",
            upstream=c["upstream"] - 1 if c.get("upstream") else None,
            data_categories=tuple(c.get("data_categories") or ()),
            parent_name=c.get("parent_name") or "",
            parent_country=c.get("parent_country") or "",
            intra_group=bool(c.get("intra_group")),
            role=c.get("role") or Role.PROCESSOR,
            scc_module=int(c["scc_module"]) if c.get("scc_module") else None,
            tia_done=bool(c.get("tia_done")),
            bcr=bool(c.get("bcr")),
            dpf_claimed=bool(c.get("dpf_claimed")),
            dpf_entity=c.get("dpf_entity") or "",
        )


EntryFormSet = forms.formset_factory(EntryForm, extra=2, max_num=100, validate_max=True)


def declaration_data(form: DeclarationForm, entries: list[EntryForm]) -> DeclarationData:
    c = form.cleaned_data
    locations = tuple(
        p for p in (c.get("processing_locations") or "").replace(",", " ").split() if p
    )
    kept = [f.to_data() for f in entries]
    # Row numbers in "engaged by" refer to the rows as shown; renumber after dropping empties.
    shown_to_kept: dict[int, int] = {}
    for shown, data in enumerate(kept):
        if data is not None:
            shown_to_kept[shown] = len(shown_to_kept)
    out = []
    for data in kept:
        if data is None:
            continue
        upstream = data.upstream
        if upstream is not None:
            upstream = shown_to_kept.get(upstream, len(kept) + 1000)  # invalid: the action says so
        out.append(EntryData(**{**data.__dict__, "upstream": upstream}))
    return DeclarationData(
        processing_locations=locations,
        dpa_version=c.get("dpa_version") or "",
        dpa_date=c.get("dpa_date"),
        dpa_url=c.get("dpa_url") or "",
        encryption_at_rest=bool(c.get("encryption_at_rest")),
        encryption_in_transit=bool(c.get("encryption_in_transit")),
        customer_keys_in_eea=bool(c.get("customer_keys_in_eea")),
        objection_days=c.get("objection_days") if c.get("objection_days") is not None else 30,
        change_note=c.get("change_note") or "",
        entries=tuple(out),
    )


class ActivityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Record"), choices=RecordKind.choices)
    controller_contact = forms.CharField(
        label=_("Controller name and contact details"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
    )
    joint_controller = forms.CharField(
        label=_("Joint controller"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    representative = forms.CharField(
        label=_("Representative"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    dpo_contact = forms.CharField(
        label=_("Data protection officer"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    processor_for = forms.CharField(
        label=_("Controllers we process for (Art. 30(2))"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
    )
    purposes = forms.CharField(
        label=_("Purposes"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    legal_bases = forms.MultipleChoiceField(
        label=_("Legal bases"),
        choices=taxonomy.LEGAL_BASES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    special_condition = forms.CharField(
        label=_("Condition for special categories or offence data"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("Art. 9(2) or Art. 10 and the national provision relied on."),
    )
    data_subjects = forms.MultipleChoiceField(
        label=_("Categories of data subjects"),
        choices=taxonomy.DATA_SUBJECTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    data_categories = forms.MultipleChoiceField(
        label=_("Categories of personal data"),
        choices=taxonomy.CATEGORY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recipients = forms.CharField(
        label=_("Recipients"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    other_transfers = forms.CharField(
        label=_("Other third-country transfers and safeguards"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("Transfers in the chains of linked services are assessed automatically."),
    )
    erasure_limits = forms.CharField(
        label=_("Time limits for erasure"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    security_measures = forms.CharField(
        label=_("Technical and organisational security measures"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
    )
    public_powers = forms.BooleanField(
        label=_("Exercises public powers"), required=False, initial=True
    )
    services = forms.MultipleChoiceField(
        label=_("Services used"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, service_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = list(service_choices)

    @classmethod
    def initial_of(cls, data: ActivityData) -> dict:
        initial = dict(data.__dict__)
        for key in ("legal_bases", "data_subjects", "data_categories"):
            initial[key] = list(initial[key])
        initial["services"] = [str(i) for i in data.service_ids]
        return initial

    def to_data(self) -> ActivityData:
        c = self.cleaned_data
        return ActivityData(
            name=c["name"],
            kind=c["kind"],
            **{
                key: c.get(key) or ""
                for key in (
                    "controller_contact",
                    "joint_controller",
                    "representative",
                    "dpo_contact",
                    "processor_for",
                    "purposes",
                    "special_condition",
                    "recipients",
                    "other_transfers",
                    "erasure_limits",
                    "security_measures",
                )
            },
            legal_bases=tuple(c.get("legal_bases") or ()),
            data_subjects=tuple(c.get("data_subjects") or ()),
            data_categories=tuple(c.get("data_categories") or ()),
            public_powers=bool(c.get("public_powers")),
            service_ids=tuple(int(s) for s in c.get("services") or ()),
        )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ReviewStatus.ACCEPTED, _("Accept the change")),
            (ReviewStatus.OBJECTED, _("Object (Art. 28(2))")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs=TEXT))
