from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from mps.accounts.models import ApiToken, User


@admin.register(User)
class MpsUserAdmin(UserAdmin):
    list_display = ("username", "email", "organisation", "role", "is_active")
    list_filter = ("role", "is_active", "organisation__kind")
    fieldsets = (*UserAdmin.fieldsets, ("mps", {"fields": ("organisation", "role", "language")}))
    raw_id_fields = ("organisation",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "scope", "created_at", "last_used_at", "revoked_at")
    readonly_fields = (
        "user",
        "organisation",
        "prefix",
        "token_hash",
        "scope",
        "created_at",
        "last_used_at",
    )
    exclude = ()

    def has_add_permission(self, request):
        return False  # tokens are created by their owners, so the secret is shown to them only
