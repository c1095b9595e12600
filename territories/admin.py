"""Read-only admin of the referential: it comes from the COG (manage.py load_territories), never from hand edits.

The one exception is a region's CRESS name, which an administrator may correct; reloads keep the correction.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ptce_ami.core.admin import ReadOnlyMixin
from ptce_ami.core.text import normalize_search
from territories.models import EPCI, Commune, Departement, ReferentialVersion, Region


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class NormalizedSearchMixin:
    """Search the normalised name, so that "saint etienne" finds "Saint-Étienne"; codes match exactly."""

    code_field = "code"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.replace(" ", "").isalnum() and any(char.isdigit() for char in term):
            return queryset.filter(**{f"{self.code_field}__istartswith": term.replace(" ", "")}), False
        return queryset.filter(search_name__contains=normalize_search(term)), False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "zone", "cress_name"]
    list_filter = ["zone"]
    search_fields = ["code", "name", "cress_name"]
    ordering = ["code"]
    fields = ["code", "name", "zone", "cress_name"]
    readonly_fields = ["code", "name", "zone"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Departement)
class DepartementAdmin(NormalizedSearchMixin, ReadOnlyAdmin):
    list_display = ["code", "name", "region", "population"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["code", "name"]


@admin.register(EPCI)
class EPCIAdmin(NormalizedSearchMixin, ReadOnlyAdmin):
    code_field = "siren"
    list_display = ["siren", "name", "kind", "population"]
    list_filter = ["kind"]
    search_fields = ["siren", "name"]
    search_help_text = _("Nom (sans tenir compte des accents ni des tirets) ou début du SIREN.")


@admin.register(Commune)
class CommuneAdmin(NormalizedSearchMixin, ReadOnlyAdmin):
    list_display = ["name", "code", "kind", "departement", "epci", "parent", "population"]
    list_filter = ["kind", "departement__region"]
    list_select_related = ["departement", "epci", "parent"]
    search_fields = ["code", "name"]
    search_help_text = _("Nom (sans tenir compte des accents ni des tirets) ou début du code INSEE.")
    show_full_result_count = False
    fields = ["code", "kind", "name", "departement", "epci", "parent", "population", "postcodes"]

    def get_queryset(self, request):
        # The change view shows the same relations as the list.
        return super().get_queryset(request).select_related("departement", "epci", "parent")


@admin.register(ReferentialVersion)
class ReferentialVersionAdmin(ReadOnlyAdmin):
    list_display = ["source", "year", "checksum", "loaded_at"]
    ordering = ["-loaded_at"]
