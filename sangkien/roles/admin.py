from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sangkien.roles.models import RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Read-only: roles are granted and revoked on the roles page through
    :func:`sangkien.roles.services.grant_role` / ``revoke_role`` (scope check, audit row)."""

    list_display = ("user", "role", "unit", "granted_at")
    list_filter = ("role",)
    raw_id_fields = ("user", "unit", "granted_by")
    search_fields = ("user__email", "user__phone", "user__full_name", "unit__code", "unit__name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
