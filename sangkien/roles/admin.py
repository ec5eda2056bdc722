from django.contrib import admin

from sangkien.roles.models import RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "granted_at")
    list_filter = ("role",)
    raw_id_fields = ("user", "unit", "granted_by")
    search_fields = ("user__email", "user__phone", "user__full_name", "unit__code", "unit__name")
