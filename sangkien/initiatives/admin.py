
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from sangkien.core.admin import ReadOnlyAdmin
from sangkien.initiatives.models import Initiative, Person, StatusChange


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ("at", "actor", "from_status", "to_status", "reason")
    can_delete = False


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    """Read-only: initiatives are created and changed only through the services
    (submission, proxy entry, import, resubmission, review), which keep the
    history and the near-duplicate index in step; a row added or edited here
    would be missing from the index (issue 8 item 3)."""

    list_display = ("tracking_code", "title", "unit", "status", "submitted_at")
    list_filter = ("programme", "status", "sector_block")
    search_fields = ("tracking_code", "title")
    raw_id_fields = ("unit", "submitted_by", "entered_by", "field")
    inlines = [StatusChangeInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    """Read-only: participants are written by the submission, the import and
    the privacy services (matching by phone, "is this you?", deletion), which
    keep authorships and the access log in step."""

    list_display = ("full_name", "phone", "email")
    search_fields = ("full_name", "phone", "email")
    raw_id_fields = ("user",)
