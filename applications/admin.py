from django.contrib import admin
from rules.contrib.admin import ObjectPermissionsModelAdmin, ObjectPermissionsTabularInline

from applications.models import Edition, Phase


class PhaseInline(ObjectPermissionsTabularInline):
    model = Phase
    extra = 0
    fields = ["kind", "wave", "opens_at", "closes_at", "max_grant"]


@admin.register(Edition)
class EditionAdmin(ObjectPermissionsModelAdmin):
    list_display = ["name", "year", "published", "envelope"]
    list_filter = ["published"]
    inlines = [PhaseInline]


@admin.register(Phase)
class PhaseAdmin(ObjectPermissionsModelAdmin):
    list_display = ["__str__", "kind", "wave", "opens_at", "closes_at", "max_grant"]
    list_filter = ["edition", "kind"]
    list_select_related = ["edition"]
