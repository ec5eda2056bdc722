from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from sangkien.core.models import AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that shows rows and never writes them: a service owns every write of its model
    (docs/architecture.md, "Anatomy of an app"; issue 10)."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


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
