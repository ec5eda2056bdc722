"""Programmes in the admin: set up through the services (audited); targets read-only."""

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin
from django.http import HttpRequest

from sangkien.core.admin import ReadOnlyAdmin
from sangkien.programmes.models import Field, Phase, Programme, Target
from sangkien.programmes.services import delete_phase, save_phase, save_programme

if TYPE_CHECKING:
    from sangkien.accounts.models import User


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    """Programmes and their phases are set up here; each save goes through
    :func:`~sangkien.programmes.services.save_programme`,
    :func:`~sangkien.programmes.services.save_phase` or
    :func:`~sangkien.programmes.services.delete_phase` (audit rows).  A programme
    is never deleted (its initiatives protect it)."""

    list_display = ("name", "slug", "organiser", "is_published")
    prepopulated_fields = {"slug": ("name",)}
    raw_id_fields = ("organiser",)
    inlines = [PhaseInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        save_programme(programme=obj, changed=list(form.changed_data), actor=cast("User", request.user))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        formset.save(commit=False)  # fills new_objects, changed_objects, deleted_objects; writes nothing
        for phase in formset.deleted_objects:
            delete_phase(phase=phase, actor=cast("User", request.user))
        for phase in formset.new_objects:
            save_phase(phase=phase, changed=[], actor=cast("User", request.user))
        for phase, fields in formset.changed_objects:
            save_phase(phase=phase, changed=list(fields), actor=cast("User", request.user))


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    """Read-only: targets are set on the targets page through
    :func:`sangkien.programmes.services.set_targets` (scope check, audit row)."""

    list_display = ("programme", "phase", "unit", "value")
    list_filter = ("programme",)
    raw_id_fields = ("unit",)
    search_fields = ("unit__code", "unit__name")


admin.site.register(Field)
