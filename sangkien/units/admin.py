"""Units in the admin: read-only but for the name, which goes through ``rename_unit``."""

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from sangkien.units.models import Unit
from sangkien.units.services import rename_unit


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    """Read units and rename them.  A rename goes through
    :func:`sangkien.units.services.rename_unit` (history row and ``unit.renamed``
    audit row), also when it comes from the history page's "revert"; moves,
    merges, retirements and member counts go through the services
    (``manage.py import_units`` or ``sangkien.units.services``) so the tree
    stays consistent."""

    list_display = ("code", "name", "kind", "member_count", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("code", "kind", "member_count", "is_active", "path", "depth", "numchild", "merged_into",
                       "retired_on")
    fields = ("code", "name", "kind", "member_count", "is_active", "retired_on", "merged_into",
              "path", "depth", "numchild")
    ordering = ("path",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request: Any, obj: Unit, form: Any, change: bool) -> None:
        """Rename through the service (the form holds the name only; nothing else is written)."""
        rename_unit(unit=obj, name=form.cleaned_data["name"], actor=request.user)
