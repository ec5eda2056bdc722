"""The access log in the admin: read only (rows are written by the app, deleted by retention)."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from sangkien.accesslog.models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "role", "kind", "object_ref", "unit")
    list_filter = ("kind", "role")
    search_fields = ("object_ref",)
    raw_id_fields = ("actor", "role_unit", "initiative", "programme", "unit")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
