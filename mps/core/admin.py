from django.contrib import admin

from mps.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("at", "actor_name", "action", "object_type", "object_repr", "organisation")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
