"""The access log in the admin: read only (rows are written by the app, deleted by retention)."""

from django.contrib import admin

from sangkien.accesslog.models import PersonalDataAccess
from sangkien.core.admin import ReadOnlyAdmin


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "role", "kind", "object_ref", "unit")
    list_filter = ("kind", "role")
    search_fields = ("object_ref",)
    raw_id_fields = ("actor", "role_unit", "initiative", "programme", "unit")
    date_hierarchy = "at"
