from django.contrib import admin

from sangkien.programmes.models import Field, Phase, Programme, Target


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "organiser", "is_published")
    prepopulated_fields = {"slug": ("name",)}
    raw_id_fields = ("organiser",)
    inlines = [PhaseInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("programme", "phase", "unit", "value")
    list_filter = ("programme",)
    raw_id_fields = ("unit",)
    search_fields = ("unit__code", "unit__name")


admin.site.register(Field)
