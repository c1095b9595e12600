"""The columns of the instruction list: the catalogue a staff member chooses from, the choice each one saved
(``ListPreference``), and what the list fetches for the chosen columns only.

Every column costs a constant number of queries whatever the number of dossiers: a column of the dossier's own
row or of a one-to-one relation is joined (``select_related``), a count or a sum is a subquery (``annotate``),
a many-to-many relation is one prefetch query for the page, and the unread messages one query for the page.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from reviews.models import ListPreference
from reviews.services.selection import member_count, requested_grant
from territories.models import Commune

INSTRUCTION_LIST = "instruction"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sortable: bool = False
    related: tuple = ()  # select_related paths
    prefetch: tuple = ()  # prefetch_related lookups, or functions making them (a Prefetch is not reusable)
    unread: bool = False  # needs the page's unread message counts (one query)


def territory_communes():
    return Prefetch("communes", queryset=Commune.objects.select_related("departement").order_by())


def territory_departements(dossier):
    """The départements of the dossier's territory: those it names and those of its communes, by code."""
    departements = {departement.code: departement for departement in dossier.departements.all()}
    departements.update({commune.departement.code: commune.departement for commune in dossier.communes.all()})
    return [departements[code] for code in sorted(departements)]


# The reference always comes first (it leads to the dossier's page); the others, in this order, as chosen.
CATALOGUE = (
    Column("name", _("Pôle"), sortable=True),
    Column("region", _("Région"), sortable=True, related=("region",)),
    Column("departements", _("Département(s)"), prefetch=("departements", territory_communes)),
    Column("state", _("État"), sortable=True, related=("phase",)),
    Column("edition", _("Édition"), sortable=True, related=("phase__edition",)),
    Column("phase", _("Phase"), sortable=True, related=("phase",)),
    Column("submitted_at", _("Déposé le"), sortable=True),
    Column("updated_at", _("Dernière modification"), sortable=True),
    Column("score", _("Note"), sortable=True, related=("score",)),
    Column("regional_opinion", _("Avis régional"), related=("regional_opinion",)),
    Column("member_count", _("Nombre de membres"), sortable=True),
    Column("sectors", _("Secteurs"), prefetch=("sectors",)),
    Column("requested_grant", _("Montant demandé"), sortable=True),
    Column("unread", _("Messages non lus"), unread=True),
    Column("labels", _("Étiquettes"), prefetch=("labels",)),
)
CATALOGUE_BY_KEY = {column.key: column for column in CATALOGUE}
DEFAULT_COLUMNS = ("name", "region", "state", "submitted_at", "score", "unread", "labels")
# The annotations a column needs (sorting on them orders by the same expressions, reviews/services/selection.py).
ANNOTATIONS = {"member_count": member_count, "requested_grant": requested_grant}


def in_catalogue_order(keys):
    """``keys`` restricted to known columns, in the catalogue's order, without duplicates."""
    keys = set(keys)
    return [column.key for column in CATALOGUE if column.key in keys]


def chosen_columns(user, list_name=INSTRUCTION_LIST):
    """The columns ``user`` chose for the list (the defaults until they choose), in the catalogue's order."""
    preference = ListPreference.objects.filter(user=user, list_name=list_name).first()
    keys = in_catalogue_order(preference.columns) if preference is not None else DEFAULT_COLUMNS
    return [CATALOGUE_BY_KEY[key] for key in keys]


def save_columns(user, keys, list_name=INSTRUCTION_LIST):
    ListPreference.objects.update_or_create(
        user=user, list_name=list_name, defaults={"columns": in_catalogue_order(keys)}
    )


def reset_columns(user, list_name=INSTRUCTION_LIST):
    ListPreference.objects.filter(user=user, list_name=list_name).delete()


def for_columns(queryset, columns):
    """``queryset`` with what ``columns`` show joined, annotated or prefetched, and nothing more."""
    related = {path for column in columns for path in column.related}
    prefetch = [lookup() if callable(lookup) else lookup for column in columns for lookup in column.prefetch]
    annotations = {column.key: ANNOTATIONS[column.key]() for column in columns if column.key in ANNOTATIONS}
    queryset = queryset.annotate(**annotations) if annotations else queryset
    queryset = queryset.select_related(*sorted(related)) if related else queryset
    return queryset.prefetch_related(*prefetch) if prefetch else queryset
