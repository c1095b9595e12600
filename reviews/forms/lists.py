"""What the staff lists whose rows belong to a dossier share (grants, bouquet requests): a search on the pôle's name
or the dossier's reference, and the region, a partner being offered their own regions only."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ptce_ami.accounts.enums import Role
from ptce_ami.core.text import SEARCH_MAX_LENGTH, accent_insensitive_pattern
from territories.models import Region


class DossierRowFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Recherche"),
        method="filter_text",
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Nom du pôle ou référence du dossier."),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Région"), field_name="dossier__region", queryset=Region.objects.all(), empty_label=_("Toutes")
    )

    def __init__(self, data=None, *args, user=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        if user is not None and user.role == Role.PARTENAIRE:
            self.filters["region"].queryset = user.regions.all()

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        pattern = accent_insensitive_pattern(value)
        return queryset.filter(Q(dossier__name__iregex=pattern) | Q(dossier__reference__icontains=value))
