from django.contrib import admin

from sangkien.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "unit")
    list_filter = ("action",)
    search_fields = ("object_id", "action")
    raw_id_fields = ("actor", "unit")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
