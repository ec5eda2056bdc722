
from django.contrib import admin

from sangkien.core.admin import ReadOnlyAdmin
from sangkien.roles.models import RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    """Read-only: roles are granted and revoked on the roles page through
    :func:`sangkien.roles.services.grant_role` / ``revoke_role`` (scope check, audit row)."""

    list_display = ("user", "role", "unit", "granted_at")
    list_filter = ("role",)
    raw_id_fields = ("user", "unit", "granted_by")
    search_fields = ("user__email", "user__phone", "user__full_name", "unit__code", "unit__name")
