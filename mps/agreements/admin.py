"""Operator maintenance of agreements, lots, awards, documents and templates in the Django admin.

Saves and deletes go through the action layer, so the audit log records them.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from mps.agreements import actions, documents
from mps.agreements.models import AgreementDocument, Award, CallOffTemplate, FrameworkAgreement, Lot
from mps.core.tenancy import viewer_for


class AuditedAdmin(admin.ModelAdmin):
    """Only the operator changes reference data; every change is written through the actions."""

    def _operator(self, request) -> bool:
        return viewer_for(request.user).is_operator

    def has_add_permission(self, request, *args) -> bool:
        return self._operator(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._operator(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._operator(request) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        actions.do_save_reference(viewer_for(request.user), obj, created=not change)

    def delete_model(self, request, obj) -> None:
        actions.do_delete_reference(viewer_for(request.user), obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            actions.do_delete_reference(viewer_for(request.user), obj)


class LotInline(admin.TabularInline):
    model = Lot
    extra = 0


class DocumentInline(admin.TabularInline):
    model = AgreementDocument
    extra = 0


@admin.register(FrameworkAgreement)
class FrameworkAgreementAdmin(AuditedAdmin):
    list_display = ("name", "reference", "status", "period_start", "period_end")
    list_filter = ("status",)
    search_fields = ("name", "reference")
    inlines = [LotInline, DocumentInline]


@admin.register(Lot)
class LotAdmin(AuditedAdmin):
    list_display = ("__str__", "agreement", "category")
    list_filter = ("agreement", "category")


@admin.register(Award)
class AwardAdmin(AuditedAdmin):
    list_display = ("lot", "vendor", "awarded_on")
    list_filter = ("lot__agreement",)
    autocomplete_fields = ()
    filter_horizontal = ("services",)

    def save_related(self, request, form, formsets, change) -> None:
        # Services go through the action too, so the audit log records them.
        services = form.cleaned_data.pop("services", None)
        super().save_related(request, form, formsets, change)
        if services is not None:
            actions.do_set_award_services(viewer_for(request.user), form.instance, services)


@admin.register(AgreementDocument)
class AgreementDocumentAdmin(AuditedAdmin):
    list_display = ("title", "agreement")


class CallOffTemplateForm(forms.ModelForm):
    class Meta:
        model = CallOffTemplate
        fields = ("name", "agreement", "language", "title", "body")

    def clean(self):
        data = super().clean()
        text = f"{data.get('title', '')}\n{data.get('body', '')}"
        unknown = documents.unknown_placeholders(text)
        if unknown:
            raise forms.ValidationError(
                _("Unknown placeholder(s): %(names)s. Known: %(known)s.")
                % {
                    "names": ", ".join("${" + n + "}" for n in unknown),
                    "known": ", ".join("${" + n + "}" for n in documents.PLACEHOLDERS),
                }
            )
        return data


@admin.register(CallOffTemplate)
class CallOffTemplateAdmin(AuditedAdmin):
    form = CallOffTemplateForm
    list_display = ("name", "agreement", "language", "updated_at")
