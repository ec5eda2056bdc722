"""The answers to "is this you?" in the admin: read only (evidence, only ever added)."""

from django.contrib import admin

from sangkien.core.admin import ReadOnlyAdmin
from sangkien.privacy.models import PersonClaim


@admin.register(PersonClaim)
class PersonClaimAdmin(ReadOnlyAdmin):
    list_display = ("user", "person", "decision", "at")
    list_filter = ("decision",)
