from django.contrib import admin

from sangkien.initiatives.models import Initiative, Person, StatusChange


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ("at", "actor", "from_status", "to_status", "reason")
    can_delete = False


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    """Read-only: decisions go through the review pages so history is kept."""

    list_display = ("tracking_code", "title", "unit", "status", "submitted_at")
    list_filter = ("programme", "status", "sector_block")
    search_fields = ("tracking_code", "title")
    raw_id_fields = ("unit", "submitted_by", "entered_by", "field")
    inlines = [StatusChangeInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("full_name", "phone", "email")
    search_fields = ("full_name", "phone", "email")
    raw_id_fields = ("user",)
