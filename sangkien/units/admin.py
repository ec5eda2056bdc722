"""Units in the admin: read-only but for the name, which goes through ``rename_unit``."""

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from sangkien.core.admin import ReadOnlyAdmin
from sangkien.units.models import ReorganisationPlan, Unit, UnitSuccession
from sangkien.units.services import rename_unit

if TYPE_CHECKING:
    from sangkien.accounts.models import User


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    """Read units and rename them.  A rename goes through
    :func:`sangkien.units.services.rename_unit` (history row and ``unit.renamed``
    audit row), also when it comes from the history page's "revert"; moves,
    merges, retirements and member counts go through the services
    (``manage.py import_units`` or ``sangkien.units.services``) so the tree
    stays consistent."""

    list_display = ("code", "name", "kind", "member_count", "is_active", "valid_from", "retired_on")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("code", "kind", "member_count", "is_active", "path", "depth", "numchild", "merged_into",
                       "valid_from", "retired_on")
    fields = ("code", "name", "kind", "member_count", "is_active", "valid_from", "retired_on", "merged_into",
              "path", "depth", "numchild")
    ordering = ("path",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(self, request: Any, obj: Unit, form: Any, change: bool) -> None:
        """Rename through the service (the form holds the name only; nothing else is written)."""
        rename_unit(unit=obj, name=form.cleaned_data["name"], actor=cast("User", request.user))

@admin.register(UnitSuccession)
class UnitSuccessionAdmin(ReadOnlyAdmin):
    """Read the links through time; they are written by ``sangkien.units.reorganisation`` only."""

    list_display = ("predecessor", "successor", "kind", "effective_on", "plan")
    list_filter = ("kind",)
    search_fields = ("predecessor__code", "successor__code")
    raw_id_fields = ("predecessor", "successor", "plan")


@admin.register(ReorganisationPlan)
class ReorganisationPlanAdmin(ReadOnlyAdmin):
    """Read uploaded plans (who, when, file SHA-256, status); applied through the page or the command."""

    list_display = ("pk", "file_name", "scope", "status", "created_by", "created_at", "applied_at")
    list_filter = ("status",)
    raw_id_fields = ("scope", "created_by", "applied_by")
