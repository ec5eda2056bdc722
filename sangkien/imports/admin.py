"""Imports and exports in the admin: read-only (the import and export services write them)."""

from django.contrib import admin

from sangkien.core.admin import ReadOnlyAdmin
from sangkien.imports.models import ExportRecord, ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("pk", "original_name", "unit", "programme", "created_by", "created_at", "status",
                    "rows_total", "rows_saved", "rows_invalid")
    list_filter = ("status", "source")
    search_fields = ("original_name", "file_sha256", "unit__code", "unit__name")
    raw_id_fields = ("unit", "created_by", "programme", "phase")
    readonly_fields = ("file_sha256", "report")


@admin.register(ExportRecord)
class ExportRecordAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "file_format", "unit", "user", "created_at", "rows", "personal_data", "status")
    list_filter = ("kind", "file_format", "status", "personal_data")
    raw_id_fields = ("unit", "user", "programme")
