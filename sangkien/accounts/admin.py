from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from sangkien.accounts.models import ConsentRecord, ConsentVersion, User


@admin.register(User)
class SangkienUserAdmin(UserAdmin):
    list_display = ("username", "full_name", "phone", "phone_verified_at", "email", "is_staff")
    search_fields = ("username", "full_name", "phone", "email")
    fieldsets = (*UserAdmin.fieldsets, (_("Sáng kiến"), {"fields": ("full_name", "phone", "phone_verified_at")}))


admin.site.register(ConsentVersion)
admin.site.register(ConsentRecord)
