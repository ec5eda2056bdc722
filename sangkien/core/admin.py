from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from sangkien.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "unit")
    list_filter = ("action",)
    search_fields = ("object_id", "action")
    raw_id_fields = ("actor", "unit")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
