from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sangkien.accounts.models import (
    ConsentRecord,
    ConsentVersion,
    PurposeConsent,
    User,
)
from sangkien.core.admin import ReadOnlyAdmin


@admin.register(User)
class SangkienUserAdmin(UserAdmin):
    list_display = ("username", "full_name", "phone", "phone_verified_at", "email", "is_staff")
    search_fields = ("username", "full_name", "phone", "email")
    fieldsets = (*(UserAdmin.fieldsets or ()), (_("Sáng kiến"), {"fields": ("full_name", "phone", "phone_verified_at")}))


@admin.register(ConsentVersion)
class ConsentVersionAdmin(admin.ModelAdmin):
    """A new version of the notice is added here; a published one is never
    changed nor deleted (consents point to the text people agreed to)."""

    list_display = ("version", "published_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ("user", "version", "given_at")


@admin.register(PurposeConsent)
class PurposeConsentAdmin(ReadOnlyAdmin):
    list_display = ("user", "purpose", "granted", "version", "at", "source")
    list_filter = ("purpose", "granted", "source")
