"""Django admin for the operator's own maintenance (staff users of the operator only)."""

from django.contrib import admin

from mps.organisations.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "orgnr", "sector", "county", "synthetic")
    list_filter = ("kind", "sector", "synthetic")
    search_fields = ("name", "orgnr", "foreign_id")
    raw_id_fields = ("parent",)
