from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from sangkien.units.models import Unit


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    """Read and rename units; moves and merges go through the services
    (``manage.py import_units`` or ``sangkien.units.services``) so the tree
    stays consistent."""

    list_display = ("code", "name", "kind", "member_count", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("code", "path", "depth", "numchild", "merged_into", "retired_on")
    fields = ("code", "name", "kind", "member_count", "is_active", "retired_on", "merged_into",
              "path", "depth", "numchild")
    ordering = ("path",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
